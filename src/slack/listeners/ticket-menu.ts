import { TicketMenuValue } from '../blocks/ids.js';
import { buildNotice } from '../blocks/notice.js';
import type { SlackDeps } from '../flows/deps.js';
import { openTicketForm } from '../flows/ticket-form-open.js';
import { parseMessageAction } from '../parse/block-action.js';
import type { TicketFormMetadata } from '../parse/form-metadata.js';
import { portalKey } from '../parse/portal-key.js';
import { wordsFor } from '../text/error-replies.js';
import type { ButtonArgs } from './types.js';

/** The ticket card's overflow menu: Update Context opens the modal prefilled with the thread's current context. */
export async function onTicketMenu(deps: SlackDeps, { ack, body, client, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseMessageAction(body);
  if (!click || click.value !== TicketMenuValue.UpdateContext || !click.triggerId) return;
  const thread = { teamId: deps.identity.teamId, channelId: click.channelId, threadTs: click.threadTs };
  const link = await deps.tickets.activeLink(thread);
  if (!link) {
    await deps.poster
      .ephemeral(thread, click.userId, buildNotice(wordsFor('thread.not_linked')))
      .catch(() => undefined);
    return;
  }
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
