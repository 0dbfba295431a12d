import { z } from 'zod';
import type { SlackDeps } from '../flows/deps.js';
import { openTicketForm } from '../flows/ticket-form-open.js';
import { slackTextToPlain, withoutBotMention } from '../parse/message-event.js';
import type { MessageShortcutArgs } from './types.js';

const Ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/);
const Shortcut = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string().regex(/^[CGD][A-Z0-9]{1,30}$/) }),
  message: z.object({ ts: Ts, thread_ts: Ts.optional(), text: z.string().max(40_000).default('') }).loose(),
});

/** The message shortcut: Create Ticket from any message, whose text becomes the request. */
export async function onCreateTicketShortcut(deps: SlackDeps, { ack, body, client, context }: MessageShortcutArgs) {
  await ack();
  const log = context.log ?? deps.logger;
  const parsed = Shortcut.safeParse(body);
  if (!parsed.success) {
    log.warn('message shortcut without the fields we need: ignored');
    return;
  }
  const { message, channel, user, trigger_id } = parsed.data;
  const thread = { teamId: deps.identity.teamId, channelId: channel.id, threadTs: message.thread_ts ?? message.ts };
  const text = slackTextToPlain(withoutBotMention(message.text, deps.identity.botUserId));
  // Open first: the trigger lives 3 s. The request is saved before anyone can submit the form.
  const saving = deps.tickets.rememberRequest({ thread, requestTs: message.ts, slackUserId: user.id, text });
  await openTicketForm(deps, client, log, {
    triggerId: trigger_id,
    userId: user.id,
    metadata: { v: 2, mode: 'create', thread, requestTs: message.ts },
  });
  await saving;
}
