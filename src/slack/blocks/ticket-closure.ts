import type { TicketLink } from '../../domain/thread-link.js';
import { escapeMrkdwn } from '../text/index.js';
import { ActionId } from './ids.js';
import { type MessageContent, mrkdwn, plainText } from './message.js';
import { buildThreadNote } from './notice.js';
import { closureScope, resolutionWords } from './ticket-card.js';

/** What the closed-thread prompt's Reopen button carries: the link it reopens (it must still be the thread's). */
export interface ReopenValue {
  readonly linkId: string;
}

type ClosedLink = Pick<TicketLink, 'id' | 'ticketName' | 'api' | 'closed'>;

/**
 * The answer to a mention in a thread whose ticket is closed: nothing went to the agent; Reopen goes on with the
 * same ticket, Create Ticket starts a new one for the thread (the closed one stays in its history).
 */
export function buildClosedTicketPrompt(link: ClosedLink, requestTs: string): MessageContent {
  const how = link.closed ? ` as *${resolutionWords[link.closed.resolution]}*` : '';
  const words =
    `This thread’s ticket *${escapeMrkdwn(link.ticketName)}* was closed${how}, so your message did not go to the ` +
    'agent. *Reopen* it to go on with the same ticket, or *Create Ticket* to start a new one for this thread.';
  return {
    text: `This thread’s ticket ${escapeMrkdwn(link.ticketName)} is closed. Reopen it, or create a new ticket.`,
    blocks: [
      { type: 'section', text: mrkdwn(`:lock: ${words}`) },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ActionId.ReopenTicket,
            text: plainText('Reopen'),
            value: JSON.stringify({ linkId: link.id } satisfies ReopenValue),
          },
          {
            type: 'button',
            action_id: ActionId.OpenCreateTicket,
            text: plainText('Create Ticket'),
            value: JSON.stringify({ requestTs }),
          },
        ],
      },
    ],
  };
}

/** The thread's note when someone closed or reopened its ticket; only that person is mentioned. */
export function buildClosureNote(
  change: { readonly kind: 'closed' | 'reopened'; readonly slackUserId: string },
  link: Pick<TicketLink, 'ticketName' | 'api' | 'agentName' | 'closed'>,
): MessageContent {
  const ticket = `*${escapeMrkdwn(link.ticketName)}*`;
  const who = `<@${change.slackUserId}>`;
  const note =
    change.kind === 'closed'
      ? `:lock: ${who} closed ticket ${ticket}${link.closed ? ` as *${resolutionWords[link.closed.resolution]}*` : ''}. ` +
        `Messages here no longer go to the agent; mention me to reopen it or to create a new ticket. ${closureScope(link.api)}`
      : `:unlock: ${who} reopened ticket ${ticket}: messages here go to *${escapeMrkdwn(link.agentName)}* again.`;
  return buildThreadNote(note, [change.slackUserId]);
}
