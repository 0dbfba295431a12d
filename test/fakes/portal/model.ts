/**
 * The fake portal's in-memory data. Objects are live: a test may read them or change them between requests and
 * the next request sees the change. Field names are camelCase here; the wire shapes (PascalCase tenants, snake_case
 * message data, Gen B envelopes) are produced by the routes. docs/duplocloud-api.md is the contract.
 */

export const IMPERSONATABLE_USERS_KEY = 'helpdesk-impersonatable-users';

/** The HelpDesk API generation a fake portal serves (docs/duplocloud-api.md §0): one per portal. */
export type HelpdeskApi = 'tenant' | 'workspace';

export interface FakeTenant {
  readonly id: string;
  name: string;
  planId: string;
  infraOwner: string;
  /** Tenant settings, in insertion order; served as `Metadata` and by `/v3/admin/tenant/{id}/metadata`. */
  readonly settings: Map<string, string>;
}

export interface FakeTenantAccess {
  readOnly: boolean;
}

export interface FakeUser {
  readonly username: string;
  roles: string[];
  /** Read-only everywhere, whatever the per-tenant policy says. */
  isReadOnly: boolean;
  /** Explicit tenant grants (tenant id → policy). Administrators see every tenant without one. Gen A only. */
  readonly access: Map<string, FakeTenantAccess>;
}

/** An agent of either generation. Gen A fields are ignored by a Gen B portal and the other way round. */
export interface FakeAgent {
  /** Gen A: the fallback `instanceId`. Gen B: the agent id (24 hex) that tickets carry as `aiAgentId`. */
  readonly id: string;
  /** Gen A: `agentName`. Gen B: `name`. */
  name: string;
  /** Gen A: `instanceId` in `agentInstances`; absent → `id`. */
  instanceId?: string;
  /** Gen A: `friendlyName`, absent on the wire when unset. */
  friendlyName?: string;
  /** Gen A: the tenant ids whose `agentInstances` list the agent; absent → every tenant. */
  allowedTenants?: string[];
  /**
   * Gen A: `agentHostTenantId`, the tenant the agent runs in. Absent → the first of `allowedTenants`, else the
   * portal's first tenant (one host per agent, the same in every tenant's listing).
   */
  hostTenantId?: string;
  /**
   * Both: the agent streams its replies. Gen A: `sendmessage` answers 500 with the reply's events (§3.5).
   * Gen B: `metaData.STREAMING_ENABLED` is "true", `sendMessage` answers 400 with the events and
   * `sendMessageStreaming` streams them (§4, §5).
   */
  streaming: boolean;
  /** Gen B: the top-level `doesSupportStreaming`, which "is unreliable"; absent → the same as `streaming`. */
  doesSupportStreaming?: boolean;
}

/** A Gen B scope (`ticketContextForAgent.scopeIds` names them). */
export interface FakeScope {
  readonly id: string;
  name: string;
  providerId: string;
}

/** A Gen B workspace. */
export interface FakeWorkspace {
  /** 24 lower-case hex digits (a Mongo ObjectId). */
  readonly id: string;
  name: string;
  /** The scopes tickets of this workspace may run with, in order. */
  readonly scopes: FakeScope[];
  /** Ids of the agents available in this workspace, in order. */
  readonly agents: string[];
}

export interface WireFile {
  file_path: string;
  file_content: string;
}

export interface WireCommand {
  command: string;
  execute: boolean;
  rejection_reason?: string;
  uid?: string;
  files?: WireFile[];
}

export interface WireExecutedCommand {
  command: string;
  output: string;
}

/** Message `data` as it travels on the wire (every array present in what the fake sends). */
export interface WireMessageData {
  cmds: WireCommand[];
  executed_cmds: WireExecutedCommand[];
  tool_calls: Record<string, unknown>[];
  executed_tool_calls: Record<string, unknown>[];
  approvals: Record<string, unknown>[];
  executed_approvals: Record<string, unknown>[];
  url_configs: Record<string, unknown>[];
}

/** One agent event (docs §5.1): `{type, …}`. Tests may script any sequence, valid or not. */
export type AgentEvent = Readonly<Record<string, unknown>>;

export interface FakeTicketMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  /** User messages: the `data` exactly as received (absent arrays stay absent). Assistant messages: full data. */
  readonly data: Partial<WireMessageData>;
  /** User messages: the `platform_context` as received, when sent. */
  readonly platform_context?: Record<string, unknown>;
  /** User messages: the `user` object exactly as received, when sent (docs §3.4, §8). */
  readonly user?: Readonly<Record<string, unknown>>;
  /** `message_mode` as received, when sent (historic messages carry it). */
  readonly messageMode?: number;
  readonly at: Date;
}

export type FakeCommandState = 'proposed' | 'approved' | 'rejected';

/** A command the agent proposed on a ticket and what became of it. */
export interface FakeCommand {
  readonly command: string;
  /** The agent's `uid` for it, when it gave one; the echo must carry it back (§6). */
  readonly uid?: string;
  state: FakeCommandState;
  rejectionReason?: string;
  /** Set when the agent reported it in `executed_cmds`. */
  output?: string;
}

/** Gen A: the agent record a ticket is assigned to, as the tenant's `agentInstances` list it (§3.1). */
export interface FakeTicketAssignee {
  agentName: string;
  instanceId: string;
  friendlyName?: string;
  agentHostTenantId: string;
}

/** Gen B ticket statuses (docs §4). */
export const TICKET_STATUSES = ['open', 'inProgress', 'waitingForUserInput', 'waitingForUserAgent', 'closed'] as const;
export type FakeTicketStatus = (typeof TICKET_STATUSES)[number];

export const DISPOSITIONS = ['resolved', 'unResolved'] as const;
export type FakeDisposition = (typeof DISPOSITIONS)[number];

/** Gen B: one entry of `history.statuses`. */
export interface FakeStatusChange {
  readonly status: FakeTicketStatus;
  readonly disposition?: FakeDisposition;
  readonly at: Date;
}

export interface FakeImAppDetails {
  readonly channelId: string;
  readonly threadId: string;
}

/** A ticket of either generation. Fields of the other generation are absent. */
export interface FakeTicket {
  readonly api: HelpdeskApi;
  readonly name: string;
  /** Gen B: the ticket id (24 hex). Absent on Gen A, whose tickets are known by name only. */
  readonly id?: string;
  /** The tenant id (Gen A) or workspace id (Gen B) the ticket lives in. */
  readonly spaceId: string;
  title: string;
  /** Gen A: the agent record (§3.1). */
  assignee?: FakeTicketAssignee;
  /** Gen B: the agent id. */
  aiAgentId?: string;
  /**
   * What the agent runs with: Gen A `defaultAgentPermissions` (identities), Gen B `ticketContextForAgent.scopeIds`.
   * Absent when the create body did not carry them.
   */
  readonly permissions?: readonly string[];
  /** Gen B: `ticketContextForAgent.personaIds`, when sent. */
  readonly personaIds?: readonly string[];
  /** The create body's `source` (Gen A 0|1, Gen B e.g. "helpdesk"), when sent. */
  readonly source?: number | string;
  /** The create body's `Origin`, when sent. */
  readonly origin?: string;
  /** Gen A: `imAppDetails` as sent (null when sent as null); absent when not sent. */
  readonly imAppDetails?: FakeImAppDetails | null;
  /** Gen A: the create body's `historic_messages`, in order, recorded before anything else. */
  readonly historicMessages: FakeTicketMessage[];
  /** Gen B only: the current status, the last of `statusHistory`. Change it with `portal.setTicketStatus`. */
  readonly status?: FakeTicketStatus;
  /** Gen B only: every status the ticket had, oldest first (served as `history.statuses`). */
  readonly statusHistory?: FakeStatusChange[];
  /** Gen A: how many times `PUT …/contextUpdated` was called for it. */
  contextUpdates: number;
  /** Username of the token that created the ticket. */
  readonly createdBy: string;
  readonly createdAt: Date;
  lastModified: Date;
  /** Every message in order: user messages as received and the agent's replies. */
  readonly messages: FakeTicketMessage[];
  /** Every command the agent proposed, in order, with its approval state. */
  readonly commands: FakeCommand[];
}

// ───────────────────────────── Seed (plain data) ─────────────────────────────

export interface SeedTenant {
  readonly id: string;
  readonly name: string;
  readonly planId?: string;
  readonly infraOwner?: string;
  readonly settings?: Readonly<Record<string, string>>;
}

export interface SeedUser {
  readonly username: string;
  readonly roles: readonly string[];
  readonly isReadOnly?: boolean;
  /** Gen A only. */
  readonly access?: ReadonlyArray<{ readonly tenantId: string; readonly readOnly: boolean }>;
}

/** A Gen A agent: `name` is the agentName, `instanceId ?? id` the instanceId. */
export interface SeedAgent {
  readonly id: string;
  readonly name: string;
  readonly instanceId?: string;
  readonly allowedTenants?: readonly string[];
  readonly friendlyName?: string;
  readonly hostTenantId?: string;
  readonly streaming?: boolean;
}

/** Everything a Gen A (tenant) fake portal starts with. Plain JSON-like data, so a test can copy and tweak it. */
export interface PortalSeed {
  /** Username the admin token (the one the service is configured with) belongs to; must be in `users`. */
  readonly adminUser: string;
  readonly tenants: readonly SeedTenant[];
  readonly users: readonly SeedUser[];
  readonly agents: readonly SeedAgent[];
}

export interface SeedScope {
  readonly id: string;
  readonly name: string;
  readonly providerId: string;
}

export interface SeedWorkspace {
  /** 24 hex digits. */
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly SeedScope[];
  /** Ids of `agents` available in this workspace. */
  readonly agents: readonly string[];
}

/** A Gen B agent. */
export interface SeedWorkspaceAgent {
  /** 24 hex digits. */
  readonly id: string;
  readonly name: string;
  /** Default false. */
  readonly streaming?: boolean;
  /** Default `streaming`; set it to make the unreliable flag disagree with `metaData.STREAMING_ENABLED`. */
  readonly doesSupportStreaming?: boolean;
}

/** Everything a Gen B (workspace) fake portal starts with. */
export interface WorkspacePortalSeed {
  /** Username the admin token belongs to; must be in `users`. */
  readonly adminUser: string;
  readonly users: readonly SeedUser[];
  /**
   * Whether `/admin/GetUserRoleInfo` and `/admin/GetAllUserRoles` are served (the HelpDesk sits on a DuploCloud
   * portal host). False: every `/admin/…` path is 404, as on a HelpDesk served from its own host. Default true.
   */
  readonly adminApi?: boolean;
  readonly workspaces: readonly SeedWorkspace[];
  readonly agents: readonly SeedWorkspaceAgent[];
}
