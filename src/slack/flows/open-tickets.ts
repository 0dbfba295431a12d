import type { TicketLink } from '../../domain/thread-link.js';
import { isClosedStatus } from '../../domain/ticket-service.js';
import type { Logger } from '../../logger.js';
import type { HomeTicket, HomeTicketStatus } from '../blocks/app-home.js';
import { type Budgeted, withinBudget } from '../runtime/submit-budget.js';
import type { SlackDeps } from './deps.js';

/** A person's open tickets, as App Home and `/helpdesk tickets` list them. */
export interface OpenTickets {
  /** Newest first; null when they could not be loaded. */
  readonly tickets: readonly HomeTicket[] | null;
  /** The store returned as many as it was asked for: there may be older ones. */
  readonly mayHaveMore: boolean;
}

/**
 * The tickets a person opened from Slack that are still open, each with its links and its status in its portal.
 * Links stay active after a ticket is closed in the web HelpDesk: each ticket's portal is asked, and the closed ones
 * are left out. A portal that does not answer in time leaves its tickets listed, with an unknown status.
 */
export async function loadOpenTickets(
  deps: SlackDeps,
  log: Logger,
  slackUserId: string,
  limit: number,
): Promise<OpenTickets> {
  let links: TicketLink[];
  try {
    links = await deps.tickets.openTicketsCreatedBy(deps.identity.teamId, slackUserId, limit);
  } catch (error) {
    log.error({ err: error }, 'could not load the open tickets');
    return { tickets: null, mayHaveMore: false };
  }
  const listed = await Promise.all(links.map((link) => homeTicket(deps, link)));
  return {
    tickets: listed.filter((ticket) => ticket.status.kind !== 'status' || !isClosedStatus(ticket.status.value)),
    mayHaveMore: links.length >= limit,
  };
}

async function homeTicket(deps: SlackDeps, link: TicketLink): Promise<HomeTicket> {
  let url: string | null;
  try {
    url = deps.tickets.ticketUrl(link);
  } catch {
    url = null; // the ticket's portal is no longer configured
  }
  // The card message's link opens the thread at the card; before the card is posted, the thread's parent.
  const [threadUrl, status] = await Promise.all([
    deps.permalinks.permalink(link.thread.channelId, link.cardMessageTs ?? link.thread.threadTs),
    withinBudget(deps.tickets.ticketStatus(link), StatusWaitMs),
  ]);
  return { link, url, threadUrl, status: homeStatus(status) };
}

/** A tenant-scoped HelpDesk keeps no ticket status (null): its tickets are listed while their link is active. */
const homeStatus = (outcome: Budgeted<string | null>): HomeTicketStatus => {
  if (outcome.state !== 'done') return { kind: 'unknown' };
  return outcome.value === null ? { kind: 'not_kept' } : { kind: 'status', value: outcome.value };
};

/** How long a ticket's status is waited for (the portals are asked in parallel). */
const StatusWaitMs = 2_500;
