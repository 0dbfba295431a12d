import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { openPgliteStore } from '../src/store/pglite.js';
import { openPostgresStore } from '../src/store/postgres.js';
import type { SqlExecutor } from '../src/store/sql-executor.js';
import { type SeedLinks, serveParent } from './ipc.js';

/**
 * The service as the benchmark measures it, alone in its process: configured from the environment exactly like
 * src/main.ts (plus BENCH_SLACK_RETRIES, the Web API retry count, and BENCH_SLACK_PACING, messages per second per
 * channel; unset = the production defaults), listening on
 * 127.0.0.1. It announces its URL over IPC and answers the benchmark's requests: RSS, "idle?", link seeding, stop.
 */

const config = loadConfig(process.env);
const retries = process.env.BENCH_SLACK_RETRIES;
// Messages per second per channel (and the burst) when relaxed; unset = the production pacing. Slack's per-channel
// rate is section 7's subject; sections 1-4 measure what a request costs the service, not time spent waiting on it.
const pacing = process.env.BENCH_SLACK_PACING;
const store = config.databaseUrl
  ? await openPostgresStore({ url: config.databaseUrl })
  : await openPgliteStore({ dataDir: config.dataDir });
const service = await startService(config, {
  host: '127.0.0.1',
  store,
  // The benchmark is one person flooding threads on purpose: the abuse limits would refuse most of it, and what is
  // measured here is the work a request costs, not the limiter.
  rateLimits: {
    relayPerPerson: { capacity: 1_000_000, perMinute: 1_000_000 },
    relayPerThread: { capacity: 1_000_000, perMinute: 1_000_000 },
    ticketPerPerson: { capacity: 1_000_000, perMinute: 1_000_000 },
    ticketPerThread: { capacity: 1_000_000, perMinute: 1_000_000 },
  },
  ...(retries === undefined ? {} : { slackClientOptions: { retryConfig: { retries: Number(retries) } } }),
  ...(pacing === undefined ? {} : { slackPacing: { perSecond: Number(pacing), burst: Number(pacing) } }),
});

let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= service.stop().then(() => store.close());
  return stopping;
};
process.once('SIGTERM', () => void stop().finally(() => process.exit(0)));

// The links go straight into the table (one statement): seeding thousands through linkThread is not what we measure.
const seed = async (executor: SqlExecutor, links: SeedLinks): Promise<number> => {
  const rows = await executor.query(
    `INSERT INTO thread_links (team_id, channel_id, thread_ts, portal, api, space_id, space_name, ticket_name,
       ticket_title, agent_name, agent_id, permissions, created_by, active, created_at, updated_at)
     SELECT $1, t->>'channelId', t->>'threadTs', $2, $10, $3, $4, t->>'ticketName', 'benchmark ticket', $5, $6,
       $7::jsonb, $8, true, now(), now()
       FROM jsonb_array_elements($9::jsonb) AS t
     RETURNING id`,
    [
      links.teamId,
      links.portal,
      links.spaceId,
      links.spaceName,
      links.agentName,
      links.agentId,
      JSON.stringify(links.permissions ?? [{ id: links.identity, name: links.identity }]),
      links.createdBy,
      JSON.stringify(links.threads),
      links.api ?? 'tenant',
    ],
  );
  return rows.length;
};

serveParent(async (request) => {
  switch (request.kind) {
    case 'rss':
      return process.memoryUsage().rss;
    case 'idle':
      return service.idle(request.timeoutMs);
    case 'engine-memory': {
      if (config.databaseUrl) return 0;
      const memory = await (store as Awaited<ReturnType<typeof openPgliteStore>>).engineMemory();
      return memory.wasmBytes + memory.heapBytes;
    }
    case 'seed-links':
      return seed(store.executor, request.links);
    case 'stop':
      await stop();
      return true;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return user + system;
    }
    case 'clock':
      return Number(process.hrtime.bigint() / 1000n);
  }
});
process.send?.({ kind: 'ready', url: service.url });
