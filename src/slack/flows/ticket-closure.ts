import { isDomainError } from '../../domain/errors.js';
import type { TicketResolution } from '../../domain/helpdesk.js';
import type { ThreadRef } from '../../domain/thread-link.js';
import type { TicketClosingResult } from '../../domain/ticket-closing.js';
import type { Logger } from '../../logger.js';
import { buildNotice } from '../blocks/notice.js';
import { buildClosureNote } from '../blocks/ticket-closure.js';
import { replyFor } from '../text/error-replies.js';
import { escapeMrkdwn } from '../text/index.js';
import { actorFor } from './agent-replies.js';
import type { SlackDeps } from './deps.js';
import { ticketCardFor } from './ticket-cards.js';

/** Close (Resolved / Unresolved) or Reopen, asked from the ticket card's menu or the closed-thread prompt. */
export type ClosureRequest = {
  readonly thread: ThreadRef;
  readonly slackUserId: string;
  /** The link the person saw: it must still be the thread's. */
  readonly linkId: string;
  /** The closed-thread prompt that was clicked: it is replaced by the note rather than a new note being posted. */
  readonly promptTs?: string;
} & ({ readonly kind: 'close'; readonly resolution: TicketResolution } | { readonly kind: 'reopen' });

/**
 * Closes or reopens the thread's ticket (the domain checks who may, and changes the portal first where it keeps a
 * status), then shows it: the ticket card is redrawn and the thread gets a note. A refusal or a failure is told to
 * the person privately, saying the ticket stays as it was.
 */
export async function changeClosure(deps: SlackDeps, log: Logger, request: ClosureRequest): Promise<void> {
  const { thread, slackUserId, linkId } = request;
  let result: TicketClosingResult;
  try {
    const actor = await actorFor(deps, slackUserId);
    result =
      request.kind === 'close'
        ? await deps.closing.close({ thread, actor, linkId, resolution: request.resolution })
        : await deps.closing.reopen({ thread, actor, linkId });
  } catch (error) {
    if (isDomainError(error)) log.warn({ code: error.code, details: error.details }, `${request.kind} refused`);
    else log.error({ err: error }, `${request.kind} failed`);
    await tell(deps, request, refusalWords(request.kind, error));
    return;
  }
  const { link } = result;
  const ticket = `*${escapeMrkdwn(link.ticketName)}*`;
  if (!result.changed) {
    await tell(deps, request, `Ticket ${ticket} is already ${request.kind === 'close' ? 'closed' : 'open'}.`);
    return;
  }
  for (const missing of result.notRecorded) {
    log.warn({ err: missing.error, record: missing.record }, `ticket ${request.kind}: a record could not be kept`);
  }
  if (link.cardMessageTs) {
    await deps.poster
      .update(thread.channelId, link.cardMessageTs, ticketCardFor(deps, link))
      .catch((error: unknown) => log.warn({ err: error }, 'could not redraw the ticket card'));
  }
  const note = buildClosureNote({ kind: request.kind === 'close' ? 'closed' : 'reopened', slackUserId }, link);
  try {
    if (request.promptTs) await deps.poster.update(thread.channelId, request.promptTs, note);
    else await deps.poster.post(thread, note);
  } catch (error) {
    log.warn({ err: error }, `could not post the ${request.kind} note`);
  }
}

/** Why nothing changed, in words: the rule for a refusal, the failure otherwise; the ticket stays as it was. */
function refusalWords(kind: ClosureRequest['kind'], error: unknown): string {
  const words = replyFor(error);
  if (isDomainError(error) && error.code.startsWith('access.')) {
    return `${words} Closing or reopening a ticket takes the same access as approving commands or changing the ticket.`;
  }
  return kind === 'close'
    ? `The ticket was not closed: it is still open. ${words}`
    : `The ticket was not reopened: it is still closed. ${words}`;
}

async function tell(deps: SlackDeps, request: ClosureRequest, words: string): Promise<void> {
  await deps.poster
    .ephemeral(request.thread, request.slackUserId, buildNotice(words, undefined, []))
    .catch(() => undefined);
}
