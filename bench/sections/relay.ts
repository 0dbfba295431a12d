import type { BenchChild } from '../children.js';
import type { Plan } from '../plan.js';
import { type Row, ratioOf } from '../report.js';
import { coveredMs, summarize } from '../stats.js';
import {
  Alice,
  type BenchFakes,
  deliver,
  type EngineService,
  newChannel,
  newThreads,
  seedLinksFor,
  type Thread,
} from '../workspace.js';

export interface RelayContext {
  readonly plan: Plan;
  readonly fakes: BenchFakes;
  readonly services: readonly EngineService[];
  readonly bare: BenchChild;
  readonly tickets: readonly string[];
  readonly log: (message: string) => void;
}

const OverheadP50LimitMs = 20;

/** When the app's reply reached the fake Slack (ms since the epoch): the last post or update in the channel. */
function replyAt(fakes: BenchFakes, thread: Thread, since: number): number {
  const posts = fakes.slack.calls.filter(
    (call) =>
      call.ok &&
      (call.method === 'chat.postMessage' || call.method === 'chat.update') &&
      call.args.channel === thread.channelId &&
      call.at.getTime() >= since,
  );
  const last = posts.at(-1);
  if (!last) throw new Error(`no reply reached the fake Slack in ${thread.channelId}`);
  return last.at.getTime();
}

/**
 * Section 3: what the service adds between a mention in a linked thread and the agent's reply in Slack. One
 * mention at a time, each in its own linked thread; end to end runs from sending the mention to the fake Slack
 * receiving the reply, and the time the fake portal spent answering (its latency included) is taken out. The
 * baseline is the bare Bolt app's mention → message, timed the same way. Timestamps have 1 ms resolution.
 */
export async function measureRelayOverhead(context: RelayContext): Promise<Row[]> {
  const { plan, fakes, services, bare, tickets, log } = context;
  const { samples, portalLatencyMs } = plan.relay;

  const bareTimes: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const channel = newChannel('Q');
    const { event, ts } = fakes.slack.mention({ user: Alice.id, channel, text: 'hello' });
    const sent = Date.now();
    await deliver(bare.url, event, 'event');
    await bare.idle(10_000);
    bareTimes.push(replyAt(fakes, { channelId: channel, threadTs: ts }, sent) - sent);
  }
  const baseline = summarize(bareTimes);

  const rows: Row[] = [];
  fakes.portal.setLatency(portalLatencyMs);
  try {
    for (const { engine, child } of services) {
      log(`relay: ${samples} mentions in linked threads on ${engine}`);
      const threads = newThreads(fakes, 'R', samples, tickets);
      await child.seedLinks(seedLinksFor(fakes, threads));
      const endToEnd: number[] = [];
      const portalTimes: number[] = [];
      const overheads: number[] = [];
      for (const thread of threads) {
        const { event } = fakes.slack.mention({
          user: Alice.id,
          channel: thread.channelId,
          text: 'any news?',
          threadTs: thread.threadTs,
        });
        fakes.portal.resetCalls();
        const sent = Date.now();
        await deliver(child.url, event, 'event');
        if (!(await child.idle(30_000))) throw new Error('the service did not go idle within 30 s');
        const replied = replyAt(fakes, thread, sent);
        const portalMs = coveredMs(
          fakes.portal.calls.map((call) => [call.at.getTime(), call.at.getTime() + call.durationMs] as const),
          sent,
          replied,
        );
        endToEnd.push(replied - sent);
        portalTimes.push(portalMs);
        overheads.push(replied - sent - portalMs);
      }
      const overhead = summarize(overheads);
      const total = summarize(endToEnd);
      const portal = summarize(portalTimes);
      const section = `3 mention→reply ${engine}`;
      const note =
        `${samples} mentions; end to end p50 ${total.p50.toFixed(0)} ms, of which fake portal p50 ` +
        `${portal.p50.toFixed(0)} ms (its latency set to ${portalLatencyMs} ms per call)`;
      rows.push(
        {
          section,
          metric: 'service overhead p50',
          unit: 'ms',
          value: overhead.p50,
          baseline: { value: baseline.p50, label: 'bare Bolt mention→post' },
          ratio: ratioOf(overhead.p50, baseline.p50),
          target: `< ${OverheadP50LimitMs} ms`,
          met: overhead.p50 < OverheadP50LimitMs,
          note,
        },
        {
          section,
          metric: 'service overhead p99',
          unit: 'ms',
          value: overhead.p99,
          baseline: { value: baseline.p99, label: 'bare Bolt mention→post' },
          ratio: ratioOf(overhead.p99, baseline.p99),
        },
      );
    }
  } finally {
    fakes.portal.setLatency(0);
  }
  return rows;
}
