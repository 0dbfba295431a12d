/**
 * The fake portal's in-memory data. Objects are live: a test may read them or change them between requests and
 * the next request sees the change. Field names are camelCase here; the wire shapes (PascalCase tenants, snake_case
 * message data) are produced by the routes.
 */

export const IMPERSONATABLE_USERS_KEY = 'helpdesk-impersonatable-users';

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
  /** Explicit tenant grants (tenant id → policy). Administrators see every tenant without one. */
  readonly access: Map<string, FakeTenantAccess>;
}

export interface FakeAgent {
  readonly id: string;
  name: string;
  /** Absent on the wire when unset; clients then use `id`. */
  instanceId?: string;
  /** Tenant ids the agent serves; absent means every tenant. */
  allowedTenants?: string[];
}

export interface WireFile {
  file_path: string;
  file_content: string;
}

export interface WireCommand {
  command: string;
  execute: boolean;
  rejection_reason?: string;
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

export interface FakeTicketMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  /** User messages: the `data` exactly as received (absent arrays stay absent). Assistant messages: full data. */
  readonly data: Partial<WireMessageData>;
  /** User messages: the `platform_context` as received (create: the body's `platform_context`, if any). */
  readonly platform_context?: Record<string, unknown>;
  /** User messages: the identity the message was sent as (`impersonate_user` / create's `impersonateUser`). */
  readonly identity?: string;
  readonly at: Date;
}

export type FakeCommandState = 'proposed' | 'approved' | 'rejected';

/** A command the agent proposed on a ticket and what became of it. */
export interface FakeCommand {
  readonly command: string;
  state: FakeCommandState;
  rejectionReason?: string;
  /** Set when the agent reported it in `executed_cmds`. */
  output?: string;
}

export interface FakeTicketAssignee {
  agentName: string;
  instanceId: string;
}

export interface FakeTicket {
  readonly name: string;
  readonly tenantId: string;
  title: string;
  status: string;
  assignee: FakeTicketAssignee;
  /** The create body's `Origin`, when sent. */
  readonly origin?: string;
  /** The identity given at creation (`impersonateUser`). */
  readonly identity: string;
  /** Username of the token that created the ticket. */
  readonly createdBy: string;
  readonly createdAt: Date;
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
  readonly access?: ReadonlyArray<{ readonly tenantId: string; readonly readOnly: boolean }>;
}

export interface SeedAgent {
  readonly id: string;
  readonly name: string;
  readonly instanceId?: string;
  readonly allowedTenants?: readonly string[];
}

/** Everything a fake portal starts with. Plain JSON-like data, so a test can copy and tweak it. */
export interface PortalSeed {
  /** Username the admin token (the one the service is configured with) belongs to; must be in `users`. */
  readonly adminUser: string;
  readonly tenants: readonly SeedTenant[];
  readonly users: readonly SeedUser[];
  readonly agents: readonly SeedAgent[];
}
