/**
 * Every Slack id the app uses. Messages and modals already posted keep sending these: never rename them, never
 * derive them from labels.
 */
export const CallbackId = {
  CreateTicket: 'ticket.create',
  UpdateContext: 'ticket.update_context',
  RejectReason: 'command.reject_reason',
  CreateTicketShortcut: 'ai_shortcut_invoke',
  /** The channel defaults modal (/helpdesk defaults). */
  ChannelDefaults: 'helpdesk.channel_defaults',
  Home: 'home',
} as const;

/** The app's slash command (manifest.yml features.slash_commands). */
export const SlashCommand = { Helpdesk: '/helpdesk' } as const;

export const ActionId = {
  OpenCreateTicket: 'ticket.open_create',
  TicketMenu: 'ticket.menu',
  OpenHelpdesk: 'ticket.open_helpdesk',
  /** The closed-thread prompt's Reopen button (the card's menu has its own Reopen option). */
  ReopenTicket: 'ticket.reopen',
  /** App Home: a link button to the ticket's Slack thread. */
  OpenThread: 'home.open_thread',
  // Modal selects (Create Ticket and Update Context share them). A tenant-scoped HelpDesk asks for a Tenant and an
  // identity (Default Permissions), a workspace-scoped one for a Workspace and Scopes (docs/duplocloud-api.md §0).
  SelectPortal: 'ticket.portal',
  SelectTenant: 'ticket.tenant',
  SelectWorkspace: 'ticket.workspace',
  SelectAgent: 'ticket.agent',
  SelectIdentity: 'ticket.identity',
  SelectScopes: 'ticket.scopes',
  ShareThread: 'ticket.share_thread',
  NewMessage: 'ticket.new_message',
  /** /helpdesk defaults: the button that opens the channel defaults modal. */
  ChangeChannelDefaults: 'helpdesk.change_defaults',
  ClearChannelDefaults: 'helpdesk.clear_defaults',
  // Command cards
  Approve: 'command.approve',
  Reject: 'command.reject',
  Ignore: 'command.ignore',
  Submit: 'command.submit',
  RejectReason: 'command.reject_reason_input',
} as const;

/** Overflow option values on the ticket card. */
export const TicketMenuValue = {
  UpdateContext: 'update_context',
  CloseResolved: 'close_resolved',
  CloseUnresolved: 'close_unresolved',
  Reopen: 'reopen',
} as const;

/**
 * Input block ids in modals. Tenant, agent and identity blocks carry a suffix naming what they depend on, so that
 * Slack drops a stale selection when the portal or tenant changes (inputs keep values only with identical ids).
 */
export const BlockId = {
  Portal: 'ticket.portal',
  Tenant: 'ticket.tenant',
  Workspace: 'ticket.workspace',
  Agent: 'ticket.agent',
  Identity: 'ticket.identity',
  Scopes: 'ticket.scopes',
  ShareThread: 'ticket.share_thread',
  NewMessage: 'ticket.new_message',
  Notice: 'ticket.notice',
  RejectReason: 'command.reject_reason',
} as const;

export const dependentBlockId = (base: string, dependsOn: string): string => `${base}:${dependsOn}`.slice(0, 255);
export const baseOfBlockId = (blockId: string): string => blockId.split(':')[0] ?? blockId;
