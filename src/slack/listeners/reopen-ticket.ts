import { z } from 'zod';
import type { SlackDeps } from '../flows/deps.js';
import { changeClosure } from '../flows/ticket-closure.js';
import { parseMessageAction } from '../parse/block-action.js';
import type { ButtonArgs } from './types.js';

/** What the closed-thread prompt's Reopen button carries (blocks/ticket-closure.ts). */
const ReopenValueSchema = z.object({ linkId: z.string().min(1).max(40) });

/** Reopen on the prompt a mention in a closed thread got: the thread's ticket goes to its agent again. */
export async function onReopenTicket(deps: SlackDeps, { ack, body, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseMessageAction(body);
  const value = ReopenValueSchema.safeParse(parseJson(click?.value));
  if (!click || !value.success) {
    log.warn('Reopen click without a link: ignored');
    return;
  }
  const thread = { teamId: deps.identity.teamId, channelId: click.channelId, threadTs: click.threadTs };
  await changeClosure(deps, log, {
    thread,
    slackUserId: click.userId,
    linkId: value.data.linkId,
    promptTs: click.messageTs,
    kind: 'reopen',
  });
}

function parseJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
