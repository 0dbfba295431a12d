export {
  createHttpPortalClient,
  type HttpPortalClientOptions,
  type PortalCallObservation,
  type PortalOperation,
} from './http-portal-client.js';
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
export {
  AgentListingSchema,
  AllUserRolesSchema,
  CreateTicketResponseSchema,
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
  TicketSchema,
  toAgentMessage,
  toMessageData,
} from './portal-schemas.js';
