import type { TicketLink } from '../../domain/thread-link.js';
import type { FirstReply } from '../../domain/ticket-service.js';
import type { Logger } from '../../logger.js';
import { escapeMrkdwn } from '../text/index.js';
import { type AfterSendFailure, reportAfterSend } from './after-send.js';
import { type LiveTurn, postAgentReply, reportFailure } from './agent-replies.js';
import type { SlackDeps } from './deps.js';

/**
 * The agent's answer to a new ticket's first message, or what became of that message; then, once, what could not be
 * shown or recorded since the portal made the ticket (`failures`, and those of the answer), after `opened`.
 */
export async function showFirstReply(
  deps: SlackDeps,
  log: Logger,
  {
    link,
    userId,
    firstReply,
    statusShown,
    failures = [],
    opened,
    firstMessage,
    closing,
    turn,
  }: {
    link: TicketLink;
    userId: string;
    firstReply: FirstReply;
    statusShown: boolean;
    /** What already could not be shown or recorded (the ticket card). */
    failures?: readonly AfterSendFailure[];
    /** What the portal did, as the start of a sentence: "Ticket *dev-1* is open". */
    opened: string;
    /** What the first message was, as the person knows it: "the request". */
    firstMessage: string;
    closing: string;
    /** The live turn that was told the answer as it came (Create Ticket); without one the answer is posted whole. */
    turn?: LiveTurn;
  },
): Promise<void> {
  const { thread } = link;
  const all = [...failures];
  let done = opened;
  try {
    if (firstReply.state === 'answered') {
      deps.metrics.agentReplies.inc({ portal: link.portal, outcome: 'ok' });
      done = `${opened} and ${firstMessage} reached *${escapeMrkdwn(link.agentName)}*`;
      all.push(
        ...(await (turn ? turn.finish(link, firstReply.reply) : postAgentReply(deps, link, firstReply.reply, null))),
      );
    } else {
      if (statusShown) await deps.poster.setStatus(thread, '');
      if (firstReply.state === 'failed') {
        deps.metrics.agentReplies.inc({ portal: link.portal, outcome: 'error' });
        // Part of the answer may be in the thread already: it stays, made final, and is never posted again.
        const closed = turn ? await turn.fail(firstReply.error) : { shown: false, failures: [] };
        if (closed.shown) {
          done = `${opened} and ${firstMessage} reached *${escapeMrkdwn(link.agentName)}*`;
          all.push(...closed.failures, {
            what: 'the rest of the agent’s answer',
            failed: 'shown',
            error: firstReply.error,
            advice: 'What it said so far is above; ask it to go on.',
          });
        } else {
          // The ticket exists and is linked: only the first message is in doubt. Replying in the thread retries it.
          await reportFailure(
            deps,
            log,
            thread,
            userId,
            firstReply.error,
            `Ticket ${escapeMrkdwn(link.ticketName)} is open, but sending it the request`,
          );
        }
      }
    }
  } catch (error) {
    all.push({ what: 'the agent’s first answer', failed: 'shown', error });
  }
  if (all.length > 0) await reportAfterSend(deps, log, { thread, slackUserId: userId, done, failures: all, closing });
}
