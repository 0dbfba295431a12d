import { z } from 'zod';
import { SlashCommand } from '../blocks/ids.js';

/**
 * A slash command as Slack posts it: form fields, not JSON and not `payload=` (docs/slack-platform.md §1):
 * `command`, `text`, `team_id`, `channel_id`, `user_id`, `trigger_id`, `response_url`, and others we do not read.
 */
const SlackId = z.string().regex(/^[A-Z0-9]{2,30}$/);
const SlashCommandPayload = z
  .object({
    command: z.literal(SlashCommand.Helpdesk),
    text: z.string().max(4_000).default(''),
    team_id: SlackId,
    channel_id: z.string().regex(/^[CGD][A-Z0-9]{1,30}$/),
    user_id: SlackId,
    trigger_id: z.string().min(1).max(200),
    response_url: z.url({ protocol: /^https?$/ }).max(2_000),
  })
  .loose();

export const HelpdeskSubcommandNames = ['help', 'tickets', 'new', 'status', 'defaults'] as const;
export type HelpdeskSubcommand = (typeof HelpdeskSubcommandNames)[number];

export interface HelpdeskCommand {
  readonly subcommand: HelpdeskSubcommand;
  /** What was typed as a subcommand that is not one (the answer is the help). */
  readonly unknown?: string;
  /** The text after the subcommand, trimmed: `new`'s request. */
  readonly rest: string;
  readonly teamId: string;
  readonly channelId: string;
  readonly userId: string;
  readonly triggerId: string;
  readonly responseUrl: string;
}

const isSubcommand = (word: string): word is HelpdeskSubcommand =>
  (HelpdeskSubcommandNames as readonly string[]).includes(word);

/** `/helpdesk <subcommand> [text]`; nothing typed is `help`. Null for a payload that is not our command. */
export function parseHelpdeskCommand(body: unknown): HelpdeskCommand | null {
  const parsed = SlashCommandPayload.safeParse(body);
  if (!parsed.success) return null;
  const payload = parsed.data;
  const text = payload.text.trim();
  const [first = '', ...others] = text.split(/\s+/);
  const word = first.toLowerCase();
  const common = {
    teamId: payload.team_id,
    channelId: payload.channel_id,
    userId: payload.user_id,
    triggerId: payload.trigger_id,
    responseUrl: payload.response_url,
  };
  if (word === '') return { subcommand: 'help', rest: '', ...common };
  if (!isSubcommand(word)) return { subcommand: 'help', unknown: first, rest: '', ...common };
  // The rest keeps the person's line breaks: only the subcommand word and the spaces after it are taken off.
  const rest = others.length > 0 ? text.slice(first.length).trim() : '';
  return { subcommand: word, rest, ...common };
}
