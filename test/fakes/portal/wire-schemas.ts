import { z } from 'zod';

/**
 * Request bodies the fake accepts (helper-notes/PORTAL-WIRE.md). Unknown extra fields are allowed, as on the real
 * portal; missing or mistyped required fields are a 400. The fake is stricter than the portal in one place: it
 * requires the impersonated identity on every create and sendmessage, because the service always sends it.
 */

const required = z.string({ error: 'is required' }).trim().min(1, 'must not be empty');

const Records = z.array(z.record(z.string(), z.unknown()));

const WireCommandBody = z.looseObject({
  command: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  execute: z.boolean({ error: 'must be true or false' }),
  rejection_reason: z.string().optional(),
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

export const AssigneeBody = z.looseObject({ agentName: required, instanceId: required });

export const CreateTicketBody = z.looseObject({
  title: required,
  assignee: AssigneeBody,
  content: z.string().optional(),
  process_message: z.boolean().optional(),
  Origin: z.string().optional(),
  impersonateUser: required,
  platform_context: z.record(z.string(), z.unknown()).optional(),
});

export const SendMessageBody = z.looseObject({
  content: z.string({ error: 'is required' }),
  data: WireDataBody.optional(),
  platform_context: z.looseObject({ impersonate_user: required }),
});

export const MetadataBody = z.looseObject({ Key: required, Value: z.string({ error: 'is required' }) });

/** One line naming each wrong field, for the 400 `Message`. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
