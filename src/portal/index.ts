export {
  eventsFromErrorBody,
  parseAgentEvent,
  readEventStream,
  replyFromEvents,
} from './agent-events.js';
export { detectHelpdesk, Probes } from './helpdesk-detection.js';
export { createPortalClient, type DetectionObservation, type PortalClientOptions } from './portal-client.js';
export { createPortalDirectory } from './portal-directory.js';
export {
  badResponse,
  codeForStatus,
  messageExcerpt,
  type PortalCallContext,
  schemaError,
  statusError,
  toPortalError,
} from './portal-errors.js';
export type { PortalCallObservation, PortalHttpOptions, PortalOperation } from './portal-http.js';
export {
  AllUserRolesSchema,
  ImpersonatableUsersKey,
  MessageDataSchema,
  MessageSchema,
  MetadataEntrySchema,
  MetadataSchema,
  PortalUserSchema,
  parseImpersonatableUsers,
  TenantAccessSchema,
  TenantListSchema,
  TenantSchema,
  toAgentMessage,
  toMessageData,
} from './portal-schemas.js';
