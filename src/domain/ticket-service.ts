import type { AccessService } from './access.js';
import { DomainError } from './errors.js';
import type { AgentMessage, PlatformContext } from './messages.js';
import type { Agent, Clock, IdSource, PortalDirectory, TicketStore } from './ports.js';
import { type ThreadRef, type TicketLink, threadKey } from './thread-link.js';

/** The Slack user acting, as the domain needs them: who they are and the email that maps them to a portal user. */
export interface Actor {
  readonly slackUserId: string;
  readonly teamId: string;
  readonly email: string | null;
}

export interface CreateTicketRequest {
  readonly thread: ThreadRef;
  readonly actor: Actor;
  readonly portal: string;
  readonly tenantId: string;
  readonly agentName: string;
  readonly identity: string;
  /** The thread's request, without the bot mention. */
  readonly request: string;
}

/** A request checked against the portal now: the tenant is accessible, the agent exists, the identity is allowed. */
export interface ValidatedTicketRequest extends CreateTicketRequest {
  readonly tenantName: string;
  readonly agent: Agent;
}

export interface CreatedTicketResult {
  readonly link: TicketLink;
  readonly firstReply: AgentMessage | null;
}

export interface RelayResult {
  readonly link: TicketLink;
  readonly reply: AgentMessage;
}

export interface UpdateContextRequest {
  readonly thread: ThreadRef;
  readonly actor: Actor;
  /** The link the person saw when they opened Update Context. */
  readonly linkId: string;
  readonly portal: string;
  readonly tenantId: string;
  readonly agentName: string;
  readonly identity: string;
}

/** What an Update Context submission means, once checked against the portal. */
export type ContextChange =
  | { readonly kind: 'unchanged'; readonly previous: TicketLink }
  /** Portal or tenant changed: a new ticket in the new tenant becomes the thread's active link. */
  | { readonly kind: 'moved'; readonly previous: TicketLink; readonly next: ValidatedTicketRequest }
  /** Same ticket; the agent is reassigned and/or later messages carry another identity. */
  | {
      readonly kind: 'in_place';
      readonly previous: TicketLink;
      readonly actor: Actor;
      readonly agent: Agent | null;
      readonly identity: string | null;
    };

export interface ContextUpdateResult {
  readonly previous: TicketLink;
  readonly link: TicketLink;
  readonly firstReply: AgentMessage | null;
}

/** What a ticket that takes over a thread starts with: both already redacted. */
export interface TicketStart {
  readonly title: string;
  readonly content: string;
}

export interface TicketService {
  validateUpdate(request: UpdateContextRequest): Promise<ContextChange>;
  /** Applies a checked change; `start` gives the new ticket's title and first message (asked for only on a move). */
  applyUpdate(change: ContextChange, start: () => Promise<TicketStart>): Promise<ContextUpdateResult>;
  /** Re-checks access, agent and identity against the portal (fresh, not cached). */
  validateCreate(request: CreateTicketRequest): Promise<ValidatedTicketRequest>;
  createTicket(request: ValidatedTicketRequest): Promise<CreatedTicketResult>;
  /**
   * Sends a thread message to the thread's ticket; messages of one thread go one at a time, in order. `onAccepted`
   * runs once the sender's access and the identity are confirmed, just before the message goes out (progress is
   * shown only for a message that will really be sent).
   */
  relay(input: {
    readonly thread: ThreadRef;
    readonly actor: Actor;
    readonly text: string;
    readonly onAccepted?: () => Promise<void>;
  }): Promise<RelayResult>;
  activeLink(thread: ThreadRef): Promise<TicketLink | null>;
  /** The ticket's status as its portal reports it now (e.g. `open`); an unreadable status reads 'unknown'. */
  ticketStatus(link: Pick<TicketLink, 'portal' | 'tenantId' | 'ticketName'>): Promise<string>;
  ticketUrl(link: Pick<TicketLink, 'portal' | 'tenantId' | 'ticketName'>): string;
}

const TitleLength = 100;

/** A ticket title from the request: its first non-empty line, whitespace folded, at most 100 characters. */
/** Statuses after which a ticket is no longer open (the portal's words, any case). */
const ClosedStatuses = new Set(['closed', 'resolved', 'done', 'completed', 'cancelled', 'canceled', 'archived']);

export const isClosedStatus = (status: string): boolean => ClosedStatuses.has(status.trim().toLowerCase());

export function titleFromRequest(request: string, fallback = 'Request from Slack'): string {
  const firstLine = request
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .find((line) => line.length > 0);
  if (!firstLine) return fallback;
  return firstLine.length > TitleLength ? `${firstLine.slice(0, TitleLength - 1)}…` : firstLine;
}

export function platformContextFor(thread: ThreadRef, actor: Actor, identity: string): PlatformContext {
  return {
    impersonate_user: identity,
    source: 'slack',
    slack_team_id: thread.teamId,
    slack_channel_id: thread.channelId,
    slack_thread_ts: thread.threadTs,
    slack_user_id: actor.slackUserId,
    ...(actor.email ? { slack_user_email: actor.email } : {}),
  };
}

export function createTicketService({
  portals,
  access,
  store,
  clock,
  newId,
  creationLeaseMs = 180_000,
}: {
  portals: PortalDirectory;
  access: AccessService;
  store: TicketStore;
  clock: Clock;
  newId: IdSource;
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

  const validateCreate: TicketService['validateCreate'] = async (request) => {
    const portal = portals.get(request.portal);
    const tenant = await access.requireTenant(portal.name, request.actor.email, request.tenantId, {
      write: false,
      fresh: true,
    });
    const [agent, identity] = await Promise.all([
      access.requireAgent(portal.name, tenant.id, request.agentName),
      access.requireIdentity(portal.name, tenant.id, request.identity),
    ]);
    return { ...request, portal: portal.name, tenantName: tenant.name, agent, identity };
  };

  /**
   * Creates a ticket for a thread and makes it the thread's active link. `replacing` is the link it takes over from
   * (Update Context to another tenant), or null for a thread that must not have one yet.
   */
  const openTicket = async (
    request: ValidatedTicketRequest,
    replacing: TicketLink | null,
    { title, content }: TicketStart,
  ): Promise<CreatedTicketResult> => {
    const portal = portals.get(request.portal);
    const { agent, identity } = request;
    // One creation per thread at a time, across instances: two people pressing Create Ticket together, or a
    // double submit, must not make two tickets for one thread.
    const leaseKey = `create:${threadKey(request.thread)}`;
    const owner = newId();
    const now = clock.now();
    if (!(await store.acquireLease(leaseKey, owner, new Date(now.getTime() + creationLeaseMs), now))) {
      throw new DomainError('thread.busy', 'A ticket is already being created for this thread');
    }
    try {
      const existing = await store.activeLink(request.thread);
      if (existing && existing.id !== replacing?.id) {
        throw new DomainError('thread.already_linked', `The thread is already linked to ${existing.ticketName}`, {
          ticketName: existing.ticketName,
        });
      }
      if (!existing && replacing) throw new DomainError('store.conflict', 'The thread changed context meanwhile');
      const created = await portal.createTicket({
        tenantId: request.tenantId,
        title,
        content,
        agent,
        identity,
        platformContext: platformContextFor(request.thread, request.actor, identity),
      });
      const at = clock.now();
      const link = await store.linkThread(
        {
          thread: request.thread,
          portal: portal.name,
          tenantId: request.tenantId,
          tenantName: request.tenantName,
          ticketName: created.ticketName,
          ticketTitle: title,
          agentName: agent.name,
          agentInstanceId: agent.instanceId,
          identity,
          createdBy: request.actor.slackUserId,
        },
        at,
      );
      await store.appendAudit({
        at,
        actor: request.actor.slackUserId,
        action: replacing ? 'ticket.context_moved' : 'ticket.created',
        portal: portal.name,
        tenantId: request.tenantId,
        ticketName: created.ticketName,
        identity,
        detail: {
          agent: agent.name,
          channelId: request.thread.channelId,
          threadTs: request.thread.threadTs,
          ...(replacing ? { from: `${replacing.portal}/${replacing.tenantName}/${replacing.ticketName}` } : {}),
        },
      });
      return { link, firstReply: created.firstReply };
    } finally {
      await store.releaseLease(leaseKey, owner);
    }
  };

  return {
    activeLink: (thread) => store.activeLink(thread),

    ticketUrl: (link) => portals.get(link.portal).ticketUrl(link.tenantId, link.ticketName),

    ticketStatus: async (link) => (await portals.get(link.portal).getTicket(link.tenantId, link.ticketName)).status,

    validateCreate,

    createTicket: (request) =>
      openTicket(request, null, { title: titleFromRequest(request.request), content: request.request }),

    async validateUpdate(request) {
      const previous = await store.getLink(request.linkId);
      const active = await store.activeLink(request.thread);
      if (!previous || !active || active.id !== previous.id) {
        throw new DomainError('store.conflict', 'The thread changed context meanwhile', { linkId: request.linkId });
      }
      // Whoever changes the context must be able to see the ticket it has now, and the tenant it gets.
      const current = await access.requireTenant(previous.portal, request.actor.email, previous.tenantId, {
        write: false,
        fresh: true,
      });
      const portal = portals.get(request.portal);
      if (portal.name !== previous.portal || request.tenantId !== previous.tenantId) {
        const next = await validateCreate({ ...request, request: '' });
        return { kind: 'moved', previous, next };
      }
      const agentChanged = request.agentName !== previous.agentName;
      const identityChanged = request.identity.toLowerCase() !== previous.identity.toLowerCase();
      if (!agentChanged && !identityChanged) return { kind: 'unchanged', previous };
      // Who the agent is, and as whom it acts, decide what later approved commands do: a change in place takes
      // the same read-write access as approving them (DESIGN §4).
      if (current.readOnly) {
        throw new DomainError('access.read_only', `Read-only access to ${current.name} cannot change its ticket`, {
          portal: previous.portal,
          tenantId: previous.tenantId,
        });
      }
      const [agent, identity] = await Promise.all([
        agentChanged ? access.requireAgent(previous.portal, previous.tenantId, request.agentName) : null,
        identityChanged ? access.requireIdentity(previous.portal, previous.tenantId, request.identity) : null,
      ]);
      return { kind: 'in_place', previous, actor: request.actor, agent, identity };
    },

    async applyUpdate(change, start) {
      const { previous } = change;
      if (change.kind === 'unchanged') return { previous, link: previous, firstReply: null };
      if (change.kind === 'moved') {
        const created = await openTicket(change.next, previous, await start());
        return { previous, ...created };
      }
      const portal = portals.get(previous.portal);
      if (change.agent) await portal.reassignAgent(previous.tenantId, previous.ticketName, change.agent);
      const at = clock.now();
      const link = await store.updateLink(
        previous.id,
        {
          ...(change.agent ? { agentName: change.agent.name, agentInstanceId: change.agent.instanceId } : {}),
          ...(change.identity ? { identity: change.identity } : {}),
        },
        at,
      );
      await store.appendAudit({
        at,
        actor: change.actor.slackUserId,
        action: 'ticket.context_updated',
        portal: previous.portal,
        tenantId: previous.tenantId,
        ticketName: previous.ticketName,
        identity: link.identity,
        detail: {
          ...(change.agent ? { agentFrom: previous.agentName, agentTo: change.agent.name } : {}),
          ...(change.identity ? { identityFrom: previous.identity, identityTo: change.identity } : {}),
        },
      });
      return { previous, link, firstReply: null };
    },

    relay({ thread, actor, text, onAccepted }) {
      return inThreadOrder(thread, async () => {
        const link = await store.activeLink(thread);
        if (!link) throw new DomainError('thread.not_linked', 'This thread has no ticket');
        await access.requireTenant(link.portal, actor.email, link.tenantId, { write: false, fresh: false });
        const identity = await access.requireIdentity(link.portal, link.tenantId, link.identity);
        await onAccepted?.();
        const reply = await portals.get(link.portal).sendMessage({
          tenantId: link.tenantId,
          ticketName: link.ticketName,
          content: text,
          platformContext: platformContextFor(thread, actor, identity),
        });
        return { link, reply };
      });
    },
  };
}
