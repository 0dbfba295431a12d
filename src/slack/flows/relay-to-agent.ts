import { type ThreadRef, type TicketLink, threadKey } from '../../domain/thread-link.js';
import type { RelayResult } from '../../domain/ticket-service.js';
import type { Logger } from '../../logger.js';
import { buildPlaceholderNote } from '../blocks/notice.js';
import { escapeMrkdwn } from '../text/index.js';
import { type AfterSendFailure, reportAfterSend } from './after-send.js';
import {
  AgentAnswer,
  actorFor,
  type LiveTurn,
  liveTurn,
  type Progress,
  recipientOf,
  reportFailure,
  startProgress,
  tellRedacted,
} from './agent-replies.js';
import type { SlackDeps } from './deps.js';
import { ticketCardFor } from './ticket-cards.js';

/**
 * A human message in a linked thread goes to the ticket's agent (the ticket service redacts it like any text people
 * write; the sender is told privately when something was); its reply comes back into the thread.
 */
export async function relayToAgent(
  deps: SlackDeps,
  log: Logger,
  input: { thread: ThreadRef; slackUserId: string; text: string; link: TicketLink },
): Promise<void> {
  // Started by the turn listener, inside the relay, without holding the message back: the status (or placeholder) and the
  // redaction notice go to Slack while the message goes to the portal. Both are awaited before this relay ends.
  let progressShown: Promise<Progress> | null = null;
  let notified: Promise<void> | null = null;
  const progressOf = async (): Promise<Progress | null> => (progressShown ? await progressShown : null);
  const { thread, slackUserId } = input;
  const { agentName } = input.link;
  const done = deps.inFlight.begin({ kind: 'relay', thread, slackUserId, agentName });
  let turn: LiveTurn | null = null;
  try {
    let sent: RelayResult;
    try {
      deps.limits.take('relay', { person: input.slackUserId, thread: threadKey(input.thread) });
      const actor = await actorFor(deps, input.slackUserId);
      // The agent's answer shows in the thread as it is written (flows/live-reply.ts), streamed on the asker's behalf.
      turn = liveTurn(deps, log, {
        recipient: recipientOf(actor),
        progress: progressOf,
      });
      const liveListener = turn.listen;
      // The ticket service redacts the text before it goes out, and says how many values it replaced.
      sent = await deps.tickets.relay({
        thread: input.thread,
        actor,
        text: input.text,
        // The link the listener just read: the ticket service reads it again only if it may have changed since.
        link: input.link,
        // Called once the message passed every check, just before it goes: progress shows only for a message that
        // will really be sent.
        listen: (link, { redacted }) => {
          progressShown = startProgress(deps, input.thread, agentName);
          notified = tellRedacted(
            deps,
            log,
            input.thread,
            input.slackUserId,
            redacted,
            'went to the agent as [REDACTED]',
          );
          return liveListener(link);
        },
      });
    } catch (error) {
      deps.metrics.agentReplies.inc({ portal: 'unknown', outcome: 'error' });
      // Part of the answer may be in the thread already: it stays, made final, and is never posted again.
      const closed = turn ? await turn.fail(error) : { shown: false, failures: [] };
      if (closed.shown) {
        await reportCutShort(deps, log, { ...input, agentName }, error, closed.failures);
        return;
      }
      const progress = await progressOf();
      await progress?.clear();
      if (progress?.placeholderTs)
        await notePlaceholder(deps, input.thread, progress.placeholderTs, 'The agent did not answer.');
      await reportFailure(deps, log, input.thread, input.slackUserId, error, 'Sending your message to the agent');
      return;
    }
    // The portal accepted the message and the agent answered: whatever Slack or the store refuses from here on, the
    // person is told the message reached the agent and what could not be shown, never that it was not sent.
    await showAnswer(deps, log, input, sent, await progressOf(), turn as LiveTurn);
  } finally {
    await notified;
    done();
  }
}

async function showAnswer(
  deps: SlackDeps,
  log: Logger,
  input: { thread: ThreadRef; slackUserId: string },
  { link, reply }: RelayResult,
  progress: Progress | null,
  turn: LiveTurn,
): Promise<void> {
  deps.metrics.agentReplies.inc({ portal: link.portal, outcome: 'ok' });
  let failures: AfterSendFailure[];
  try {
    if (!link.cardMessageTs) await restoreTicketCard(deps, log, link);
    failures = await turn.finish(link, reply);
  } catch (error) {
    failures = [{ what: AgentAnswer, failed: 'shown', error }];
  }
  if (progress?.placeholderTs && failures.some((failure) => failure.what === AgentAnswer)) {
    await notePlaceholder(
      deps,
      input.thread,
      progress.placeholderTs,
      'The agent answered; the answer could not be shown here.',
    );
  }
  if (failures.length === 0) return;
  await reportAfterSend(deps, log, {
    thread: input.thread,
    slackUserId: input.slackUserId,
    done: `Your message reached *${escapeMrkdwn(link.agentName)}*`,
    failures,
    closing: 'Your message need not be sent again.',
  });
}

/**
 * The agent began to answer, and the turn failed before it finished (the portal's stream was cut, the agent
 * reported an error): what it said so far stays in the thread; the person reads that their message reached the
 * agent and that the rest of the answer did not come, with why.
 */
async function reportCutShort(
  deps: SlackDeps,
  log: Logger,
  input: { thread: ThreadRef; slackUserId: string; agentName: string },
  error: unknown,
  failures: AfterSendFailure[],
): Promise<void> {
  log.warn({ err: error }, 'the agent’s answer stopped before it finished; what came is shown');
  await reportAfterSend(deps, log, {
    thread: input.thread,
    slackUserId: input.slackUserId,
    done: `Your message reached *${escapeMrkdwn(input.agentName)}*`,
    failures: [
      ...failures,
      {
        what: 'the rest of the agent’s answer',
        failed: 'shown',
        error,
        advice: 'What it said so far is above; ask it to go on.',
        redo: true,
      },
    ],
    closing: '',
  });
}

/** The progress placeholder, ended with a short note instead of "working on it…" (best effort). */
async function notePlaceholder(deps: SlackDeps, thread: ThreadRef, ts: string, note: string): Promise<void> {
  await deps.poster.update(thread.channelId, ts, buildPlaceholderNote(note)).catch(() => undefined);
}

/** A linked thread whose ticket card never made it to Slack (it failed when the ticket was created) gets it now. */
async function restoreTicketCard(deps: SlackDeps, log: Logger, link: TicketLink): Promise<void> {
  try {
    const ts = await deps.poster.post(link.thread, ticketCardFor(deps, link));
    await deps.tickets.recordTicketCard(link.id, ts);
  } catch (error) {
    log.warn({ err: error }, 'could not post the missing ticket card');
  }
}
