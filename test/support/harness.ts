import { Writable } from 'node:stream';
import { type AppConfig, loadConfig } from '../../src/config.js';
import type { TicketStore } from '../../src/domain/ports.js';
import { type RunningService, type ServiceOptions, startService } from '../../src/service.js';
import {
  defaultPortalSeed,
  type FakePortal,
  type PortalSeed,
  SeedUsers,
  type StreamPacing,
  startFakePortal,
  type WorkspacePortalSeed,
} from '../fakes/portal/index.js';
import {
  type AppResponse,
  type FakeSlack,
  type FakeSlackUser,
  postToApp,
  renderMessageText,
  type SlackDeliveryKind,
  startFakeSlack,
} from '../fakes/slack/index.js';

export const SigningSecret = 'test-signing-secret-0123456789abcdef';
export const Channel = 'C0HELPDESK';

/** Slack people mapped to the fake portal's users by email (see test/fakes/portal/seed.ts). */
export const People = {
  alice: { id: 'UALICE', name: 'alice', realName: 'Alice Ops', email: SeedUsers.alice },
  bob: { id: 'UBOB', name: 'bob', realName: 'Bob Reader', email: SeedUsers.bob },
  carol: { id: 'UCAROL', name: 'carol', realName: 'Carol Prod', email: SeedUsers.carol },
  admin: { id: 'UADMIN', name: 'admin', realName: 'Ada Admin', email: SeedUsers.admin },
  noEmail: { id: 'UNOMAIL', name: 'nomail', realName: 'No Email' },
  stranger: { id: 'USTRANGER', name: 'stranger', realName: 'Not In Portal', email: 'stranger@elsewhere.io' },
  external: { id: 'UEXTERNAL', name: 'partner', realName: 'Partner Person', teamId: 'TPARTNER' },
} satisfies Record<string, FakeSlackUser>;

/** Captures the service's log lines so tests can assert what was (and was not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** The workspace-scoped portal of a harness (docs/duplocloud-api.md §4), configured as "helpdesk". */
export const WorkspacePortalName = 'helpdesk';

export interface HarnessOptions {
  readonly portalSeed?: PortalSeed;
  readonly serviceOptions?: ServiceOptions;
  readonly env?: Record<string, string>;
  /** Start a second tenant-scoped fake portal as portal "beta". */
  readonly secondPortal?: boolean;
  /** Start a workspace-scoped fake portal as portal "helpdesk" (its HelpDesk detected, unless `api` is given). */
  readonly workspacePortal?: boolean | { readonly seed?: WorkspacePortalSeed; readonly streaming?: StreamPacing };
  /** Extra settings of every portal entry in DUPLO_SLACK_APP_PORTALS (e.g. `approvers`, `api`), by portal name. */
  readonly portalSettings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** More DUPLO_SLACK_APP_PORTALS entries, as written (portals served by something other than the fakes). */
  readonly extraPortals?: readonly Readonly<Record<string, unknown>>[];
  readonly store?: TicketStore;
  readonly logLevel?: string;
}

export interface Harness {
  readonly slack: FakeSlack;
  readonly portal: FakePortal;
  readonly beta: FakePortal | null;
  /** The workspace-scoped portal ("helpdesk"), when started. */
  readonly workspace: FakePortal | null;
  readonly service: RunningService;
  readonly config: AppConfig;
  readonly logs: LogCapture;
  /** Another service instance on the same config (same fakes; the same database when it is PostgreSQL). */
  startInstance(): Promise<{ service: RunningService; send: Harness['send'] }>;
  /** Signs and posts a payload as Slack would, then waits until the app's work for it is done. */
  send(payload: unknown, kind: SlackDeliveryKind, extra?: { retryNum?: number }): Promise<AppResponse>;
  /** A person writes in the channel (or a thread); every event Slack would send is delivered. */
  say(user: FakeSlackUser, text: string, threadTs?: string): Promise<{ ts: string }>;
  mention(user: FakeSlackUser, text: string, threadTs?: string): Promise<{ ts: string }>;
  /** A person runs `/helpdesk <text>` in a channel (default the harness's); the app's HTTP answer (its ack). */
  helpdesk(user: FakeSlackUser, text: string, channel?: string): Promise<AppResponse>;
  /** The thread as a person reads it: one rendered text per message, parent first. */
  transcript(threadTs: string): string[];
  /** The newest message in the thread from the bot whose rendered text matches. */
  botMessage(threadTs: string, pattern: RegExp): { ts: string; text: string };
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const portal = await startFakePortal({ seed: options.portalSeed ?? defaultPortalSeed() });
  const beta = options.secondPortal ? await startFakePortal({ seed: defaultPortalSeed() }) : null;
  const workspaceOptions = typeof options.workspacePortal === 'object' ? options.workspacePortal : {};
  const workspace = options.workspacePortal
    ? await startFakePortal({
        api: 'workspace',
        ...(workspaceOptions.seed ? { seed: workspaceOptions.seed } : {}),
        ...(workspaceOptions.streaming ? { streaming: workspaceOptions.streaming } : {}),
      })
    : null;
  const slack = await startFakeSlack({ users: Object.values(People) });
  const settings = (name: string) => options.portalSettings?.[name] ?? {};
  const portals = [
    { name: 'acme', duplo_host: portal.url, duplo_token: portal.adminToken, ...settings('acme') },
    ...(beta ? [{ name: 'beta', duplo_host: beta.url, duplo_token: beta.adminToken, ...settings('beta') }] : []),
    ...(workspace
      ? [
          {
            name: WorkspacePortalName,
            duplo_host: workspace.url,
            duplo_token: workspace.adminToken,
            ...settings(WorkspacePortalName),
          },
        ]
      : []),
    ...(options.extraPortals ?? []),
  ];
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SigningSecret,
    SLACK_API_URL: slack.apiUrl,
    DUPLO_SLACK_APP_PORTALS: JSON.stringify(portals),
    PORT: '0',
    DATA_DIR: 'memory',
    LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  });
  const logs = new LogCapture();
  const start = () =>
    startService(config, {
      host: '127.0.0.1',
      logDestination: logs,
      slackClientOptions: { retryConfig: { retries: 0 }, timeout: 5_000 },
      portalClientOptions: { timeoutMs: 3_000, agentTimeoutMs: 5_000, getRetries: 1, retryBaseDelayMs: 10 },
      ...(options.store ? { store: options.store } : {}),
      ...options.serviceOptions,
    });
  const service = await start();
  const extraInstances: RunningService[] = [];
  const sender =
    (instance: RunningService): Harness['send'] =>
    async (payload, kind, extra = {}) => {
      const response = await postToApp(`${instance.url}/slack/events`, SigningSecret, payload, { kind, ...extra });
      await instance.idle();
      return response;
    };
  const send = sender(service);

  const deliverAll = async (envelopes: readonly unknown[]) => {
    for (const envelope of envelopes) await send(envelope, 'event');
  };

  return {
    slack,
    portal,
    beta,
    workspace,
    service,
    config,
    logs,
    send,
    async startInstance() {
      const instance = await start();
      extraInstances.push(instance);
      return { service: instance, send: sender(instance) };
    },
    async say(user, text, threadTs) {
      const result = slack.userMessage({ user: user.id, channel: Channel, text, ...(threadTs ? { threadTs } : {}) });
      await deliverAll(result.events);
      return { ts: result.ts };
    },
    async mention(user, text, threadTs) {
      const result = slack.mention({ user: user.id, channel: Channel, text, ...(threadTs ? { threadTs } : {}) });
      await deliverAll(result.events);
      return { ts: result.ts };
    },
    helpdesk: (user, text, channel = Channel) =>
      send(slack.slashCommand({ user: user.id, channel, command: '/helpdesk', text }), 'command'),
    transcript: (threadTs) => slack.thread(Channel, threadTs).map((message) => renderMessageText(message)),
    botMessage(threadTs, pattern) {
      const found = slack
        .thread(Channel, threadTs)
        .filter((message) => message.user === slack.botUserId || message.bot_id === slack.botId)
        .map((message) => ({ ts: String(message.ts), text: renderMessageText(message) }))
        .reverse()
        .find((message) => pattern.test(message.text));
      if (!found) throw new Error(`no bot message matching ${pattern} in thread ${threadTs}`);
      return found;
    },
    async stop() {
      for (const instance of extraInstances) await instance.stop();
      await service.stop();
      await slack.close();
      await portal.close();
      await beta?.close();
      await workspace?.close();
    },
  };
}

/** A fresh schema on the PostgreSQL server of TEST_DATABASE_URL, so runs never see each other's rows. */
export async function freshPostgresSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const { randomBytes } = await import('node:crypto');
  const schema = `it_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: scoped.toString(),
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
