import type { TicketLink } from '../domain/thread-link.js';
import { type TicketStart, titleFromRequest } from '../domain/ticket-service.js';
import type { SlackDeps } from './deps.js';
import { slackTextToPlain, withoutBotMention } from './parse/message-event.js';
import type { HistoryMessage } from './thread-history.js';

export interface SharedContext extends TicketStart {
  /** How many secret-looking values were replaced before anything left Slack. */
  readonly redactions: number;
}

/**
 * The title and first message of a ticket that takes over a thread: the thread's messages as "name: text" lines
 * (when the person chose to share them) and their New Message, passed through the one redactor. Without sharing,
 * nothing of the earlier context goes to the new tenant: not its messages, not the old ticket's title (it is the
 * thread's first request), not which ticket, portal or tenant the thread came from.
 */
export async function buildSharedContext(
  deps: SlackDeps,
  previous: TicketLink,
  options: { share: boolean; newMessage: string | undefined; history: () => Promise<HistoryMessage[]> },
): Promise<SharedContext> {
  const parts = [
    options.share
      ? `Context moved here from ticket ${previous.ticketName} (${previous.portal} / ${previous.tenantName}) in a Slack thread.`
      : 'This ticket continues a Slack thread that was moved here from another context.',
  ];
  let redactions = 0;
  if (options.share) {
    const lines: string[] = [];
    for (const message of await options.history()) {
      const name = await nameOf(deps, message);
      const files = message.files.length > 0 ? ` [files: ${message.files.join(', ')}]` : '';
      // Redacted as Slack stores it too, not only as plain text: markup the conversion drops (an unescaped
      // `<password>x</password>`) can be what marks a secret.
      const raw = deps.redactor.redact(message.text);
      redactions += raw.count;
      const text = slackTextToPlain(withoutBotMention(raw.text, deps.identity.botUserId)).replace(/\n{3,}/g, '\n\n');
      if (text.length > 0 || files) lines.push(`${name}: ${text}${files}`);
    }
    parts.push(`Thread messages so far:\n${lines.join('\n')}`);
  } else {
    parts.push('The earlier thread messages were not shared.');
  }
  if (options.newMessage) parts.push(`New message: ${options.newMessage}`);
  const redacted = deps.redactor.redact(parts.join('\n\n'));
  const title = options.share
    ? previous.ticketTitle
    : titleFromRequest(deps.redactor.redact(options.newMessage ?? '').text, 'Continued from a Slack thread');
  return { title, content: redacted.text, redactions: redactions + redacted.count };
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
