import { createRedactor } from '../../src/domain/redact.js';
import { createPortalClient } from '../../src/portal/index.js';
import {
  type FakePortal,
  type RecordedCall as PortalCall,
  SeedScopes,
  SeedTenants,
  SeedWorkspaceAgents,
  SeedWorkspaces,
  startFakePortal,
} from '../../test/fakes/portal/index.js';
import {
  type RecordedStream,
  type RecordedCall as SlackCall,
  type SlackMessage,
  STREAMING_RATE_LIMITS,
  startFakeSlack,
} from '../../test/fakes/slack/index.js';
import { type BenchChild, forkChild } from '../children.js';
import type { SeedLinks } from '../ipc.js';
import type { Plan } from '../plan.js';
import type { Row } from '../report.js';
import { summarize, waitFor } from '../stats.js';
import {
  Alice,
  type BenchFakes,
  botReplies,
  createTickets,
  deliver,
  LinkContext,
  type LinkedThread,
  newThreads,
  serviceEnv,
} from '../workspace.js';

export interface StreamingContext {
  readonly plan: Plan;
  readonly log: (message: string) => void;
}

const FirstTextP50LimitMs = 300;
const FirstTextP99LimitMs = 1_000;

/** The workspace-scoped (Gen B) HelpDesk, as the service is configured with it. */
const GenB = {
  portal: 'helpdesk',
  spaceId: SeedWorkspaces.platform.id,
  spaceName: SeedWorkspaces.platform.name,
  agentId: SeedWorkspaceAgents.k8s.id,
  agentName: SeedWorkspaceAgents.k8s.name,
  scopes: [{ id: SeedScopes.readOnly.id, name: SeedScopes.readOnly.name }],
} as const;

/** A Gen A agent that streams: it answers `sendmessage` with its events in the §3.5 error body (one piece). */
const GenAStreamingAgent = {
  name: 'streaming-agent',
  instanceId: 'stream-1',
  friendlyName: 'Streaming Agent',
  hostTenantId: SeedTenants.dev.id,
  streaming: true,
} as const;

/** Slack methods one reply costs in its thread's channel. */
const ReplyMethods = [
  'chat.startStream',
  'chat.appendStream',
  'chat.stopStream',
  'chat.update',
  'chat.postMessage',
  'assistant.threads.setStatus',
] as const;

const Words = [
  'the',
  'web',
  'deployment',
  'restarted',
  'twice',
  'after',
  'its',
  'readiness',
  'probe',
  'timed',
  'out',
  'while',
  'the',
  'database',
  'was',
  'busy',
  'with',
  'a',
  'nightly',
  'backup',
  'so',
  'I',
  'raised',
  'the',
  'timeout',
  'and',
  'checked',
  'pods',
  'again',
];

/**
 * An agent's answer of about `chars` characters: plain prose (Markdown conversion leaves it as it is), with a
 * GitHub token in it, so the shown reply is the redacted one, and a marker naming the reply, to find it in Slack.
 */
function replyText(marker: string, chars: number, seed: number): string {
  const token = `ghp_${'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa'}`;
  let text = `Answer ${marker}: I looked at the api pods in the platform workspace. The old deploy token was ${token} and it is revoked now.`;
  let index = seed;
  let words = 0;
  while (text.length < chars - 1) {
    const word = Words[index % Words.length] as string;
    index += 7;
    words += 1;
    text += words % 12 === 1 ? ` ${word.replace(/^./, (first) => first.toUpperCase())}` : ` ${word}`;
    if (words % 12 === 0) text += '.';
  }
  return text.endsWith('.') ? text : `${text}.`;
}

/** The reply lengths of a run: spread evenly over the plan's range. */
const lengthOf = (plan: Plan, index: number, count: number): number => {
  const [min, max] = plan.streaming.replyChars;
  return count <= 1 ? min : Math.round(min + ((max - min) * index) / (count - 1));
};

interface Fakes extends BenchFakes {
  readonly workspace: FakePortal;
}

/** A fake Slack holding the streaming methods to Slack's tiers, and the two HelpDesks (the agents pace streams). */
async function startStreamingFakes(tenant: FakePortal, workspace: FakePortal): Promise<Fakes> {
  const slack = await startFakeSlack({ users: [Alice], rateLimits: STREAMING_RATE_LIMITS });
  return {
    slack,
    portal: tenant,
    workspace,
    close: () => slack.close(),
  };
}

/** The service with both HelpDesks, the production Web API retries and per-channel Slack pacing. */
function streamingEnv(fakes: Fakes): Record<string, string> {
  const env = serviceEnv(fakes, {
    DUPLO_SLACK_APP_PORTALS: JSON.stringify([
      {
        name: LinkContext.portal,
        duplo_host: fakes.portal.url,
        duplo_token: fakes.portal.adminToken,
        api: 'tenant',
      },
      { name: GenB.portal, duplo_host: fakes.workspace.url, duplo_token: fakes.workspace.adminToken, api: 'workspace' },
    ]),
  });
  delete env.BENCH_SLACK_RETRIES;
  delete env.BENCH_SLACK_PACING;
  return env;
}

/** Real Gen B tickets for the streaming agent, created through the portal client. */
async function createWorkspaceTickets(fakes: Fakes, count: number): Promise<string[]> {
  const client = createPortalClient({
    name: GenB.portal,
    host: fakes.workspace.url,
    token: fakes.workspace.adminToken,
    api: 'workspace',
    settings: { approvers: [], allowedScopeIds: null, defaultSpace: null, defaultAgent: null, spaceLabel: null },
  });
  const agent = (await client.listAgents(GenB.spaceId)).find((each) => each.id === GenB.agentId);
  if (!agent) throw new Error(`the fake workspace HelpDesk has no agent ${GenB.agentId}`);
  const names: string[] = [];
  for (let index = 0; index < count; index++) {
    const created = await client.createTicket({
      spaceId: GenB.spaceId,
      title: `streaming benchmark ticket ${index + 1}`,
      agent,
      permissions: [...GenB.scopes],
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

const genBLinks = (fakes: Fakes, threads: readonly LinkedThread[]): SeedLinks => ({
  teamId: fakes.slack.teamId,
  portal: GenB.portal,
  api: 'workspace',
  spaceId: GenB.spaceId,
  spaceName: GenB.spaceName,
  agentName: GenB.agentName,
  agentId: GenB.agentId,
  identity: GenB.scopes[0].id,
  permissions: [...GenB.scopes],
  createdBy: Alice.id,
  threads: threads.map((thread) => ({ ...thread })),
});

const genALinks = (fakes: Fakes, threads: readonly LinkedThread[]): SeedLinks => ({
  teamId: fakes.slack.teamId,
  portal: LinkContext.portal,
  api: 'tenant',
  spaceId: LinkContext.spaceId,
  spaceName: LinkContext.spaceName,
  agentName: GenAStreamingAgent.name,
  agentId: GenAStreamingAgent.instanceId,
  identity: LinkContext.identity,
  createdBy: Alice.id,
  threads: threads.map((thread) => ({ ...thread })),
});

/** One reply as the fakes recorded it. */
interface Observed {
  readonly thread: LinkedThread;
  readonly marker: string;
  /** The agent's answer, in characters (before redaction). */
  readonly chars: number;
  /** The answer redacted, as people must read it. */
  readonly expected: string;
  /** The portal's send (the stream, or the unary answer). */
  readonly send: PortalCall | undefined;
  readonly stream: RecordedStream | undefined;
  /** When people first saw text of the answer (ms since the epoch); null when they never did. */
  readonly firstTextAt: number | null;
  /** Slack calls in the thread's channel after the mention, by method (429-answered attempts included). */
  readonly calls: Readonly<Record<string, number>>;
  readonly rateLimited: number;
  /** The shown reply equals the agent's whole answer, redacted; nothing of it before the redaction was sent. */
  readonly complete: boolean;
  /** Bot messages in the thread that carry the answer (1 when it was shown once). */
  readonly shownTimes: number;
}

const sectionTexts = (message: SlackMessage | undefined): string =>
  (message?.blocks ?? [])
    .map((block) => {
      const text = (block as { text?: { text?: unknown } }).text?.text;
      return typeof text === 'string' ? text : '';
    })
    .join('');

const channelOf = (call: SlackCall): unknown => call.args.channel ?? call.args.channel_id;

/** Reads what the fakes recorded of one reply: portal send, stream, Slack calls, and the message people read. */
function observe(
  fakes: Fakes,
  portal: FakePortal,
  thread: LinkedThread,
  marker: string,
  answer: string,
  sentAt: number,
): Observed {
  const expected = createRedactor().redact(answer).text;
  const send = portal.calls.find(
    (call) => call.method === 'POST' && call.path.includes(`/${thread.ticketName}/send`) && call.status !== 0,
  );
  const stream = fakes.slack.streams(thread.channelId).find((each) => each.threadTs === thread.threadTs);
  const inChannel = fakes.slack.calls.filter(
    (call) => channelOf(call) === thread.channelId && call.at.getTime() >= sentAt,
  );
  const calls: Record<string, number> = {};
  for (const call of inChannel) {
    // Other posts are not the reply's: the ticket card a seeded link lacks is posted on its first relay.
    if (call.method === 'chat.postMessage' && !JSON.stringify(call.args).includes(marker)) continue;
    if ((ReplyMethods as readonly string[]).includes(call.method)) calls[call.method] = (calls[call.method] ?? 0) + 1;
  }
  // Text first showed in the stream, or (a reply posted whole) when the message carrying the answer was posted.
  const carrying = inChannel.find(
    (call) =>
      call.ok &&
      (call.method === 'chat.postMessage' || call.method === 'chat.update') &&
      JSON.stringify(call.args).includes(marker),
  );
  const firstTextAt = stream?.firstTextAt?.getTime() ?? carrying?.at.getTime() ?? null;
  const carriers = botReplies(fakes, thread).filter((message) => JSON.stringify(message).includes(marker));
  const final = carriers[0];
  const sentToSlack = JSON.stringify([stream?.updates ?? [], inChannel.map((call) => call.args)]);
  const token = answer.match(/ghp_\S+/)?.[0] ?? '\u0000';
  const complete =
    final !== undefined &&
    (stream === undefined || (stream.state === 'stopped' && stream.endedBy === 'app' && stream.ts === final.ts)) &&
    sectionTexts(final).trim() === expected.trim() &&
    !sentToSlack.includes(token);
  return {
    thread,
    marker,
    chars: answer.length,
    expected,
    send,
    stream,
    firstTextAt,
    calls,
    rateLimited: inChannel.filter((call) => call.httpStatus === 429).length,
    complete,
    shownTimes: carriers.length,
  };
}

/** The service and its fakes for one phase; stopped (and closed) when `work` is done. */
async function withService<T>(
  portals: { tenant: FakePortal; workspace: FakePortal },
  work: (fakes: Fakes, service: BenchChild) => Promise<T>,
): Promise<T> {
  const fakes = await startStreamingFakes(portals.tenant, portals.workspace);
  try {
    const service = await forkChild('service', streamingEnv(fakes));
    try {
      return await work(fakes, service);
    } finally {
      await service.stop();
    }
  } finally {
    await fakes.close();
  }
}

/** Mentions the bot in each thread (all at once when `together`), each answered with its own answer. */
async function relay(
  fakes: Fakes,
  service: BenchChild,
  portal: FakePortal,
  threads: readonly LinkedThread[],
  answers: ReadonlyMap<string, string>,
  together: boolean,
): Promise<Observed[]> {
  portal.setAgentScript((context) => {
    const content = answers.get(context.ticket.name);
    return content === undefined ? undefined : { content };
  });
  const observed: Observed[] = [];
  const one = async (thread: LinkedThread): Promise<number> => {
    const { event } = fakes.slack.mention({
      user: Alice.id,
      channel: thread.channelId,
      text: 'why did the api pods restart?',
      threadTs: thread.threadTs,
    });
    const sentAt = Date.now();
    const response = await deliver(service.url, event, 'event');
    if (response.status !== 200) throw new Error(`the service answered ${response.status} to a mention`);
    return sentAt;
  };
  const markerOf = (thread: LinkedThread) => `R-${thread.ticketName}`;
  const done = (thread: LinkedThread) =>
    botReplies(fakes, thread).some((message) => JSON.stringify(message).includes(markerOf(thread))) &&
    fakes.slack.streams(thread.channelId).every((stream) => stream.state === 'stopped');
  const settle = async (batch: readonly LinkedThread[]) => {
    // The agent writes for a few seconds; then the stream is stopped and the formatted reply replaces it.
    await waitFor(() => batch.every(done), 60_000, 50);
    await service.idle(30_000);
  };
  if (together) {
    const sentAts = await Promise.all(threads.map(one));
    await settle(threads);
    threads.forEach((thread, index) => {
      observed.push(
        observe(fakes, portal, thread, markerOf(thread), answers.get(thread.ticketName) ?? '', sentAts[index] ?? 0),
      );
    });
  } else {
    for (const thread of threads) {
      const sentAt = await one(thread);
      await settle([thread]);
      observed.push(observe(fakes, portal, thread, markerOf(thread), answers.get(thread.ticketName) ?? '', sentAt));
    }
  }
  portal.resetAgentScript();
  return observed;
}

const answersFor = (plan: Plan, tickets: readonly string[]): Map<string, string> =>
  new Map(tickets.map((name, index) => [name, replyText(`R-${name}`, lengthOf(plan, index, tickets.length), index)]));

/** First text (portal's first text_delta → Slack shows text), for replies that streamed. */
const firstTextDelays = (observed: readonly Observed[]): number[] =>
  observed.flatMap((reply) => {
    const sent = reply.send?.firstTextDeltaAt?.getTime();
    return sent === undefined || reply.firstTextAt === null || !reply.stream ? [] : [reply.firstTextAt - sent];
  });

const callTotal = (reply: Observed): number => Object.values(reply.calls).reduce((sum, count) => sum + count, 0);

function breakdown(observed: readonly Observed[]): string {
  const short: Record<string, string> = {
    'chat.startStream': 'start',
    'chat.appendStream': 'append',
    'chat.stopStream': 'stop',
    'chat.update': 'update',
    'chat.postMessage': 'post',
    'assistant.threads.setStatus': 'status',
  };
  return ReplyMethods.map((method) => {
    const counts = observed.map((reply) => reply.calls[method] ?? 0);
    const mean = counts.reduce((sum, count) => sum + count, 0) / Math.max(1, counts.length);
    return `${short[method]} ${mean.toFixed(1)} (max ${Math.max(0, ...counts)})`;
  }).join(', ');
}

function streamedRows(section: string, observed: readonly Observed[], plan: Plan, extra: Row[] = []): Row[] {
  const delays = summarize(firstTextDelays(observed));
  const totals = summarize(observed.map(callTotal));
  const streamed = observed.filter((reply) => reply.stream).length;
  const chars = observed.map((reply) => reply.chars);
  const { deltaChars, eventDelayMs } = plan.streaming;
  const note =
    `${observed.length} replies of ${Math.min(...chars)}-${Math.max(...chars)} characters, written in ` +
    `${deltaChars}-character text_deltas every ${eventDelayMs} ms; ${streamed} streamed, ` +
    `${observed.length - streamed} posted whole; first text measured on the streamed ones`;
  return [
    {
      section,
      metric: 'first text_delta → text in Slack p50',
      unit: 'ms',
      value: delays.count === 0 ? null : delays.p50,
      target: `< ${FirstTextP50LimitMs} ms`,
      met: delays.count > 0 && delays.p50 < FirstTextP50LimitMs,
      note,
    },
    {
      section,
      metric: 'first text_delta → text in Slack p99',
      unit: 'ms',
      value: delays.count === 0 ? null : delays.p99,
      target: `< ${FirstTextP99LimitMs} ms`,
      met: delays.count > 0 && delays.p99 < FirstTextP99LimitMs,
    },
    {
      section,
      metric: 'Slack calls per reply, mean',
      unit: '',
      value: totals.mean,
      note: `per reply, mean (max): ${breakdown(observed)}; max ${totals.max} calls in all`,
    },
    ...extra,
  ];
}

/**
 * Section 8: live (streamed) agent replies (issue 13). A workspace-scoped HelpDesk agent streams its answer
 * (600-1500 characters in 16-character text_deltas, one every 40 ms in the full run); the fake portal records when
 * it wrote each stream's first text_delta, the fake Slack when the streamed message first showed text, both in this
 * process. Measured: that delay, the Slack calls each reply costs, and twenty threads streaming at once against a
 * fake Slack that holds chat.startStream/appendStream/stopStream to Slack's tiers (20, 100 and 20 a minute). Each
 * phase gets a fresh service and fake Slack, so one phase's minute of Slack budget is not the next one's. A Gen A
 * streaming agent answers in one piece (the events in the unary error body, docs/duplocloud-api.md §3.5): its reply
 * is posted whole, and the delay measured is from the portal's answer to the reply in Slack.
 */
export async function measureStreaming(context: StreamingContext): Promise<Row[]> {
  const { plan, log } = context;
  const { oneAtATime, atOnce, genA, deltaChars, eventDelayMs } = plan.streaming;
  const tenant = await startFakePortal();
  const workspace = await startFakePortal({ api: 'workspace', streaming: { eventDelayMs, deltaChars } });
  const portals = { tenant, workspace };
  const rows: Row[] = [];
  try {
    tenant.addAgent({ ...GenAStreamingAgent });

    // One reply at a time (Gen B), then the Gen A ones on the same service (posted whole: no stream budget).
    const oneByOne = async (fakes: Fakes, service: BenchChild) => {
      log(`streaming: ${oneAtATime} streamed replies one at a time, ${genA} Gen A replies`);
      const since = Date.now();
      const tickets = await createWorkspaceTickets(fakes, oneAtATime);
      const threads = newThreads(fakes, 'S', oneAtATime, tickets);
      await service.seedLinks(genBLinks(fakes, threads));
      const observed = await relay(fakes, service, workspace, threads, answersFor(plan, tickets), false);
      const one = '8 streaming gen B one at a time';
      rows.push(...streamedRows(one, observed, plan, checks(one, observed, fakes, since)));

      const genATickets = await createTickets(fakes, genA, GenAStreamingAgent.instanceId);
      const genAThreads = newThreads(fakes, 'T', genA, genATickets);
      await service.seedLinks(genALinks(fakes, genAThreads));
      const genAObserved = await relay(fakes, service, tenant, genAThreads, answersFor(plan, genATickets), false);
      rows.push(...genARows(genAObserved, fakes));
    };

    // Many threads at once (Gen B): in full runs on a fresh service and fake Slack, with the whole minute of
    // Slack's budget to share.
    const together = async (fakes: Fakes, service: BenchChild) => {
      log(`streaming: ${atOnce} threads streaming at once`);
      const since = Date.now();
      const tickets = await createWorkspaceTickets(fakes, atOnce);
      const threads = newThreads(fakes, 'U', atOnce, tickets);
      await service.seedLinks(genBLinks(fakes, threads));
      const observed = await relay(fakes, service, workspace, threads, answersFor(plan, tickets), true);
      const section = `8 streaming gen B ${atOnce} at once`;
      rows.push(...streamedRows(section, observed, plan, checks(section, observed, fakes, since)));
    };

    await withService(portals, async (fakes, service) => {
      await oneByOne(fakes, service);
      if (!plan.streaming.freshService) await together(fakes, service);
    });
    if (plan.streaming.freshService) await withService(portals, together);
  } finally {
    await workspace.close();
    await tenant.close();
  }
  return rows;
}

/** Gen A: the reply is posted whole, timed from the portal's answer. */
function genARows(observed: readonly Observed[], fakes: Fakes): Row[] {
  const whole = summarize(
    observed.flatMap((reply) =>
      reply.send && reply.firstTextAt !== null
        ? [reply.firstTextAt - (reply.send.at.getTime() + reply.send.durationMs)]
        : [],
    ),
  );
  const section = '8 streaming gen A';
  return [
    {
      section,
      metric: 'portal answer → whole reply in Slack p50',
      unit: 'ms',
      value: whole.count === 0 ? null : whole.p50,
      note:
        `${observed.length} replies; a Gen A streaming agent's events come in one piece (the unary error body, ` +
        `docs/duplocloud-api.md §3.5), so there is no first text_delta to time: the reply is posted whole ` +
        `(${observed.filter((reply) => reply.stream).length} streamed)`,
    },
    {
      section,
      metric: 'portal answer → whole reply in Slack p99',
      unit: 'ms',
      value: whole.count === 0 ? null : whole.p99,
    },
    {
      section,
      metric: 'Slack calls per reply, mean',
      unit: '',
      value: summarize(observed.map(callTotal)).mean,
      note: `per reply, mean (max): ${breakdown(observed)}`,
    },
    ...checks(section, observed, fakes, Number.POSITIVE_INFINITY).filter((row) => row.metric !== 'answered 429'),
  ];
}

/** Every reply finished and complete, none shown twice, no call answered 429 (since `since`). */
function checks(section: string, observed: readonly Observed[], fakes: Fakes, since: number): Row[] {
  const unfinished = observed.filter((reply) => !reply.complete).length;
  const twice = observed.filter((reply) => reply.shownTimes > 1).length;
  const rateLimited = fakes.slack.calls.filter((call) => call.httpStatus === 429 && call.at.getTime() >= since);
  const byMethod = [...new Set(rateLimited.map((call) => call.method))]
    .map((method) => `${method} ${rateLimited.filter((call) => call.method === method).length}`)
    .join(', ');
  return [
    {
      section,
      metric: 'replies not finished or incomplete',
      unit: '',
      value: unfinished,
      target: '0',
      met: unfinished === 0,
      note:
        'finished: the stream stopped by the service, and the message shows the whole answer redacted (equal to ' +
        'the redactor’s output for the whole answer), no unredacted token ever sent to Slack',
    },
    { section, metric: 'replies shown twice', unit: '', value: twice, target: '0', met: twice === 0 },
    {
      section,
      metric: 'answered 429',
      unit: '',
      value: rateLimited.length,
      target: '0',
      met: rateLimited.length === 0,
      note: `the fake Slack holds chat.*Stream to Slack's tiers (STREAMING_RATE_LIMITS)${byMethod ? `: ${byMethod}` : ''}`,
    },
  ];
}
