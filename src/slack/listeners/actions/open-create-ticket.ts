import { buildNotice } from '../../blocks/notice.js';
import { buildTicketForm } from '../../blocks/ticket-form.js';
import type { SlackDeps } from '../../deps.js';
import { replyFor, wordsFor } from '../../error-replies.js';
import { CreateTicketPromptValueSchema, parseMessageAction } from '../../parse/block-action.js';
import type { FormMetadata } from '../../parse/form-metadata.js';
import { serializeFormMetadata } from '../../parse/form-metadata.js';
import { escapeMrkdwn } from '../../text/index.js';
import { slackError } from '../../thread-poster.js';
import { loadingTicketForm, loadTicketForm } from '../../ticket-form-loader.js';
import { updateView } from '../../view-updates.js';
import type { ButtonArgs } from '../types.js';

/**
 * Create Ticket: open the modal at once (the trigger lives 3 s) with what we know without I/O, then fill in the
 * person's own tenants and update it.
 */
export async function openCreateTicket(deps: SlackDeps, { ack, body, client, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseMessageAction(body);
  const value = safeJson(click?.value);
  const prompt = CreateTicketPromptValueSchema.safeParse(value);
  if (!click?.triggerId || !prompt.success) {
    log.warn('Create Ticket click without a trigger or request: ignored');
    return;
  }
  const metadata: FormMetadata = {
    v: 2,
    mode: 'create',
    thread: { teamId: deps.identity.teamId, channelId: click.channelId, threadTs: click.threadTs },
    requestTs: prompt.data.requestTs,
    promptTs: click.messageTs,
  };
  await openTicketModal(deps, client, log, { triggerId: click.triggerId, userId: click.userId, metadata });
}

export async function openTicketModal(
  deps: SlackDeps,
  client: ButtonArgs['client'],
  log: NonNullable<ButtonArgs['context']['log']>,
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

function safeJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
