import { z } from 'zod';
import { DISPOSITIONS, TICKET_STATUSES } from './model.js';

/**
 * Request bodies the fake accepts (docs/duplocloud-api.md §3, §4). Unknown extra fields are allowed, as on the real
 * portal; a missing or mistyped field is a 400. One place is stricter than the portal, on purpose: the contract
 * says the service never sends a token or an identity with a message (§3.2, §8), so `impersonateUser` on a create
 * and `platform_context.impersonate_user` / `platform_context.duplo_token` anywhere are a 400 naming the field,
 * instead of being silently ignored.
 */

const required = z.string({ error: 'is required' }).trim().min(1, 'must not be empty');

const JsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });

const Records = z.array(z.record(z.string(), z.unknown()));

const FORBIDDEN_CONTEXT_KEYS = ['impersonate_user', 'duplo_token'] as const;

/** `platform_context`: any object, but never a token or an identity (§8). */
const PlatformContext = JsonObject.superRefine((value, context) => {
  for (const key of FORBIDDEN_CONTEXT_KEYS) {
    if (key in value) {
      context.addIssue({ code: 'custom', path: [key], message: 'is not part of the contract (§8)' });
    }
  }
});

const WireCommandBody = z.looseObject({
  command: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  execute: z.boolean({ error: 'must be true or false' }),
  rejection_reason: z.string().optional(),
  uid: z.string().optional(),
  files: z.array(z.object({ file_path: z.string(), file_content: z.string() })).optional(),
});

const WireDataBody = z.looseObject({
  cmds: z.array(WireCommandBody).optional(),
  executed_cmds: z.array(z.object({ command: z.string(), output: z.string() })).optional(),
  tool_calls: Records.optional(),
  executed_tool_calls: Records.optional(),
  approvals: Records.optional(),
  executed_approvals: Records.optional(),
  url_configs: Records.optional(),
});

/** The person behind a message (§3.4): `{id, name}`, both strings; extra fields (an email) allowed. */
const MessageUser = z.looseObject({
  id: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  name: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
});

// ───────────────────────────── Gen A (tenant) ─────────────────────────────

/** An agent record (§3.1) as create and `PUT …/assignee` carry it. */
export const AssigneeBody = z.looseObject({
  agentName: required,
  instanceId: required,
  friendlyName: z.string({ error: 'must be a string' }).optional(),
  agentHostTenantId: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
});

/** `MessagePayload` of `historic_messages` (§3.2): no role, no user. */
const HistoricMessage = z.looseObject({
  content: z.string({ error: 'is required' }),
  data: JsonObject.optional(),
  message_mode: z.number({ error: 'must be a number' }).int('must be an integer').optional(),
  platform_context: PlatformContext.optional(),
});

export const CreateTenantTicketBody = z
  .looseObject({
    title: required,
    name: required
      .regex(/^[^/\\?#\s]+$/, 'must not contain /, \\, ?, # or spaces')
      .max(200, 'must be at most 200 characters')
      .optional(),
    assignee: AssigneeBody,
    content: z.string({ error: 'must be a string' }).optional(),
    process_message: z.boolean({ error: 'must be true or false' }).optional(),
    historic_messages: z.array(HistoricMessage, { error: 'must be an array' }).optional(),
    platform_context: PlatformContext.optional(),
    defaultAgentPermissions: z.array(required, { error: 'must be an array of identities' }).optional(),
    source: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 (None) or 1 (Slack)' }).optional(),
    imAppDetails: z
      .object(
        {
          channelId: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
          threadId: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
        },
        { error: 'must be {channelId, threadId} or null' },
      )
      .nullable()
      .optional(),
    Origin: z.string({ error: 'must be a string' }).optional(),
  })
  .superRefine((value, context) => {
    if ('impersonateUser' in value) {
      context.addIssue({ code: 'custom', path: ['impersonateUser'], message: 'is not part of the contract (§3.2)' });
    }
  });

/** `sendmessage` (Gen A) and `sendMessage` / `sendMessageStreaming` (Gen B): the same body (§3.4, §4, §8). */
export const SendMessageBody = z.looseObject({
  role: z.literal('user', { error: 'must be "user"' }).optional(),
  content: z.string({ error: 'is required' }),
  data: WireDataBody.optional(),
  platform_context: PlatformContext.optional(),
  user: MessageUser.optional(),
  message_mode: z.number({ error: 'must be a number' }).int('must be an integer').optional(),
});

export const MetadataBody = z.looseObject({ Key: required, Value: z.string({ error: 'is required' }) });

// ───────────────────────────── Gen B (workspace) ─────────────────────────────

const Ids = z.array(required, { error: 'must be an array of ids' });

export const CreateWorkspaceTicketBody = z.looseObject({
  title: required,
  aiAgentId: required,
  workspaceId: required.optional(),
  source: z.string({ error: 'must be a string' }).optional(),
  Origin: z.string({ error: 'must be a string' }).optional(),
  description: z.string({ error: 'must be a string' }).optional(),
  ticketContextForAgent: z
    .looseObject({ scopeIds: Ids.optional(), personaIds: Ids.optional() }, { error: 'must be an object' })
    .optional(),
  platform_context: PlatformContext.optional(),
});

export const TicketStatusBody = z
  .looseObject({
    status: z.enum(TICKET_STATUSES, { error: `must be one of ${TICKET_STATUSES.join(', ')}` }),
    disposition: z.enum(DISPOSITIONS, { error: `must be one of ${DISPOSITIONS.join(', ')}` }).optional(),
  })
  .superRefine((value, context) => {
    if (value.status === 'closed' && value.disposition === undefined) {
      context.addIssue({ code: 'custom', path: ['disposition'], message: 'is required when closing' });
    }
    // CTL sends a disposition only with `closed` (§4 Close); one with any other status is a client's mistake.
    if (value.status !== 'closed' && value.disposition !== undefined) {
      context.addIssue({ code: 'custom', path: ['disposition'], message: 'goes with status closed only' });
    }
  });

/** One line naming each wrong field, for the 400 message. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
