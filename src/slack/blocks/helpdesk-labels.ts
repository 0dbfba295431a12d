import type { HelpdeskApi } from '../../domain/helpdesk.js';

/** What people call a ticket's space and permissions on a HelpDesk of this generation (docs/duplocloud-api.md §0). */
export interface HelpdeskLabels {
  /** "Tenant", or "Workspace" (or the operator's word for it). */
  readonly space: string;
  /** The permissions field on Create Ticket: "Default Permissions", or "Scopes". */
  readonly createPermissions: string;
  /** The permissions field on Update Context and the ticket card: "Permissions", or "Scopes". */
  readonly permissions: string;
}

/** The product page's words for a tenant-scoped HelpDesk; DuploCloud's Slack app's for a workspace-scoped one. */
export function helpdeskLabels(api: HelpdeskApi, spaceLabel: string | null = null): HelpdeskLabels {
  if (api === 'tenant') {
    return { space: 'Tenant', createPermissions: 'Default Permissions', permissions: 'Permissions' };
  }
  return { space: spaceLabel ?? 'Workspace', createPermissions: 'Scopes', permissions: 'Scopes' };
}
