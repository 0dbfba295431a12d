import type { TicketLink } from '../../domain/thread-link.js';
import type { TicketStart } from '../../domain/ticket-service.js';
import { slackTextToPlain, withoutBotMention } from '../parse/message-event.js';
import type { HistoryMessage } from '../web/thread-history.js';
import type { SlackDeps } from './deps.js';

export interface SharedContext extends TicketStart {
  /** How many secret-looking values the shared thread messages held, replaced before they left Slack. */
  readonly redactions: number;
}

/**
 * The title, shared history and first message of a ticket that takes over a thread: the thread's messages as
 * "name: text" lines (when the person chose to share them) and their New Message. The ticket service redacts all of
 * it (the New Message there, once); the thread's messages are also redacted here as Slack stores them (see below).
 * Without sharing, nothing of the earlier context goes to the new ticket: not its messages, not the old ticket's
 * title (it is the thread's first request), not which ticket, portal or space the thread came from.
 */
export async function buildSharedContext(
  deps: SlackDeps,
  previous: TicketLink,
  options: { share: boolean; newMessage: string | undefined; history: () => Promise<HistoryMessage[]> },
): Promise<SharedContext> {
  let redactions = 0;
  const history: string[] = [];
  if (options.share) {
    for (const message of await options.history()) {
      const name = await nameOf(deps, message);
      const files = message.files.length > 0 ? ` [files: ${message.files.join(', ')}]` : '';
      // Redacted as Slack stores it too, not only as plain text: markup the conversion drops (an unescaped
      // `<password>x</password>`) can be what marks a secret.
      const raw = deps.redactor.redact(message.text);
      const text = slackTextToPlain(withoutBotMention(raw.text, deps.identity.botUserId)).replace(/\n{3,}/g, '\n\n');
      if (text.length === 0 && !files) continue;
      const line = deps.redactor.redact(`${name}: ${text}${files}`);
      redactions += raw.count + line.count;
      history.push(line.text);
    }
  }
  const parts = [
    options.share
      ? `Context moved here from ticket ${previous.ticketName} (${previous.portal} / ${previous.spaceName}) in a Slack thread; its messages are shared with this ticket.`
      : 'This ticket continues a Slack thread that was moved here from another context. The earlier thread messages were not shared.',
    ...(options.newMessage ? [`New message: ${options.newMessage}`] : []),
  ];
  const title = options.share ? previous.ticketTitle : options.newMessage || 'Continued from a Slack thread';
  return { continuation: options.share, title, history, message: parts.join('\n\n'), redactions };
}

async function nameOf(deps: SlackDeps, message: HistoryMessage): Promise<string> {
  if (message.userId === deps.identity.botUserId || (message.isBot && !message.userId)) return 'DuploCloud AI';
  if (!message.userId) return 'someone';
  try {
    return (await deps.users.get(message.userId)).displayName;
  } catch {
    return message.userId;
  }
}
