import type { ThreadRef } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { buildCreateTicketPrompt } from '../blocks/create-ticket-prompt.js';
import { buildClosedTicketPrompt } from '../blocks/ticket-closure.js';
import type { HumanMessageEvent } from '../parse/message-event.js';
import type { SlackDeps } from './deps.js';
import { relayToAgent } from './relay-to-agent.js';

/**
 * A person asked the bot something in a thread (a mention in a channel, any message in the app's DM). Linked thread:
 * the message goes to the ticket's agent. Unlinked: offer Create Ticket, remembering the request so the ticket gets
 * its text. Closed ticket: offer Reopen or Create Ticket, and nothing goes to the agent. A top-level message starts a
 * thread on itself.
 */
export async function answerRequest(
  deps: SlackDeps,
  log: Logger,
  { message, text }: { message: HumanMessageEvent; text: string },
): Promise<void> {
  const thread: ThreadRef = {
    teamId: deps.identity.teamId,
    channelId: message.channelId,
    threadTs: message.threadTs ?? message.ts,
  };
  const link = await deps.tickets.activeLink(thread);
  if (link?.closed) {
    // Closed from Slack: nothing goes to the agent. Offer Reopen, or Create Ticket with this message as its request.
    await deps.tickets.rememberRequest({ thread, requestTs: message.ts, slackUserId: message.userId, text });
    await deps.poster
      .post(thread, buildClosedTicketPrompt(link, message.ts))
      .catch((error: unknown) => log.error({ err: error }, 'could not answer a request in a closed thread'));
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
}
