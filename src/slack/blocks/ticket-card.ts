import { describePermissions, keepsTicketStatus } from '../../domain/helpdesk.js';
import type { TicketClosure, TicketLink } from '../../domain/thread-link.js';
import { escapeMrkdwn } from '../text/index.js';
import { helpdeskLabels } from './helpdesk-labels.js';
import { ActionId, TicketMenuValue } from './ids.js';
import { clip, type MessageContent, mrkdwn, plainText } from './message.js';

export interface TicketCardInput {
  readonly link: Pick<
    TicketLink,
    'ticketName' | 'ticketTitle' | 'portal' | 'api' | 'spaceName' | 'agentName' | 'permissions' | 'createdBy'
  > & {
    /** Set while the ticket is closed from Slack; absent or null while it is open. */
    readonly closed?: TicketClosure | null;
  };
  readonly url: string;
  /** The portal's word for a workspace, when the operator set one. */
  readonly spaceLabel?: string | null;
  /** Set when the card is replaced by a newer context (the old ticket stays in the thread's history). */
  readonly supersededBy?: string;
}

/** How a closure reads on the card and in the thread: "Resolved", "Unresolved". */
export const resolutionWords = { resolved: 'Resolved', unresolved: 'Unresolved' } as const;

/** Slack shows `<!date^…>` in the reader's own time zone; the fallback is UTC ISO time. */
const dateToken = (at: Date): string =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${at.toISOString().replace(/\.\d{3}Z$/, 'Z')}>`;

/** Where the closure holds: in the web HelpDesk too, or (tenant-scoped HelpDesk, no ticket status) in Slack only. */
export const closureScope = (api: TicketLink['api']): string =>
  keepsTicketStatus(api)
    ? 'It is closed in the AI HelpDesk too.'
    : 'It is closed in Slack only: this tenant-scoped HelpDesk keeps no ticket status, so the web HelpDesk shows it unchanged.';

/**
 * The ticket card: what the thread is linked to, a link to the web HelpDesk, and its menu: Update Context and Close
 * (Resolved / Unresolved) while the ticket is open, Reopen once it is closed.
 */
export function buildTicketCard({ link, url, spaceLabel = null, supersededBy }: TicketCardInput): MessageContent {
  const closed = link.closed ?? null;
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
              ...(closed
                ? [{ text: plainText('Reopen'), value: TicketMenuValue.Reopen }]
                : [
                    { text: plainText('Update Context'), value: TicketMenuValue.UpdateContext },
                    { text: plainText('Close: Resolved'), value: TicketMenuValue.CloseResolved },
                    { text: plainText('Close: Unresolved'), value: TicketMenuValue.CloseUnresolved },
                  ]),
              { text: plainText('Open AI HelpDesk'), value: 'open_helpdesk', url },
            ],
          },
        }),
  };
  const closedLine = closed
    ? `:lock: *Closed: ${resolutionWords[closed.resolution]}* by <@${closed.by}> on ${dateToken(closed.at)}. ` +
      `Messages here no longer go to the agent; mention me to reopen it or to create a new ticket. ${closureScope(link.api)}`
    : null;
  return {
    text: escapeMrkdwn(
      `HelpDesk ticket ${link.ticketName}${closed ? ` (closed: ${resolutionWords[closed.resolution]})` : ''}: ${clip(link.ticketTitle, 200)}`,
    ),
    blocks: [
      { type: 'header', text: plainText(clip(`${closed ? '🔒' : '🎫'} ${link.ticketTitle}`, 150), false) },
      facts,
      supersededBy
        ? {
            type: 'context',
            elements: [mrkdwn(`This context was replaced by ticket *${escapeMrkdwn(supersededBy)}* below.`)],
          }
        : {
            type: 'context',
            elements: [
              mrkdwn(
                closedLine ??
                  `Opened by <@${link.createdBy}>. Mention me or reply in this thread to talk to the agent.`,
              ),
            ],
          },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: ActionId.OpenHelpdesk, text: plainText('Open AI HelpDesk'), url }],
      },
    ],
  };
}
