import { escapeMrkdwn } from '../text/index.js';
import { ActionId } from './ids.js';
import { type MessageContent, mrkdwn, plainText } from './message.js';

export interface CreateTicketPromptValue {
  /** ts of the message that asked; its text becomes the ticket's content. */
  readonly requestTs: string;
}

/** The reply to a mention in a thread that has no ticket yet. */
export const buildCreateTicketPrompt = (value: CreateTicketPromptValue): MessageContent => ({
  text: 'This thread is not linked to a HelpDesk ticket yet. Create one to talk to a DuploCloud AI agent here.',
  blocks: [
    {
      type: 'section',
      text: mrkdwn(
        'This thread is not linked to a HelpDesk ticket yet. *Create Ticket* to bring a DuploCloud AI agent into this thread: you choose the portal, tenant, agent and the permissions it uses.',
      ),
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ActionId.OpenCreateTicket,
          text: plainText('Create Ticket'),
          style: 'primary',
          value: JSON.stringify(value),
        },
      ],
    },
  ],
});

/** The prompt once a ticket exists: no button left to press. */
export const buildCreateTicketPromptDone = (slackUserId: string, ticketName: string): MessageContent => ({
  text: `Ticket ${escapeMrkdwn(ticketName)} was created for this thread.`,
  blocks: [
    {
      type: 'context',
      elements: [
        mrkdwn(`:white_check_mark: <@${slackUserId}> created ticket *${escapeMrkdwn(ticketName)}* for this thread.`),
      ],
    },
  ],
});
