import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Readiness, ReadinessReport } from '../readiness.js';
import type { SlackRequestGate } from '../slack/runtime/request-gate.js';

export interface ServiceHttpServerOptions {
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * Bolt's HTTPReceiver request listener in http mode; absent in Socket Mode. Bolt does not check signatures (the gate
   * does), so it is only ever called for a request the gate forwarded, and a listener without a gate is refused.
   */
  readonly slackListener?: RequestListener;
  /** The kind of Slack request Bolt saw (for ack-latency labels); the response to Slack is the ack. */
  readonly slackKindOf?: (request: object) => string;
  /**
   * Once true, Events API deliveries get 503 with Retry-After (Slack retries them, on another instance or after the
   * restart), while interactions and options requests, which Slack never retries, are still handled.
   */
  readonly isDraining: () => boolean;
  /** Signature, age and replay checks and payload screening before Bolt sees a request (http mode). */
  readonly slackGate?: SlackRequestGate;
  /** Runs for each Slack request from its arrival until its answer is sent, so a drain waits for it. */
  readonly track?: (work: () => Promise<void>) => Promise<void>;
}

export const SlackEventsPath = '/slack/events';

/** How long a scrape waits for portal checks before it reports the last known state. */
const PortalCheckWaitMs = 1_000;

/**
 * Limits on slow clients. Slack sends a request's headers and its few kilobytes of body at once; a client that
 * trickles them is cut off. The Slack endpoint's body has its own, shorter deadline (the gate's); these bound every
 * route, checked every `TimeoutCheckMs`.
 */
export const HeadersTimeoutMs = 5_000;
export const RequestTimeoutMs = 10_000;
const TimeoutCheckMs = 1_000;
/**
 * How long an idle keep-alive connection stays open: longer than the clients and proxies in front keep theirs
 * (ingress-nginx and AWS load balancers: 60 s), so that none sends a request on a connection the server is closing at
 * that moment; such a request fails with a reset (EPIPE, "other side closed") instead of getting an answer, and
 * Slack never retries a lost interaction. Node's default is 5 s.
 */
const KeepAliveTimeoutMs = 65_000;
/** After refusing a body it did not read, how long and how much of it the server still reads and drops. */
const LingerMs = 2_000;
const LingerBytes = 8 * 1024 * 1024;
const FormContentType = 'application/x-www-form-urlencoded';

const delay = (ms: number): Promise<undefined> =>
  new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());

const recordPortalStatus = (metrics: Metrics, report: ReadinessReport): void => {
  for (const check of report.checks) {
    if (check.name.startsWith('portal:')) metrics.portalUp.set({ portal: check.name.slice(7) }, check.ok ? 1 : 0);
  }
};

const send = (res: ServerResponse, status: number, body: string, contentType = 'application/json'): void => {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
};

/**
 * Answers a request whose body was not read to its end (refused before or while reading it) so that the client
 * reliably reads the status: it goes out at once, with `Connection: close`, and what the client still sends is then
 * read and dropped (never kept) until it stops, for at most `LingerMs` and `LingerBytes`, before the socket closes.
 * Closing a socket with unread bytes makes the kernel reset the connection, and a client may then lose the answer it
 * was already sent (status 0 instead of 413).
 */
function answerUnread(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, connection: 'close', 'content-length': '0' });
  res.flushHeaders();
  if (req.complete) {
    res.end();
    return;
  }
  let dropped = 0;
  const done = (cut: boolean) => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onEnd);
    res.end();
    // Past the bounds: the client had its answer long ago and will not stop sending.
    if (cut) req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LingerBytes) done(true);
  };
  const onEnd = () => done(false);
  const timer = setTimeout(() => done(true), LingerMs);
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('close', onEnd);
  req.resume();
}

/** Answers and closes the connection at once: a client that trickles its body is not waited for. */
function answerAndClose(req: IncomingMessage, res: ServerResponse, status: number): void {
  res.writeHead(status, { connection: 'close', 'content-length': '0' });
  res.end(() => req.socket.destroy());
}

/**
 * The service's one HTTP server, in both Slack modes: health, readiness and metrics, and in http mode the Slack
 * endpoint handed to Bolt. Our own server (rather than HTTPReceiver.start) lets Socket Mode serve the same routes,
 * puts the request gate and limits on slow clients in front of Bolt, and lets shutdown refuse new events while
 * in-flight handlers finish.
 */
export function createServiceHttpServer(options: ServiceHttpServerOptions): Server {
  const { readiness, metrics, logger, slackListener, slackKindOf, isDraining, slackGate, track } = options;
  // Bolt's own signature check is off (src/slack/runtime/app.ts): without the gate in front, anyone could reach the listeners.
  if (slackListener && !slackGate) throw new Error('the Slack listener needs the request gate in front of it');

  const handleSlack = async (
    req: IncomingMessage,
    res: ServerResponse,
    gate: SlackRequestGate,
    listener: RequestListener,
  ): Promise<void> => {
    // Slack retries Events API deliveries (JSON) that get a 5xx, but never interactions or options requests (forms):
    // while draining those are still handled, so a person's click or submission is not lost.
    if (isDraining() && req.headers['content-type'] !== FormContentType) {
      metrics.slackRequests.inc({ kind: 'http', outcome: 'draining' });
      return answerUnread(req, res, 503, { 'retry-after': '5' });
    }
    const started = performance.now();
    // Read by Bolt's customPropertiesExtractor (context.receivedAt): Slack's ack deadline runs from here.
    (req as IncomingMessage & { receivedAt?: number }).receivedAt = started;
    res.on('finish', () => {
      if (res.statusCode < 300) {
        const kind = slackKindOf?.(req) ?? 'unknown';
        metrics.slackAckSeconds.observe({ kind }, (performance.now() - started) / 1000);
      }
      if (res.statusCode === 401) metrics.slackRequests.inc({ kind: 'http', outcome: 'bad_signature' });
      else if (res.statusCode >= 400) metrics.slackRequests.inc({ kind: 'http', outcome: `http_${res.statusCode}` });
    });
    const verdict = await gate.screen(req);
    if (verdict.action === 'reject') {
      logger.warn({ status: verdict.status, reason: verdict.reason }, 'Slack request refused');
      if (verdict.status === 408) return answerAndClose(req, res, verdict.status);
      if (verdict.unread) return answerUnread(req, res, verdict.status);
      res.writeHead(verdict.status);
      res.end();
      return;
    }
    if (verdict.action === 'ignore') {
      logger.info({ reason: verdict.reason }, 'Slack request acknowledged and ignored');
      res.writeHead(200);
      res.end();
      return;
    }
    // While draining, the connection closes after the answer, so a proxy in front sends what follows elsewhere.
    if (isDraining()) res.setHeader('connection', 'close');
    // The one way into Bolt: a request the gate verified and screened (Bolt itself checks no signature).
    listener(req, res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();

    if (path === SlackEventsPath && slackListener && slackGate) {
      if (method !== 'POST') return send(res, 405, JSON.stringify({ error: 'method_not_allowed' }));
      if (track) {
        // Tracked until the answer is sent (or the connection closes), so a drain does not end under it.
        const answered = new Promise<void>((resolve) => res.once('close', resolve));
        void track(() => answered);
      }
      return handleSlack(req, res, slackGate, slackListener);
    }
    if (path === SlackEventsPath) return send(res, 404, JSON.stringify({ error: 'not_found', detail: 'Socket Mode' }));
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, JSON.stringify({ error: 'method_not_allowed' }));
    switch (path) {
      case '/healthz':
        return send(res, 200, JSON.stringify({ status: 'ok' }));
      case '/readyz': {
        if (isDraining())
          return send(res, 503, JSON.stringify({ ready: false, checks: [{ name: 'shutdown', ok: false }] }));
        const scope = new URL(req.url ?? '/', 'http://localhost').searchParams.get('scope');
        if (scope !== null && scope !== 'all' && scope !== 'database') {
          return send(res, 400, JSON.stringify({ error: 'bad_scope', detail: 'scope is all or database' }));
        }
        const report = await readiness.check(scope ?? 'all');
        recordPortalStatus(metrics, report);
        return send(res, report.ready ? 200 : 503, JSON.stringify(report));
      }
      case '/metrics': {
        // Portal checks are cached (30 s when fine), so a scrape costs the portals little; a portal that hangs does
        // not hold the scrape: the gauge then shows the last known state.
        const report = await Promise.race([readiness.check(), delay(PortalCheckWaitMs)]);
        if (report) recordPortalStatus(metrics, report);
        return send(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
      }
      default:
        return send(res, 404, JSON.stringify({ error: 'not_found' }));
    }
  };

  const limits = {
    headersTimeout: HeadersTimeoutMs,
    requestTimeout: RequestTimeoutMs,
    connectionsCheckingInterval: TimeoutCheckMs,
    keepAliveTimeout: KeepAliveTimeoutMs,
  };
  return createServer(limits, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'HTTP handler failed');
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'internal_error' }));
      else res.end();
    });
  });
}
