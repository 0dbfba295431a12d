import type { SubmitOutcome } from '../../domain/approval-service.js';
import type { CommandCard } from '../../domain/command-card.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import type { ThreadRef, TicketLink } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { buildNotice } from '../blocks/notice.js';
import { type AfterSendFailure, inTheHelpDesk, notRecordedFailures, reportAfterSend } from '../flows/after-send.js';
import { AgentAnswer, actorFor, postAgentReply, recipientOf } from '../flows/agent-replies.js';
import { postOutputs, refreshCard } from '../flows/command-cards.js';
import type { SlackDeps } from '../flows/deps.js';
import { type LiveReply, openLiveReply } from '../flows/live-reply.js';
import { parseMessageAction } from '../parse/block-action.js';
import { replyFor, submitFailedWords } from '../text/error-replies.js';
import { escapeMrkdwn } from '../text/index.js';
import type { ButtonArgs } from './types.js';

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
  // The agent's answer to the decisions shows as it is written, under the card (flows/live-reply.ts).
  let live: LiveReply | null = null;
  try {
    const actor = await actorFor(deps, click.userId);
    const claim = await deps.approvals.claim({ cardId: click.value, actor });
    claimed = true;
    onClaimed(claim.card);
    // The card shows as running and the live reply opens before the decisions go out; nothing Slack refuses here
    // stops them.
    try {
      const redrawn = refreshCard(deps, claim.card, log);
      const link = await deps.tickets.linkById(claim.card.linkId).catch(() => null);
      if (link) {
        live = openLiveReply(deps, log, {
          link,
          recipient: recipientOf(actor),
          progress: redrawn.then(() => null),
        });
      }
      await redrawn;
    } catch (showError) {
      log.warn({ err: showError }, 'could not show the submitted card before sending its decisions');
    }
    const opened: LiveReply | null = live;
    outcome = await deps.approvals.send(claim, opened ? (event) => opened.onEvent(event) : undefined);
  } catch (error) {
    const card = await deps.approvals.get(click.value).catch(() => null);
    if (card && card.status !== 'pending') await refreshCard(deps, card, log);
    if (claimed) {
      // The card was claimed and the echo failed: it may have reached the portal, so it is never sent again.
      if (isDomainError(error)) log.warn({ code: error.code, details: error.details }, 'Submit echo failed');
      else log.error({ err: error }, 'Submit echo failed');
      // Part of the agent's answer may be in the thread already: it stays, made final, and is never posted again.
      const closed = live ? await (live as LiveReply).fail(error) : { shown: false, failures: [] };
      if (closed.shown) {
        await reportAfterSend(deps, log, {
          thread,
          slackUserId: click.userId,
          done: 'Your decisions reached the agent',
          failures: [
            ...closed.failures,
            {
              what: 'the rest of the agent’s answer',
              failed: 'shown',
              error,
              advice: 'What it said so far is above; ask it to go on.',
            },
          ],
          closing: 'They will not be sent again.',
        });
        return;
      }
      await deps.poster.post(thread, buildNotice(submitFailedWords(error))).catch((postError: unknown) => {
        log.error({ err: postError }, 'could not tell the thread that a Submit failed');
      });
      return;
    }
    log.info({ err: error }, 'Submit refused');
    await deps.poster.ephemeral(thread, click.userId, buildNotice(replyFor(error))).catch(() => undefined);
    return;
  }
  // The portal accepted the echo: whatever Slack or the store refuses from here on, the decisions were sent. The
  // person reads what reached the agent and what could not be shown or recorded; nothing is sent again.
  await showResults(deps, log, click.userId, thread, outcome, live);
}

async function showResults(
  deps: SlackDeps,
  log: Logger,
  userId: string,
  thread: ThreadRef,
  outcome: SubmitOutcome,
  live: LiveReply | null,
): Promise<void> {
  deps.metrics.commandDecisions.inc({ decision: 'approve' }, outcome.summary.approved);
  deps.metrics.commandDecisions.inc({ decision: 'reject' }, outcome.summary.rejected);
  const { card } = outcome;
  const failures: AfterSendFailure[] = notRecordedFailures(outcome.notRecorded);
  let agentName = 'the agent';
  try {
    const redraw = await refreshCard(deps, card, log);
    if (redraw) failures.push({ what: 'this card’s new state', failed: 'shown', error: redraw.error });
    if (live) {
      // The live reply has the card's link; it shows the outputs, the answer and any new proposals.
      agentName = live.agentName;
      failures.push(...(await live.finish(outcome.reply)));
    } else {
      let link: TicketLink | null;
      try {
        link = await deps.tickets.linkById(card.linkId);
        if (!link) throw new DomainError('thread.not_linked', 'The card’s thread link is gone', { cardId: card.id });
      } catch (error) {
        // Without the link, the outputs still go to the card's thread; the agent's words are on the ticket.
        await postOutputs(deps, card, outcome.executed).catch((outputsError: unknown) => {
          failures.push({ what: 'some command outputs', failed: 'shown', error: outputsError });
        });
        failures.push({
          what: AgentAnswer,
          failed: 'shown',
          error,
          advice: `Read it on the ticket ${inTheHelpDesk(deps, card)}.`,
        });
        link = null;
      }
      if (link) {
        agentName = link.agentName;
        failures.push(...(await postAgentReply(deps, link, outcome.reply, null)));
      }
    }
  } catch (error) {
    failures.push({
      what: 'the results',
      failed: 'shown',
      error,
      advice: `Read them on the ticket ${inTheHelpDesk(deps, card)}.`,
    });
  }
  if (failures.length === 0) return;
  await reportAfterSend(deps, log, {
    thread,
    slackUserId: userId,
    done: `Your decisions reached *${escapeMrkdwn(agentName)}*`,
    failures,
    closing: 'They will not be sent again.',
  });
}
