import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { buildNotice } from '../blocks/notice.js';
import { buildTicketForm } from '../blocks/ticket-form.js';
import type { FormMetadata } from '../parse/form-metadata.js';
import { serializeFormMetadata } from '../parse/form-metadata.js';
import { replyFor, wordsFor } from '../text/error-replies.js';
import { escapeMrkdwn } from '../text/index.js';
import { slackError } from '../web/thread-poster.js';
import { updateView } from '../web/view-updates.js';
import type { SlackDeps } from './deps.js';
import { loadingTicketForm, loadTicketForm } from './ticket-form-loader.js';

/**
 * Opens the ticket form (Create Ticket) on a trigger: at once with what is known without I/O (the trigger lives
 * 3 s, docs/slack-platform.md §1), then filled with the person's own choices by `views.update`.
 */
export async function openTicketModal(
  deps: SlackDeps,
  client: WebClient,
  log: Logger,
  { triggerId, userId, metadata }: { triggerId: string; userId: string; metadata: FormMetadata },
): Promise<void> {
  const first = buildTicketForm(loadingTicketForm(deps, { mode: 'create', metadata: serializeFormMetadata(metadata) }));
  let opened: { id: string; hash: string | null };
  try {
    const result = await client.views.open({ trigger_id: triggerId, view: first });
    opened = { id: String(result.view?.id), hash: result.view?.hash ?? null };
  } catch (error) {
    const coded = slackError('views.open', error);
    log.warn({ code: coded.code, details: coded.details }, 'could not open the Create Ticket modal');
    await deps.poster.ephemeral(metadata.thread, userId, buildNotice(replyFor(coded))).catch(() => undefined);
    return;
  }
  const [existing, membership, form] = await Promise.all([
    deps.tickets.activeLink(metadata.thread),
    deps.membership.check(metadata.thread.channelId),
    loadTicketForm(deps, { metadata, slackUserId: userId, values: {} }),
  ]);
  const notice = existing
    ? `This thread is already linked to ticket *${escapeMrkdwn(existing.ticketName)}*. Use *Update Context* on its ticket card to change it.`
    : membership === 'not_member'
      ? `${wordsFor('slack.not_in_channel')} Until then no ticket can be created from this channel.`
      : form.notice;
  await updateView(
    client,
    log,
    { viewId: opened.id, hash: opened.hash },
    buildTicketForm({ ...form, ...(notice ? { notice } : {}) }),
  );
}
