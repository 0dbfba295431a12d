export type { AssistantMessage } from './agent-events.js';
export {
  assembleEvents,
  DEFAULT_DELTA_CHARS,
  replyEvents,
  streamingErrorText,
} from './agent-events.js';
export type {
  AddAgentInput,
  AddTenantInput,
  AddUserInput,
  AddWorkspaceInput,
  FakePortal,
  FakePortalOptions,
  FaultSpec,
  InjectedFault,
  RecordedCall,
  StreamPacing,
  TenantPortalOptions,
  WorkspacePortalOptions,
} from './fake-portal.js';
export { startFakePortal } from './fake-portal.js';
export type {
  AgentEvent,
  FakeAgent,
  FakeCommand,
  FakeCommandState,
  FakeDisposition,
  FakeImAppDetails,
  FakeScope,
  FakeStatusChange,
  FakeTenant,
  FakeTenantAccess,
  FakeTicket,
  FakeTicketAssignee,
  FakeTicketMessage,
  FakeTicketStatus,
  FakeUser,
  FakeWorkspace,
  HelpdeskApi,
  PortalSeed,
  SeedAgent,
  SeedScope,
  SeedTenant,
  SeedUser,
  SeedWorkspace,
  SeedWorkspaceAgent,
  WireCommand,
  WireExecutedCommand,
  WireFile,
  WireMessageData,
  WorkspacePortalSeed,
} from './model.js';
export { DISPOSITIONS, IMPERSONATABLE_USERS_KEY, TICKET_STATUSES } from './model.js';
export type { AgentReply, AgentScript, AgentScriptContext, FakeSpace } from './scripted-agent.js';
export {
  ACTIONABLE_WORDS,
  defaultProposals,
  isActionable,
  namespaceOf,
  plausibleOutput,
} from './scripted-agent.js';
export {
  defaultPortalSeed,
  defaultWorkspaceSeed,
  SeedAgents,
  SeedIdentities,
  SeedScopes,
  SeedTenants,
  SeedUsers,
  SeedWorkspaceAgents,
  SeedWorkspaces,
} from './seed.js';
export { FAKE_SDK_VERSION } from './workspace-api.js';
