import type { TicketLink } from '../domain/thread-link.js';
import type { MessageContent } from './blocks/message.js';
import { buildTicketCard } from './blocks/ticket-card.js';
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
