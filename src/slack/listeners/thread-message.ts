import type { ThreadRef } from '../../domain/thread-link.js';
import type { SlackDeps } from '../flows/deps.js';
import { relayToAgent } from '../flows/relay-to-agent.js';
import { mentionsBot, parseHumanMessage, slackTextToPlain } from '../parse/message-event.js';
import type { MessageArgs } from './types.js';

/**
 * Any human reply in a linked channel thread goes to the agent. Top-level messages, unlinked or closed threads, bots,
 * edits and deletions are left alone (and the app's DM, see direct-message.ts); a reply that mentions the bot is
 * handled once, by the app_mention listener.
 */
export async function onThreadMessage(deps: SlackDeps, { event, context }: MessageArgs): Promise<void> {
  const message = parseHumanMessage(event);
  // The app's DM is the direct-message listener's: every message there is for the bot.
  if (message?.kind !== 'message' || !message.threadTs || message.direct) return;
  if (message.userId === deps.identity.botUserId || mentionsBot(message.text, deps.identity.botUserId)) return;
  const thread: ThreadRef = { teamId: deps.identity.teamId, channelId: message.channelId, threadTs: message.threadTs };
  const link = await deps.tickets.activeLink(thread);
  // A closed ticket hears nothing until someone reopens it (a mention there is answered by the app_mention listener).
  if (!link || link.closed) return;
  const text = slackTextToPlain(message.text);
  if (text.length === 0) return;
  await relayToAgent(deps, (context.log ?? deps.logger).child({ ticketName: link.ticketName, portal: link.portal }), {
    thread,
    slackUserId: message.userId,
    text,
    link,
  });
}
