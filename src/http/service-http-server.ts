import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Readiness, ReadinessReport } from '../readiness.js';
import type { SlackRequestGate } from '../slack/request-gate.js';

export interface ServiceHttpServerOptions {
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Bolt's HTTPReceiver request listener in http mode; absent in Socket Mode. */
  readonly slackListener?: RequestListener;
  /** The kind of Slack request Bolt saw (for ack-latency labels); the response to Slack is the ack. */
  readonly slackKindOf?: (request: object) => string;
  /** Once true, new Slack requests get 503 so Slack retries them on another instance or after the restart. */
  readonly isDraining: () => boolean;
  /** Signature, age and replay checks and payload screening before Bolt sees a request (http mode). */
  readonly slackGate?: SlackRequestGate;
}

export const SlackEventsPath = '/slack/events';

/** How long a scrape waits for portal checks before it reports the last known state. */
const PortalCheckWaitMs = 1_000;

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
 * The service's one HTTP server, in both Slack modes: health, readiness and metrics, and in http mode the Slack
 * endpoint handed to Bolt. Our own server (rather than HTTPReceiver.start) lets Socket Mode serve the same routes
 * and lets shutdown refuse new Slack work while in-flight handlers finish.
 */
export function createServiceHttpServer(options: ServiceHttpServerOptions): Server {
  const { readiness, metrics, logger, slackListener, slackKindOf, isDraining, slackGate } = options;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();

    if (path === SlackEventsPath && slackListener) {
      if (method !== 'POST') return send(res, 405, JSON.stringify({ error: 'method_not_allowed' }));
      if (isDraining()) {
        metrics.slackRequests.inc({ kind: 'http', outcome: 'draining' });
        res.setHeader('retry-after', '5');
        return send(res, 503, JSON.stringify({ error: 'shutting_down' }));
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
      const verdict = slackGate ? await slackGate.screen(req) : ({ action: 'forward' } as const);
      if (verdict.action === 'reject') {
        logger.warn({ status: verdict.status, reason: verdict.reason }, 'Slack request refused');
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
      slackListener(req, res);
      return;
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

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'HTTP handler failed');
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'internal_error' }));
      else res.end();
    });
  });
}
