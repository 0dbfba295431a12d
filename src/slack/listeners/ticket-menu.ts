import { TicketMenuValue } from '../blocks/ids.js';
import { buildNotice } from '../blocks/notice.js';
import type { SlackDeps } from '../flows/deps.js';
import { changeClosure } from '../flows/ticket-closure.js';
import { openTicketForm } from '../flows/ticket-form-open.js';
import { parseMessageAction } from '../parse/block-action.js';
import type { TicketFormMetadata } from '../parse/form-metadata.js';
import { portalKey } from '../parse/portal-key.js';
import { wordsFor } from '../text/error-replies.js';
import type { ButtonArgs } from './types.js';

const closeResolutions = {
  [TicketMenuValue.CloseResolved]: 'resolved',
  [TicketMenuValue.CloseUnresolved]: 'unresolved',
} as const;

/**
 * The ticket card's overflow menu: Update Context opens the modal prefilled with the thread's current context; Close
 * (Resolved / Unresolved) and Reopen change whether the thread goes to the agent.
 */
export async function onTicketMenu(deps: SlackDeps, { ack, body, client, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseMessageAction(body);
  if (!click) return;
  const thread = { teamId: deps.identity.teamId, channelId: click.channelId, threadTs: click.threadTs };
  const tell = (words: string) =>
    deps.poster.ephemeral(thread, click.userId, buildNotice(words)).catch(() => undefined);
  const link = await deps.tickets.activeLink(thread);
  if (!link) {
    await tell(wordsFor('thread.not_linked'));
    return;
  }
  // A card of an earlier ticket of the thread (one a new ticket took over from) never acts on the current one.
  if (link.cardMessageTs && link.cardMessageTs !== click.messageTs) {
    await tell('This card is not the thread’s current ticket card: use the newest ticket card in the thread.');
    return;
  }
  const ticketLog = log.child({ ticketName: link.ticketName, portal: link.portal });
  const request = { thread, slackUserId: click.userId, linkId: link.id };
  switch (click.value) {
    case TicketMenuValue.CloseResolved:
    case TicketMenuValue.CloseUnresolved:
      await changeClosure(deps, ticketLog, { ...request, kind: 'close', resolution: closeResolutions[click.value] });
      return;
    case TicketMenuValue.Reopen:
      await changeClosure(deps, ticketLog, { ...request, kind: 'reopen' });
      return;
    case TicketMenuValue.UpdateContext:
      break;
    default:
      return;
  }
  if (link.closed) {
    await tell(wordsFor('ticket.closed'));
    return;
  }
  if (!click.triggerId) return;
  const metadata: TicketFormMetadata = {
    v: 2,
    mode: 'update',
    thread,
    linkId: link.id,
    portal: portalKey(link.portal),
    spaceId: link.spaceId,
  };
  await openTicketForm(deps, client, log, {
    triggerId: click.triggerId,
    userId: click.userId,
    metadata,
    current: link,
  });
}
