export type {
  AddAgentInput,
  AddTenantInput,
  AddUserInput,
  FakePortal,
  FakePortalOptions,
  FaultSpec,
  InjectedFault,
  RecordedCall,
} from './fake-portal.js';
export { startFakePortal } from './fake-portal.js';
export type {
  FakeAgent,
  FakeCommand,
  FakeCommandState,
  FakeTenant,
  FakeTenantAccess,
  FakeTicket,
  FakeTicketAssignee,
  FakeTicketMessage,
  FakeUser,
  PortalSeed,
  SeedAgent,
  SeedTenant,
  SeedUser,
  WireCommand,
  WireExecutedCommand,
  WireFile,
  WireMessageData,
} from './model.js';
export { IMPERSONATABLE_USERS_KEY } from './model.js';
export type { AgentReply, AgentScript, AgentScriptContext } from './scripted-agent.js';
export {
  ACTIONABLE_WORDS,
  defaultProposals,
  isActionable,
  namespaceOf,
  plausibleOutput,
} from './scripted-agent.js';
export { defaultPortalSeed, SeedAgents, SeedIdentities, SeedTenants, SeedUsers } from './seed.js';
