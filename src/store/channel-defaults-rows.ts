import { z } from 'zod';
import type { ChannelDefaults } from '../domain/channel-defaults.js';
import { HelpdeskApis } from '../domain/helpdesk.js';
import type { SqlRow } from './sql-executor.js';

// A row of channel_defaults (migration 006), parsed like every other row (rows.ts): a row that does not fit is a bug.
const ChannelDefaultsRow = z.object({
  team_id: z.string(),
  channel_id: z.string(),
  portal: z.string(),
  api: z.enum(HelpdeskApis),
  space_id: z.string(),
  space_name: z.string(),
  agent_id: z.string(),
  agent_name: z.string(),
  permissions: z.array(z.object({ id: z.string(), name: z.string() })),
  set_by: z.string(),
  set_at: z.date(),
});

export const channelDefaultsColumns =
  'team_id, channel_id, portal, api, space_id, space_name, agent_id, agent_name, permissions, set_by, set_at';

export function toChannelDefaults(raw: SqlRow | undefined): ChannelDefaults {
  const parsed = ChannelDefaultsRow.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`store: unexpected channel_defaults row (${issues})`);
  }
  const row = parsed.data;
  return {
    channel: { teamId: row.team_id, channelId: row.channel_id },
    portal: row.portal,
    api: row.api,
    spaceId: row.space_id,
    spaceName: row.space_name,
    agentId: row.agent_id,
    agentName: row.agent_name,
    permissions: row.permissions,
    setBy: row.set_by,
    setAt: row.set_at,
  };
}
