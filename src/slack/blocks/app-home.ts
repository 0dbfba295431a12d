import type { HomeView, KnownBlock } from '@slack/types';
import type { ChannelDefaults } from '../../domain/channel-defaults.js';
import { describePermissions, type HelpdeskApi } from '../../domain/helpdesk.js';
import type { TicketLink } from '../../domain/thread-link.js';
import { wellFormedDeep } from '../../well-formed.js';
import { escapeMrkdwn } from '../text/index.js';
import { describeChannelDefaults } from './channel-defaults.js';
import { helpdeskLabels } from './helpdesk-labels.js';
import { ActionId, CallbackId } from './ids.js';
import { clip, mrkdwn, plainText } from './message.js';
import { resolutionWords } from './ticket-card.js';

/** One open ticket as the Home tab lists it. */
export interface HomeTicket {
  readonly link: Pick<
    TicketLink,
    'id' | 'ticketName' | 'ticketTitle' | 'portal' | 'api' | 'spaceName' | 'agentName' | 'permissions' | 'createdAt'
  >;
  /** The ticket in the web HelpDesk; null when its portal is no longer configured. */
  readonly url: string | null;
  /** The ticket's Slack thread (a permalink); null when Slack would not give one. */
  readonly threadUrl: string | null;
  /** The ticket's status in its portal now: `unknown` when it did not say in time, `not_kept` where the HelpDesk
   * keeps no status (the tenant-scoped one, docs/duplocloud-api.md §3.3). */
  readonly status: HomeTicketStatus;
}

export type HomeTicketStatus =
  | { readonly kind: 'status'; readonly value: string }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'not_kept' };

/** Whether the service reaches a configured portal with its token, and which HelpDesk it speaks. */
export interface PortalStatus {
  readonly name: string;
  readonly ok: boolean;
  readonly api?: HelpdeskApi;
  /** Why not: an error code and a short message, never a token. */
  readonly reason?: string;
}

/** A ticket closed from Slack, as the Home tab's "Recently closed" lists it. */
export interface HomeClosedTicket {
  readonly link: Pick<TicketLink, 'id' | 'ticketName' | 'ticketTitle' | 'portal' | 'closed'>;
  /** The ticket's Slack thread (a permalink); null when Slack would not give one. */
  readonly threadUrl: string | null;
}

export interface AppHomeInput {
  /** Newest first; null when they could not be loaded. */
  readonly tickets: readonly HomeTicket[] | null;
  /** The person's tickets closed from Slack, most recently closed first (a few); none when absent. */
  readonly closed?: readonly HomeClosedTicket[];
  /** The channels whose Create Ticket defaults the person set (/helpdesk defaults), newest first. */
  readonly channelDefaults?: readonly ChannelDefaults[];
  /** The store returned as many tickets as it was asked for: there may be older ones. */
  readonly mayHaveMore?: boolean;
  readonly portals: readonly PortalStatus[];
  readonly generatedAt: Date;
}

/** Slack's cap on a Home tab's blocks (docs/slack-platform.md §4). */
export const HomeBlockLimit = 100;
const BlocksPerTicket = 2;
const PortalsPerSection = 10;

/**
 * The App Home tab: how to use the app, the person's open tickets with links to their threads and the web
 * HelpDesk, and whether each portal answers. Untrusted text (titles, names, reasons) is escaped. The ticket list is
 * cut to what fits in Slack's 100 blocks, saying how many were left out.
 */
export function buildAppHome({
  tickets,
  closed = [],
  mayHaveMore = false,
  channelDefaults = [],
  portals,
  generatedAt,
}: AppHomeInput): HomeView {
  const status = [...defaultsBlocks(channelDefaults), ...statusBlocks(portals, generatedAt)];
  const recentlyClosed = closedBlocks(closed);
  const intro: KnownBlock[] = [
    { type: 'header', text: plainText('DuploCloud AI HelpDesk') },
    {
      type: 'section',
      text: mrkdwn(
        [
          '*How to use it*',
          '• Mention *@DuploCloud AI* in a channel (or in a thread) and press *Create Ticket* to open a HelpDesk ' +
            'ticket for the thread: pick the portal, tenant, agent and permissions.',
          '• Reply in the thread, or mention me there, to talk to the agent. Commands it proposes wait for ' +
            '*Approve*, *Reject* or *Ignore* and one *Submit*.',
          '• *Update Context* on the ticket card moves the thread to another tenant, agent or permissions; ' +
            '*Close* (Resolved or Unresolved) stops the thread going to the agent until someone reopens it.',
        ].join('\n'),
      ),
    },
    { type: 'divider' },
    { type: 'header', text: plainText('Your open tickets') },
  ];

  const room = Math.max(
    0,
    Math.floor((HomeBlockLimit - intro.length - 1 - recentlyClosed.length - status.length) / BlocksPerTicket),
  );
  const list: KnownBlock[] = [];
  if (tickets === null) {
    list.push(note(':warning: Your tickets could not be loaded just now. Open this tab again in a moment.'));
  } else if (tickets.length === 0) {
    list.push(
      note('You have no open tickets. Mention *@DuploCloud AI* in a thread and press *Create Ticket* to start one.'),
    );
  } else {
    const shown = tickets.slice(0, room);
    for (const ticket of shown) list.push(...ticketBlocks(ticket));
    const hidden = tickets.length - shown.length;
    if (hidden > 0) {
      const more = mayHaveMore ? `${hidden} or more` : String(hidden);
      list.push(context(`…and ${more} more, not shown here: find them in their threads.`));
    } else if (mayHaveMore) {
      list.push(context(`Your ${shown.length} most recent tickets. Older ones are in their threads.`));
    }
  }

  // Ticket titles, names and statuses come from the portal (src/well-formed.ts).
  return wellFormedDeep({
    type: 'home',
    callback_id: CallbackId.Home,
    blocks: [...intro, ...list, ...recentlyClosed, ...status],
  });
}

/** How many recently closed tickets the Home tab lists, at most (one block each). */
export const HomeClosedLimit = 5;

/** "Recently closed": one line per ticket, with who closed it, how and when, and a link to its thread. */
function closedBlocks(closed: readonly HomeClosedTicket[]): KnownBlock[] {
  if (closed.length === 0) return [];
  const lines = closed.slice(0, HomeClosedLimit).map(({ link, threadUrl }): KnownBlock => {
    const how = link.closed
      ? ` · ${resolutionWords[link.closed.resolution]}, closed by <@${link.closed.by}> ${dateToken(link.closed.at, '{date_short_pretty}')}`
      : '';
    return {
      type: 'section',
      text: mrkdwn(
        `🔒 *${escapeMrkdwn(clip(link.ticketTitle, 150))}*\n\`${escapeMrkdwn(link.ticketName.replace(/`/g, ''))}\` · ${escapeMrkdwn(link.portal)}${how}`,
      ),
      ...(threadUrl
        ? {
            accessory: {
              type: 'button' as const,
              action_id: ActionId.OpenThread,
              text: plainText('Open thread'),
              url: threadUrl,
            },
          }
        : {}),
    };
  });
  return [{ type: 'header', text: plainText('Recently closed') }, ...lines];
}

const statusWords = (status: HomeTicketStatus): string => {
  if (status.kind === 'status') return ` · ${escapeMrkdwn(clip(status.value, 40))}`;
  return status.kind === 'unknown' ? ' · status not known right now' : '';
};

/** One open ticket: what it is, where, and links to its thread and the web HelpDesk (App Home, /helpdesk tickets). */
export function ticketBlocks({ link, url, threadUrl, status }: HomeTicket): KnownBlock[] {
  const labels = helpdeskLabels(link.api);
  const field = (label: string, value: string) => mrkdwn(`*${label}*\n${escapeMrkdwn(clip(value, 300))}`);
  const opened = dateToken(link.createdAt, '{date_short_pretty}');
  const buttons = [
    ...(threadUrl
      ? [{ type: 'button' as const, action_id: ActionId.OpenThread, text: plainText('Open thread'), url: threadUrl }]
      : []),
    ...(url
      ? [{ type: 'button' as const, action_id: ActionId.OpenHelpdesk, text: plainText('Open AI HelpDesk'), url }]
      : []),
  ];
  return [
    {
      type: 'section',
      text: mrkdwn(
        `*🎫 ${escapeMrkdwn(clip(link.ticketTitle, 200))}*\n\`${escapeMrkdwn(link.ticketName.replace(/`/g, ''))}\` · opened ${opened}${statusWords(status)}`,
      ),
      fields: [
        field('Portal', link.portal),
        field(labels.space, link.spaceName),
        field('Agent', link.agentName),
        field(labels.permissions, describePermissions(link.permissions)),
      ],
    },
    buttons.length > 0
      ? { type: 'actions', elements: buttons }
      : context('No link is available for this ticket right now.'),
  ];
}

/** Channels whose defaults the person set: few (the caller limits them), one line each. */
function defaultsBlocks(defaults: readonly ChannelDefaults[]): KnownBlock[] {
  if (defaults.length === 0) return [];
  return [
    { type: 'divider' },
    { type: 'header', text: plainText('Channel defaults you set') },
    note(defaults.map((entry) => `• <#${entry.channel.channelId}>: ${describeChannelDefaults(entry)}`).join('\n')),
    context('`/helpdesk defaults` in a channel shows or changes its defaults.'),
  ];
}

const helpdeskWords = { tenant: 'tenant-scoped HelpDesk', workspace: 'workspace-scoped HelpDesk' } as const;

function statusBlocks(portals: readonly PortalStatus[], generatedAt: Date): KnownBlock[] {
  const lines = portals.map((portal) =>
    portal.ok
      ? `✅ *${escapeMrkdwn(portal.name)}*: reachable${portal.api ? `, ${helpdeskWords[portal.api]}` : ''}`
      : `⚠️ *${escapeMrkdwn(portal.name)}*: not reachable${portal.reason ? ` (${escapeMrkdwn(clip(portal.reason, 200))})` : ''}`,
  );
  const sections: KnownBlock[] = [];
  for (let start = 0; start < lines.length; start += PortalsPerSection) {
    sections.push({ type: 'section', text: mrkdwn(lines.slice(start, start + PortalsPerSection).join('\n')) });
  }
  if (sections.length === 0) sections.push(note('No DuploCloud portal is configured.'));
  const healthy = portals.filter((portal) => portal.ok).length;
  return [
    { type: 'divider' },
    { type: 'header', text: plainText('Service status') },
    ...sections,
    context(
      `${healthy} of ${portals.length} portal${portals.length === 1 ? '' : 's'} reachable · updated ${dateToken(generatedAt, '{date_short_pretty} at {time}')}`,
    ),
  ];
}

const note = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(text) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });

/** Slack shows `<!date^…>` in the reader's own time zone; the fallback is UTC ISO time. */
const dateToken = (at: Date, format: string): string =>
  `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${at.toISOString().replace(/\.\d{3}Z$/, 'Z')}>`;
