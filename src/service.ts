import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WebClientOptions } from '@slack/web-api';
import { ErrorCode, WebClient } from '@slack/web-api';
import type { DestinationStream } from 'pino';
import type { AppConfig } from './config.js';
import { createAccessService } from './domain/access.js';
import { createApprovalService } from './domain/approval-service.js';
import { createChannelDefaultsService } from './domain/channel-defaults-service.js';
import { DomainError, isDomainError } from './domain/errors.js';
import { createHousekeeping } from './domain/housekeeping.js';
import { createOpenStreamLedger } from './domain/open-streams.js';
import { type Clock, systemClock, type TicketStore } from './domain/ports.js';
import { createRateLimiter, type RateLimits } from './domain/rate-limit.js';
import { createRedactor } from './domain/redact.js';
import { createTicketClosing } from './domain/ticket-closing.js';
import { createTicketService } from './domain/ticket-service.js';
import { createServiceHttpServer } from './http/service-http-server.js';
import { boltLoggerFrom, createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPortalClient, createPortalDirectory, type PortalClientOptions } from './portal/index.js';
import { createDetectionLog } from './portal-detection-log.js';
import { createReadiness, type Readiness } from './readiness.js';
import type { PortalStatus } from './slack/blocks/app-home.js';
import type { SlackDeps } from './slack/flows/deps.js';
import { createLiveReplies, type LiveReplyOptions } from './slack/flows/live-replies.js';
import { createSweeper, reportInterruptedWork, type SweeperOptions, type SweepReport } from './slack/flows/sweeper.js';
import { registerListeners } from './slack/listeners/index.js';
import { createSlackApp } from './slack/runtime/app.js';
import { createInFlightWork } from './slack/runtime/in-flight.js';
import { createReplayGuard } from './slack/runtime/replay-guard.js';
import { createSlackRequestGate } from './slack/runtime/request-gate.js';
import { createChannelMembership } from './slack/web/channel-membership.js';
import { createPermalinks } from './slack/web/permalinks.js';
import { createSlackUserDirectory } from './slack/web/slack-users.js';
import type { StreamMethod } from './slack/web/stream-budget.js';
import { createThreadHistory } from './slack/web/thread-history.js';
import { createThreadPoster } from './slack/web/thread-poster.js';
import { type StartingStore, startStore } from './store/open-store.js';
import { createWorkTracker } from './work-tracker.js';

const delay = (ms: number): Promise<undefined> =>
  new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());

/** Knobs tests, the demo and the benchmark turn; production uses the defaults. */
export interface ServiceOptions {
  readonly clock?: Clock;
  readonly host?: string;
  readonly slackClientOptions?: Partial<WebClientOptions>;
  readonly portalClientOptions?: Omit<PortalClientOptions, 'observe' | 'onDetection'>;
  /** How long start-up waits for the portals' HelpDesk detection before it goes on without it. Default 5 s. */
  readonly detectionWaitMs?: number;
  readonly logDestination?: DestinationStream;
  readonly submitBudgetMs?: number;
  readonly shutdownTimeoutMs?: number;
  /** Reuse an already open store (tests running two instances on one database open their own). */
  readonly store?: TicketStore;
  /** Per-person and per-thread abuse limits; the defaults suit people, tests of the limits use smaller ones. */
  readonly rateLimits?: RateLimits;
  /** Start-up and periodic sweeps (interrupted Submits, expired cards, pruning). */
  readonly sweeper?: SweeperOptions;
  /** Per-channel pacing of posts (Slack's ~1 message/second); tests of other things speed it up. */
  readonly slackPacing?: { readonly perSecond: number; readonly burst: number };
  /** Live replies: timings and Slack's streaming limits (tests and the benchmark shorten or tighten them). */
  readonly liveReplies?: Partial<Omit<LiveReplyOptions, 'instanceId'>> & {
    readonly limits?: Partial<Record<StreamMethod, number>>;
  };
  /** How long /readyz keeps a portal's result (tests of recovery shorten it). */
  readonly readinessCacheMs?: { readonly ok: number; readonly failed: number };
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly store: TicketStore;
  readonly deps: SlackDeps;
  /** Resolves once no Slack work is in flight (tests and the demo wait on it after each request). */
  idle(timeoutMs?: number): Promise<boolean>;
  /** Runs the sweep now (it also runs at start-up and every minute): interrupted Submits, expiry, pruning. */
  sweep(): Promise<SweepReport>;
  /** Stops taking Slack work, lets in-flight handlers finish (bounded), closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The composition root: the only place that news things up. */
export async function startService(config: AppConfig, options: ServiceOptions = {}): Promise<RunningService> {
  const clock = options.clock ?? systemClock;
  const secrets = [
    config.slack.botToken,
    config.slack.appToken,
    config.slack.signingSecret,
    ...config.portals.map((p) => p.token),
  ].filter((secret): secret is string => !!secret);
  const redactor = createRedactor({ extraSecrets: secrets });
  const logger = createLogger({
    level: config.logLevel,
    redactText: (text) => redactor.redact(text).text,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const metrics = createMetrics();
  const work = createWorkTracker();

  const slackClientOptions: WebClientOptions = {
    slackApiUrl: config.slack.apiUrl,
    timeout: 10_000,
    ...options.slackClientOptions,
  };
  const auth = await authenticate(config.slack.botToken, slackClientOptions, logger);

  const starting: StartingStore = options.store
    ? { store: options.store, ready: Promise.resolve() }
    : await startStoreAtStartup(config, logger);
  const { store } = starting;
  const detectionLog = createDetectionLog(logger);
  const portalClients = config.portals.map((portal) =>
    createPortalClient(portal, {
      ...options.portalClientOptions,
      onDetection: detectionLog,
      observe: (call) => {
        metrics.portalCalls.inc({ portal: call.portal, operation: call.operation, outcome: call.outcome });
        metrics.portalCallSeconds.observe({ portal: call.portal, operation: call.operation }, call.seconds);
        // One line per portal call at debug, tied to the Slack request that caused it by its correlation id. A failed
        // call is logged at its own level by whoever sees the error (a listener's warning or error, the request's
        // info line says how it ended; readiness probes fail quietly).
        if (!logger.isLevelEnabled('debug')) return;
        logger.debug(
          {
            portal: call.portal,
            operation: call.operation,
            outcome: call.outcome,
            ms: Math.round(call.seconds * 1000),
            ...(call.correlationId ? { correlationId: call.correlationId } : {}),
          },
          'portal call',
        );
      },
    }),
  );
  const portals = createPortalDirectory(portalClients);
  // Which HelpDesk each portal speaks (docs/duplocloud-api.md §0), asked while Bolt and the HTTP server start; a
  // portal that answers neither probe is named in the log and asked again on its next use.
  const detectionStarted = performance.now();
  const detection = Promise.all(portalClients.map((portal) => portal.helpdesk().catch(() => null)));
  const access = createAccessService({
    portals,
    clock,
    teams: { home: auth.teamId, allowed: config.slack.allowedTeams },
  });
  const tickets = createTicketService({ portals, access, store, clock, newId: randomUUID, redactor });
  const approvals = createApprovalService({ store, portals, access, clock, newId: randomUUID, redactor });
  const closing = createTicketClosing({ portals, access, store, clock, changingLink: tickets.changingLink });

  const runtime = createSlackApp(
    {
      mode: config.slack.mode,
      botToken: config.slack.botToken,
      apiUrl: config.slack.apiUrl,
      botId: auth.botId,
      botUserId: auth.botUserId,
      ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
      ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
      ...(options.slackClientOptions ? { clientOptions: options.slackClientOptions } : {}),
    },
    { logger, metrics, work, firstDelivery: (eventId) => store.recordEvent(eventId, clock.now()) },
  );
  const client = runtime.app.client;
  const readiness = createReadiness({
    store,
    portals: portalClients,
    clock,
    ...(options.readinessCacheMs
      ? { okForMs: options.readinessCacheMs.ok, failedForMs: options.readinessCacheMs.failed }
      : {}),
  });
  const inFlight = createInFlightWork();
  // This process, as the owner of the Slack streams it opens (a sweep closes those of a process that stopped).
  const instanceId = randomUUID();
  const deps: SlackDeps = {
    identity: { teamId: auth.teamId, botUserId: auth.botUserId },
    portals,
    access,
    tickets,
    approvals,
    closing,
    channelDefaults: createChannelDefaultsService({ store, portals, access, clock }),
    // Open streams are stamped with the wall clock, as live replies always stamped them (not `clock`).
    streams: createOpenStreamLedger({ store, clock: systemClock }),
    housekeeping: createHousekeeping({ store }),
    users: createSlackUserDirectory({ client, clock }),
    poster: createThreadPoster({
      client,
      logger,
      metrics,
      ...(options.slackPacing
        ? { perChannelPerSecond: options.slackPacing.perSecond, burst: options.slackPacing.burst }
        : {}),
    }),
    history: createThreadHistory(
      new WebClient(config.slack.botToken, { ...slackClientOptions, logger: boltLoggerFrom(logger) }),
    ),
    redactor,
    clock,
    logger,
    metrics,
    submitBudgetMs: options.submitBudgetMs ?? 2_000,
    permalinks: createPermalinks({ client, logger }),
    membership: createChannelMembership({ client, clock, logger }),
    portalStatus: () => portalStatus(readiness),
    limits: createRateLimiter({ clock, ...(options.rateLimits ? { limits: options.rateLimits } : {}) }),
    inFlight,
    live: createLiveReplies(
      {
        instanceId,
        streaming: config.slack.streamReplies,
        ...options.liveReplies,
      },
      options.liveReplies?.limits ? { budget: { limits: options.liveReplies.limits } } : {},
    ),
  };
  registerListeners(runtime.app, deps);

  let draining = false;
  const server = createServiceHttpServer({
    readiness,
    metrics,
    logger,
    isDraining: () => draining,
    track: work.run,
    ...(runtime.httpListener ? { slackListener: runtime.httpListener, slackKindOf: runtime.kindOf } : {}),
    ...(config.slack.mode === 'http' && config.slack.signingSecret
      ? {
          slackGate: createSlackRequestGate({
            signingSecret: config.slack.signingSecret,
            replays: createReplayGuard({
              remember: (key, at) => store.recordEvent(key, at),
              onStoreError: (error) => logger.warn({ err: error }, 'replay check could not reach the store'),
            }),
          }),
        }
      : {}),
  });

  await runtime.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // The embedded database may still be starting (its first start creates the cluster): /readyz answers 503 meanwhile.
  try {
    await starting.ready;
  } catch (error) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw storeStartupError(config, logger, error);
  }
  // Start-up resume, then every minute: report Submits a stopped process left mid-way, expire cards, prune.
  const sweeper = createSweeper(deps, options.sweeper);
  sweeper.start();
  const detected = await Promise.race([detection, delay(options.detectionWaitMs ?? 5_000)]);
  logger.info(
    {
      mode: config.slack.mode,
      port,
      portals: Object.fromEntries(portalClients.map((portal, index) => [portal.name, detected?.[index] ?? null])),
      detectionMs: Math.round(performance.now() - detectionStarted),
      teamId: auth.teamId,
    },
    'duplo-helpdesk-slack started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      draining = true;
      sweeper.stop();
      logger.info({ inFlight: work.inFlight() }, 'stopping: no new Slack events accepted');
      const budget = options.shutdownTimeoutMs ?? 20_000;
      // Socket Mode acks travel over the socket: let work in flight (a modal submission may still have to ack)
      // use a few seconds before disconnecting, then finish the rest.
      if (config.slack.mode === 'socket') await work.drain(Math.min(5_000, budget));
      await runtime.stop().catch((error: unknown) => logger.warn({ err: error }, 'Socket Mode did not close cleanly'));
      // Still listening meanwhile: events get 503 (Slack retries them), clicks and submissions (never retried) are
      // handled and drained with the rest. Listening stops once nothing is in flight, or the budget is spent.
      const drained = await work.drain(budget);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (!drained) {
        const left = inFlight.list();
        logger.warn({ inFlight: work.inFlight(), interrupted: left.length }, 'stopping with work still in flight');
        // Said in each thread now, while Slack and the store are still open: nobody waits for a lost answer.
        await reportInterruptedWork(deps, left);
      }
      server.closeAllConnections();
      await closed;
      if (!options.store) await store.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logger,
    metrics,
    store,
    deps,
    idle: (timeoutMs = 30_000) => work.drain(timeoutMs),
    sweep: () => sweeper.sweep(),
    stop,
  };
}

async function authenticate(token: string, clientOptions: WebClientOptions, logger: Logger) {
  // The service's logger (JSON on stdout, redacted), not the WebClient's console one: its retry warnings must not
  // land on stderr ahead of the one line that says why start-up stopped.
  const client = new WebClient(token, {
    ...clientOptions,
    logger: boltLoggerFrom(logger),
    retryConfig: { retries: 2 },
  });
  try {
    const result = await client.auth.test();
    if (!result.team_id || !result.user_id) throw new Error('auth.test did not name the team and bot user');
    return { teamId: result.team_id, botUserId: result.user_id, botId: result.bot_id ?? result.user_id };
  } catch (error) {
    // A network failure, or an HTTP status Slack's Web API never answers auth.test with, says nothing about the
    // token: name the URL we tried instead.
    const code = (error as { code?: unknown }).code;
    const url = shownUrl(clientOptions.slackApiUrl ?? 'https://slack.com/api/');
    if (code === ErrorCode.RequestError) {
      throw new StartupError(`SLACK_API_URL: Slack is not reachable at ${url} (${unreachableReason(error)})`);
    }
    if (code === ErrorCode.HTTPError) {
      const status = (error as { statusCode?: unknown }).statusCode;
      throw new StartupError(`SLACK_API_URL: no Slack Web API answers at ${url} (HTTP ${String(status)})`);
    }
    const slackCode = (error as { data?: { error?: string } }).data?.error;
    throw new StartupError(
      `SLACK_BOT_TOKEN: Slack did not accept the token (${slackCode ?? (error as Error).message ?? 'auth.test failed'})`,
    );
  }
}

/** A URL for a message: no credentials, query or fragment (a proxy URL could carry them). */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The telling part of a request failure: the socket's code (ECONNREFUSED, ENOTFOUND…) or a timeout. */
function unreachableReason(error: unknown): string {
  const { original } = error as { original?: unknown };
  const cause = (original as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (original instanceof Error) {
    if (original.name === 'TimeoutError' || original.name === 'AbortError') return 'no answer in time';
    // fetch quotes the URL in some messages, credentials and all.
    return (original.message.split('\n')[0] ?? original.name).replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>');
  }
  return 'request failed';
}

/**
 * Opens the store (the embedded one may go on starting: see startStore), or stops start-up with one line naming the
 * variable to check.
 */
async function startStoreAtStartup(config: AppConfig, logger: Logger): Promise<StartingStore> {
  try {
    return await startStore(config, {
      onEngineEvent: (event) => {
        if (event.kind === 'crashed')
          logger.error({ err: event.error }, 'the embedded database engine stopped; restarting it');
        else if (event.kind === 'restart-failed')
          logger.error({ err: event.error }, 'the embedded database engine did not restart; trying again');
        else logger.info('the embedded database engine is running again');
      },
    });
  } catch (error) {
    throw storeStartupError(config, logger, error);
  }
}

/** The one line start-up stops with when the store cannot open. The URL itself is never printed: it may hold a password. */
function storeStartupError(config: AppConfig, logger: Logger, error: unknown): StartupError {
  // The whole error, redacted, for whoever reads the logs; the one line below carries only a code.
  logger.error({ err: error }, 'could not open the store');
  const cause = error instanceof DomainError ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' && code !== '' ? ` (${code})` : '';
  if (config.databaseUrl === undefined) {
    // Embedded database errors hold paths, never secrets: their first line says more than a missing code.
    const line = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 300) : undefined;
    return new StartupError(
      `DATA_DIR: cannot open the embedded database in ${config.dataDir}${reason || (line ? ` (${line})` : '')}`,
    );
  }
  const what = isDomainError(error, 'store.unavailable') ? 'is not reachable' : 'could not be opened';
  return new StartupError(`DATABASE_URL: the database ${what}${reason}`);
}

/** The readiness checks' portal results, as the App Home shows them ('portal:acme' → 'acme'). */
async function portalStatus(readiness: Readiness): Promise<PortalStatus[]> {
  const report = await readiness.check();
  return report.checks
    .filter((check) => check.name.startsWith('portal:'))
    .map((check) => ({
      name: check.name.slice('portal:'.length),
      ok: check.ok,
      ...(check.api ? { api: check.api } : {}),
      ...(check.reason ? { reason: check.reason } : {}),
    }));
}
