import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkChild } from '../children.js';
import { type Plan, sizeLabel } from '../plan.js';
import { freshSchema } from '../postgres.js';
import { type Row, ratioOf } from '../report.js';
import { sleep } from '../stats.js';
import { type BenchFakes, bareBoltEnv, serviceEnv } from '../workspace.js';
import type { FilledDatabase } from './store-scaling.js';

export interface StartupContext {
  readonly plan: Plan;
  readonly fakes: BenchFakes;
  readonly databaseUrl: string | undefined;
  /** Databases the store section filled (the large start-ups). */
  readonly filled: readonly FilledDatabase[];
  readonly log: (message: string) => void;
  /** Runs a part that may fail on its own (recorded as a failed section) without losing the other figures. */
  readonly guard: <T>(name: string, work: () => Promise<T>) => Promise<T | undefined>;
}

const LimitMs = 3_000;

/** A port free right now on 127.0.0.1, so the probe can knock before the process has said anything. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Polls `url` every 10 ms until `ok(status)`; the time since `since` (performance.now()) when it first was. Gives
 * up when `exited()` says the process is gone.
 */
async function firstOk(
  url: string,
  since: number,
  ok: (status: number) => boolean,
  exited: () => boolean,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = since + timeoutMs;
  while (performance.now() < deadline) {
    if (exited()) throw new Error(`the process serving ${url} exited while starting`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (ok(response.status)) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Forks the service on a known port and times process start → first 200 from /readyz. */
async function serviceStartup(fakes: BenchFakes, env: Readonly<Record<string, string>>): Promise<number> {
  const port = await freePort();
  const starting = forkChild('service', serviceEnv(fakes, { ...env, PORT: String(port) }));
  starting.catch(() => undefined);
  const exited = () => starting.process.exitCode !== null || starting.process.signalCode !== null;
  try {
    return await firstOk(`http://127.0.0.1:${port}/readyz`, starting.forkedAt, (status) => status === 200, exited);
  } finally {
    await (await starting).stop();
  }
}

/**
 * Section 6: time from process start to /readyz 200, for an empty and a large database on each engine. The
 * baseline is the bare Bolt app's process start → first HTTP answer (same node, same tsx loader).
 */
export async function measureStartup(context: StartupContext): Promise<Row[]> {
  const { plan, fakes, databaseUrl, filled, log, guard } = context;
  log('startup: bare Bolt baseline');
  const barePort = await freePort();
  const bareStarting = forkChild('bare-bolt', { ...bareBoltEnv(fakes), PORT: String(barePort) });
  bareStarting.catch(() => undefined);
  const bareExited = () => bareStarting.process.exitCode !== null || bareStarting.process.signalCode !== null;
  let bareMs: number;
  try {
    bareMs = await firstOk(`http://127.0.0.1:${barePort}/`, bareStarting.forkedAt, () => true, bareExited);
  } finally {
    await (await bareStarting).stop();
  }

  const row = (section: string, metric: string, ms: number, note?: string): Row => ({
    section,
    metric,
    unit: 'ms',
    value: ms,
    baseline: { value: bareMs, label: 'bare Bolt start' },
    ratio: ratioOf(ms, bareMs),
    target: `< ${LimitMs} ms`,
    met: ms < LimitMs,
    ...(note ? { note } : {}),
  });
  const rows: Row[] = [];

  if (plan.startup.firstBoot) {
    log('startup: pglite');
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
    try {
      const first = await serviceStartup(fakes, { DATA_DIR: dataDir });
      const again = await serviceStartup(fakes, { DATA_DIR: dataDir });
      rows.push(
        row('6 startup pglite', 'empty, first boot → /readyz', first, 'a new DATA_DIR: PGlite creates its cluster'),
        row('6 startup pglite', 'empty → /readyz', again),
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  await guard('6 startup detection', async () => {
    // HelpDesk detection (docs/duplocloud-api.md §0) runs beside Bolt's start-up: what it adds is the difference
    // between a portal whose `api` is configured (no probes) and one whose HelpDesk is detected.
    log('startup: HelpDesk detection');
    const portalsWith = (api?: 'tenant') =>
      JSON.stringify([
        {
          name: 'acme',
          duplo_host: fakes.portal.url,
          duplo_token: fakes.portal.adminToken,
          ...(api ? { api } : {}),
        },
      ]);
    // A quick run starts each once: it only keeps the section from rotting.
    const runs = plan.startup.firstBoot ? 3 : 1;
    const median = async (env: Record<string, string>) => {
      const times: number[] = [];
      for (let run = 0; run < runs; run++) times.push(await serviceStartup(fakes, env));
      return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
    };
    // On a database that already exists (the store section's smallest), so the embedded engine's first boot does not
    // drown the difference.
    const database = filled[0]?.env ?? {};
    const configured = await median({ ...database, DUPLO_SLACK_APP_PORTALS: portalsWith('tenant') });
    const detected = await median({ ...database, DUPLO_SLACK_APP_PORTALS: portalsWith() });
    rows.push(
      row('6 startup detection', 'api configured → /readyz', configured, 'no probes'),
      row(
        '6 startup detection',
        'api detected → /readyz',
        detected,
        `detection adds ${Math.round(detected - configured)} ms (median of ${runs}; probes run beside Bolt's start)`,
      ),
    );
  });

  if (databaseUrl) {
    await guard('6 startup postgres', async () => {
      log('startup: postgres');
      const schema = await freshSchema(databaseUrl, 'startup');
      try {
        const first = await serviceStartup(fakes, { DATABASE_URL: schema.url });
        rows.push(
          row('6 startup postgres', 'empty, first boot → /readyz', first, 'a new schema: migrations run first'),
        );
        if (plan.startup.firstBoot) {
          rows.push(
            row('6 startup postgres', 'empty → /readyz', await serviceStartup(fakes, { DATABASE_URL: schema.url })),
          );
        }
      } finally {
        await schema.drop();
      }
    });
  }

  for (const database of filled) {
    await guard(`6 startup ${database.engine} ${sizeLabel(database.links)}`, async () => {
      log(`startup: ${database.engine} with ${sizeLabel(database.links)} links`);
      const ms = await serviceStartup(fakes, database.env);
      rows.push(row(`6 startup ${database.engine}`, `${sizeLabel(database.links)} links → /readyz`, ms));
    });
  }
  return rows;
}
