import { buildNotice } from '../../blocks/notice.js';
import { refreshCard } from '../../command-cards.js';
import { actorFor, postAgentReply, reportFailure } from '../../conversation.js';
import type { SlackDeps } from '../../deps.js';
import { replyFor } from '../../error-replies.js';
import { parseMessageAction } from '../../parse/block-action.js';
import type { ButtonArgs } from '../types.js';

/**
 * Submit: one conditional transition in the store decides which click acts (double clicks, retries, other
 * instances get "already submitted"); the winner sends the echo, posts the outputs and the agent's follow-up.
 */
export async function onSubmitCommands(deps: SlackDeps, { ack, body, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseMessageAction(body);
  if (!click?.value) {
    log.warn('Submit without a card id: ignored');
    return;
  }
  const thread = { teamId: deps.identity.teamId, channelId: click.channelId, threadTs: click.threadTs };
  let outcome: Awaited<ReturnType<SlackDeps['approvals']['submit']>>;
  try {
    const actor = await actorFor(deps, click.userId);
    outcome = await deps.approvals.submit({
      cardId: click.value,
      actor,
      onSubmitted: (card) => refreshCard(deps, card, log),
    });
  } catch (error) {
    const card = await deps.approvals.get(click.value).catch(() => null);
    if (card && card.status !== 'pending') await refreshCard(deps, card, log);
    if (card?.status === 'failed' && card.submittedBy === click.userId) {
      await reportFailure(deps, log, thread, click.userId, error, 'Running the approved commands');
      return;
    }
    log.info({ err: error }, 'Submit refused');
    await deps.poster.ephemeral(thread, click.userId, buildNotice(replyFor(error))).catch(() => undefined);
    return;
  }
  deps.metrics.commandDecisions.inc({ decision: 'approve' }, outcome.summary.approved);
  deps.metrics.commandDecisions.inc({ decision: 'reject' }, outcome.summary.rejected);
  await refreshCard(deps, outcome.card, log);
  const link = await deps.store.getLink(outcome.card.linkId);
  if (!link) return;
  try {
    await postAgentReply(deps, link, outcome.reply, null);
  } catch (error) {
    await reportFailure(deps, log, thread, click.userId, error, 'Posting the results');
  }
}
