import { isDomainError } from '../../../domain/errors.js';
import { threadKey } from '../../../domain/thread-link.js';
import type { ContextChange } from '../../../domain/ticket-service.js';
import { buildNotice } from '../../blocks/notice.js';
import { buildTicketCard } from '../../blocks/ticket-card.js';
import { actorFor, postAgentReply, reportFailure } from '../../conversation.js';
import type { SlackDeps } from '../../deps.js';
import { replyFor } from '../../error-replies.js';
import { BlockId } from '../../ids.js';
import { parseFormMetadata } from '../../parse/form-metadata.js';
import { parseFormValues } from '../../parse/form-state.js';
import { buildSharedContext } from '../../shared-context.js';
import { remainingBudgetMs, withinBudget } from '../../submit-budget.js';
import { escapeMrkdwn } from '../../text/index.js';
import type { ViewSubmitArgs } from '../types.js';
import { completeForm, fieldLocator, fieldOf } from './form-fields.js';

/**
 * Update Context submitted. Portal or tenant changed: a new ticket in the new tenant takes over the thread, with
 * the thread's messages (redacted) or only the New Message as its first content. Agent changed: reassigned.
 * Permissions changed: later messages carry the new identity. The thread always shows the current ticket card.
 */
export async function onUpdateContextSubmit(deps: SlackDeps, { ack, body, view, context }: ViewSubmitArgs) {
  const log = context.log ?? deps.logger;
  const metadata = parseFormMetadata(view.private_metadata);
  // Slack always sends the view's state; a malformed payload may not, and then every field reads as empty.
  const stateValues = view.state?.values ?? {};
  const values = parseFormValues(stateValues);
  const where = fieldLocator(stateValues);
  if (metadata?.mode !== 'update' || !metadata.linkId) {
    await ack({
      response_action: 'errors',
      errors: { [where(BlockId.Portal)]: 'This form is out of date. Close it and open Update Context again.' },
    });
    return;
  }
  const complete = completeForm(values);
  if (!complete.ok) {
    await ack({ response_action: 'errors', errors: { [where(complete.field)]: complete.message } });
    return;
  }
  const { thread, linkId } = metadata;
  const userId = body.user.id;
  const validation = (async () => {
    const change = await deps.tickets.validateUpdate({
      thread,
      actor: await actorFor(deps, userId),
      linkId,
      ...complete.value,
    });
    // A move opens a new ticket: it counts against the same limits as Create Ticket.
    if (change.kind === 'moved') deps.limits.take('ticket', { person: userId, thread: threadKey(thread) });
    return change;
  })();
  const outcome = await withinBudget(validation, remainingBudgetMs(deps.submitBudgetMs, context.receivedAt));
  if (outcome.state === 'failed' && isDomainError(outcome.error)) {
    const field = outcome.error.code === 'store.conflict' ? BlockId.Portal : fieldOf(outcome.error);
    await ack({ response_action: 'errors', errors: { [where(field)]: replyFor(outcome.error) } });
    return;
  }
  if (outcome.state === 'done' && outcome.value.kind === 'unchanged') {
    await ack({
      response_action: 'errors',
      errors: { [where(BlockId.Portal)]: 'Nothing changed. Change a field, or Cancel.' },
    });
    return;
  }
  await ack();

  let change: ContextChange;
  try {
    if (outcome.state === 'failed') throw outcome.error;
    change = outcome.state === 'done' ? outcome.value : await outcome.later;
  } catch (error) {
    await reportFailure(deps, log, thread, userId, error, 'Updating the context');
    return;
  }
  if (change.kind === 'unchanged') return;

  let redactions = 0;
  try {
    const result = await deps.tickets.applyUpdate(change, async () => {
      const shared = await buildSharedContext(deps, change.previous, {
        share: values.shareThread === 'yes',
        newMessage: values.newMessage,
        history: () => deps.history.read(thread),
      });
      redactions = shared.redactions;
      return shared;
    });
    const { previous, link } = result;
    if (change.kind === 'moved') {
      if (previous.cardMessageTs) {
        const old = buildTicketCard({
          link: previous,
          url: deps.tickets.ticketUrl(previous),
          supersededBy: link.ticketName,
        });
        await deps.poster.update(thread.channelId, previous.cardMessageTs, old).catch((error: unknown) => {
          log.warn({ err: error }, 'could not mark the previous ticket card as replaced');
        });
      }
      const cardTs = await deps.poster.post(thread, buildTicketCard({ link, url: deps.tickets.ticketUrl(link) }));
      const linked = await deps.store.updateLink(link.id, { cardMessageTs: cardTs }, deps.clock.now());
      const shared = values.shareThread === 'yes';
      const note = shared
        ? `<@${userId}> moved this thread to *${escapeMrkdwn(link.tenantName)}* (${escapeMrkdwn(link.portal)}) and shared its messages with the new ticket. ${redactions === 1 ? '1 value that looked like a secret was' : `${redactions} values that looked like secrets were`} redacted first.`
        : `<@${userId}> moved this thread to *${escapeMrkdwn(link.tenantName)}* (${escapeMrkdwn(link.portal)}). The earlier messages were not shared${values.newMessage ? '; only the new message was' : ''}.`;
      await deps.poster.post(thread, {
        text: note.replace(/[*<>@]/g, ''),
        blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: note }] }],
      });
      if (result.firstReply) await postAgentReply(deps, linked, result.firstReply, null);
      return;
    }
    if (link.cardMessageTs) {
      await deps.poster.update(
        thread.channelId,
        link.cardMessageTs,
        buildTicketCard({ link, url: deps.tickets.ticketUrl(link) }),
      );
    }
    const changes = [
      change.agent ? `agent → *${escapeMrkdwn(link.agentName)}*` : '',
      change.identity ? `permissions → *${escapeMrkdwn(link.identity)}*` : '',
    ].filter(Boolean);
    const note = `<@${userId}> updated the context: ${changes.join(', ')}.`;
    await deps.poster.post(thread, {
      text: note.replace(/[*<>@]/g, ''),
      blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: note }] }],
    });
  } catch (error) {
    await reportFailure(deps, log, thread, userId, error, 'Updating the context');
    if (isDomainError(error, 'store.conflict')) {
      await deps.poster.ephemeral(thread, userId, buildNotice(replyFor(error))).catch(() => undefined);
    }
  }
}
