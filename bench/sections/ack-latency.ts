import type { BenchChild } from '../children.js';
import { type LoadResult, runLoad } from '../load.js';
import type { Plan } from '../plan.js';
import { type Row, ratioOf } from '../report.js';
import { summarize } from '../stats.js';
import {
  answered,
  type BenchFakes,
  type Deliveries,
  type EngineService,
  mentionsIn,
  newThreads,
  seedLinksFor,
  unlinkedMentions,
} from '../workspace.js';

export interface AckContext {
  readonly plan: Plan;
  readonly fakes: BenchFakes;
  readonly services: readonly EngineService[];
  readonly bare: BenchChild;
  /** Portal tickets that seeded links point at. */
  readonly tickets: readonly string[];
  readonly log: (message: string) => void;
}

/** Everything one app did in one scenario, over all rounds. */
class Tally {
  readonly latencies: number[] = [];
  elapsedMs = 0;
  sent = 0;
  refused = 0;
  answered = 0;

  add(load: LoadResult, answeredCount: number): void {
    this.latencies.push(...load.latencies);
    this.elapsedMs += load.elapsedMs;
    this.sent += load.completed;
    this.refused += load.non2xx + load.errors + load.timeouts;
    this.answered += answeredCount;
  }

  get requestsPerSecond(): number {
    return this.elapsedMs === 0 ? Number.NaN : (this.latencies.length / this.elapsedMs) * 1000;
  }
}

const P99LimitMs = 50;

/**
 * Section 1: ack latency and throughput of signed app_mention requests, the service (unlinked and linked threads,
 * on each engine) against a bare Bolt app. Each scenario runs in rounds, interleaved, so a burst of load from
 * elsewhere on a shared machine hits every app alike rather than one.
 */
export async function measureAckLatency(context: AckContext): Promise<Row[]> {
  const { plan, fakes, services, bare, tickets, log } = context;
  const rounds = plan.ack.rounds;

  const run = async (app: BenchChild, deliveries: Deliveries, connections: number, tally?: Tally) => {
    const load = await runLoad(`${app.url}/slack/events`, deliveries.requests, connections);
    if (!(await app.idle(120_000))) throw new Error('the app did not finish its work within 2 minutes');
    tally?.add(load, answered(fakes, deliveries.threads));
  };
  const linked = async (service: BenchChild, prefix: string, count: number): Promise<Deliveries> => {
    const threads = newThreads(fakes, prefix, count, tickets);
    const seeded = await service.seedLinks(seedLinksFor(fakes, threads));
    if (seeded !== threads.length) throw new Error(`seeded ${seeded} of ${threads.length} links`);
    return mentionsIn(fakes, threads);
  };

  log('ack: warming up');
  await run(bare, unlinkedMentions(fakes, 'W', plan.ack.warmup), plan.ack.connections);
  for (const { child } of services) {
    await run(child, unlinkedMentions(fakes, 'W', plan.ack.warmup), plan.ack.connections);
    await run(child, await linked(child, 'V', plan.ack.warmup), plan.ack.connections);
  }

  const rows: Row[] = [];
  for (const [connections, total] of [
    [1, plan.ack.single],
    [plan.ack.connections, plan.ack.concurrent],
  ] as const) {
    const perRound = Math.max(connections, Math.floor(total / rounds));
    log(`ack: concurrency ${connections}, ${perRound * rounds} requests per app and scenario`);
    const baseline = new Tally();
    const tallies = services.map((service) => ({ service, unlinked: new Tally(), linked: new Tally() }));
    for (let round = 0; round < rounds; round++) {
      await run(bare, unlinkedMentions(fakes, 'B', perRound), connections, baseline);
      for (const tally of tallies) {
        await run(tally.service.child, unlinkedMentions(fakes, 'U', perRound), connections, tally.unlinked);
        await run(tally.service.child, await linked(tally.service.child, 'L', perRound), connections, tally.linked);
      }
    }
    for (const tally of tallies) {
      const engine = tally.service.engine;
      rows.push(
        ...rowsFor(`1 ack unlinked c=${connections} ${engine}`, tally.unlinked, baseline),
        ...rowsFor(`1 ack linked c=${connections} ${engine}`, tally.linked, baseline),
      );
    }
  }
  return rows;
}

function rowsFor(section: string, service: Tally, bare: Tally): Row[] {
  const ours = summarize(service.latencies);
  const theirs = summarize(bare.latencies);
  const baseline = (value: number) => ({ value, label: 'bare Bolt' });
  const p99Ratio = ratioOf(ours.p99, theirs.p99);
  const throughputRatio = ratioOf(service.requestsPerSecond, bare.requestsPerSecond);
  const note =
    `${service.sent} requests, ${service.refused} not acked 2xx, ${service.answered} answered in the thread ` +
    `(bare Bolt: ${bare.sent}, ${bare.refused}, ${bare.answered})`;
  const rows: Row[] = [
    {
      section,
      metric: 'ack p50',
      unit: 'ms',
      value: ours.p50,
      baseline: baseline(theirs.p50),
      ratio: ratioOf(ours.p50, theirs.p50),
    },
    {
      section,
      metric: 'ack p99',
      unit: 'ms',
      value: ours.p99,
      baseline: baseline(theirs.p99),
      ratio: p99Ratio,
      target: `≤ 1.2× bare, < ${P99LimitMs} ms`,
      met: p99Ratio !== null && p99Ratio <= 1.2 && ours.p99 < P99LimitMs,
    },
    {
      section,
      metric: 'throughput',
      unit: 'req/s',
      value: service.requestsPerSecond,
      baseline: baseline(bare.requestsPerSecond),
      ratio: throughputRatio,
      target: '≥ 0.8× bare',
      met: throughputRatio !== null && throughputRatio >= 0.8,
      note,
    },
  ];
  if (service.refused > 0 || service.answered < service.sent) {
    rows.push({
      section,
      metric: 'mentions acked and answered',
      unit: '',
      value: service.answered,
      target: `all ${service.sent}`,
      met: false,
      note,
    });
  }
  return rows;
}
