import { ActionId, BlockId } from '../blocks/ids.js';
import { buildNotice } from '../blocks/notice.js';
import { actorFor, tellRedacted } from '../flows/agent-replies.js';
import { refreshCard } from '../flows/command-cards.js';
import type { SlackDeps } from '../flows/deps.js';
import { parseRejectMetadata } from '../parse/decision-value.js';
import { replyFor } from '../text/error-replies.js';
import type { ViewSubmitArgs } from './types.js';

/**
 * The Reject reason modal submitted: record the rejection with its reason (the approval service redacts it before it
 * is stored, shown on the card or sent to the agent; the person is told privately when it did) and redraw the card.
 */
export async function onRejectReasonSubmit(
  deps: SlackDeps,
  { ack, body, view, context }: ViewSubmitArgs,
): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const metadata = parseRejectMetadata(view.private_metadata);
  if (!metadata) {
    log.warn('reject reason without readable metadata: ignored');
    return;
  }
  const typed = view.state?.values?.[BlockId.RejectReason]?.[ActionId.RejectReason]?.value;
  const reason = typeof typed === 'string' && typed.trim().length > 0 ? typed.trim() : undefined;
  const thread = { teamId: deps.identity.teamId, channelId: metadata.channelId, threadTs: metadata.threadTs };
  try {
    // The modal carries the digest of the command its card showed: the approval service refuses a stale one.
    const { card: updated, redacted } = await deps.approvals.decide({
      cardId: metadata.decision.cardId,
      index: metadata.decision.index,
      shown: metadata.decision.digest,
      decision: 'reject',
      ...(reason ? { reason } : {}),
      actor: await actorFor(deps, body.user.id),
    });
    await refreshCard(deps, updated, log);
    await tellRedacted(
      deps,
      log,
      thread,
      body.user.id,
      redacted,
      'in your reason was replaced with [REDACTED] before the card showed it or the agent got it',
    );
  } catch (error) {
    log.warn({ err: error }, 'rejection refused');
    await deps.poster.ephemeral(thread, body.user.id, buildNotice(replyFor(error))).catch(() => undefined);
  }
}
