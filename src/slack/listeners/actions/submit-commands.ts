import type { CommandCard } from '../../../domain/command-card.js';
import { isDomainError } from '../../../domain/errors.js';
import type { ThreadRef } from '../../../domain/thread-link.js';
import type { Logger } from '../../../logger.js';
import { buildNotice } from '../../blocks/notice.js';
import { refreshCard } from '../../command-cards.js';
import { actorFor, postAgentReply, reportFailure } from '../../conversation.js';
import type { SlackDeps } from '../../deps.js';
import { replyFor, submitFailedWords } from '../../error-replies.js';
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
  // From the moment this click wins the card until its results are posted, the Submit is in flight: a shutdown
  // that cannot wait for it marks the card interrupted and says so in the thread.
  let done = () => {};
  try {
    await submitAndPost(deps, log, click.userId, click.value, thread, (card) => {
      done = deps.inFlight.begin({ kind: 'submit', thread: card.thread, slackUserId: click.userId, cardId: card.id });
    });
  } finally {
    done();
  }
}

async function submitAndPost(
  deps: SlackDeps,
  log: Logger,
  userId: string,
  cardId: string,
  thread: ThreadRef,
  onClaimed: (card: CommandCard) => void,
): Promise<void> {
  const click = { userId, value: cardId };
  let outcome: Awaited<ReturnType<SlackDeps['approvals']['submit']>>;
  let claimed = false;
  try {
    const actor = await actorFor(deps, click.userId);
    outcome = await deps.approvals.submit({
      cardId: click.value,
      actor,
      onSubmitted: (card) => {
        claimed = true;
        onClaimed(card);
        return refreshCard(deps, card, log);
      },
    });
  } catch (error) {
    const card = await deps.approvals.get(click.value).catch(() => null);
    if (card && card.status !== 'pending') await refreshCard(deps, card, log);
    if (claimed) {
      // The card was claimed and the echo failed: it may have reached the portal, so it is never sent again.
      if (isDomainError(error)) log.warn({ code: error.code, details: error.details }, 'Submit echo failed');
      else log.error({ err: error }, 'Submit echo failed');
      await deps.poster.post(thread, buildNotice(submitFailedWords(error))).catch((postError: unknown) => {
        log.error({ err: postError }, 'could not tell the thread that a Submit failed');
      });
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
