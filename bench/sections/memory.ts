import { type BenchChild, currentRuntime } from '../children.js';
import { type PreparedRequest, runLoad } from '../load.js';
import type { Plan } from '../plan.js';
import { type Row, ratioOf } from '../report.js';
import { sleep } from '../stats.js';
import { type BenchFakes, type Engine, mentionsIn, newThreads, seedLinksFor, unlinkedMentions } from '../workspace.js';

/** An app to profile: `open` gives a process (fresh or running) and says whether to stop it afterwards. */
export interface MemorySubject {
  readonly open: () => Promise<{ readonly child: BenchChild; readonly owned: boolean }>;
}

export interface MemoryContext {
  readonly plan: Plan;
  readonly fakes: BenchFakes;
  readonly tickets: readonly string[];
  readonly services: ReadonlyArray<MemorySubject & { readonly engine: Engine }>;
  readonly bare: MemorySubject;
  readonly log: (message: string) => void;
}

interface MemoryProfile {
  readonly idle: number;
  readonly peak: number;
  readonly after: number;
  /** The embedded engine's own memory, after (bytes, within `after`); 0 without one. */
  readonly engine: number;
}

const MB = 2 ** 20;
const IdleLimitMB = 150;
const PeakLimitMB = 250;

/** RSS every `everyMs` while `work` runs; the highest seen. */
async function peakDuring(child: BenchChild, everyMs: number, work: () => Promise<void>): Promise<number> {
  let peak = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await child.rss());
      await sleep(everyMs);
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await sampler;
  }
  return Math.max(peak, await child.rss());
}

async function profile(
  plan: Plan,
  subject: MemorySubject,
  prepare: (child: BenchChild) => Promise<PreparedRequest[]>,
): Promise<MemoryProfile> {
  const { child, owned } = await subject.open();
  try {
    await sleep(plan.memory.settleMs);
    const idle = await child.rss();
    const requests = await prepare(child);
    const peak = await peakDuring(child, plan.memory.sampleEveryMs, async () => {
      await runLoad(`${child.url}/slack/events`, requests, plan.memory.connections);
      if (!(await child.idle(120_000))) throw new Error('the app did not finish its work within 2 minutes');
    });
    await sleep(plan.memory.settleMs);
    return { idle, peak, after: await child.rss(), engine: await child.engineMemory() };
  } finally {
    if (owned) await child.stop();
  }
}

/**
 * Section 4: RSS of the service alone (its own process) on each engine: idle after start, the peak (sampled) during
 * a burst of events, half new mentions and half mentions in linked threads, until its work is done, and after. The
 * bare Bolt app takes the same number of mentions.
 */
export async function measureMemory(context: MemoryContext): Promise<Row[]> {
  const { plan, fakes, tickets, services, bare, log } = context;
  const { events, connections } = plan.memory;
  log(`memory: ${events} events at concurrency ${connections}`);
  const theirs = await profile(plan, bare, async () => unlinkedMentions(fakes, 'O', events).requests);
  const rows: Row[] = [];
  for (const service of services) {
    const ours = await profile(plan, service, async (child) => {
      const half = Math.floor(events / 2);
      const threads = newThreads(fakes, 'M', events - half, tickets);
      await child.seedLinks(seedLinksFor(fakes, threads));
      const unlinked = unlinkedMentions(fakes, 'N', half).requests;
      const linked = mentionsIn(fakes, threads).requests;
      return linked.flatMap((request, index) => [request, ...(unlinked[index] ? [unlinked[index]] : [])]);
    });
    const section = `4 memory ${service.engine}`;
    const row = (metric: string, value: number, baseline: number, limit?: number): Row => ({
      section,
      metric,
      unit: 'MB',
      value: value / MB,
      baseline: { value: baseline / MB, label: 'bare Bolt' },
      ratio: ratioOf(value, baseline),
      ...(limit === undefined ? {} : { target: `< ${limit} MB`, met: value / MB < limit }),
    });
    const loader =
      currentRuntime().kind === 'compiled' ? 'compiled JavaScript' : 'under tsx (its loader thread adds ~45 MB)';
    const how = plan.memory.freshProcesses
      ? 'fresh processes'
      : 'the processes sections 1-3 used (quick mode), so "idle" is not right after start';
    rows.push(
      { ...row('RSS idle after start', ours.idle, theirs.idle, IdleLimitMB), note: `${how}; ${loader}` },
      {
        ...row(`RSS peak, ${events} events c=${connections}`, ours.peak, theirs.peak, PeakLimitMB),
        note: `sampled every ${plan.memory.sampleEveryMs} ms until the app was idle again`,
      },
      row(`RSS after (+${plan.memory.settleMs / 1000} s)`, ours.after, theirs.after),
    );
    if (ours.engine > 0) {
      rows.push({
        section,
        metric: 'engine memory, after (within the RSS)',
        unit: 'MB',
        value: ours.engine / MB,
        note: 'the embedded PGlite in its worker thread: WebAssembly heap (PostgreSQL) + the worker’s JavaScript heap',
      });
    }
  }
  return rows;
}
