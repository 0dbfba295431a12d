import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compileChildren, removeBuild } from './build.js';
import { type BenchChild, currentRuntime, forkChild, useRuntime } from './children.js';
import { fullPlan, quickPlan } from './plan.js';
import { benchDatabaseUrl, freshSchema } from './postgres.js';
import {
  currentLoadAverage,
  describeMachine,
  type Row,
  renderTable,
  type SectionFailure,
  writeResults,
} from './report.js';
import { measureAckLatency } from './sections/ack-latency.js';
import { measureInteractions } from './sections/interactions.js';
import { measureMemory } from './sections/memory.js';
import { measurePacing } from './sections/pacing.js';
import { measureRelayOverhead } from './sections/relay.js';
import { measureStartup } from './sections/startup.js';
import { type FilledDatabase, measureStoreScaling } from './sections/store-scaling.js';
import { measureStreaming } from './sections/streaming.js';
import { bareBoltEnv, createTickets, type Engine, type EngineService, serviceEnv, startFakes } from './workspace.js';

/**
 * `npm run bench [-- --quick]`: every performance target of the service, each next to a baseline measured in the
 * same run, as one table on stdout and bench/results.json. Exits 0 when every section ran (targets missed or
 * not), 1 when a section crashed. Progress goes to stderr.
 */

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const plan = values.quick ? quickPlan : fullPlan;
const machine = describeMachine();
const databaseUrl = benchDatabaseUrl();
const started = performance.now();
const resultsPath = fileURLToPath(new URL('./results.json', import.meta.url));

const log = (message: string) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);

const rows: Row[] = [];
const failures: SectionFailure[] = [];
const cleanups: Array<() => Promise<void>> = [];

/** Runs one section; a crash is recorded (and fails the run) but the other sections still run. */
async function section<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    failures.push({ section: name, error: message.slice(0, 1_000) });
    log(`FAILED ${name}: ${message}`);
    return undefined;
  }
}

log(`${plan.mode} run on ${machine.cpuModel} (${machine.cores} cores), PostgreSQL: ${databaseUrl ? 'yes' : 'no'}`);

if (plan.mode === 'full') {
  await section('compile the measured processes', async () => {
    log('compiling src/ and the child entries with tsc');
    cleanups.push(removeBuild);
    useRuntime(await compileChildren());
  });
}
log(`measured processes run ${currentRuntime().kind === 'compiled' ? 'compiled JavaScript' : 'under tsx'}`);

// Section 7 mostly waits (about a second per message): it runs beside sections 1-4 on its own fakes and process.
const pacing = section('7 pacing', () => measurePacing({ plan, log }));

const fakes = await startFakes();

await section('1-4 service and baseline processes', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-service-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  // A broken PostgreSQL fails the run but leaves the PGlite figures standing.
  const schema = databaseUrl
    ? await section('1-4 postgres schema', () => freshSchema(databaseUrl, 'service'))
    : undefined;
  if (schema) cleanups.push(() => schema.drop());
  const envs: Array<{ engine: Engine; env: Record<string, string> }> = [
    { engine: 'pglite', env: serviceEnv(fakes, { DATA_DIR: dataDir }) },
    ...(schema ? [{ engine: 'postgres' as const, env: serviceEnv(fakes, { DATABASE_URL: schema.url }) }] : []),
  ];
  log(`starting the bare Bolt app and the service on ${envs.map(({ engine }) => engine).join(' and ')}`);
  const launched = await Promise.allSettled([
    forkChild('bare-bolt', bareBoltEnv(fakes)),
    ...envs.map(({ env }) => forkChild('service', env)),
  ]);
  const running = launched.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    const failed = launched.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [bare, ...children] = running as [BenchChild, ...BenchChild[]];
    const services: EngineService[] = children.map((child, index) => ({
      engine: envs[index]?.engine ?? 'pglite',
      child,
    }));
    const tickets = await createTickets(fakes, plan.ack.tickets);
    const shared = { plan, fakes, services, bare, tickets, log };
    rows.push(...((await section('1 ack latency', () => measureAckLatency(shared))) ?? []));
    rows.push(...((await section('2 interactions', () => measureInteractions(shared))) ?? []));
    rows.push(...((await section('3 relay overhead', () => measureRelayOverhead(shared))) ?? []));

    // Full runs profile memory on fresh processes (same databases); quick runs reuse these.
    const fresh = plan.memory.freshProcesses;
    if (fresh) await Promise.all(running.map((child) => child.stop()));
    const subject = (script: 'service' | 'bare-bolt', env: Record<string, string>, child: BenchChild) => ({
      open: async () => (fresh ? { child: await forkChild(script, env), owned: true } : { child, owned: false }),
    });
    const memory = {
      plan,
      fakes,
      tickets,
      log,
      bare: subject('bare-bolt', bareBoltEnv(fakes), bare),
      services: services.map((service, index) => ({
        engine: service.engine,
        ...subject('service', envs[index]?.env ?? {}, service.child),
      })),
    };
    rows.push(...((await section('4 memory', () => measureMemory(memory))) ?? []));
  } finally {
    await Promise.all(running.map((child) => child.stop()));
  }
});

// The next sections time the parent process itself: let go of everything sections 1-4 recorded.
await fakes.close();
rows.push(...((await pacing) ?? []));

// Section 8 times how soon streamed text shows: alone, after the sections that load the machine.
rows.push(...((await section('8 streaming', () => measureStreaming({ plan, log }))) ?? []));

const filled: FilledDatabase[] = [];
const storeContext = { plan, databaseUrl, log, onCleanup: (work: () => Promise<void>) => cleanups.push(work) };
for (const engine of databaseUrl ? (['pglite', 'postgres'] as const) : (['pglite'] as const)) {
  const result = await section(`5 store ${engine}`, () => measureStoreScaling(storeContext, engine));
  if (result) {
    rows.push(...result.rows);
    filled.push(result.database);
  }
}
if (!databaseUrl) {
  rows.push({
    section: '5 store postgres',
    metric: 'link lookup p99',
    unit: 'ms',
    value: null,
    note: 'not measured: set TEST_DATABASE_URL or DATABASE_URL to a PostgreSQL server',
  });
}

rows.push(
  ...((await section('6 startup', async () => {
    const fresh = await startFakes();
    try {
      return await measureStartup({ plan, fakes: fresh, databaseUrl, filled, log, guard: section });
    } finally {
      await fresh.close();
    }
  })) ?? []),
);

for (const cleanup of cleanups.reverse()) {
  await cleanup().catch((error: unknown) => log(`cleanup failed: ${(error as Error).message}`));
}

const sorted = [...rows].sort((a, b) => Number(a.section.slice(0, 1)) - Number(b.section.slice(0, 1)));
const durationSeconds = Math.round((performance.now() - started) / 100) / 10;
process.stdout.write(`\nduplo-helpdesk-slack benchmark, ${plan.mode}, ${new Date().toISOString()}\n`);
process.stdout.write(
  `${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryMB} MB, node ${machine.node}, load average ` +
    `${machine.loadAverageAtStart.join(' ')} at start; measured processes: ${currentRuntime().kind}\n\n`,
);
process.stdout.write(`${renderTable(sorted, failures)}\n\n`);
await writeResults(resultsPath, {
  date: new Date().toISOString(),
  mode: plan.mode,
  durationSeconds,
  machine: { ...machine, loadAverageAtEnd: currentLoadAverage() },
  measuredProcesses: currentRuntime().kind === 'compiled' ? 'compiled JavaScript (tsc)' : 'tsx loader',
  postgres: databaseUrl !== undefined,
  rows: sorted,
  failures,
});
const missed = sorted.filter((row) => row.met === false).length;
log(
  `done in ${durationSeconds} s: ${missed} target(s) missed, ${failures.length} section(s) failed; wrote ${resultsPath}`,
);
process.exit(failures.length > 0 ? 1 : 0);
