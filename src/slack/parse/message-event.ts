import { z } from 'zod';

/**
 * The parts of `app_mention` and `message` events we rely on. Anything else (edits, deletions, bot messages,
 * joins) parses to null and is not relayed.
 */
const HumanMessage = z.object({
  type: z.enum(['app_mention', 'message']),
  subtype: z.enum(['thread_broadcast', 'file_share']).optional(),
  user: z.string().regex(/^[UW][A-Z0-9]{1,30}$/),
  text: z.string().max(40_000).default(''),
  ts: z.string().regex(/^\d{1,12}\.\d{1,9}$/),
  thread_ts: z
    .string()
    .regex(/^\d{1,12}\.\d{1,9}$/)
    .optional(),
  channel: z.string().regex(/^[CGD][A-Z0-9]{1,30}$/),
  /** `im` for the app's DM with a person (message.im); app_mention carries none. */
  channel_type: z.string().max(20).optional(),
  team: z.string().optional(),
  user_team: z.string().optional(),
  bot_id: z.string().optional(),
});

export interface HumanMessageEvent {
  readonly kind: 'app_mention' | 'message';
  readonly userId: string;
  /** The user's own workspace (Slack Connect users come from another team). */
  readonly userTeamId: string | null;
  readonly text: string;
  readonly ts: string;
  readonly threadTs: string | null;
  readonly channelId: string;
  /** Written in the app's DM with the person (its Messages tab or assistant pane): every message there is for the bot. */
  readonly direct: boolean;
}

export function parseHumanMessage(event: unknown): HumanMessageEvent | null {
  const parsed = HumanMessage.safeParse(event);
  if (!parsed.success || parsed.data.bot_id) return null;
  const raw = parsed.data;
  if (raw.type === 'message' && (event as { subtype?: unknown }).subtype !== raw.subtype) return null;
  return {
    kind: raw.type,
    userId: raw.user,
    userTeamId: raw.user_team ?? raw.team ?? null,
    text: raw.text,
    ts: raw.ts,
    threadTs: raw.thread_ts ?? null,
    channelId: raw.channel,
    direct: raw.type === 'message' && raw.channel_type === 'im',
  };
}

/** The text with mentions of the bot removed and whitespace tidied: what the person asked. */
export function withoutBotMention(text: string, botUserId: string): string {
  return text
    .replaceAll(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), '')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/**
 * Whether a conversation is a direct message (an `im`: D… ids). The app never asks Slack about one: reading an im
 * with conversations.info needs im:read, a scope the app does not ask for (docs/slack-platform.md §10).
 */
export const isDirectMessageChannel = (channelId: string): boolean => channelId.startsWith('D');

export const mentionsBot = (text: string, botUserId: string): boolean => text.includes(`<@${botUserId}`);

/**
 * Slack's markup in a person's message, as plain text for the agent: `<@U1>` → `@U1`, `<url|label>` → `label (url)`,
 * `<url>` → `url`, `<!here>` → `@here`, and the three escaped characters back.
 */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<([@#!])([^>|]+)(?:\|([^>]*))?>/g, (_match, sigil: string, id: string, label?: string) =>
      sigil === '#' ? `#${label || id}` : `@${label || id}`,
    )
    .replace(/<([^>|]+)\|([^>]*)>/g, (_match, url: string, label: string) => `${label} (${url})`)
    .replace(/<([^>]+)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .trim();
}
