import { z } from 'zod';
import { CardStatuses, type CommandCard, Decisions } from '../domain/command-card.js';
import { HelpdeskApis, TicketResolutions } from '../domain/helpdesk.js';
import type { StoredAuditEntry } from '../domain/ports.js';
import type { TicketLink } from '../domain/thread-link.js';
import type { SqlRow } from './sql-executor.js';

// Rows are a boundary too: both engines must hand back these shapes (timestamptz as Date, jsonb parsed, ids as
// text), and a row that does not fit is a bug worth a loud, specific error.

const ChoiceJson = z.object({
  decision: z.enum(Decisions),
  reason: z.string().exactOptional(),
  by: z.string(),
  at: z.iso.datetime({ offset: true }).transform((at) => new Date(at)),
});

const CardItemJson = z.object({
  kind: z.enum(['cmd', 'tool_call', 'approval']),
  text: z.string(),
  description: z.string().exactOptional(),
  raw: z.record(z.string(), z.unknown()),
  hiddenCharacters: z.array(z.string()).exactOptional(),
});

const PermissionsJson = z.array(z.object({ id: z.string(), name: z.string() }));

const LinkRow = z.object({
  id: z.string(),
  team_id: z.string(),
  channel_id: z.string(),
  thread_ts: z.string(),
  portal: z.string(),
  api: z.enum(HelpdeskApis),
  space_id: z.string(),
  space_name: z.string(),
  ticket_name: z.string(),
  ticket_title: z.string(),
  agent_name: z.string(),
  agent_id: z.string(),
  permissions: PermissionsJson,
  created_by: z.string(),
  active: z.boolean(),
  card_message_ts: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
  closed_at: z.date().nullable(),
  closed_by: z.string().nullable(),
  resolution: z.enum(TicketResolutions).nullable(),
});

const CardRow = z.object({
  id: z.string(),
  link_id: z.string(),
  team_id: z.string(),
  channel_id: z.string(),
  thread_ts: z.string(),
  portal: z.string(),
  space_id: z.string(),
  ticket_name: z.string(),
  agent_id: z.string(),
  permissions: PermissionsJson,
  items: z.array(CardItemJson),
  choices: z.record(z.string(), ChoiceJson),
  status: z.enum(CardStatuses),
  message_ts: z.string().nullable(),
  submitted_by: z.string().nullable(),
  submitted_at: z.date().nullable(),
  outcome: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
  expires_at: z.date(),
});

const AuditRow = z.object({
  id: z.string(),
  at: z.date(),
  actor: z.string(),
  action: z.string(),
  portal: z.string(),
  space_id: z.string(),
  ticket_name: z.string(),
  permissions: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

/** Column lists matching the row schemas; ids are cast to text because the engines disagree on int8. */
export const linkColumns = `id::text AS id, team_id, channel_id, thread_ts, portal, api, space_id, space_name, ticket_name,
  ticket_title, agent_name, agent_id, permissions, created_by, active, card_message_ts, created_at, updated_at,
  closed_at, closed_by, resolution`;
export const cardColumns = `id, link_id, team_id, channel_id, thread_ts, portal, space_id, ticket_name, agent_id,
  permissions, items, choices, status, message_ts, submitted_by, submitted_at, outcome, created_at, updated_at,
  expires_at`;
export const auditColumns = 'id::text AS id, at, actor, action, portal, space_id, ticket_name, permissions, detail';

function parseRow<T extends z.ZodType>(schema: T, row: SqlRow | undefined, what: string): z.output<T> {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`store: unexpected ${what} row (${issues})`);
  }
  return parsed.data;
}

export function toLink(raw: SqlRow | undefined): TicketLink {
  const row = parseRow(LinkRow, raw, 'thread_links');
  return {
    id: row.id,
    thread: { teamId: row.team_id, channelId: row.channel_id, threadTs: row.thread_ts },
    portal: row.portal,
    api: row.api,
    spaceId: row.space_id,
    spaceName: row.space_name,
    ticketName: row.ticket_name,
    ticketTitle: row.ticket_title,
    agentId: row.agent_id,
    agentName: row.agent_name,
    permissions: row.permissions,
    createdBy: row.created_by,
    active: row.active,
    cardMessageTs: row.card_message_ts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closed:
      row.closed_at && row.closed_by && row.resolution
        ? { at: row.closed_at, by: row.closed_by, resolution: row.resolution }
        : null,
  };
}

export function toCard(raw: SqlRow | undefined): CommandCard {
  const row = parseRow(CardRow, raw, 'command_cards');
  return {
    id: row.id,
    linkId: row.link_id,
    thread: { teamId: row.team_id, channelId: row.channel_id, threadTs: row.thread_ts },
    portal: row.portal,
    spaceId: row.space_id,
    ticketName: row.ticket_name,
    agentId: row.agent_id,
    permissions: row.permissions,
    items: row.items,
    choices: row.choices,
    status: row.status,
    messageTs: row.message_ts,
    submittedBy: row.submitted_by,
    submittedAt: row.submitted_at,
    outcome: row.outcome,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

export function toAuditEntry(raw: SqlRow | undefined): StoredAuditEntry {
  const row = parseRow(AuditRow, raw, 'audit_log');
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    portal: row.portal,
    spaceId: row.space_id,
    ticketName: row.ticket_name,
    ...(row.permissions === null ? {} : { permissions: row.permissions }),
    detail: row.detail,
  };
}

export const RequestRow = z.object({ slack_user_id: z.string(), text: z.string(), redacted: z.number().int().min(0) });

export const OpenStreamRow = z.object({
  team_id: z.string(),
  channel_id: z.string(),
  message_ts: z.string(),
  thread_ts: z.string(),
  agent_name: z.string(),
  owner: z.string(),
  started_at: z.date(),
});
