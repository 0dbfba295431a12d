import type { AccessService } from './access.js';
import { type NotRecorded, recordAfterSend } from './after-send.js';
import { DomainError } from './errors.js';
import {
  type Actor,
  describePermissions,
  keepsTicketStatus,
  type TicketResolution,
  type TicketStatusChange,
} from './helpdesk.js';
import type { Clock, PortalDirectory, TicketStore } from './ports.js';
import type { ThreadRef, TicketLink } from './thread-link.js';

/** Closing or reopening a thread's ticket from Slack. */
export interface TicketClosingRequest {
  readonly thread: ThreadRef;
  readonly actor: Actor;
  /** The link the person saw (on the ticket card, or the closed-thread prompt): it must still be the thread's. */
  readonly linkId: string;
}

export interface TicketClosingResult {
  /** The link as it now is. */
  readonly link: TicketLink;
  /** false when it already was as asked (closed, or open): nothing was sent or written. */
  readonly changed: boolean;
  /** The portal's ticket status was changed too (workspace HelpDesk); false where the HelpDesk keeps none. */
  readonly inPortal: boolean;
  /** Store writes that failed after the change was made (the audit entry): the change stands. */
  readonly notRecorded: readonly NotRecorded[];
}

export interface TicketClosing {
  /**
   * Closes the thread's ticket: in its portal where the HelpDesk keeps a status (docs/duplocloud-api.md §4 Close),
   * then in the store, so the thread stops going to the agent. Needs the access that changing the ticket needs
   * (§7). A portal that refuses leaves the ticket open everywhere; so does a store that fails after the portal
   * closed it (the portal's ticket is opened again).
   */
  close(request: TicketClosingRequest & { readonly resolution: TicketResolution }): Promise<TicketClosingResult>;
  /** Opens a closed ticket again (the portal's status back to open where it keeps one); the same access as close. */
  reopen(request: TicketClosingRequest): Promise<TicketClosingResult>;
  /** The person's tickets closed from Slack, most recently closed first (App Home). */
  recentlyClosedBy(teamId: string, slackUserId: string, limit: number): Promise<TicketLink[]>;
}

export function createTicketClosing({
  portals,
  access,
  store,
  clock,
  changingLink = (_link, work) => work(),
}: {
  portals: PortalDirectory;
  access: AccessService;
  store: TicketStore;
  clock: Clock;
  /** The ticket service's bookkeeping of link writes (TicketService.changingLink), so relays see the change. */
  changingLink?: <T>(link: TicketLink, work: () => Promise<T>) => Promise<T>;
}): TicketClosing {
  /** The thread's active link, when it is the one the person saw; and their right to change it. */
  const currentLink = async ({ thread, actor, linkId }: TicketClosingRequest): Promise<TicketLink> => {
    const link = await store.activeLink(thread);
    if (!link) throw new DomainError('thread.not_linked', 'This thread has no ticket');
    if (link.id !== linkId) {
      throw new DomainError('store.conflict', 'The thread has another ticket now', { linkId });
    }
    await access.requireSpace(link.portal, actor, link.spaceId, { write: true, fresh: true });
    return link;
  };

  /** Sets the portal's status where the HelpDesk keeps one; the ticket must be reached with the API it was made on. */
  const setPortalStatus = async (link: TicketLink, change: TicketStatusChange): Promise<boolean> => {
    if (!keepsTicketStatus(link.api)) return false;
    const portal = portals.get(link.portal);
    const api = await portal.helpdesk();
    if (api !== link.api) {
      throw new DomainError('portal.api_changed', `Ticket ${link.ticketName} was opened on the ${link.api} HelpDesk`, {
        portal: link.portal,
        was: link.api,
        now: api,
      });
    }
    await portal.setTicketStatus(link.spaceId, link.ticketName, change);
    return true;
  };

  /**
   * The store write that follows the portal's change. When it fails, the portal's change is undone (best effort) so
   * that the ticket is not closed in one place and open in the other; the store's error is what the person reads.
   */
  const recordOrUndo = async (
    link: TicketLink,
    inPortal: boolean,
    undo: TicketStatusChange,
    write: () => Promise<TicketLink | null>,
  ): Promise<TicketLink | null> => {
    try {
      return await write();
    } catch (error) {
      if (inPortal) {
        await portals
          .get(link.portal)
          .setTicketStatus(link.spaceId, link.ticketName, undo)
          .catch(() => undefined);
      }
      throw error;
    }
  };

  /** Someone else changed the link between our read and our write: the link as it is now, or a conflict. */
  const settledBySomeoneElse = async (link: TicketLink, closed: boolean): Promise<TicketLink> => {
    const now = await store.getLink(link.id);
    if (now?.active && (now.closed !== null) === closed) return now;
    throw new DomainError('store.conflict', 'The thread changed meanwhile', { linkId: link.id });
  };

  const audit = async (link: TicketLink, actor: Actor, action: string, detail: Record<string, unknown>, at: Date) => {
    const notRecorded: NotRecorded[] = [];
    await recordAfterSend(notRecorded, 'audit', () =>
      store.appendAudit({
        at,
        actor: actor.slackUserId,
        action,
        portal: link.portal,
        spaceId: link.spaceId,
        ticketName: link.ticketName,
        permissions: describePermissions(link.permissions),
        detail: { ...detail, channelId: link.thread.channelId, threadTs: link.thread.threadTs },
      }),
    );
    return notRecorded;
  };

  return {
    async close(request) {
      const link = await currentLink(request);
      if (link.closed) return { link, changed: false, inPortal: keepsTicketStatus(link.api), notRecorded: [] };
      const inPortal = await setPortalStatus(link, { status: 'closed', resolution: request.resolution });
      const at = clock.now();
      const closed = await recordOrUndo(link, inPortal, { status: 'open' }, () =>
        changingLink(link, () =>
          store.closeLink(link.id, { at, by: request.actor.slackUserId, resolution: request.resolution }),
        ),
      );
      if (!closed) return { link: await settledBySomeoneElse(link, true), changed: false, inPortal, notRecorded: [] };
      const notRecorded = await audit(
        closed,
        request.actor,
        'ticket.closed',
        { resolution: request.resolution, inPortal },
        at,
      );
      return { link: closed, changed: true, inPortal, notRecorded };
    },

    async reopen(request) {
      const link = await currentLink(request);
      const { closed } = link;
      if (!closed) return { link, changed: false, inPortal: keepsTicketStatus(link.api), notRecorded: [] };
      const inPortal = await setPortalStatus(link, { status: 'open' });
      const at = clock.now();
      const reopened = await recordOrUndo(link, inPortal, { status: 'closed', resolution: closed.resolution }, () =>
        changingLink(link, () => store.reopenLink(link.id, at)),
      );
      if (!reopened) {
        return { link: await settledBySomeoneElse(link, false), changed: false, inPortal, notRecorded: [] };
      }
      const notRecorded = await audit(reopened, request.actor, 'ticket.reopened', { inPortal }, at);
      return { link: reopened, changed: true, inPortal, notRecorded };
    },

    recentlyClosedBy: (teamId, slackUserId, limit) => store.closedLinksCreatedBy(teamId, slackUserId, limit),
  };
}
