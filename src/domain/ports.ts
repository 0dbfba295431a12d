import type { CardChoice, CardStatus, CommandCard, NewCommandCard } from './command-card.js';
import type { AgentMessage, MessageData, PlatformContext } from './messages.js';
import type { NewTicketLink, ThreadRef, TicketLink, TicketLinkPatch } from './thread-link.js';

// ───────────────────────────── Portal ─────────────────────────────

export interface Tenant {
  readonly id: string;
  readonly name: string;
}

export interface TenantAccess extends Tenant {
  readonly readOnly: boolean;
}

export interface PortalUser {
  readonly username: string;
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
  readonly readOnly: boolean;
}

export interface UserAccess {
  readonly user: PortalUser;
  readonly tenants: readonly TenantAccess[];
}

export interface Agent {
  readonly name: string;
  readonly instanceId: string;
  /** Tenant ids the agent may serve; absent means every tenant. */
  readonly allowedTenants?: readonly string[];
}

export interface Ticket {
  readonly name: string;
  readonly title: string;
  readonly status: string;
  readonly agentName: string | null;
  readonly instanceId: string | null;
}

export interface CreateTicketInput {
  readonly tenantId: string;
  readonly title: string;
  readonly content: string;
  readonly agent: Agent;
  readonly identity: string;
  readonly platformContext: PlatformContext;
}

export interface CreatedTicket {
  readonly ticketName: string;
  /** The agent's first reply (process_message:true), when the portal returned one. */
  readonly firstReply: AgentMessage | null;
}

export interface SendMessageInput {
  readonly tenantId: string;
  readonly ticketName: string;
  readonly content: string;
  readonly data?: Partial<MessageData>;
  readonly platformContext: PlatformContext;
}

export interface TokenCheck {
  readonly username: string;
  readonly isAdmin: boolean;
}

/** One configured DuploCloud portal. Every call fails with a DomainError whose code starts with `portal.`. */
export interface PortalClient {
  readonly name: string;
  readonly host: string;
  /** GET admin/GetUserRoleInfo with the configured token. */
  checkToken(): Promise<TokenCheck>;
  /** The portal user with this username (case-insensitive) and the tenants they may access; null if no such user. */
  userAccess(username: string): Promise<UserAccess | null>;
  getTenant(tenantId: string): Promise<Tenant>;
  /** The tenant's `helpdesk-impersonatable-users`, parsed; [] when absent or empty. */
  impersonatableUsers(tenantId: string): Promise<string[]>;
  /** Configured agents win; else the portal's listing. Filtered to those allowed in the tenant when given. */
  listAgents(tenantId?: string): Promise<Agent[]>;
  createTicket(input: CreateTicketInput): Promise<CreatedTicket>;
  sendMessage(input: SendMessageInput): Promise<AgentMessage>;
  getTicket(tenantId: string, ticketName: string): Promise<Ticket>;
  reassignAgent(tenantId: string, ticketName: string, agent: Agent): Promise<void>;
  /** The ticket in the web HelpDesk: the "Open AI HelpDesk" link. */
  ticketUrl(tenantId: string, ticketName: string): string;
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
  readonly text: string;
}

export interface AuditEntry {
  readonly at: Date;
  readonly actor: string; // Slack user id, or 'system'
  readonly action: string; // e.g. 'ticket.created', 'command.approved', 'command.executed'
  readonly portal: string;
  readonly tenantId: string;
  readonly ticketName: string;
  readonly identity?: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface StoredAuditEntry extends AuditEntry {
  readonly id: string;
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
  /** Active links created by a Slack user, newest first (App Home). */
  activeLinksCreatedBy(teamId: string, slackUserId: string, limit: number): Promise<TicketLink[]>;

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

  // audit
  appendAudit(entry: AuditEntry): Promise<void>;
  auditForTicket(portal: string, ticketName: string): Promise<StoredAuditEntry[]>;
}

// ───────────────────────────── Clock and ids ─────────────────────────────

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type IdSource = () => string;
