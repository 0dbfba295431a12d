import type { WebClient } from '@slack/web-api';
import type { TicketLink } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { assistantThreadTitle, buildAssistantGreeting, DefaultSuggestedPrompts } from '../blocks/assistant-pane.js';
import type { AssistantThreadOpened } from '../parse/assistant-thread.js';
import {
  isDirectMessageChannel,
  parseHumanMessage,
  slackTextToPlain,
  withoutBotMention,
} from '../parse/message-event.js';
import { createAssistantThreads } from '../web/assistant-threads.js';
import type { SlackDeps } from './deps.js';
import { answerRequest } from './thread-request.js';

/**
 * A message a person wrote in the app's DM (the Messages tab, or a thread of the assistant pane): it is for the bot,
 * mention or not, and is answered like a mention in a channel (flows/thread-request.ts). Only the person's own
 * messages count: the bot's own posts, other bots, edits and deletions are left alone (no loop on our replies).
 */
export async function answerDirectMessage(deps: SlackDeps, log: Logger, event: unknown): Promise<void> {
  const message = parseHumanMessage(event);
  if (!message?.direct || message.userId === deps.identity.botUserId) return;
  const text = slackTextToPlain(withoutBotMention(message.text, deps.identity.botUserId));
  if (text.length === 0) return;
  await answerRequest(deps, log, { message, text });
}

/** A new assistant thread: a greeting under it, and the suggested prompts the pane shows. */
export async function greetAssistantThread(
  deps: SlackDeps,
  client: Pick<WebClient, 'assistant'>,
  log: Logger,
  opened: AssistantThreadOpened,
): Promise<void> {
  try {
    await deps.poster.post(opened.thread, buildAssistantGreeting());
  } catch (error) {
    log.warn({ err: error }, 'could not greet in a new assistant thread');
  }
  await createAssistantThreads({ client, logger: log }).setSuggestedPrompts(opened.thread, DefaultSuggestedPrompts);
}

/**
 * A ticket linked to a thread of the app's DM names the thread in the person's history (assistant.threads.setTitle).
 * Only assistant threads have titles; in a plain DM thread Slack refuses it, which is logged and changes nothing.
 */
export async function titleDirectThread(
  client: Pick<WebClient, 'assistant'>,
  log: Logger,
  link: Pick<TicketLink, 'thread' | 'ticketTitle' | 'ticketName'>,
): Promise<void> {
  if (!isDirectMessageChannel(link.thread.channelId)) return;
  await createAssistantThreads({ client, logger: log }).setTitle(
    link.thread,
    assistantThreadTitle(link.ticketTitle, link.ticketName),
  );
}
