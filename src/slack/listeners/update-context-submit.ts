import { TicketNotLinkedError } from '../../domain/after-send.js';
import { isDomainError } from '../../domain/errors.js';
import { threadKey } from '../../domain/thread-link.js';
import type { ContextUpdateResult } from '../../domain/ticket-service.js';
import { buildContextChangeNote, buildNotice, type ContextChangeNote, ticketPlace } from '../blocks/notice.js';
import { notRecordedFailures, reportAfterSend, reportNotLinked } from '../flows/after-send.js';
import { actorFor, liveTurn, recipientOf, reportFailure, tellRedacted } from '../flows/agent-replies.js';
import type { SlackDeps } from '../flows/deps.js';
import { showFirstReply } from '../flows/first-reply.js';
import { buildSharedContext } from '../flows/shared-context.js';
import { checkSubmission, readTicketForm } from '../flows/submit-validation.js';
import { showTicketCard, ticketCardFor } from '../flows/ticket-cards.js';
import { fieldOf } from '../parse/form-fields.js';
import type { TicketFormMetadata } from '../parse/form-metadata.js';
import { replyFor } from '../text/error-replies.js';
import { escapeMrkdwn } from '../text/index.js';
import type { ViewSubmitArgs } from './types.js';

/**
 * Update Context submitted. A new portal, space or permissions: a new ticket takes over the thread, with the
 * thread's messages (redacted) or only the New Message as its start. A new agent alone: reassigned. The thread
 * always shows the current ticket card.
 */
export async function onUpdateContextSubmit(deps: SlackDeps, { ack, body, view, context }: ViewSubmitArgs) {
  const log = context.log ?? deps.logger;
  const form = await readTicketForm(deps, view, ack, {
    accepts: (metadata): metadata is TicketFormMetadata & { linkId: string } =>
      metadata.mode === 'update' && Boolean(metadata.linkId),
    reopen: 'open Update Context',
  });
  if (!form) return;
  const { metadata, values, complete, portal, where } = form;
  const { thread, linkId } = metadata;
  const userId = body.user.id;
  const validation = (async () => {
    const change = await deps.tickets.validateUpdate({
      thread,
      actor: await actorFor(deps, userId),
      linkId,
      portal: portal.name,
      spaceId: complete.spaceId,
      agentId: complete.agentId,
      permissionIds: complete.permissionIds,
    });
    // A move opens a new ticket: it counts against the same limits as Create Ticket.
    if (change.kind === 'moved') deps.limits.take('ticket', { person: userId, thread: threadKey(thread) });
    return change;
  })();
  const change = await checkSubmission(deps, log, {
    validation,
    ack,
    receivedAt: context.receivedAt,
    blockFor: (error) => where(error.code === 'store.conflict' ? 'portal' : fieldOf(error)),
    refuse: (checked) =>
      checked.kind === 'unchanged'
        ? { block: where('portal'), message: 'Nothing changed. Change a field, or Cancel.' }
        : null,
    thread,
    userId,
    what: 'Updating the context',
  });
  if (!change || change.kind === 'unchanged') return;

  let redactions = 0;
  let result: ContextUpdateResult;
  try {
    result = await deps.tickets.applyUpdate(change, async () => {
      const shared = await buildSharedContext(deps, change.previous, {
        share: values.shareThread === 'yes',
        newMessage: values.newMessage,
        history: () => deps.history.read(thread),
      });
      redactions = shared.redactions;
      return shared;
    });
  } catch (error) {
    if (error instanceof TicketNotLinkedError) {
      await reportNotLinked(deps, log, { thread, slackUserId: userId, error, previous: change.previous });
      return;
    }
    await reportFailure(deps, log, thread, userId, error, 'Updating the context');
    if (isDomainError(error, 'store.conflict')) {
      await deps.poster.ephemeral(thread, userId, buildNotice(replyFor(error))).catch(() => undefined);
    }
    return;
  }
  // The portal made the change (a new ticket, or the agent reassigned): whatever Slack or the store refuses from here
  // on, the person reads that it was made and what could not be shown or recorded, never that it failed.
  const { previous, link } = result;
  // The New Message (and anything else of the new ticket's start) as the ticket service redacted it.
  await tellRedacted(deps, log, thread, userId, result.redacted, 'went to the new ticket as [REDACTED]');
  redactions += result.redacted;
  const failures = notRecordedFailures(result.notRecorded);
  const closing = 'There is no need to update the context again.';
  const postNote = async (note: ContextChangeNote) => {
    try {
      await deps.poster.post(thread, buildContextChangeNote(note));
    } catch (error) {
      failures.push({ what: 'the note saying what changed', failed: 'shown', error });
    }
  };
  if (change.kind === 'moved') {
    if (previous.cardMessageTs) {
      const old = ticketCardFor(deps, previous, { supersededBy: `${link.ticketName} in ${link.spaceName}` });
      await deps.poster.update(thread.channelId, previous.cardMessageTs, old).catch((error: unknown) => {
        log.warn({ err: error }, 'could not mark the previous ticket card as replaced');
      });
    }
    const linked = await showTicketCard(deps, log, link, failures);
    await postNote({
      kind: 'moved',
      userId,
      because: change.because,
      link,
      spaceLabel: portal.settings.spaceLabel,
      shared: values.shareThread === 'yes',
      redactions,
      newMessage: Boolean(values.newMessage),
    });
    // Its first message goes once the new card and the note are up: the answer shows under them as it is written.
    const turn = liveTurn(deps, log, {
      recipient: recipientOf(change.next.actor),
    });
    const firstReply = await deps.tickets.sendFirstMessage(result.first, turn.listen);
    await showFirstReply(deps, log, {
      link: linked,
      userId,
      firstReply,
      turn,
      statusShown: false,
      failures,
      opened: `This thread now goes to ticket *${escapeMrkdwn(link.ticketName)}* in ${ticketPlace(link)}`,
      firstMessage: 'its first message',
      closing,
    });
    return;
  }
  if (link.cardMessageTs) {
    await deps.poster
      .update(thread.channelId, link.cardMessageTs, ticketCardFor(deps, link))
      .catch((error: unknown) => failures.push({ what: 'the ticket card with its new agent', failed: 'shown', error }));
  }
  await postNote({ kind: 'agent', userId, agentName: link.agentName });
  if (failures.length === 0) return;
  await reportAfterSend(deps, log, {
    thread,
    slackUserId: userId,
    done: `Ticket *${escapeMrkdwn(link.ticketName)}* now has agent *${escapeMrkdwn(link.agentName)}* in the AI HelpDesk`,
    failures,
    closing,
  });
}
