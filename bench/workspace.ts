import { createPortalClient } from '../src/portal/index.js';
import {
  defaultPortalSeed,
  type FakePortal,
  SeedAgents,
  SeedIdentities,
  SeedTenants,
  SeedUsers,
  startFakePortal,
} from '../test/fakes/portal/index.js';
import {
  type AppResponse,
  encodeSlackDelivery,
  type FakeSlack,
  type FakeSlackUser,
  postToApp,
  type SlackDeliveryKind,
  signSlackRequest,
  startFakeSlack,
} from '../test/fakes/slack/index.js';
import type { BenchChild } from './children.js';
import type { SeedLinks } from './ipc.js';
import type { PreparedRequest } from './load.js';

/** The fake Slack and fake portal the service and the bare Bolt app both talk to (the test suite's own fakes). */
export interface BenchFakes {
  readonly slack: FakeSlack;
  readonly portal: FakePortal;
  close(): Promise<void>;
}

export type Engine = 'pglite' | 'postgres';

/** A service process and the database engine it runs on. */
export interface EngineService {
  readonly engine: Engine;
  readonly child: BenchChild;
}

export const SigningSecret = 'bench-signing-secret-0123456789abcdef';

/** Alice maps to the portal's alice (dev and staging, read-write). */
export const Alice = { id: 'UALICE', name: 'alice', realName: 'Alice Ops', email: SeedUsers.alice } as const;
const people: readonly FakeSlackUser[] = [Alice];

/** Where linked threads point: the dev tenant, the Kubernetes agent, acting as dev-deployer. */
export const LinkContext = {
  portal: 'acme',
  spaceId: SeedTenants.dev.id,
  spaceName: SeedTenants.dev.name,
  agentName: SeedAgents.kubernetes.name,
  agentId: SeedAgents.kubernetes.instanceId,
  identity: SeedIdentities.dev[0],
} as const;

export async function startFakes(): Promise<BenchFakes> {
  const portal = await startFakePortal({ seed: defaultPortalSeed() });
  const slack = await startFakeSlack({ users: people });
  return {
    slack,
    portal,
    async close() {
      await slack.close();
      await portal.close();
    },
  };
}

/** The service's environment (what src/config.ts reads) for these fakes. */
export const serviceEnv = (fakes: BenchFakes, extra: Record<string, string> = {}): Record<string, string> => ({
  SLACK_BOT_TOKEN: fakes.slack.botToken,
  SLACK_SIGNING_SECRET: SigningSecret,
  SLACK_API_URL: fakes.slack.apiUrl,
  DUPLO_SLACK_APP_PORTALS: JSON.stringify([
    { name: LinkContext.portal, duplo_host: fakes.portal.url, duplo_token: fakes.portal.adminToken },
  ]),
  PORT: '0',
  DATA_DIR: 'memory',
  LOG_LEVEL: 'info',
  BENCH_SLACK_RETRIES: '0',
  BENCH_SLACK_PACING: '100',
  ...extra,
});

export const bareBoltEnv = (fakes: BenchFakes): Record<string, string> => ({
  SLACK_BOT_TOKEN: fakes.slack.botToken,
  SLACK_SIGNING_SECRET: SigningSecret,
  SLACK_API_URL: fakes.slack.apiUrl,
  BOT_ID: fakes.slack.botId,
  BOT_USER_ID: fakes.slack.botUserId,
});

/** Encoded and signed now: Slack signatures stay valid for 5 minutes, so a whole run can be signed up front. */
export function prepare(payload: unknown, kind: SlackDeliveryKind): PreparedRequest {
  const { body, contentType } = encodeSlackDelivery(payload, kind);
  const signature = signSlackRequest(SigningSecret, body);
  return { body, headers: { 'content-type': contentType, ...signature } };
}

/** One signed delivery to an app's /slack/events, timed (elapsedMs) by the sender. */
export const deliver = (appUrl: string, payload: unknown, kind: SlackDeliveryKind): Promise<AppResponse> =>
  postToApp(`${appUrl}/slack/events`, SigningSecret, payload, { kind });

let channelSequence = 0;

/** A fresh channel id the fake Slack accepts (one per thread keeps per-channel pacing out of latency figures). */
export const newChannel = (prefix: string): string =>
  `C${prefix}${(++channelSequence).toString(36).toUpperCase().padStart(6, '0')}`;

export interface Thread {
  readonly channelId: string;
  readonly threadTs: string;
}

export interface LinkedThread extends Thread {
  readonly ticketName: string;
}

/** Signed deliveries and the threads they happen in. */
export interface Deliveries {
  readonly requests: PreparedRequest[];
  readonly threads: Thread[];
}

/** Top-level mentions by Alice, each in its own new channel: the service's "unlinked thread" path. */
export function unlinkedMentions(fakes: BenchFakes, prefix: string, count: number): Deliveries {
  const threads: Thread[] = [];
  const requests = Array.from({ length: count }, () => {
    const channelId = newChannel(prefix);
    const { event, ts } = fakes.slack.mention({ user: Alice.id, channel: channelId, text: 'web pods keep failing' });
    threads.push({ channelId, threadTs: ts });
    return prepare(event, 'event');
  });
  return { requests, threads };
}

/** Threads (a parent message each, in its own channel) to link to the given tickets round-robin. */
export function newThreads(
  fakes: BenchFakes,
  prefix: string,
  count: number,
  tickets: readonly string[],
): LinkedThread[] {
  return Array.from({ length: count }, (_, index) => {
    const channelId = newChannel(prefix);
    const { ts } = fakes.slack.userMessage({ user: Alice.id, channel: channelId, text: 'the nightly job failed' });
    return { channelId, threadTs: ts, ticketName: tickets[index % tickets.length] as string };
  });
}

/** A mention of the bot inside each thread: the relay path once the thread is linked. */
export const mentionsIn = (fakes: BenchFakes, threads: readonly LinkedThread[]): Deliveries => ({
  requests: threads.map(({ channelId, threadTs }) => {
    const { event } = fakes.slack.mention({ user: Alice.id, channel: channelId, text: 'any news?', threadTs });
    return prepare(event, 'event');
  }),
  threads: [...threads],
});

const isBot = (fakes: BenchFakes, message: { user?: string; bot_id?: string }): boolean =>
  message.user === fakes.slack.botUserId || message.bot_id === fakes.slack.botId;

/** Bot messages in a thread (the parent excluded). */
export const botReplies = (fakes: BenchFakes, thread: Thread) =>
  fakes.slack
    .thread(thread.channelId, thread.threadTs)
    .filter((message) => message.ts !== thread.threadTs && isBot(fakes, message));

/** Threads where the app answered with something other than a failure notice. */
export const answered = (fakes: BenchFakes, threads: readonly Thread[]): number =>
  threads.filter((thread) =>
    botReplies(fakes, thread).some((message) => !/failed|did not answer/i.test(String(message.text))),
  ).length;

export const seedLinksFor = (fakes: BenchFakes, threads: readonly LinkedThread[]): SeedLinks => ({
  teamId: fakes.slack.teamId,
  portal: LinkContext.portal,
  spaceId: LinkContext.spaceId,
  spaceName: LinkContext.spaceName,
  agentName: LinkContext.agentName,
  agentId: LinkContext.agentId,
  identity: LinkContext.identity,
  createdBy: Alice.id,
  threads: threads.map((thread) => ({ ...thread })),
});

/**
 * Real tickets in the fake portal (created through the portal client), for seeded links to point at; assigned to
 * the agent of `LinkContext` unless another agent's instance id is given.
 */
export async function createTickets(
  fakes: BenchFakes,
  count: number,
  agentId: string = LinkContext.agentId,
): Promise<string[]> {
  const client = createPortalClient({
    name: LinkContext.portal,
    host: fakes.portal.url,
    token: fakes.portal.adminToken,
    api: 'tenant',
    settings: { approvers: [], allowedScopeIds: null, defaultSpace: null, defaultAgent: null, spaceLabel: null },
  });
  const agent = (await client.listAgents(LinkContext.spaceId)).find((each) => each.id === agentId);
  if (!agent) throw new Error(`the fake portal has no agent ${agentId}`);
  const names: string[] = [];
  for (let index = 0; index < count; index++) {
    const created = await client.createTicket({
      spaceId: LinkContext.spaceId,
      title: `benchmark ticket ${index + 1}`,
      agent,
      permissions: [{ id: LinkContext.identity, name: LinkContext.identity }],
      thread: {
        teamId: fakes.slack.teamId,
        channelId: 'CBENCH',
        threadTs: `1700000000.${String(index).padStart(6, '0')}`,
      },
      history: [],
    });
    names.push(created.ticketName);
  }
  return names;
}
