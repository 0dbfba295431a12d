import { describePermissions } from '../../domain/helpdesk.js';
import type { TicketLink } from '../../domain/thread-link.js';
import { escapeMrkdwn } from '../text/index.js';
import { helpdeskLabels } from './helpdesk-labels.js';
import { ActionId, TicketMenuValue } from './ids.js';
import { clip, type MessageContent, mrkdwn, plainText } from './message.js';

export interface TicketCardInput {
  readonly link: Pick<
    TicketLink,
    'ticketName' | 'ticketTitle' | 'portal' | 'api' | 'spaceName' | 'agentName' | 'permissions' | 'createdBy'
  >;
  readonly url: string;
  /** The portal's word for a workspace, when the operator set one. */
  readonly spaceLabel?: string | null;
  /** Set when the card is replaced by a newer context (the old ticket stays in the thread's history). */
  readonly supersededBy?: string;
}

/** The ticket card: what the thread is linked to, a link to the web HelpDesk, and the Update Context menu. */
export function buildTicketCard({ link, url, spaceLabel = null, supersededBy }: TicketCardInput): MessageContent {
  const field = (label: string, value: string) => mrkdwn(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(clip(value, 300))}`);
  const labels = helpdeskLabels(link.api, spaceLabel);
  const facts = {
    type: 'section' as const,
    fields: [
      field('Ticket', link.ticketName),
      field('Portal', link.portal),
      field(labels.space, link.spaceName),
      field('Agent', link.agentName),
      field(labels.permissions, describePermissions(link.permissions)),
    ],
    ...(supersededBy
      ? {}
      : {
          accessory: {
            type: 'overflow' as const,
            action_id: ActionId.TicketMenu,
            options: [
              { text: plainText('Update Context'), value: TicketMenuValue.UpdateContext },
              { text: plainText('Open AI HelpDesk'), value: 'open_helpdesk', url },
            ],
          },
        }),
  };
  return {
    text: escapeMrkdwn(`HelpDesk ticket ${link.ticketName}: ${clip(link.ticketTitle, 200)}`),
    blocks: [
      { type: 'header', text: plainText(clip(`🎫 ${link.ticketTitle}`, 150), false) },
      facts,
      supersededBy
        ? {
            type: 'context',
            elements: [mrkdwn(`This context was replaced by ticket *${escapeMrkdwn(supersededBy)}* below.`)],
          }
        : {
            type: 'context',
            elements: [
              mrkdwn(`Opened by <@${link.createdBy}>. Mention me or reply in this thread to talk to the agent.`),
            ],
          },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: ActionId.OpenHelpdesk, text: plainText('Open AI HelpDesk'), url }],
      },
    ],
  };
}
