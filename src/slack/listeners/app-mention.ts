<<<<<<< HEAD
=======
import type { ThreadRef } from '../../domain/thread-link.js';
import { buildCreateTicketPrompt } from '../blocks/create-ticket-prompt.js';
import { buildClosedTicketPrompt } from '../blocks/ticket-closure.js';
>>>>>>> feat-close
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
<<<<<<< HEAD
  await answerRequest(deps, log, { message, text });
=======
  const link = await deps.tickets.activeLink(thread);
  if (link?.closed) {
    // Closed from Slack: nothing goes to the agent. Offer Reopen, or Create Ticket with this message as its request.
    await deps.tickets.rememberRequest({ thread, requestTs: message.ts, slackUserId: message.userId, text });
    await deps.poster
      .post(thread, buildClosedTicketPrompt(link, message.ts))
      .catch((error: unknown) => log.error({ err: error }, 'could not answer a mention in a closed thread'));
    return;
  }
  if (link) {
    const ticketLog = log.child({ ticketName: link.ticketName, portal: link.portal });
    await relayToAgent(deps, ticketLog, { thread, slackUserId: message.userId, text, link });
    return;
  }
  await deps.tickets.rememberRequest({ thread, requestTs: message.ts, slackUserId: message.userId, text });
  try {
    await deps.poster.post(thread, buildCreateTicketPrompt({ requestTs: message.ts }));
  } catch (error) {
    log.error({ err: error }, 'could not offer Create Ticket');
  }
>>>>>>> feat-close
}
