import type { TicketLink } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import type { MessageContent } from '../blocks/message.js';
import { buildTicketCard } from '../blocks/ticket-card.js';
import { type AfterSendFailure, inTheHelpDesk } from './after-send.js';
import type { SlackDeps } from './deps.js';

/** The ticket card of a link, with its portal's link and words (a portal no longer configured keeps the defaults). */
export function ticketCardFor(
  deps: SlackDeps,
  link: TicketLink,
  options: { readonly supersededBy?: string } = {},
): MessageContent {
  const portal = deps.portals.list().find((candidate) => candidate.name === link.portal);
  return buildTicketCard({
    link,
    url: deps.tickets.ticketUrl(link),
    spaceLabel: portal?.settings.spaceLabel ?? null,
    ...(options.supersededBy ? { supersededBy: options.supersededBy } : {}),
  });
}

/**
 * Posts a new ticket's card in its thread and records which message shows it; what fails is added to `failures`.
 * Returns the link as it now is.
 */
export async function showTicketCard(
  deps: SlackDeps,
  log: Logger,
  link: TicketLink,
  failures: AfterSendFailure[],
): Promise<TicketLink> {
  let cardTs: string;
  try {
    cardTs = await deps.poster.post(link.thread, ticketCardFor(deps, link));
  } catch (error) {
    // The thread is linked: the next message in it still reaches the ticket, and brings its card back.
    failures.push({
      what: 'the ticket card',
      failed: 'shown',
      error,
      advice: `The ticket is ${inTheHelpDesk(deps, link)}; the next message here brings its card back.`,
    });
    return link;
  }
  try {
    return await deps.tickets.recordTicketCard(link.id, cardTs);
  } catch (error) {
    log.warn({ err: error }, 'could not record the ticket card message');
    failures.push({ what: 'which message shows the ticket card', failed: 'recorded', error });
    return { ...link, cardMessageTs: cardTs };
  }
}
