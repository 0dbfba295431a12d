import { performance } from 'node:perf_hooks';
import {
  App,
  type App as BoltApp,
  type HTTPReceiver as BoltHTTPReceiver,
  HTTPReceiver,
  SocketModeReceiver,
} from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { boltLoggerFrom } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { correlationIdFrom, runWithCorrelation } from '../../observability/correlation.js';
import type { WorkTracker } from '../../work-tracker.js';
import { acknowledgeLeftovers, answerUnprocessable } from '../flows/leftovers.js';
import { gatedPayload, passedGate } from './request-gate.js';
import { requestContextOf, requestKindOf } from './request-kind.js';

export interface SlackAppOptions {
  readonly mode: 'http' | 'socket';
  readonly botToken: string;
  readonly signingSecret?: string;
  readonly appToken?: string;
  readonly apiUrl: string;
  /** Overrides for the Web API client (tests: `retryConfig: { retries: 0 }`, short timeouts). */
  readonly clientOptions?: Partial<WebClientOptions>;
  /** Known bot ids skip the auth.test round trip at start (tests, benchmarks). */
  readonly botId?: string;
  readonly botUserId?: string;
}

export interface SlackAppCore {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly work: WorkTracker;
  /** Returns false for an event id already handled (Slack retry or a second delivery): it is then skipped. */
  readonly firstDelivery: (eventId: string) => Promise<boolean>;
}

export interface SlackRuntime {
  readonly app: BoltApp;
  /**
   * Bolt's request listener for POST /slack/events (http mode). It takes only requests the request gate forwarded
   * (request-gate.ts), and answers anything else 401 itself: Bolt checks no signature.
   */
  readonly httpListener?: BoltHTTPReceiver['requestListener'];
  /** The request kind Bolt's receiver saw for an HTTP request (for ack-latency metrics at the HTTP layer). */
  kindOf(request: object): string;
  /** Connects Socket Mode, or resolves Bolt's initialization in http mode. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Bolt does not export this type; `App.error`'s last overload takes it (used with `extendedErrorHandler: true`). */
type ExtendedErrorHandler = Parameters<BoltApp['error']>[0];

declare module '@slack/bolt' {
  interface Context {
    log?: Logger;
    receivedAt?: number;
  }
}

export function createSlackApp(options: SlackAppOptions, core: SlackAppCore): SlackRuntime {
  const boltLogger = boltLoggerFrom(core.logger);
  // No retryConfig of ours: the Web API client's default policy (10 retries in about 30 minutes) is the one retry
  // of Slack calls; it waits out a 429's Retry-After and sends the call again (src/slack/web/thread-poster.ts).
  const clientOptions: WebClientOptions = {
    slackApiUrl: options.apiUrl,
    logger: boltLogger,
    timeout: 10_000,
    ...options.clientOptions,
  };
  const requestKinds = new WeakMap<object, string>();
  // Bolt calls this with the verified, buffered request before the listener runs (and so before the ack).
  // `receivedAt` is when the HTTP server first saw the request (set before the body is read), so the time Slack's
  // 3 s already spent on reading and verifying it counts against a listener's budget.
  // The kind comes from the payload the request gate already parsed (request-gate.ts): Bolt gets the same request
  // object, and takes no other (gatedListener below).
  const httpProperties = (request: { rawBody?: Buffer; receivedAt?: unknown }) => {
    requestKinds.set(request, requestKindOf(gatedPayload(request)));
    return { receivedAt: typeof request.receivedAt === 'number' ? request.receivedAt : performance.now() };
  };
  const socketProperties = () => ({ receivedAt: performance.now() });
  const ids = {
    ...(options.botId ? { botId: options.botId } : {}),
    ...(options.botUserId ? { botUserId: options.botUserId } : {}),
  };

  let app: BoltApp;
  let httpReceiver: BoltHTTPReceiver | undefined;
  let socketReceiver: InstanceType<typeof SocketModeReceiver> | undefined;
  if (options.mode === 'http') {
    if (!options.signingSecret) throw new Error('http mode needs a signing secret');
    httpReceiver = new HTTPReceiver({
      signingSecret: options.signingSecret,
      // The request gate is the one verifier: it checks the signature on the raw bytes before anything is parsed,
      // and a request reaches Bolt only through it: Bolt's own server is never started (service-http-server.ts
      // serves the listener, behind the gate), and httpListener below refuses any request the gate did not forward.
      // Checking again here would compute the same HMAC twice per request.
      signatureVerification: false,
      logger: boltLogger,
      customPropertiesExtractor: httpProperties,
      // A listener that never acks gets Bolt's 404 after this; Slack then retries, and our event de-duplication
      // keeps the retry from doing the work twice.
      unhandledRequestTimeoutMillis: 3001,
      processEventErrorHandler: answerUnprocessable,
    });
    app = new App({
      token: options.botToken,
      receiver: httpReceiver,
      logger: boltLogger,
      clientOptions,
      deferInitialization: true,
      // The error handler gets the request's context, so its line carries the request's logger fields.
      extendedErrorHandler: true,
      ...ids,
    });
  } else {
    if (!options.appToken) throw new Error('socket mode needs an app token');
    socketReceiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger: boltLogger,
      customPropertiesExtractor: socketProperties,
      // A copy: the Socket Mode client writes its own retry policy (100 retries) into the object it is given, and
      // the App's Web API client must keep ours.
      installerOptions: { clientOptions: { ...clientOptions } },
    });
    app = new App({
      token: options.botToken,
      receiver: socketReceiver,
      logger: boltLogger,
      clientOptions,
      deferInitialization: true,
      // The error handler gets the request's context, so its line carries the request's logger fields.
      extendedErrorHandler: true,
      ...ids,
    });
  }

  installCoreMiddleware(app, core, options.mode);
  acknowledgeLeftovers(app, core.logger);

  let initialized: Promise<void> | undefined;
  const init = () => {
    initialized ??= app.init();
    return initialized;
  };

  return {
    app,
    ...(httpReceiver ? { httpListener: gatedListener(httpReceiver.requestListener) } : {}),
    kindOf: (request) => requestKinds.get(request) ?? 'unverified',
    async start() {
      await init();
      if (options.mode === 'socket') await app.start();
    },
    async stop() {
      if (!socketReceiver) return;
      // Bolt's stop() starts the disconnect without waiting; wait for the close handshake too.
      await app.stop();
      await socketReceiver.client.disconnect();
    },
  };
}

/** Bolt's listener behind the gate: a request the gate did not forward never reaches it, however it is wired. */
function gatedListener(listener: BoltHTTPReceiver['requestListener']): BoltHTTPReceiver['requestListener'] {
  return (req, res) => {
    if (passedGate(req)) return listener(req, res);
    res.writeHead(401);
    res.end();
  };
}

/** Runs before every listener: metrics and ack timing, a child logger, in-flight tracking, event de-duplication. */
function installCoreMiddleware(app: BoltApp, core: SlackAppCore, mode: 'http' | 'socket'): void {
  const { metrics, logger, work } = core;

  // Everything, de-duplication included, runs inside the work tracker, entered before the first await: a caller
  // waiting for idleness right after the ack (shutdown, tests) then always sees this request's work.
  // A correlation id per request (the event_id for events, so Slack's retries share it) follows the request into
  // every log line made through context.log and every portal call (X-Correlation-Id).
  app.use((args) => {
    const correlationId = correlationIdFrom((args.body as { event_id?: unknown }).event_id);
    return runWithCorrelation(correlationId, () =>
      work.run(async () => {
        const { body, context, next } = args;
        const kind = requestKindOf(body);
        const started = typeof context.receivedAt === 'number' ? context.receivedAt : performance.now();
        const log = logger.child({ kind, correlationId, ...requestContextOf(body) });
        context.log = log;
        log.debug('slack request');

        if (mode === 'socket' && kind.startsWith('event:')) {
          // In http mode the HTTP server times every ack; in Socket Mode, Bolt acknowledges events just before
          // middleware runs, so this is the ack time. (Socket Mode interactions are not timed.)
          metrics.slackAckSeconds.observe({ kind }, (performance.now() - started) / 1000);
        }

        // One line at info per request handled here, once it is done: its kind and correlation id (the child
        // logger's bindings), the outcome, and how long it took from when the HTTP server first saw it. Everything
        // else on the way is at debug; warnings and errors keep their own lines.
        const handled = (outcome: 'ok' | 'error' | 'duplicate', extra: Record<string, unknown> = {}) =>
          log.info({ outcome, ms: Math.round(performance.now() - started), ...extra }, 'slack request handled');

        if (kind.startsWith('event:')) {
          const eventId = (body as { event_id?: unknown }).event_id;
          if (typeof eventId === 'string' && !(await core.firstDelivery(eventId))) {
            metrics.slackRequests.inc({ kind, outcome: 'duplicate' });
            handled('duplicate', { retryNum: context.retryNum, retryReason: context.retryReason });
            return;
          }
        }

        try {
          await next();
          metrics.slackRequests.inc({ kind, outcome: 'ok' });
          handled('ok');
        } catch (error) {
          metrics.slackRequests.inc({ kind, outcome: 'error' });
          handled('error');
          throw error;
        }
      }),
    );
  });

  const onError: ExtendedErrorHandler = async ({ error, context }) => {
    (context.log ?? logger).error({ err: error }, 'unhandled error in a Slack listener');
  };
  app.error(onError);
}
