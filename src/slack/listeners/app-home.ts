import type { TicketLink } from '../../domain/thread-link.js';
import { isClosedStatus } from '../../domain/ticket-service.js';
import {
  buildAppHome,
  HomeClosedLimit,
  type HomeClosedTicket,
  type HomeTicket,
  type HomeTicketStatus,
  type PortalStatus,
} from '../blocks/app-home.js';
import type { SlackDeps } from '../flows/deps.js';
import { type Budgeted, withinBudget } from '../runtime/submit-budget.js';
import type { AppHomeOpenedArgs } from './types.js';

/** How many of a person's open tickets the Home tab lists (newest first). */
export const HomeTicketLimit = 20;

/**
 * The person opened the app's Home tab: publish their open tickets (with links to each thread and to the web
 * HelpDesk) and whether each portal answers. Bolt has already acked the event. A part that cannot be loaded is shown
 * as such rather than leaving the tab stale.
 */
export async function onAppHomeOpened(deps: SlackDeps, { event, client, context }: AppHomeOpenedArgs): Promise<void> {
  if (event.tab !== 'home') return;
  const log = context.log ?? deps.logger;
  const userId = event.user;

  const [links, closedLinks, portals] = await Promise.all([
    deps.tickets.openTicketsCreatedBy(deps.identity.teamId, userId, HomeTicketLimit).catch((error: unknown) => {
      log.error({ err: error }, 'App Home: could not load the open tickets');
      return null;
    }),
    // Tickets closed from Slack are not open: they are listed apart, as "Recently closed".
    deps.closing.recentlyClosedBy(deps.identity.teamId, userId, HomeClosedLimit).catch((error: unknown) => {
      log.error({ err: error }, 'App Home: could not load the recently closed tickets');
      return [];
    }),
    deps.portalStatus().catch((error: unknown): PortalStatus[] => {
      log.error({ err: error }, 'App Home: could not check the portals');
      return deps.portals.list().map((portal) => ({ name: portal.name, ok: false, reason: 'status unknown' }));
    }),
  ]);
  // Links stay active after a ticket is closed in the web HelpDesk: ask each ticket's portal, and leave out the
  // closed ones. A portal that does not answer in time leaves its tickets listed, with an unknown status.
  const listed = links === null ? null : await Promise.all(links.map((link) => homeTicket(deps, link)));
  const tickets =
    listed?.filter((ticket) => ticket.status.kind !== 'status' || !isClosedStatus(ticket.status.value)) ?? null;

  const closed = await Promise.all(
    closedLinks.map(
      async (link): Promise<HomeClosedTicket> => ({
        link,
        threadUrl: await deps.permalinks.permalink(link.thread.channelId, link.cardMessageTs ?? link.thread.threadTs),
      }),
    ),
  );

  const view = buildAppHome({
    tickets,
    closed,
    mayHaveMore: links !== null && links.length >= HomeTicketLimit,
    portals,
    generatedAt: deps.clock.now(),
  });
  try {
    await client.views.publish({ user_id: userId, view });
  } catch (error) {
    log.warn({ err: error }, 'App Home: views.publish failed');
  }
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

/** How long the Home tab waits for a ticket's status (the portals are asked in parallel). */
const StatusWaitMs = 2_500;
