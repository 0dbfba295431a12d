import type { ChannelDefaults, ChannelRef } from './channel-defaults.js';
import type { CardChoice, CardStatus, CommandCard, NewCommandCard } from './command-card.js';
import type { Agent, HelpdeskApi, Permission, PortalUser, Space, SpaceAccess, TicketStatusChange } from './helpdesk.js';
import type { AgentEvent, AgentMessage, MessageData, Sender } from './messages.js';
import type { NewTicketLink, ThreadRef, TicketClosure, TicketLink, TicketLinkPatch } from './thread-link.js';

// ───────────────────────────── Portal ─────────────────────────────

/** A ticket as its portal reports it now. */
export interface Ticket {
  readonly name: string;
  readonly title: string;
  /** The portal's status (workspace HelpDesk); null where the HelpDesk has none (the tenant HelpDesk). */
  readonly status: string | null;
  readonly agentId: string | null;
}

/** A ticket to open for a Slack thread. */
export interface NewTicket {
  readonly spaceId: string;
  readonly title: string;
  readonly agent: Agent;
  readonly permissions: readonly Permission[];
  readonly thread: ThreadRef;
  /** Share Thread Context = Yes: the thread's messages as "name: text", oldest first, already redacted. */
  readonly history: readonly string[];
  /**
   * A move of a thread that had ticket `name` (docs/duplocloud-api.md §3.7): where the HelpDesk supports it, the
   * ticket keeps its name, and an existing ticket of that name is resumed only when `mayResume` (the thread had it).
   */
  readonly previous?: { readonly name: string; readonly mayResume: boolean };
}

export interface CreatedTicket {
  readonly ticketName: string;
  /** The HelpDesk took `history` with the ticket; otherwise it belongs in the first message. */
  readonly historyIncluded: boolean;
  /** An existing ticket of the thread's was resumed in that space rather than created. */
  readonly resumed: boolean;
}

/** A message to a ticket's agent on behalf of a Slack person. */
export interface OutgoingMessage {
  readonly spaceId: string;
  readonly ticketName: string;
  readonly agentId: string;
  readonly content: string;
  readonly data?: Partial<MessageData>;
  readonly sender: Sender;
}

/** Told each step of an agent's turn as it happens. */
export type AgentEventListener = (event: AgentEvent) => void | Promise<void>;

/** What an operator configured for a portal beyond its host and token (DUPLO_SLACK_APP_PORTALS). */
export interface PortalSettings {
  /** Workspace HelpDesk: people who may approve, change or move tickets: emails and Slack user ids, lower case. */
  readonly approvers: readonly string[];
  /** Workspace HelpDesk: the scope ids tickets may use; null allows every scope of a workspace. */
  readonly allowedScopeIds: readonly string[] | null;
  /** The space (id or name) and agent (id or name) Create Ticket preselects. */
  readonly defaultSpace: string | null;
  readonly defaultAgent: string | null;
  /** What people call a workspace here ("Workspace" when null). */
  readonly spaceLabel: string | null;
}

/**
 * One configured DuploCloud portal, whichever HelpDesk API it speaks (docs/duplocloud-api.md §0): the adapter of
 * its generation answers each call. Every call fails with a DomainError whose code starts with `portal.`.
 */
export interface PortalClient {
  readonly name: string;
  readonly host: string;
  readonly settings: PortalSettings;
  /** The HelpDesk API it speaks: configured, or detected and cached. `portal.undetected` when it answers neither. */
  helpdesk(): Promise<HelpdeskApi>;
  /** The last known answer, without I/O; null until one is known. */
  knownHelpdesk(): HelpdeskApi | null;
  /** Readiness: detects again and checks that the token works there. */
  check(): Promise<HelpdeskApi>;
  /**
   * The portal user with this username (case-insensitive); null when there is none. Fails with portal.forbidden,
   * portal.unauthorized or portal.not_found when the token cannot read the portal's users.
   */
  findUser(username: string): Promise<PortalUser | null>;
  /** The spaces a portal user may access, with their read-only flag. */
  userSpaces(user: PortalUser): Promise<SpaceAccess[]>;
  /** Every space the service's token sees. */
  listSpaces(): Promise<Space[]>;
  /** The permissions a ticket in this space may run with (identities or scopes), as the portal lists them. */
  permissionChoices(spaceId: string): Promise<Permission[]>;
  /** The space's agents; agents configured for the portal win over the listing. */
  listAgents(spaceId: string): Promise<Agent[]>;
  createTicket(ticket: NewTicket): Promise<CreatedTicket>;
  /**
   * Sends a message and returns the agent's reply. `onEvent` is told each step of the agent's turn, in order, as it
   * happens (docs/duplocloud-api.md §5): live for a streaming agent, and as one short turn for a unary reply. The next
   * step waits for `onEvent`'s promise, so a slow listener never sees steps out of order.
   */
  sendMessage(message: OutgoingMessage, onEvent?: AgentEventListener): Promise<AgentMessage>;
  getTicket(spaceId: string, ticketName: string): Promise<Ticket>;
  reassignAgent(spaceId: string, ticketName: string, agent: Agent): Promise<void>;
  /**
   * Closes or reopens the ticket in its portal (docs/duplocloud-api.md §4 Close). Only a HelpDesk that keeps a status
   * has it (`keepsTicketStatus`); on the tenant-scoped one it fails with `input.invalid` and sends nothing.
   */
  setTicketStatus(spaceId: string, ticketName: string, change: TicketStatusChange): Promise<void>;
  /** The ticket in the web HelpDesk: the "Open AI HelpDesk" link. */
  ticketUrl(spaceId: string, ticketName: string): string;
}

export interface PortalDirectory {
  list(): readonly PortalClient[];
  /** Throws DomainError('input.invalid') for a name that is not configured. */
  get(name: string): PortalClient;
}

// ───────────────────────────── Store ─────────────────────────────

/** The message that asked for help in a thread without a ticket: its text becomes the ticket's content. */
export interface ThreadRequest {
  readonly thread: ThreadRef;
  readonly requestTs: string;
  readonly slackUserId: string;
  /** Redacted before it is kept (TicketService.rememberRequest). */
  readonly text: string;
  /** How many values the redactor replaced in it; 0 when none (or when given to be remembered). */
  readonly redacted?: number;
}

export interface AuditEntry {
  readonly at: Date;
  readonly actor: string; // Slack user id, or 'system'
  readonly action: string; // e.g. 'ticket.created', 'command.approved', 'command.executed'
  readonly portal: string;
  readonly spaceId: string;
  readonly ticketName: string;
  /** The ticket's permissions as people read them (an identity, or scope names). */
  readonly permissions?: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface StoredAuditEntry extends AuditEntry {
  readonly id: string;
}

/** Which audit entries to read (the audit export): from `since` on, optionally of one portal or one ticket. */
export interface AuditQuery {
  readonly since: Date;
  readonly portal?: string;
  readonly ticketName?: string;
  /** The last entry of the previous page: the next page starts after it. */
  readonly after?: Pick<StoredAuditEntry, 'at' | 'id'>;
  /** Entries per page. */
  readonly limit: number;
}

/**
 * Persistence for links, cards, processed events, leases and the audit log. Two adapters (PGlite and
 * PostgreSQL) share the same SQL. Every write that guards a once-only effect is a single conditional statement.
 */
export interface TicketStore {
  ping(): Promise<void>;
  close(): Promise<void>;

  // thread ↔ ticket links
  activeLink(thread: ThreadRef): Promise<TicketLink | null>;
  getLink(id: string): Promise<TicketLink | null>;
  /** Makes `link` the thread's active link; a previous active link becomes history. One transaction. */
  linkThread(link: NewTicketLink, at: Date): Promise<TicketLink>;
  updateLink(id: string, patch: TicketLinkPatch, at: Date): Promise<TicketLink>;
  /** Every link the thread has had, oldest first. */
  linkHistory(thread: ThreadRef): Promise<TicketLink[]>;
  /** Active links created by a Slack user whose ticket is not closed, newest first (App Home). */
  activeLinksCreatedBy(teamId: string, slackUserId: string, limit: number): Promise<TicketLink[]>;
  /** Active links created by a Slack user whose ticket was closed from Slack, most recently closed first. */
  closedLinksCreatedBy(teamId: string, slackUserId: string, limit: number): Promise<TicketLink[]>;
  /**
   * Closes the ticket of an active, open link in one conditional update; null when the link is not active or is
   * already closed (someone else closed or replaced it first): the caller must then do nothing more.
   */
  closeLink(id: string, closure: TicketClosure): Promise<TicketLink | null>;
  /** Reopens an active, closed link in one conditional update; null when it is not active or not closed. */
  reopenLink(id: string, at: Date): Promise<TicketLink | null>;

  // requests waiting for Create Ticket
  saveRequest(request: ThreadRequest, at: Date): Promise<void>;
  getRequest(thread: ThreadRef, requestTs: string): Promise<ThreadRequest | null>;
  /** Removes requests saved before `before` (a request nobody turned into a ticket). */
  pruneRequests(before: Date): Promise<number>;

  // command cards
  createCard(card: NewCommandCard): Promise<CommandCard>;
  getCard(id: string): Promise<CommandCard | null>;
  setCardMessageTs(id: string, messageTs: string, at: Date): Promise<void>;
  /** Records one item's choice while the card is pending; null when the card is no longer pending. */
  recordChoice(id: string, index: number, choice: CardChoice, at: Date): Promise<CommandCard | null>;
  /**
   * Moves a card from `from` to `to` in one conditional update. Returns the updated card, or null when the card
   * was not in `from` (someone else moved it first): the caller must then do nothing.
   */
  transitionCard(
    id: string,
    from: CardStatus,
    to: CardStatus,
    fields: {
      readonly at: Date;
      readonly submittedBy?: string;
      readonly choices?: Readonly<Record<string, CardChoice>>;
      /**
       * The choices the caller read: the update happens only while they are still the card's, so a decision
       * recorded between the caller's read and its update is never overwritten (null is then returned).
       */
      readonly expectedChoices?: Readonly<Record<string, CardChoice>>;
      readonly outcome?: string;
    },
  ): Promise<CommandCard | null>;
  /** Cards in `status` last updated before `before` (resume after restart, expiry sweeps). */
  cardsInStatus(status: CardStatus, before: Date, limit: number): Promise<CommandCard[]>;

  // Slack event de-duplication
  /** true the first time an event id is seen, false for a repeat. */
  recordEvent(eventId: string, at: Date): Promise<boolean>;
  pruneEvents(before: Date): Promise<number>;

  // leases: short-lived exclusive claims (one ticket creation per thread at a time, one worker per job)
  /** true when `owner` now holds `key` until `until` (free, expired, or already its own). */
  acquireLease(key: string, owner: string, until: Date, now: Date): Promise<boolean>;
  releaseLease(key: string, owner: string): Promise<void>;

  // replies being streamed into Slack (docs/slack-platform.md §8)
  /** Records a stream this instance (`owner`) opened. */
  recordStream(stream: OpenStream, at: Date): Promise<void>;
  /** The owner is still writing into the stream. */
  renewStream(channelId: string, messageTs: string, at: Date): Promise<void>;
  /** The stream was stopped (or is no longer a stream). */
  forgetStream(channelId: string, messageTs: string): Promise<void>;
  /**
   * Takes, at most `limit`, streams not renewed since `before` (their instance stopped): each is returned to one
   * caller only, and forgotten.
   */
  claimStaleStreams(before: Date, limit: number): Promise<OpenStream[]>;

  // channel defaults (/helpdesk defaults)
  channelDefaults(channel: ChannelRef): Promise<ChannelDefaults | null>;
  /** Sets a channel's defaults, replacing any it had. */
  setChannelDefaults(defaults: ChannelDefaults): Promise<void>;
  /** Removes a channel's defaults; the ones removed, or null when it had none. */
  clearChannelDefaults(channel: ChannelRef): Promise<ChannelDefaults | null>;
  /** The channels whose defaults a Slack user set last, newest first (App Home). */
  channelDefaultsSetBy(teamId: string, slackUserId: string, limit: number): Promise<ChannelDefaults[]>;

  // audit
  appendAudit(entry: AuditEntry): Promise<void>;
  auditForTicket(portal: string, ticketName: string): Promise<StoredAuditEntry[]>;
  /**
   * One page of the audit log, oldest first (by time, then by id: the order entries were written in). Paged by the
   * last entry read, so a long log is read a page at a time and entries written meanwhile are neither skipped nor
   * repeated.
   */
  auditPage(query: AuditQuery): Promise<StoredAuditEntry[]>;
}

/** A reply being streamed into a thread: the message Slack shows as still being written. */
export interface OpenStream {
  readonly thread: ThreadRef;
  readonly messageTs: string;
  readonly agentName: string;
  /** The instance writing it. */
  readonly owner: string;
  readonly startedAt: Date;
}

// ───────────────────────────── Clock and ids ─────────────────────────────

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type IdSource = () => string;
