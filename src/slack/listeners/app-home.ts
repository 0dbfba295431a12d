import { buildAppHome, HomeClosedLimit, type HomeClosedTicket, type PortalStatus } from '../blocks/app-home.js';
import type { SlackDeps } from '../flows/deps.js';
import { loadOpenTickets } from '../flows/open-tickets.js';
import type { AppHomeOpenedArgs } from './types.js';

/** How many of a person's open tickets the Home tab lists (newest first). */
export const HomeTicketLimit = 20;
/** How many channels whose defaults the person set the Home tab names. */
const HomeDefaultsLimit = 5;

/**
 * The person opened the app's Home tab: publish their open tickets (with links to each thread and to the web
 * HelpDesk), the ones they closed from Slack lately, the channels whose defaults they set, and whether each portal
 * answers. Bolt has already acked the event. A part that cannot be loaded is shown as such rather than leaving the
 * tab stale.
 */
export async function onAppHomeOpened(deps: SlackDeps, { event, client, context }: AppHomeOpenedArgs): Promise<void> {
  if (event.tab !== 'home') return;
  const log = context.log ?? deps.logger;
  const userId = event.user;

  const [open, closedLinks, portals, channelDefaults] = await Promise.all([
    loadOpenTickets(deps, log, userId, HomeTicketLimit),
    // Tickets closed from Slack are not open: they are listed apart, as "Recently closed".
    deps.closing.recentlyClosedBy(deps.identity.teamId, userId, HomeClosedLimit).catch((error: unknown) => {
      log.error({ err: error }, 'App Home: could not load the recently closed tickets');
      return [];
    }),
    deps.portalStatus().catch((error: unknown): PortalStatus[] => {
      log.error({ err: error }, 'App Home: could not check the portals');
      return deps.portals.list().map((portal) => ({ name: portal.name, ok: false, reason: 'status unknown' }));
    }),
    deps.channelDefaults.setBy(deps.identity.teamId, userId, HomeDefaultsLimit).catch((error: unknown) => {
      log.warn({ err: error }, 'App Home: could not load the channel defaults');
      return [];
    }),
  ]);

  const closed = await Promise.all(
    closedLinks.map(
      async (link): Promise<HomeClosedTicket> => ({
        link,
        threadUrl: await deps.permalinks.permalink(link.thread.channelId, link.cardMessageTs ?? link.thread.threadTs),
      }),
    ),
  );

  const view = buildAppHome({
    tickets: open.tickets,
    closed,
    mayHaveMore: open.mayHaveMore,
    channelDefaults,
    portals,
    generatedAt: deps.clock.now(),
  });
  try {
    await client.views.publish({ user_id: userId, view });
  } catch (error) {
    log.warn({ err: error }, 'App Home: views.publish failed');
  }
}
