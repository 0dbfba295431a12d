/**
 * The HelpDesk in the domain's own words, the same for both API generations (docs/duplocloud-api.md §0): a ticket
 * lives in a *space* (a tenant, or a workspace), is handled by an *agent*, and runs with *permissions* (one identity
 * from the tenant's `helpdesk-impersonatable-users`, or one or more workspace scopes). Which generation a portal
 * speaks decides who may do what (§7); nothing here knows a path, an envelope or a field name of the wire.
 */

/** `tenant`: the tenant-scoped HelpDesk (Gen A). `workspace`: the workspace-scoped one (Gen B). */
export const HelpdeskApis = ['tenant', 'workspace'] as const;
export type HelpdeskApi = (typeof HelpdeskApis)[number];

export interface Space {
  readonly id: string;
  readonly name: string;
}

export interface SpaceAccess extends Space {
  /** The person may look and talk, but not approve commands, change the ticket's context or move it. */
  readonly readOnly: boolean;
}

export interface Agent {
  /** The portal's id for the agent: the instance id (tenant HelpDesk) or the agent id (workspace HelpDesk). */
  readonly id: string;
  /** The portal's name for it (`agentName`). */
  readonly name: string;
  /** What people read: the agent's friendly name when the portal gives one. */
  readonly label: string;
  /** Tenant HelpDesk: the tenant that hosts the agent (`agentHostTenantId`), when the listing says. */
  readonly hostSpaceId?: string;
}

/** One permission a ticket runs with: an identity (id = name = the portal username) or a scope. */
export interface Permission {
  readonly id: string;
  readonly name: string;
}

/** How a ticket's permissions are chosen on a HelpDesk of this generation. */
export const permissionKind = (api: HelpdeskApi): 'identity' | 'scopes' => (api === 'tenant' ? 'identity' : 'scopes');

const idsOf = (permissions: readonly Pick<Permission, 'id'>[]): string[] =>
  permissions.map((permission) => permission.id.toLowerCase()).sort();

/** Same permissions, whatever their order and case (identities are matched case-insensitively by the portal). */
export const samePermissions = (
  a: readonly Pick<Permission, 'id'>[],
  b: readonly Pick<Permission, 'id'>[],
): boolean => {
  const left = idsOf(a);
  const right = idsOf(b);
  return left.length === right.length && left.every((id, index) => id === right[index]);
};

/** Permissions as people read them: `dev-deployer`, or `full-access, read-only`. */
export const describePermissions = (permissions: readonly Permission[]): string =>
  permissions.map((permission) => permission.name).join(', ');

/** The portal user behind a Slack person, when the portal's users can be read. */
export interface PortalUser {
  readonly username: string;
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
  readonly readOnly: boolean;
}

/** The Slack person acting, as the domain needs them. People of another workspace (Slack Connect) keep their team. */
export interface Actor {
  readonly slackUserId: string;
  readonly teamId: string;
  readonly email: string | null;
  /** How the agent is told who wrote (their email when Slack shares it, else their Slack display name). */
  readonly displayName?: string;
}

/** How a ticket was closed: the person says whether the request was dealt with. */
export const TicketResolutions = ['resolved', 'unresolved'] as const;
export type TicketResolution = (typeof TicketResolutions)[number];

/** A change of a ticket's status in its portal: closed (with how), or open again. */
export type TicketStatusChange =
  | { readonly status: 'closed'; readonly resolution: TicketResolution }
  | { readonly status: 'open' };

/**
 * Whether the HelpDesk keeps a ticket status that can be changed: the workspace-scoped one does
 * (docs/duplocloud-api.md §4 Close); the tenant-scoped one has no status at all (§3.3), so a ticket there is closed
 * in Slack only.
 */
export const keepsTicketStatus = (api: HelpdeskApi): boolean => api === 'workspace';
