import { z } from 'zod';
import type { AgentMessage, ExecutedCommand, MessageData, ProposedCommand } from '../domain/messages.js';

/**
 * Zod schemas for the portal replies both HelpDesk generations share (docs/duplocloud-api.md §2, §3.4, §5, §6):
 * people, tenants, and agent messages. The generation-specific ones live beside their adapters. Objects are
 * tolerant: extra fields are allowed and dropped. Fields we act on are required with their type; fields we only show
 * get a default, so a portal that leaves them out does not break a ticket.
 */

/** A list that a portal may send as null or leave out: both mean empty. */
export const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((items): z.output<T>[] => items ?? []);

export const optionalText = z
  .string()
  .nullish()
  .transform((text) => text ?? undefined);

// ───────────────────────────── Users and tenants ─────────────────────────────

/** GET admin/GetUserRoleInfo, and one entry of GET admin/GetAllUserRoles. */
export const PortalUserSchema = z.object({
  Username: z.string().min(1),
  Roles: list(z.string()),
  // Read-only users may not approve commands: never guess this one, a missing flag is a bad response.
  IsReadOnly: z.boolean(),
});
export type PortalUserWire = z.output<typeof PortalUserSchema>;

export const AllUserRolesSchema = z.array(PortalUserSchema);

export const MetadataEntrySchema = z.object({
  Key: z.string(),
  Value: z
    .string()
    .nullish()
    .transform((value) => value ?? ''),
});

export const MetadataSchema = z.array(MetadataEntrySchema);

/** A tenant object: GET v3/admin/tenant/{id} and each entry of GET admin/GetTenantsForUser. */
export const TenantSchema = z.object({
  TenantId: z.string().min(1),
  AccountName: z.string().min(1),
  Metadata: list(MetadataEntrySchema),
});
export type TenantWire = z.output<typeof TenantSchema>;

export const TenantListSchema = z.array(TenantSchema);

/** GET v3/admin/user/{username}/tenantAccess */
export const TenantAccessSchema = z.array(
  z.object({
    TenantId: z.string().min(1),
    AccountName: z.string().min(1),
    Policy: z.object({ IsReadOnly: z.boolean() }),
  }),
);

// ───────────────────────────── Messages ─────────────────────────────

const RawItemSchema = z.record(z.string(), z.unknown());

export const ProposedCommandSchema = z.object({
  command: z.string(),
  // The agent's id for the command (DuploCloud's IDE echoes it back with the decision).
  uid: optionalText,
  // An agent proposing a command may leave `execute` out; that is the same as asking for approval.
  execute: z.boolean().nullish(),
  rejection_reason: optionalText,
  // Not in the public schemas; agents that explain a command put it here, and the command card shows it.
  description: optionalText,
  files: z.array(z.object({ file_path: z.string(), file_content: z.string() })).nullish(),
});

export const ExecutedCommandSchema = z.object({
  command: z.string(),
  output: z
    .string()
    .nullish()
    .transform((output) => output ?? ''),
});

export const MessageDataSchema = z.object({
  cmds: list(ProposedCommandSchema),
  executed_cmds: list(ExecutedCommandSchema),
  tool_calls: list(RawItemSchema),
  executed_tool_calls: list(RawItemSchema),
  approvals: list(RawItemSchema),
  executed_approvals: list(RawItemSchema),
  url_configs: list(RawItemSchema),
});

export const MessageSchema = z.object({
  // Gen A replies carry it; a Gen B reply may leave it out (docs/duplocloud-api.md §3.4, §4): the reply is the agent's.
  role: z
    .enum(['user', 'assistant'])
    .nullish()
    .transform((role) => role ?? 'assistant'),
  content: z
    .string()
    .nullish()
    .transform((content) => content ?? ''),
  data: MessageDataSchema.nullish(),
});
export type MessageWire = z.output<typeof MessageSchema>;

export const toProposedCommand = (wire: z.output<typeof ProposedCommandSchema>): ProposedCommand => ({
  command: wire.command,
  execute: wire.execute ?? false,
  ...(wire.uid ? { uid: wire.uid } : {}),
  ...(wire.rejection_reason !== undefined ? { rejection_reason: wire.rejection_reason } : {}),
  ...(wire.description ? { description: wire.description } : {}),
  ...(wire.files ? { files: wire.files.map(({ file_path, file_content }) => ({ file_path, file_content })) } : {}),
});

export const toExecutedCommand = ({ command, output }: z.output<typeof ExecutedCommandSchema>): ExecutedCommand => ({
  command,
  output,
});

export const toMessageData = (wire: z.output<typeof MessageDataSchema> | null | undefined): MessageData => ({
  cmds: (wire?.cmds ?? []).map(toProposedCommand),
  executed_cmds: (wire?.executed_cmds ?? []).map(toExecutedCommand),
  tool_calls: wire?.tool_calls ?? [],
  executed_tool_calls: wire?.executed_tool_calls ?? [],
  approvals: wire?.approvals ?? [],
  executed_approvals: wire?.executed_approvals ?? [],
  url_configs: wire?.url_configs ?? [],
});

export const toAgentMessage = (wire: MessageWire): AgentMessage => ({
  role: wire.role,
  content: wire.content,
  data: toMessageData(wire.data),
});

// ───────────────────────────── Tenant settings ─────────────────────────────

export const ImpersonatableUsersKey = 'helpdesk-impersonatable-users';

/**
 * `helpdesk-impersonatable-users` is `user1;user2;...` (docs/duplocloud-api.md §2): split on ';', trim, drop empties and
 * de-duplicate case-insensitively, keeping the first spelling and the order.
 */
export function parseImpersonatableUsers(value: string | undefined): string[] {
  if (!value) return [];
  const seen = new Set<string>();
  const users: string[] = [];
  for (const part of value.split(';')) {
    const user = part.trim();
    const key = user.toLowerCase();
    if (user === '' || seen.has(key)) continue;
    seen.add(key);
    users.push(user);
  }
  return users;
}
