import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CardItem } from '../../src/domain/command-card.js';
import type { TicketStore } from '../../src/domain/ports.js';
import type { ThreadRef } from '../../src/domain/thread-link.js';
import { openPgliteStore } from '../../src/store/pglite.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { SqlExecutor } from '../../src/store/sql-executor.js';
import { type Plan, sizeLabel } from '../plan.js';
import { freshSchema } from '../postgres.js';
import { type Row, ratioOf } from '../report.js';
import { collectGarbage, type Summary, summarize } from '../stats.js';
import type { Engine } from '../workspace.js';

/** A database the section filled, kept for the start-up section; `cleanup` removes it. */
export interface FilledDatabase {
  readonly engine: Engine;
  readonly links: number;
  /** DATA_DIR or DATABASE_URL for a service on it. */
  readonly env: Readonly<Record<string, string>>;
}

export interface StoreScalingContext {
  readonly plan: Plan;
  readonly databaseUrl: string | undefined;
  readonly log: (message: string) => void;
  /** Registers work to do when the benchmark ends (drop the schema, remove the directory). */
  readonly onCleanup: (cleanup: () => Promise<void>) => void;
}

const TeamId = 'T0001';
const Channels = 5_000;
const LookupP99LimitMs = 1;

/** Link number g lives in one of 5,000 channels; its thread ts encodes g (the SQL below builds the same). */
const threadOf = (g: number): ThreadRef => ({
  teamId: TeamId,
  channelId: `C${String(g % Channels).padStart(4, '0')}`,
  threadTs: `1700000000.${String(g).padStart(7, '0')}`,
});

const items: CardItem[] = [
  {
    kind: 'cmd',
    text: 'kubectl get pods -n duploservices-dev',
    raw: { command: 'kubectl get pods -n duploservices-dev' },
  },
];

/** One executed command card per this many links. */
const LinksPerCard = 10;

/** Links from..to (and one executed command card per ten) in two statements, then fresh planner statistics. */
async function bulkLoad(executor: SqlExecutor, from: number, to: number): Promise<void> {
  await executor.query(
    `INSERT INTO thread_links (team_id, channel_id, thread_ts, portal, api, space_id, space_name, ticket_name,
       ticket_title, agent_name, agent_id, permissions, created_by, active, created_at, updated_at)
     SELECT $3, 'C' || lpad((g % ${Channels})::text, 4, '0'), '1700000000.' || lpad(g::text, 7, '0'), 'acme',
       'tenant', 'tenant-dev', 'dev', 'ticket-' || g, 'Pods are crashing', 'kubernetes-agent', 'k8s-1',
       '[{"id":"dev-deployer","name":"dev-deployer"}]'::jsonb, 'U' || (g % 500), true, now(), now()
       FROM generate_series($1::int, $2::int) AS g`,
    [from, to, TeamId],
  );
  await executor.query(
    `INSERT INTO command_cards (id, link_id, team_id, channel_id, thread_ts, portal, space_id, ticket_name,
       agent_id, permissions, items, choices, status, created_at, updated_at, expires_at)
     SELECT 'bulk-' || g, g::text, $3, 'C' || lpad((g % ${Channels})::text, 4, '0'),
       '1700000000.' || lpad(g::text, 7, '0'), 'acme', 'tenant-dev', 'ticket-' || g, 'k8s-1',
       '[{"id":"dev-deployer","name":"dev-deployer"}]'::jsonb, $4::jsonb, '{}'::jsonb, 'executed', now(), now(), now()
       FROM generate_series($1::int, $2::int) AS g
      WHERE g % ${LinksPerCard} = 0`,
    [from, to, TeamId, JSON.stringify(items)],
  );
  // As autovacuum would have done on a database that has been running: visibility map, hint bits, statistics.
  // (One statement each: VACUUM refuses to run inside the implicit transaction of a multi-statement string.)
  await executor.exec('VACUUM ANALYZE thread_links');
  await executor.exec('VACUUM ANALYZE command_cards');
}

async function timed(samples: number, run: (index: number) => Promise<void>): Promise<Summary> {
  const times: number[] = [];
  for (let index = 0; index < samples; index++) {
    const started = performance.now();
    await run(index);
    times.push(performance.now() - started);
  }
  return summarize(times);
}

/** Untimed rounds of both operations first, so the first size is not also measuring the JIT. */
async function warmUp(store: TicketStore, size: number, pick: () => number): Promise<void> {
  const now = new Date();
  for (let round = 0; round < 200; round++) {
    const g = pick();
    await store.activeLink(threadOf(g));
    const card = await store.createCard({
      id: `warm-${size}-${round}`,
      linkId: String(g),
      thread: threadOf(g),
      portal: 'acme',
      spaceId: 'tenant-dev',
      ticketName: `ticket-${g}`,
      agentId: 'k8s-1',
      permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
      items,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 30 * 60_000),
    });
    await store.transitionCard(card.id, 'pending', 'submitted', { at: now, submittedBy: 'UALICE' });
  }
}

interface SizeFigures {
  readonly size: number;
  readonly loadSeconds: number;
  readonly lookup: Summary;
  readonly transition: Summary;
}

async function measureAtSizes(
  engine: Engine,
  store: TicketStore & { readonly executor: SqlExecutor },
  plan: Plan,
  log: (message: string) => void,
): Promise<SizeFigures[]> {
  const figures: SizeFigures[] = [];
  let loaded = 0;
  for (const size of plan.store.sizes) {
    log(`store: ${engine}, loading ${sizeLabel(size)} links and cards`);
    const started = performance.now();
    await bulkLoad(store.executor, loaded + 1, size);
    loaded = size;
    const loadSeconds = (performance.now() - started) / 1000;

    const pick = () => 1 + Math.floor(Math.random() * size);
    await warmUp(store, size, pick);
    collectGarbage();
    const lookup = await timed(plan.store.samples, async () => {
      if (!(await store.activeLink(threadOf(pick())))) throw new Error('a loaded link was not found');
    });

    const now = new Date();
    const cardIds: string[] = [];
    for (let index = 0; index < plan.store.samples; index++) {
      const g = pick();
      const card = await store.createCard({
        id: `bench-${size}-${index}`,
        linkId: String(g),
        thread: threadOf(g),
        portal: 'acme',
        spaceId: 'tenant-dev',
        ticketName: `ticket-${g}`,
        agentId: 'k8s-1',
        permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
        items,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 30 * 60_000),
      });
      cardIds.push(card.id);
    }
    collectGarbage();
    const transition = await timed(plan.store.samples, async (index) => {
      const at = new Date();
      const moved = await store.transitionCard(cardIds[index] as string, 'pending', 'submitted', {
        at,
        submittedBy: 'UALICE',
        choices: { '0': { decision: 'approve', by: 'UALICE', at } },
      });
      if (!moved) throw new Error('a pending card did not move to submitted');
    });
    figures.push({ size, loadSeconds, lookup, transition });
  }
  return figures;
}

/** Flat with size: the median at this size is at most this many times the median at the smallest size. */
const FlatRatio = 2;

function rowsFor(engine: Engine, figures: readonly SizeFigures[]): Row[] {
  const first = figures[0];
  if (!first) return [];
  const smallest = sizeLabel(first.size);
  return figures.flatMap(({ size, loadSeconds, lookup, transition }) => {
    const section = `5 store ${engine} ${sizeLabel(size)} links`;
    const grown = size !== first.size;
    // Against the smallest size: p50s carry the "flat" target (p99s on a shared machine mostly measure neighbours).
    const compared = (value: number, atSmallest: number, flat: boolean) => {
      if (!grown) return {};
      const ratio = ratioOf(value, atSmallest);
      return {
        baseline: { value: atSmallest, label: `at ${smallest}` },
        ratio,
        ...(flat ? { target: `flat: ≤ ${FlatRatio}× at ${smallest}`, met: ratio !== null && ratio <= FlatRatio } : {}),
      };
    };
    return [
      {
        section,
        metric: 'link lookup p50',
        unit: 'ms',
        value: lookup.p50,
        ...compared(lookup.p50, first.lookup.p50, true),
      },
      {
        section,
        metric: 'link lookup p99',
        unit: 'ms',
        value: lookup.p99,
        ...compared(lookup.p99, first.lookup.p99, false),
        target: `< ${LookupP99LimitMs} ms`,
        met: lookup.p99 < LookupP99LimitMs,
        note: `activeLink() of random loaded threads, ${lookup.count} samples; loading this step took ${loadSeconds.toFixed(1)} s`,
      },
      {
        section,
        metric: 'card transition p50',
        unit: 'ms',
        value: transition.p50,
        ...compared(transition.p50, first.transition.p50, true),
      },
      {
        section,
        metric: 'card transition p99',
        unit: 'ms',
        value: transition.p99,
        ...compared(transition.p99, first.transition.p99, false),
        note: `transitionCard() pending → submitted, ${transition.count} samples; one command card per ${LinksPerCard} links`,
      },
    ];
  });
}

/**
 * Section 5, one engine: link lookup and card transition latency as the tables grow through the plan's sizes (one
 * database, filled step by step). The filled database is kept for the start-up section.
 */
export async function measureStoreScaling(
  context: StoreScalingContext,
  engine: Engine,
): Promise<{ rows: Row[]; database: FilledDatabase }> {
  const { plan, databaseUrl, log, onCleanup } = context;
  const links = plan.store.sizes.at(-1) ?? 0;
  if (engine === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-store-'));
    onCleanup(() => rm(dataDir, { recursive: true, force: true }));
    const store = await openPgliteStore({ dataDir });
    try {
      const rows = rowsFor(engine, await measureAtSizes(engine, store, plan, log));
      return { rows, database: { engine, links, env: { DATA_DIR: dataDir } } };
    } finally {
      await store.close();
    }
  }
  if (!databaseUrl) throw new Error('no PostgreSQL: set TEST_DATABASE_URL or DATABASE_URL');
  const schema = await freshSchema(databaseUrl, 'store');
  onCleanup(() => schema.drop());
  const store = await openPostgresStore({ url: schema.url, poolSize: 2 });
  try {
    const rows = rowsFor(engine, await measureAtSizes(engine, store, plan, log));
    return { rows, database: { engine, links, env: { DATABASE_URL: schema.url } } };
  } finally {
    await store.close();
  }
}
