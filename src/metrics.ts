import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type BuildInfo, buildInfo } from './build-info.js';

/**
 * Prometheus metrics. One registry per service instance (tests start several in one process), default process
 * metrics plus what an operator of a ChatOps service watches: Slack requests and ack latency, portal calls by
 * endpoint and outcome, and the product's own outcomes.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly slackRequests: Counter<'kind' | 'outcome'>;
  readonly slackAckSeconds: Histogram<'kind'>;
  readonly portalCalls: Counter<'portal' | 'operation' | 'outcome'>;
  readonly portalCallSeconds: Histogram<'portal' | 'operation'>;
  readonly slackApiCalls: Counter<'method' | 'outcome'>;
  readonly ticketsCreated: Counter<'portal'>;
  readonly agentReplies: Counter<'portal' | 'outcome'>;
  /** Agent replies shown as they were written: started, then how each stream ended. */
  readonly streamedReplies: Counter<'outcome'>;
  readonly commandDecisions: Counter<'decision'>;
  /** 1 when the portal's token was valid at its last readiness check, else 0 (refreshed on each scrape). */
  readonly portalUp: Gauge<'portal'>;
  /** Always 1, labelled with the service's version and Node (which build runs where: dashboards join on it). */
  readonly buildInfo: Gauge<'version' | 'node'>;
}

export function createMetrics(build: BuildInfo = buildInfo()): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: 'helpdesk_build_info',
    help: 'Always 1: the running build, by version (package.json) and Node version',
    labelNames: ['version', 'node'],
    registers: [registry],
  });
  info.set({ version: build.version, node: build.node }, 1);
  return {
    buildInfo: info,
    registry,
    slackRequests: new Counter({
      name: 'helpdesk_slack_requests_total',
      help: 'Slack requests received on /slack/events (or Socket Mode), by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    slackAckSeconds: new Histogram({
      name: 'helpdesk_slack_ack_seconds',
      help: 'Time from receiving a Slack request to acknowledging it',
      labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
    portalCalls: new Counter({
      name: 'helpdesk_portal_calls_total',
      help: 'DuploCloud portal API calls by portal, operation and outcome (ok or an error code)',
      labelNames: ['portal', 'operation', 'outcome'],
      registers: [registry],
    }),
    portalCallSeconds: new Histogram({
      name: 'helpdesk_portal_call_seconds',
      help: 'DuploCloud portal API call duration, retries included',
      labelNames: ['portal', 'operation'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    slackApiCalls: new Counter({
      name: 'helpdesk_slack_api_calls_total',
      help: 'Slack Web API calls made by the service, by method and outcome',
      labelNames: ['method', 'outcome'],
      registers: [registry],
    }),
    ticketsCreated: new Counter({
      name: 'helpdesk_tickets_created_total',
      help: 'HelpDesk tickets created from Slack threads',
      labelNames: ['portal'],
      registers: [registry],
    }),
    agentReplies: new Counter({
      name: 'helpdesk_agent_replies_total',
      help: 'Messages relayed to an agent, by outcome',
      labelNames: ['portal', 'outcome'],
      registers: [registry],
    }),
    streamedReplies: new Counter({
      name: 'helpdesk_streamed_replies_total',
      help: 'Agent replies streamed into Slack: started, how they ended (final, stopped_early, withdrawn), refused',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    commandDecisions: new Counter({
      name: 'helpdesk_command_decisions_total',
      help: 'Submitted command decisions by decision',
      labelNames: ['decision'],
      registers: [registry],
    }),
    portalUp: new Gauge({
      name: 'helpdesk_portal_up',
      help: '1 when the portal answered with a valid token at its last check (admin/GetUserRoleInfo), else 0',
      labelNames: ['portal'],
      registers: [registry],
    }),
  };
}
