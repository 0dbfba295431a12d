import type { AccessService } from './access.js';
import { type NotRecorded, recordAfterSend, TicketNotLinkedError } from './after-send.js';
import { DomainError } from './errors.js';
import {
  type Actor,
  type Agent,
  describePermissions,
  type HelpdeskApi,
  type Permission,
  samePermissions,
} from './helpdesk.js';
import type { AgentMessage, Sender } from './messages.js';
import type { AgentEventListener, Clock, IdSource, PortalDirectory, ThreadRequest, TicketStore } from './ports.js';
import type { Redactor } from './redact.js';
import { type ThreadRef, type TicketLink, threadKey } from './thread-link.js';

export type { Actor } from './helpdesk.js';

export interface CreateTicketRequest {
  readonly thread: ThreadRef;
  readonly actor: Actor;
  readonly portal: string;
  readonly spaceId: string;
  readonly agentId: string;
  /** One identity (tenant HelpDesk) or one or more scope ids (workspace HelpDesk). */
  readonly permissionIds: readonly string[];
  /** The thread's request, without the bot mention; redacted by the service before it is kept or sent. */
  readonly request: string;
  /** Values already replaced in `request` when it was remembered (ThreadRequest.redacted): told with the others. */
  readonly requestRedacted?: number;
}

/** A request checked against the portal now: the space is usable, the agent exists, the permissions are allowed. */
export interface ValidatedTicketRequest extends CreateTicketRequest {
  readonly api: HelpdeskApi;
  readonly spaceName: string;
  readonly agent: Agent;
  readonly permissions: readonly Permission[];
}

/** The agent's answer to a new ticket's first message, or why there is none. */
export type FirstReply =
  | { readonly state: 'none' }
  | { readonly state: 'answered'; readonly reply: AgentMessage }
  /** The ticket exists and is linked; the first message failed (it may or may not have reached the agent). */
  | { readonly state: 'failed'; readonly error: unknown };

/** A ticket's first message, waiting to be sent by `sendFirstMessage` (redacted; empty when there is none). */
export interface FirstMessage {
  readonly link: TicketLink;
  readonly actor: Actor;
  readonly content: string;
  /** How many values the redactor replaced in the ticket's start (told to the turn listener). */
  readonly redacted: number;
}

/** A ticket created and linked to its thread; its first message is not sent yet (`first`). */
export interface CreatedTicketResult {
  readonly link: TicketLink;
  /** Null when there is nothing to send (an agent change in place, an unchanged form). */
  readonly first: FirstMessage | null;
  /** How many secret-looking values the person's text (request, New Message, shared messages) held, replaced. */
  readonly redacted: number;
  /**
   * Store writes that failed after the portal accepted the change (the ticket, or the agent's reassignment): the
   * change stands; only these records are missing.
   */
  readonly notRecorded: readonly NotRecorded[];
}

export interface RelayResult {
  readonly link: TicketLink;
  readonly reply: AgentMessage;
  /** How many secret-looking values the message held: each went to the agent as a [REDACTED:…] marker. */
  readonly redacted: number;
}

export interface UpdateContextRequest {
  readonly thread: ThreadRef;
  readonly actor: Actor;
  /** The link the person saw when they opened Update Context. */
  readonly linkId: string;
  readonly portal: string;
  readonly spaceId: string;
  readonly agentId: string;
  readonly permissionIds: readonly string[];
}

/** What an Update Context submission means, once checked against the portal. */
export type ContextChange =
  | { readonly kind: 'unchanged'; readonly previous: TicketLink }
  /**
   * A new ticket takes over the thread: the portal or space changed, or the permissions did (they are fixed when a
   * ticket is created, docs/duplocloud-api.md §7).
   */
  | {
      readonly kind: 'moved';
      readonly previous: TicketLink;
      readonly next: ValidatedTicketRequest;
      readonly because: 'space' | 'permissions';
    }
  /** Same ticket, another agent. */
  | { readonly kind: 'in_place'; readonly previous: TicketLink; readonly actor: Actor; readonly agent: Agent };

export interface ContextUpdateResult extends CreatedTicketResult {
  readonly previous: TicketLink;
}

/**
 * What a ticket that takes over a thread starts with. Every text is redacted by the ticket service before it is kept
 * or sent (whatever the caller did before), and the person is told how many values were replaced.
 */
/**
 * The output port of an agent turn. Called once, when the message has passed every check and is about to go to the
 * agent (`link`: the ticket it goes to; `accepted.redacted`: how many values the redactor replaced in it); returns the
 * listener told each step of the agent's answer (docs/duplocloud-api.md §5.1), or undefined to wait for the whole
 * answer. It must not wait for anything: the message goes out as soon as it returns.
 */
export type TurnListener = (
  link: TicketLink,
  accepted: { readonly redacted: number },
) => AgentEventListener | undefined;

export interface TicketStart {
  /**
   * The new ticket carries the earlier one on (Share Thread Context = Yes): where the HelpDesk supports it, it keeps
   * the earlier ticket's name (docs/duplocloud-api.md §3.7). Without it, nothing of the earlier ticket goes along,
   * its name included (a name like `dev-251206…` says where the thread came from).
   */
  readonly continuation: boolean;
  /** The text the title is made from: its first line, cut to 100 characters once redacted (titleFromRequest). */
  readonly title: string;
  /** Shared thread messages ("name: text"), oldest first; empty when none are shared. */
  readonly history: readonly string[];
  /** The first message the agent answers. */
  readonly message: string;
}

export interface TicketService {
  validateUpdate(request: UpdateContextRequest): Promise<ContextChange>;
  /**
   * Applies a checked change; `start` gives the new ticket's title and first message (asked for only on a move). A
   * move's first message is sent by `sendFirstMessage`, once the caller has shown the new ticket.
   */
  applyUpdate(change: ContextChange, start: () => Promise<TicketStart>): Promise<ContextUpdateResult>;
  /** Re-checks access, agent and permissions against the portal (fresh, not cached). */
  validateCreate(request: CreateTicketRequest): Promise<ValidatedTicketRequest>;
  /**
   * Creates the ticket and links the thread to it; its first message waits in `first`. Throws TicketNotLinkedError
   * when the portal created the ticket but the store could not link it (it must not be created again); once linked,
   * never throws for a store write (see `notRecorded`).
   */
  createTicket(request: ValidatedTicketRequest): Promise<CreatedTicketResult>;
  /**
   * Sends a new ticket's first message (after the caller showed the ticket), in thread order. Never throws: what
   * became of it is the result. `listen` is told the message is going, then the agent's answer step by step.
   */
  sendFirstMessage(first: FirstMessage | null, listen?: TurnListener): Promise<FirstReply>;
  /**
   * Sends a thread message to the thread's ticket, redacted; messages of one thread go one at a time, in order.
   * `listen` is called once the sender's access and the ticket's permissions are confirmed, just before the message
   * goes out (progress is shown only for a message that will really be sent), with how many values were redacted.
   */
  relay(input: {
    readonly thread: ThreadRef;
    readonly actor: Actor;
    readonly text: string;
    /** Told the message is going out, then the agent's answer step by step, as the agent gives it (live replies). */
    readonly listen?: TurnListener;
    /**
     * The thread's link as `activeLink` returned it to the caller just before. It is used instead of reading the link
     * again when nothing can have changed it since: it was read under a second ago, no write of this service to the
     * thread's link began since (or was under way), and no earlier message of the thread is still going. Otherwise
     * the link is read again, in thread order.
     */
    readonly link?: TicketLink;
  }): Promise<RelayResult>;
  activeLink(thread: ThreadRef): Promise<TicketLink | null>;
  /** A link by its id, active or not (a command card's, an Update Context form's); null when there is none. */
  linkById(id: string): Promise<TicketLink | null>;
  /** A person's tickets whose threads still go to their agent (App Home), newest first, at most `limit`. */
  openTicketsCreatedBy(teamId: string, slackUserId: string, limit: number): Promise<TicketLink[]>;
  /**
   * Keeps a request made in a thread without a ticket, so Create Ticket can start the ticket with its text. It is
   * kept as typed: the ticket service redacts it when a ticket is made from it (createTicket), before it is sent.
   */
  /** Keeps a thread's request (redacted) until Create Ticket is submitted for it. */
  rememberRequest(request: ThreadRequest): Promise<void>;
  /** The request remembered for a thread's message; null when there is none (never made, or pruned). */
  rememberedRequest(thread: ThreadRef, requestTs: string): Promise<ThreadRequest | null>;
  /** Records which Slack message shows the ticket's card; returns the link as it now is. */
  recordTicketCard(linkId: string, messageTs: string): Promise<TicketLink>;
  /**
   * Runs a change of `link` made outside this service (closing or reopening it) as one of this service's own link
   * writes: a relay that read the link before the change reads it again rather than act on the old one.
   */
  changingLink<T>(link: Pick<TicketLink, 'id' | 'thread'>, work: () => Promise<T>): Promise<T>;
  /** The ticket's status as its portal reports it now; null where the HelpDesk keeps none (tenant HelpDesk). */
  ticketStatus(link: Pick<TicketLink, 'portal' | 'spaceId' | 'ticketName'>): Promise<string | null>;
  ticketUrl(link: Pick<TicketLink, 'portal' | 'spaceId' | 'ticketName'>): string;
}

const TitleLength = 100;

/** Statuses after which a ticket is no longer open (the portal's words, any case). */
const ClosedStatuses = new Set(['closed', 'resolved', 'done', 'completed', 'cancelled', 'canceled', 'archived']);

export const isClosedStatus = (status: string): boolean => ClosedStatuses.has(status.trim().toLowerCase());

/** A ticket title from the request: its first non-empty line, whitespace folded, at most 100 characters. */
export function titleFromRequest(request: string, fallback = 'Request from Slack'): string {
  const firstLine = request
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .find((line) => line.length > 0);
  if (!firstLine) return fallback;
  return firstLine.length > TitleLength ? `${firstLine.slice(0, TitleLength - 1)}…` : firstLine;
}

/** Who a message is from, as the agent is told (docs/duplocloud-api.md §8). */
export const senderOf = (actor: Actor): Sender => ({
  slackUserId: actor.slackUserId,
  name: actor.email ?? actor.displayName ?? actor.slackUserId,
});

/** The first message of a ticket whose HelpDesk did not take the shared history with the ticket itself. */
export function firstMessageWithHistory(start: TicketStart): string {
  if (start.history.length === 0) return start.message;
  return `Thread messages so far:\n${start.history.join('\n')}\n\n${start.message}`;
}

export function createTicketService({
  portals,
  access,
  store,
  clock,
  newId,
  redactor,
  creationLeaseMs = 180_000,
}: {
  portals: PortalDirectory;
  access: AccessService;
  store: TicketStore;
  clock: Clock;
  newId: IdSource;
  /** Text people write (messages, requests, the New Message) passes through it before it is kept or sent. */
  redactor: Redactor;
  creationLeaseMs?: number;
}): TicketService {
  const threadQueues = new Map<string, Promise<unknown>>();

  const inThreadOrder = <T>(thread: ThreadRef, work: () => Promise<T>): Promise<T> => {
    const key = threadKey(thread);
    const previous = threadQueues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    threadQueues.set(key, next);
    const cleanup = () => {
      if (threadQueues.get(key) === next) threadQueues.delete(key);
    };
    next.then(cleanup, cleanup);
    return next;
  };

  /**
   * This service's writes to links, per thread and per link id: how many ended (`versions`) and how many are under
   * way (`busy`). A link `activeLink` read while none was under way, handed back to `relay` before any other began
   * or ended, is still the thread's link as far as this process can tell, and is not read a second time.
   */
  const versions = new Map<string, number>();
  const busy = new Map<string, number>();
  /** Bumped when `versions` is cleared (it is bounded): links read before that are read again. */
  let epoch = 0;
  /** Every write that ended, whichever link: a read that another write ended during is not remembered. */
  let ended = 0;
  const reads = new WeakMap<TicketLink, { epoch: number; at: number; thread: number; link: number }>();
  const threadWrites = (thread: ThreadRef) => `thread:${threadKey(thread)}`;
  const linkWrites = (linkId: string) => `link:${linkId}`;
  const writingLinks = async <T>(keys: readonly string[], work: () => Promise<T>): Promise<T> => {
    for (const key of keys) busy.set(key, (busy.get(key) ?? 0) + 1);
    try {
      return await work();
    } finally {
      if (versions.size > 10_000) {
        versions.clear();
        epoch += 1;
      }
      ended += 1;
      for (const key of keys) {
        versions.set(key, (versions.get(key) ?? 0) + 1);
        const left = (busy.get(key) ?? 1) - 1;
        if (left > 0) busy.set(key, left);
        else busy.delete(key);
      }
    }
  };
  /** The link as the store has it, remembered (when no write was under way) for `stillCurrent`. */
  const readActiveLink = async (thread: ThreadRef): Promise<TicketLink | null> => {
    const key = threadWrites(thread);
    const before = { epoch, ended, at: clock.now().getTime(), thread: versions.get(key) ?? 0, idle: !busy.has(key) };
    const link = await store.activeLink(thread);
    // Only a read no write overlapped: none under way on the thread when it began, none ended while it ran, none
    // under way on the link it found.
    if (link && before.idle && ended === before.ended && !busy.has(linkWrites(link.id))) {
      reads.set(link, {
        epoch: before.epoch,
        at: before.at,
        thread: before.thread,
        link: versions.get(linkWrites(link.id)) ?? 0,
      });
    }
    return link;
  };
  const stillCurrent = (link: TicketLink, thread: ThreadRef): boolean => {
    const read = reads.get(link);
    if (!read || read.epoch !== epoch || threadKey(link.thread) !== threadKey(thread)) return false;
    if (clock.now().getTime() - read.at > 1_000) return false;
    const [byThread, byLink] = [threadWrites(thread), linkWrites(link.id)];
    if (busy.has(byThread) || busy.has(byLink)) return false;
    return (versions.get(byThread) ?? 0) === read.thread && (versions.get(byLink) ?? 0) === read.link;
  };

  /**
   * A ticket's start as it may be kept and sent: every text redacted. The title is made from the redacted text (a
   * secret cut in two no longer looks like one); its words are the message's or already kept ones, so they are not
   * counted twice.
   */
  const redactStart = (start: TicketStart): { start: TicketStart; redacted: number } => {
    const message = redactor.redact(start.message);
    const history = start.history.map((line) => redactor.redact(line));
    return {
      start: {
        continuation: start.continuation,
        title: titleFromRequest(redactor.redact(start.title).text),
        history: history.map((line) => line.text),
        message: message.text,
      },
      redacted: message.count + history.reduce((sum, line) => sum + line.count, 0),
    };
  };

  /** The ticket must be reached with the API it was opened with: an upgraded portal no longer serves it. */
  const requireSameApi = async (link: TicketLink): Promise<void> => {
    const api = await portals.get(link.portal).helpdesk();
    if (api !== link.api) {
      throw new DomainError('portal.api_changed', `Ticket ${link.ticketName} was opened on the ${link.api} HelpDesk`, {
        portal: link.portal,
        was: link.api,
        now: api,
      });
    }
  };

  const validateCreate: TicketService['validateCreate'] = async (request) => {
    const portal = portals.get(request.portal);
    const api = await access.helpdesk(portal.name);
    const space = await access.requireSpace(portal.name, request.actor, request.spaceId, { write: false, fresh: true });
    const [agent, permissions] = await Promise.all([
      access.requireAgent(portal.name, space.id, request.agentId),
      access.requirePermissions(portal.name, space.id, request.permissionIds),
    ]);
    return { ...request, portal: portal.name, api, spaceId: space.id, spaceName: space.name, agent, permissions };
  };

  const sendFirstMessage = async (
    first: FirstMessage | null,
    listen: TurnListener | undefined,
  ): Promise<FirstReply> => {
    if (!first || first.content.trim() === '') return { state: 'none' };
    const { link, actor, content, redacted } = first;
    try {
      const reply = await inThreadOrder(link.thread, () =>
        portals.get(link.portal).sendMessage(
          {
            spaceId: link.spaceId,
            ticketName: link.ticketName,
            agentId: link.agentId,
            content,
            sender: senderOf(actor),
          },
          listen?.(link, { redacted }),
        ),
      );
      return { state: 'answered', reply };
    } catch (error) {
      return { state: 'failed', error };
    }
  };

  /**
   * Creates a ticket for a thread and makes it the thread's active link; its first message waits in `first`.
   * `replacing` is the link it takes over from (Update Context), or null for a thread that must not have one yet.
   */
  const openTicket = async (
    request: ValidatedTicketRequest,
    replacing: TicketLink | null,
    typed: TicketStart,
    keepName: boolean,
  ): Promise<CreatedTicketResult> => {
    const { start, redacted } = redactStart(typed);
    const portal = portals.get(request.portal);
    // One creation per thread at a time, across instances: two people pressing Create Ticket together, or a
    // double submit, must not make two tickets for one thread.
    const leaseKey = `create:${threadKey(request.thread)}`;
    const owner = newId();
    const now = clock.now();
    if (!(await store.acquireLease(leaseKey, owner, new Date(now.getTime() + creationLeaseMs), now))) {
      throw new DomainError('thread.busy', 'A ticket is already being created for this thread');
    }
    let link: TicketLink;
    let historyIncluded: boolean;
    const notRecorded: NotRecorded[] = [];
    let created = false;
    try {
      const existing = await store.activeLink(request.thread);
      // A closed ticket gives its thread up to a new one (Create Ticket after closing); it stays in the history.
      if (existing && existing.id !== replacing?.id && !(existing.closed && !replacing)) {
        throw new DomainError('thread.already_linked', `The thread is already linked to ${existing.ticketName}`, {
          ticketName: existing.ticketName,
        });
      }
      if (!existing && replacing) throw new DomainError('store.conflict', 'The thread changed context meanwhile');
      const previous =
        keepName && replacing
          ? {
              name: replacing.ticketName,
              // An existing ticket of that name is resumed only when it is one this thread had there before.
              mayResume: (await store.linkHistory(request.thread)).some(
                (old) =>
                  old.portal === portal.name &&
                  old.spaceId === request.spaceId &&
                  old.ticketName === replacing.ticketName,
              ),
            }
          : undefined;
      const ticket = await portal.createTicket({
        spaceId: request.spaceId,
        title: start.title,
        agent: request.agent,
        permissions: request.permissions,
        thread: request.thread,
        history: start.history,
        ...(previous ? { previous } : {}),
      });
      historyIncluded = ticket.historyIncluded;
      created = true;
      const at = clock.now();
      try {
        link = await writingLinks([threadWrites(request.thread)], () =>
          store.linkThread(
            {
              thread: request.thread,
              portal: portal.name,
              api: request.api,
              spaceId: request.spaceId,
              spaceName: request.spaceName,
              ticketName: ticket.ticketName,
              ticketTitle: start.title,
              agentId: request.agent.id,
              agentName: request.agent.label,
              permissions: request.permissions,
              createdBy: request.actor.slackUserId,
            },
            at,
          ),
        );
      } catch (error) {
        // The portal made the ticket: say so, rather than that nothing happened (creating it again makes a second).
        const { spaceId, spaceName } = request;
        throw new TicketNotLinkedError(
          { portal: portal.name, spaceId, spaceName, ticketName: ticket.ticketName },
          error,
        );
      }
      const linked = link;
      await recordAfterSend(notRecorded, 'audit', () =>
        store.appendAudit({
          at,
          actor: request.actor.slackUserId,
          action: replacing ? 'ticket.context_moved' : 'ticket.created',
          portal: portal.name,
          spaceId: request.spaceId,
          ticketName: linked.ticketName,
          permissions: describePermissions(request.permissions),
          detail: {
            agent: request.agent.label,
            channelId: request.thread.channelId,
            threadTs: request.thread.threadTs,
            ...(ticket.resumed ? { resumed: true } : {}),
            ...(start.history.length > 0 ? { sharedMessages: start.history.length } : {}),
            ...(replacing ? { from: `${replacing.portal}/${replacing.spaceName}/${replacing.ticketName}` } : {}),
          },
        }),
      );
    } finally {
      // The lease runs out by itself: failing to release it must neither hide the error above nor undo a ticket.
      await recordAfterSend(created ? notRecorded : [], 'lease', () => store.releaseLease(leaseKey, owner));
    }
    const content = historyIncluded ? start.message : firstMessageWithHistory(start);
    return { link, first: { link, actor: request.actor, content, redacted }, redacted, notRecorded };
  };

  return {
    activeLink: readActiveLink,

    linkById: (id) => store.getLink(id),

    openTicketsCreatedBy: (teamId, slackUserId, limit) => store.activeLinksCreatedBy(teamId, slackUserId, limit),

    rememberRequest: (request) => {
      // Kept until a ticket is made from it (or pruned): redacted first, like everything a person wrote.
      const { text, count } = redactor.redact(request.text);
      return store.saveRequest({ ...request, text, redacted: count }, clock.now());
    },

    rememberedRequest: (thread, requestTs) => store.getRequest(thread, requestTs),

    changingLink: (link, work) => writingLinks([threadWrites(link.thread), linkWrites(link.id)], work),

    recordTicketCard: (linkId, messageTs) =>
      writingLinks([linkWrites(linkId)], () => store.updateLink(linkId, { cardMessageTs: messageTs }, clock.now())),

    ticketUrl: (link) => portals.get(link.portal).ticketUrl(link.spaceId, link.ticketName),

    ticketStatus: async (link) => (await portals.get(link.portal).getTicket(link.spaceId, link.ticketName)).status,

    validateCreate,

    async createTicket(request) {
      const result = await openTicket(
        request,
        null,
        { continuation: false, title: request.request, history: [], message: request.request },
        false,
      );
      // The remembered request was redacted when it was kept: its replaced values count as this ticket's too.
      const earlier = request.requestRedacted ?? 0;
      if (earlier === 0) return result;
      return {
        ...result,
        redacted: result.redacted + earlier,
        first: result.first && { ...result.first, redacted: result.first.redacted + earlier },
      };
    },

    sendFirstMessage,

    async validateUpdate(request) {
      const previous = await store.getLink(request.linkId);
      const active = await store.activeLink(request.thread);
      if (!previous || !active || active.id !== previous.id) {
        throw new DomainError('store.conflict', 'The thread changed context meanwhile', { linkId: request.linkId });
      }
      if (active.closed) throw new DomainError('ticket.closed', 'The thread’s ticket is closed', { linkId: active.id });
      const portal = portals.get(request.portal);
      const spaceChanged = portal.name !== previous.portal || request.spaceId !== previous.spaceId;
      const permissionsChanged = !samePermissions(
        request.permissionIds.map((id) => ({ id })),
        previous.permissions,
      );
      const agentChanged = request.agentId !== previous.agentId;
      if (!spaceChanged && !permissionsChanged && !agentChanged) return { kind: 'unchanged', previous };

      // Who the agent is, where the ticket lives and with which permissions decide what later approved commands do:
      // any change takes the access that approving them takes, on the ticket the thread has now. A ticket its
      // portal can no longer reach (the portal was upgraded to the other HelpDesk) can only be moved away from,
      // by someone who may change things where it goes.
      const reachable = (await portals.get(previous.portal).helpdesk()) === previous.api;
      if (reachable) {
        await access.requireSpace(previous.portal, request.actor, previous.spaceId, { write: true, fresh: true });
      } else if (!spaceChanged) {
        await requireSameApi(previous);
      }
      if (spaceChanged || permissionsChanged) {
        const next = await validateCreate({ ...request, request: '' });
        if (!reachable) await access.requireSpace(next.portal, request.actor, next.spaceId, { write: true });
        return { kind: 'moved', previous, next, because: spaceChanged ? 'space' : 'permissions' };
      }
      const agent = await access.requireAgent(previous.portal, previous.spaceId, request.agentId);
      return { kind: 'in_place', previous, actor: request.actor, agent };
    },

    async applyUpdate(change, start) {
      const { previous } = change;
      if (change.kind === 'unchanged') {
        return { previous, link: previous, first: null, redacted: 0, notRecorded: [] };
      }
      if (change.kind === 'moved') {
        const begin = await start();
        const created = await openTicket(
          change.next,
          previous,
          begin,
          change.because === 'space' && begin.continuation,
        );
        return { previous, ...created };
      }
      const portal = portals.get(previous.portal);
      await portal.reassignAgent(previous.spaceId, previous.ticketName, change.agent);
      // The portal reassigned the ticket: from here on a store failure is reported as not recorded, not thrown.
      const at = clock.now();
      const patch = { agentId: change.agent.id, agentName: change.agent.label };
      const notRecorded: NotRecorded[] = [];
      const link =
        (await recordAfterSend(notRecorded, 'link', () =>
          writingLinks([threadWrites(previous.thread), linkWrites(previous.id)], () =>
            store.updateLink(previous.id, patch, at),
          ),
        )) ?? ({ ...previous, ...patch } satisfies TicketLink);
      await recordAfterSend(notRecorded, 'audit', () =>
        store.appendAudit({
          at,
          actor: change.actor.slackUserId,
          action: 'ticket.context_updated',
          portal: previous.portal,
          spaceId: previous.spaceId,
          ticketName: previous.ticketName,
          permissions: describePermissions(link.permissions),
          detail: { agentFrom: previous.agentName, agentTo: change.agent.label },
        }),
      );
      return { previous, link, first: null, redacted: 0, notRecorded };
    },

    relay({ thread, actor, text, listen, link: given }) {
      // Read when the caller read it, with nothing ahead in the thread: no need to read it again (see `link`).
      const reusable = given && !threadQueues.has(threadKey(thread)) ? given : undefined;
      return inThreadOrder(thread, async () => {
        const link = reusable && stillCurrent(reusable, thread) ? reusable : await store.activeLink(thread);
        if (!link) throw new DomainError('thread.not_linked', 'This thread has no ticket');
        // Closed from Slack: nothing goes to the agent until someone reopens it (the listeners say so first).
        if (link.closed) throw new DomainError('ticket.closed', 'The thread’s ticket is closed', { linkId: link.id });
        await requireSameApi(link);
        await access.requireSpace(link.portal, actor, link.spaceId, { write: false, fresh: false });
        await access.requirePermissions(
          link.portal,
          link.spaceId,
          link.permissions.map((permission) => permission.id),
        );
        const redacted = redactor.redact(text);
        const onEvent = listen?.(link, { redacted: redacted.count });
        const reply = await portals.get(link.portal).sendMessage(
          {
            spaceId: link.spaceId,
            ticketName: link.ticketName,
            agentId: link.agentId,
            content: redacted.text,
            sender: senderOf(actor),
          },
          onEvent,
        );
        return { link, reply, redacted: redacted.count };
      });
    },
  };
}
