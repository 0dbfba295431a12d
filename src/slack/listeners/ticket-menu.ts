import { TicketMenuValue } from '../blocks/ids.js';
import { buildNotice } from '../blocks/notice.js';
import { buildTicketForm } from '../blocks/ticket-form.js';
import type { SlackDeps } from '../flows/deps.js';
import { loadingTicketForm, loadTicketForm } from '../flows/ticket-form-loader.js';
import { parseMessageAction } from '../parse/block-action.js';
import { type FormMetadata, serializeFormMetadata } from '../parse/form-metadata.js';
import { portalKey } from '../parse/portal-key.js';
import { replyFor, wordsFor } from '../text/error-replies.js';
import { slackError } from '../web/thread-poster.js';
import { updateView } from '../web/view-updates.js';
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
  const metadata: FormMetadata = {
    v: 2,
    mode: 'update',
    thread,
    linkId: link.id,
    portal: portalKey(link.portal),
    spaceId: link.spaceId,
  };
  const loading = buildTicketForm(
    loadingTicketForm(deps, { mode: 'update', metadata: serializeFormMetadata(metadata), current: link }),
  );
  let opened: { id: string; hash: string | null };
  try {
    const result = await client.views.open({ trigger_id: click.triggerId, view: loading });
    opened = { id: String(result.view?.id), hash: result.view?.hash ?? null };
  } catch (error) {
    const coded = slackError('views.open', error);
    log.warn({ code: coded.code, details: coded.details }, 'could not open the Update Context modal');
    await deps.poster.ephemeral(thread, click.userId, buildNotice(replyFor(coded))).catch(() => undefined);
    return;
  }
  const form = await loadTicketForm(deps, { metadata, slackUserId: click.userId, values: {}, current: link });
  await updateView(client, log, { viewId: opened.id, hash: opened.hash }, buildTicketForm(form));
}
