import type { CommandCard } from '../../domain/command-card.js';
import { isDomainError } from '../../domain/errors.js';
import type { OpenStream } from '../../domain/ports.js';
import type { Logger } from '../../logger.js';
import { buildNotice } from '../blocks/notice.js';
import type { InFlightItem } from '../runtime/in-flight.js';
import { escapeMrkdwn } from '../text/index.js';
import { streamMarkdown } from '../text/stream-markdown.js';
import { refreshCard } from './command-cards.js';
import type { SlackDeps } from './deps.js';

/**
 * What happens at start-up and every minute after, and what shutdown reports when it cannot wait any longer:
 *  - a Submit left in `submitted` (the process stopped between claiming the card and the agent's answer) is marked
 *    interrupted and reported in its thread, never sent again (the portal may have received it);
 *  - pending cards past their expiry are marked expired and redrawn without buttons;
 *  - processed events older than a day and requests nobody turned into a ticket after a week are pruned.
 * Every step is a conditional update in the store, so instances sweeping together report each card once.
 */
export interface SweepReport {
  readonly interrupted: number;
  readonly expired: number;
  readonly prunedEvents: number;
  readonly prunedRequests: number;
  /** Streamed replies left open by a process that stopped, now closed with a note. */
  readonly closedStreams: number;
}

export interface Sweeper {
  sweep(): Promise<SweepReport>;
  /** Sweeps now and then every `intervalMs` (unref'd timer); errors are logged, never thrown. */
  start(): void;
  stop(): void;
}

export interface SweeperOptions {
  readonly intervalMs?: number;
  /**
   * How long a card may stay `submitted` before a sweep calls it interrupted. It must exceed the longest a live
   * Submit can take (the portal's agent timeout), or a sweep on one instance would interrupt another's Submit.
   */
  readonly staleSubmitMs?: number;
  readonly eventRetentionMs?: number;
  readonly requestRetentionMs?: number;
  readonly pruneEveryMs?: number;
  /**
   * How long an open stream may go without its instance renewing it before a sweep closes it (live replies renew
   * theirs every 30 s).
   */
  readonly staleStreamMs?: number;
}

const Day = 24 * 60 * 60_000;
const BatchSize = 50;

const interruptedWords = (agentName: string) =>
  `The service restarted while these commands were being sent to ${escapeMrkdwn(agentName)}, so they may or may not have run. ` +
  'Check the ticket in the AI HelpDesk before you ask the agent again. Nothing from this card will be sent again.';

async function agentNameOf(deps: SlackDeps, card: CommandCard): Promise<string> {
  const link = await deps.tickets.linkById(card.linkId).catch(() => null);
  return link?.agentName ?? 'the agent';
}

/** Redraws an interrupted card and says in its thread what happened and what to do. */
async function reportInterruptedCard(deps: SlackDeps, log: Logger, card: CommandCard): Promise<void> {
  await refreshCard(deps, card, log);
  try {
    await deps.poster.post(card.thread, buildNotice(interruptedWords(await agentNameOf(deps, card)), undefined, []));
  } catch (error) {
    log.error({ err: error, cardId: card.id }, 'could not report an interrupted Submit in its thread');
  }
  log.warn({ cardId: card.id, ticketName: card.ticketName, portal: card.portal }, 'interrupted Submit reported');
}

const cutOffWords = (agentName: string) =>
  `${agentName}’s answer was cut off here: the service restarted while it was being written. ` +
  'The whole answer is on the ticket in the AI HelpDesk; ask again here to continue.';

/**
 * A reply a stopped process was streaming: Slack shows it as still being written until it ends it. It is stopped
 * with a note saying why it ends there (or, where Slack already ended it, the note goes in the thread).
 */
async function closeAbandonedStream(deps: SlackDeps, log: Logger, stream: OpenStream): Promise<void> {
  const { thread, messageTs, agentName } = stream;
  try {
    await deps.poster.stopStream(thread.channelId, messageTs, streamMarkdown(`\n\n_${cutOffWords(agentName)}_`));
    log.warn(
      { channelId: thread.channelId, messageTs, owner: stream.owner },
      'closed a stream a stopped process left open',
    );
    return;
  } catch (error) {
    const code = isDomainError(error) ? String(error.details.slackError ?? error.code) : 'unknown';
    if (!['message_not_in_streaming_state', 'message_not_found'].includes(code)) {
      log.warn({ err: error, channelId: thread.channelId }, 'could not close a stream a stopped process left open');
    }
  }
  try {
    await deps.poster.post(
      thread,
      buildNotice(cutOffWords(escapeMrkdwn(agentName)).replace(' here:', ' above:'), undefined, []),
    );
  } catch (error) {
    log.error({ err: error, channelId: thread.channelId }, 'could not say in its thread that a reply was cut off');
  }
}

export function createSweeper(deps: SlackDeps, options: SweeperOptions = {}): Sweeper {
  const {
    intervalMs = 60_000,
    staleSubmitMs = 10 * 60_000,
    eventRetentionMs = Day,
    requestRetentionMs = 7 * Day,
    pruneEveryMs = 60 * 60_000,
    staleStreamMs = 90_000,
  } = options;
  const log = deps.logger.child({ component: 'sweeper' });
  let timer: NodeJS.Timeout | undefined;
  let lastPrune = Number.NEGATIVE_INFINITY;
  let running: Promise<SweepReport> | null = null;

  const run = async (): Promise<SweepReport> => {
    const now = deps.clock.now();
    const interrupted = await deps.approvals.interruptedSubmits(new Date(now.getTime() - staleSubmitMs), BatchSize);
    for (const card of interrupted) await reportInterruptedCard(deps, log, card);
    const expired = await deps.approvals.expireDue(now, BatchSize);
    for (const card of expired) await refreshCard(deps, card, log);
    const streams = await deps.streams.claimAbandoned(new Date(now.getTime() - staleStreamMs), BatchSize);
    for (const stream of streams) await closeAbandonedStream(deps, log, stream);
    let prunedEvents = 0;
    let prunedRequests = 0;
    if (now.getTime() - lastPrune >= pruneEveryMs) {
      lastPrune = now.getTime();
      const pruned = await deps.housekeeping.prune({
        eventsBefore: new Date(now.getTime() - eventRetentionMs),
        requestsBefore: new Date(now.getTime() - requestRetentionMs),
      });
      prunedEvents = pruned.events;
      prunedRequests = pruned.requests;
    }
    const report = {
      interrupted: interrupted.length,
      expired: expired.length,
      prunedEvents,
      prunedRequests,
      closedStreams: streams.length,
    };
    if (Object.values(report).some((count) => count > 0)) log.info(report, 'sweep');
    return report;
  };

  const sweep = () => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    sweep,
    start() {
      const tick = () =>
        void sweep().catch((error: unknown) => log.warn({ err: error }, 'sweep failed; will try again'));
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * Shutdown ran out of time with work in flight: say so in each thread, so nobody waits for an answer that will not
 * come, and mark interrupted Submits (they are not sent again after the restart). Returns how many were reported.
 */
export async function reportInterruptedWork(deps: SlackDeps, items: readonly InFlightItem[]): Promise<number> {
  const log = deps.logger.child({ component: 'shutdown' });
  let reported = 0;
  for (const item of items) {
    try {
      if (item.kind === 'submit') {
        const card = await deps.approvals.interrupt(item.cardId);
        if (card) {
          await reportInterruptedCard(deps, log, card);
          reported += 1;
        }
        continue;
      }
      const who = /^[UW][A-Z0-9]{1,30}$/.test(item.slackUserId) ? `<@${item.slackUserId}>` : 'someone';
      const words =
        item.kind === 'relay'
          ? `The service restarted while ${escapeMrkdwn(item.agentName)} was working on ${who}'s message. ` +
            'It may have reached the ticket: its answer will be in the AI HelpDesk. Send the message again if no reply appears here.'
          : `The service restarted while creating a ticket for ${who}. ` +
            'If no ticket card appears in this thread within a few minutes, press Create Ticket again.';
      const mentioned = who === 'someone' ? [] : [item.slackUserId];
      await deps.poster.post(item.thread, buildNotice(words, undefined, mentioned));
      log.warn(
        { kind: item.kind, channelId: item.thread.channelId, threadTs: item.thread.threadTs },
        'interrupted work reported',
      );
      reported += 1;
    } catch (error) {
      log.error({ err: error, kind: item.kind }, 'could not report interrupted work');
    }
  }
  return reported;
}
