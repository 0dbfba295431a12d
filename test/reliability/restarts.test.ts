import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService, ServiceOptions } from '../../src/service.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedTenants } from '../fakes/portal/index.js';
import { postToApp } from '../fakes/slack/index.js';
import { eventually } from '../support/eventually.js';
import { chooseInView, openCreateTicket } from '../support/flows.js';
import { Channel, freshPostgresSchema, type Harness, People, SigningSecret, startHarness } from '../support/harness.js';
import {
  cardIdOf,
  clickDecision,
  clickSubmit,
  createsIn,
  devChoice,
  echoesFor,
  fastPacing,
  sendsTo,
  ticketThread,
} from './support/scenario.js';
import {
  harnessOn,
  type ServiceProcess,
  serviceEnv,
  settle,
  startServiceOn,
  startServiceProcess,
} from './support/service-process.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('restarts');
const SendMessage = /\/sendmessage$/;

/** The portal received this many messages for the ticket (in flight or answered). */
const arrived = (h: Harness, ticketName: string) => sendsTo(h.portal.calls, ticketName).length;

describe('restarts of the service process on the same data', () => {
  let base: Harness;
  /** The harness pointed at whichever in-process instance is current. */
  let h: Harness;
  let dataDir: string;
  let child: ServiceProcess | undefined;
  const stopped = new Set<RunningService>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'helpdesk-restarts-'));
    // Threads and cards are set up in-process on the data directory; the real process then runs on it.
    base = await startHarness({ env: { DATA_DIR: dataDir }, serviceOptions: { slackPacing: fastPacing } });
    h = base;
  });
  afterEach(() => {
    base.portal.clearFaults();
    base.portal.resetAgentScript();
    child?.kill();
    child = undefined;
  });
  afterAll(async () => {
    counters.save();
    child?.kill();
    if (h && h !== base && !stopped.has(h.service)) await h.service.stop();
    await base?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const stopCurrent = async () => {
    if (stopped.has(h.service)) return;
    stopped.add(h.service);
    await h.service.stop();
  };
  /** Stops the current in-process instance (closing the database) and starts another on the same data. */
  const restartInProcess = async (options: ServiceOptions = {}) => {
    await stopCurrent();
    h = harnessOn(
      base,
      await startServiceOn(base, {
        slackPacing: fastPacing,
        sweeper: { staleSubmitMs: 1_000, intervalMs: 60_000 },
        ...options,
      }),
    );
    counters.add('restarts');
  };
  /** Stops the in-process instance and starts the real process on the same data. */
  const handOverToProcess = async () => {
    await stopCurrent();
    child = await startServiceProcess(serviceEnv(base, dataDir));
    counters.add('restarts');
    return child;
  };

  it('SIGTERM during a relay and a Submit: both finish before exit 0; the restart repeats nothing', async () => {
    const { threadTs, link } = await ticketThread(h, 'restart test: restart the web pods');
    const card = h.botMessage(threadTs, /proposes 2 command/);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    const lateClick = clickSubmit(h, People.alice, card.ts); // a double click that arrives after the restart
    h.portal.setAgentScript(({ message, decisions }) =>
      decisions.length > 0 ? undefined : { content: `Answer to: ${message.content}` },
    );

    const service = await handOverToProcess();
    const url = `${service.url}/slack/events`;
    // The agent takes 2.5 s: SIGTERM lands while both the relay and the approval echo are with the portal.
    h.portal.inject({ method: 'POST', path: SendMessage, delayMs: 2_500, times: 2 });
    counters.add('faultsInjected');
    const before = arrived(h, link.ticketName);
    const mention = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'still there?', threadTs });
    expect((await postToApp(url, SigningSecret, mention.event, { kind: 'event' })).status).toBe(200);
    expect(
      (await postToApp(url, SigningSecret, clickSubmit(h, People.alice, card.ts), { kind: 'interaction' })).status,
    ).toBe(200);
    await eventually(() => arrived(h, link.ticketName) - before === 2, 10_000, 'the relay and the echo at the portal');

    expect(await service.terminate()).toBe(0);
    expect(service.logsWithMessage('stopped')).toHaveLength(1);
    expect(service.logsWithMessage('stopping with work still in flight')).toHaveLength(0);
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript).toContain('Answer to: still there?');
    expect(transcript).toMatch(/Submitted by @UALICE/);

    // Start again on the same data: nothing is sent again, the late click is refused, and the thread still works.
    const again = await startServiceProcess(serviceEnv(base, dataDir));
    child = again;
    counters.add('restarts');
    await settle(base, 1_000, 20_000);
    expect(arrived(h, link.ticketName) - before).toBe(2);
    await postToApp(`${again.url}/slack/events`, SigningSecret, lateClick, { kind: 'interaction' });
    await eventually(
      () => JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1) ?? {}).includes('already submitted'),
      10_000,
      'the refusal of the late click',
    );
    const echoes = echoesFor(h.portal.calls, link.ticketName);
    counters.add('duplicatesFound', Math.max(0, echoes.length - 1));
    expect(echoes).toHaveLength(1);
    const next = h.slack.userMessage({ user: People.alice.id, channel: Channel, text: 'after the restart', threadTs });
    for (const event of next.events)
      await postToApp(`${again.url}/slack/events`, SigningSecret, event, { kind: 'event' });
    await eventually(
      () => h.transcript(threadTs).join('\n').includes('Answer to: after the restart'),
      15_000,
      'a reply',
    );
    expect(await again.terminate()).toBe(0);
  });

  it('a killed process (no SIGTERM) mid-Submit: the next start reports the card in its thread and never resends', async () => {
    await restartInProcess();
    const { threadTs, link } = await ticketThread(h, 'crash test: restart the web pods');
    const card = h.botMessage(threadTs, /proposes 2 command/);
    const cardId = cardIdOf(h, card.ts);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    const lateClick = clickSubmit(h, People.alice, card.ts);

    const service = await handOverToProcess();
    h.portal.inject({ method: 'POST', path: SendMessage, delayMs: 3_000, times: 1 });
    counters.add('faultsInjected');
    await postToApp(`${service.url}/slack/events`, SigningSecret, clickSubmit(h, People.alice, card.ts), {
      kind: 'interaction',
    });
    await eventually(() => echoesFor(h.portal.calls, link.ticketName).length === 1, 10_000, 'the echo in flight');
    service.child.kill('SIGKILL');
    await service.exit;

    // The next start (in-process here, to read its store) finds the card stuck in `submitted` and reports it.
    await restartInProcess();
    // Its start-up sweep, or the next one once the card is past staleSubmitMs, reports it.
    await eventually(
      async () => {
        await h.service.sweep();
        return (await h.service.store.getCard(cardId))?.status === 'failed';
      },
      10_000,
      'the interrupted card to be reported',
    );
    expect(await h.service.store.getCard(cardId)).toMatchObject({ status: 'failed', outcome: 'interrupted' });
    expect(h.transcript(threadTs).at(-1)).toContain('The service restarted while these commands were being sent');
    await h.send(lateClick, 'interaction');
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain('already submitted');
    await eventually(
      () => echoesFor(h.portal.calls, link.ticketName).every((call) => call.status !== 0),
      5_000,
      'the echo',
    );
    const echoes = echoesFor(h.portal.calls, link.ticketName);
    counters.add('duplicatesFound', Math.max(0, echoes.length - 1));
    expect(echoes).toHaveLength(1);
    // A second sweep (this instance or another) reports nothing twice.
    expect((await h.service.sweep()).interrupted).toBe(0);
  });

  it('a stop that cannot wait (shutdown budget spent): work in flight is reported in its thread', async () => {
    await restartInProcess({ shutdownTimeoutMs: 300 });
    const { threadTs, link } = await ticketThread(h, 'budget test: restart the web pods');
    const card = h.botMessage(threadTs, /proposes 2 command/);
    const cardId = cardIdOf(h, card.ts);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    h.portal.inject({ method: 'POST', path: SendMessage, delayMs: 2_000, times: 2 });
    counters.add('faultsInjected');
    const url = `${h.service.url}/slack/events`;
    const before = arrived(h, link.ticketName);
    const mention = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'quick question', threadTs });
    await postToApp(url, SigningSecret, mention.event, { kind: 'event' });
    await postToApp(url, SigningSecret, clickSubmit(h, People.alice, card.ts), { kind: 'interaction' });
    await eventually(() => arrived(h, link.ticketName) - before === 2, 10_000, 'the relay and the echo at the portal');

    await stopCurrent();
    counters.add('restarts');
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript).toContain(
      `The service restarted while ${SeedAgents.kubernetes.friendlyName} was working on @UALICE's message`,
    );
    expect(transcript).toContain('The service restarted while these commands were being sent');
    expect(h.logs.text()).toContain('stopping with work still in flight');

    await restartInProcess();
    expect(await h.service.store.getCard(cardId)).toMatchObject({ status: 'failed', outcome: 'interrupted' });
    await eventually(() => sendsTo(h.portal.calls, link.ticketName).every((call) => call.status !== 0), 5_000, 'calls');
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL;
const engines = postgresUrl ? [['PostgreSQL', postgresUrl] as const] : [];

describe.each(engines)('two instances on one %s', (_engine, url) => {
  let h: Harness;
  let drop: () => Promise<void>;
  let second: { send: Harness['send']; service: Harness['service'] };

  beforeAll(async () => {
    const schema = await freshPostgresSchema(url);
    drop = schema.drop;
    h = await startHarness({ env: { DATABASE_URL: schema.url }, serviceOptions: { slackPacing: fastPacing } });
    second = await h.startInstance();
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
    await drop?.();
  });

  it('an event delivered to both (a retry that lands on the other replica) is relayed once', async () => {
    const { threadTs, link } = await ticketThread(h, 'replicas: any news?');
    const before = arrived(h, link.ticketName);
    const mention = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'both of you?', threadTs });
    await Promise.all([h.send(mention.event, 'event'), second.send(mention.event, 'event', { retryNum: 1 })]);
    const sent = arrived(h, link.ticketName) - before;
    counters.add('duplicatesFound', Math.max(0, sent - 1));
    expect(sent).toBe(1);
  });

  it('Create Ticket for one thread submitted on both at once makes one ticket', async () => {
    const { ts } = await h.mention(People.alice, 'replicas: one ticket please');
    const values = {
      [ActionId.SelectAgent]: devChoice.agentId,
      [ActionId.SelectIdentity]: devChoice.permissionIds[0] as string,
    };
    const forms = [];
    for (const person of [People.alice, People.admin]) {
      const viewId = await openCreateTicket(h, person, ts);
      await chooseInView(h, person, viewId, ActionId.SelectTenant, SeedTenants.dev.id);
      forms.push(h.slack.submitView({ user: person.id, viewId, values }));
    }
    const before = createsIn(h.portal.calls, SeedTenants.dev.id).length;
    await Promise.all([h.send(forms[0], 'interaction'), second.send(forms[1], 'interaction')]);
    const created = createsIn(h.portal.calls, SeedTenants.dev.id).length - before;
    counters.add('duplicatesFound', Math.max(0, created - 1));
    expect(created).toBe(1);
    expect(
      await h.service.store.linkHistory({ teamId: h.slack.teamId, channelId: Channel, threadTs: ts }),
    ).toHaveLength(1);
  });

  it('Submits spread over both send one echo, and a sweep on either reports nothing twice', async () => {
    const { threadTs, link } = await ticketThread(h, 'replicas: restart the web pods');
    const card = h.botMessage(threadTs, /proposes 2 command/);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    const clicks = Array.from({ length: 10 }, () => clickSubmit(h, People.alice, card.ts));
    await Promise.all(clicks.map((click, index) => (index % 2 === 0 ? h : second).send(click, 'interaction')));
    const echoes = echoesFor(h.portal.calls, link.ticketName);
    counters.add('duplicatesFound', Math.max(0, echoes.length - 1));
    expect(echoes).toHaveLength(1);
    const [a, b] = await Promise.all([h.service.sweep(), second.service.sweep()]);
    expect(a.interrupted + b.interrupted).toBe(0);
  });
});
