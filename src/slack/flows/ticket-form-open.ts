import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { buildNotice } from '../blocks/notice.js';
import { buildTicketForm } from '../blocks/ticket-form.js';
import type { TicketFormMetadata } from '../parse/form-metadata.js';
import { serializeFormMetadata } from '../parse/form-metadata.js';
import { replyFor, wordsFor } from '../text/error-replies.js';
import { escapeMrkdwn } from '../text/index.js';
import { slackError } from '../web/thread-poster.js';
import { updateView } from '../web/view-updates.js';
import type { SlackDeps } from './deps.js';
import { type CurrentTicket, loadingTicketForm, loadTicketForm, notifiesOnClose } from './ticket-form-loader.js';

/** What opens the ticket form: the click's trigger, who clicked, and the form's metadata (its mode and thread). */
export interface TicketFormOpening {
  readonly triggerId: string;
  readonly userId: string;
  readonly metadata: TicketFormMetadata;
  /** Update Context: the thread's ticket, whose context the form starts from. */
  readonly current?: CurrentTicket;
}

/**
 * Opens the ticket form, Create Ticket or Update Context (by `metadata.mode`), on a trigger: at once with what is
 * known without I/O (the trigger lives 3 s, docs/slack-platform.md §1), then filled with the person's own choices by
 * `views.update`. A modal Slack would not open is reported to the person, privately, in the thread.
 */
export async function openTicketForm(
  deps: SlackDeps,
  client: WebClient,
  log: Logger,
  { triggerId, userId, metadata, current }: TicketFormOpening,
): Promise<void> {
  const mode = metadata.mode;
  const first = buildTicketForm(
    loadingTicketForm(deps, {
      mode,
      metadata: serializeFormMetadata(metadata),
      ...(current ? { current } : {}),
      ...(notifiesOnClose(metadata) ? { notifyOnClose: true } : {}),
    }),
  );
  let opened: { id: string; hash: string | null };
  try {
    const result = await client.views.open({ trigger_id: triggerId, view: first });
    opened = { id: String(result.view?.id), hash: result.view?.hash ?? null };
  } catch (error) {
    const coded = slackError('views.open', error);
    const modal = mode === 'create' ? 'Create Ticket' : 'Update Context';
    log.warn({ code: coded.code, details: coded.details }, `could not open the ${modal} modal`);
    await deps.poster.ephemeral(metadata.thread, userId, buildNotice(replyFor(coded))).catch(() => undefined);
    return;
  }
  const request = { metadata, slackUserId: userId, values: {}, ...(current ? { current } : {}) };
  const form =
    mode === 'create'
      ? await withCreateNotice(deps, metadata, loadTicketForm(deps, request))
      : await loadTicketForm(deps, request);
  await updateView(client, log, { viewId: opened.id, hash: opened.hash }, buildTicketForm(form));
}

/** Create Ticket says first why a ticket cannot be made here: the thread already has one, or the bot is not in it. */
async function withCreateNotice(
  deps: SlackDeps,
  metadata: TicketFormMetadata,
  loading: ReturnType<typeof loadTicketForm>,
): Promise<Awaited<ReturnType<typeof loadTicketForm>>> {
  const [existing, membership, form] = await Promise.all([
    deps.tickets.activeLink(metadata.thread),
    deps.membership.check(metadata.thread.channelId),
    loading,
  ]);
  const notice = existing?.closed
    ? `This thread’s ticket *${escapeMrkdwn(existing.ticketName)}* is closed: a new ticket takes the thread over, and the closed one stays in its history.`
    : existing
      ? `This thread is already linked to ticket *${escapeMrkdwn(existing.ticketName)}*. Use *Update Context* on its ticket card to change it.`
      : membership === 'not_member'
        ? `${wordsFor('slack.not_in_channel')} Until then no ticket can be created from this channel.`
        : form.notice;
  return { ...form, ...(notice ? { notice } : {}) };
}
