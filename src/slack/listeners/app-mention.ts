import type { SlackDeps } from '../flows/deps.js';
import { answerRequest } from '../flows/thread-request.js';
import {
  isDirectMessageChannel,
  parseHumanMessage,
  slackTextToPlain,
  withoutBotMention,
} from '../parse/message-event.js';
import type { MentionArgs } from './types.js';

/**
 * `@DuploCloud AI` in a channel. Linked thread: the message goes to the ticket's agent. Unlinked: offer Create
 * Ticket, remembering the request so the ticket gets its text. Closed ticket: offer Reopen or Create Ticket, and
 * nothing goes to the agent. A top-level mention starts a thread on itself.
 */
export async function onAppMention(deps: SlackDeps, { event, context }: MentionArgs): Promise<void> {
  const log = context.log ?? deps.logger;
  const message = parseHumanMessage(event);
  if (!message) {
    log.debug('app_mention without a human author or with unexpected fields: ignored');
    return;
  }
  // In the app's DM every message also comes as message.im, which answers it (listeners/direct-message.ts): a
  // mention there would otherwise be answered twice.
  if (isDirectMessageChannel(message.channelId)) return;
  const text = slackTextToPlain(withoutBotMention(message.text, deps.identity.botUserId));
  await answerRequest(deps, log, { message, text });
}
