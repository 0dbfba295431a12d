import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TicketStore } from '../../src/domain/ports.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { openStore } from '../../src/store/open-store.js';
import { encodeSlackDelivery, postToApp } from '../fakes/slack/index.js';
import { eventually } from '../support/eventually.js';
import { openCreateTicket, submit } from '../support/flows.js';
import { Channel, type Harness, People, SigningSecret, startHarness } from '../support/harness.js';
import {
  approveFirst,
  clickSubmit,
  createsIn,
  dev,
  devChoice,
  echoesFor,
  fastPacing,
  sendsTo,
  ticketThread,
} from './support/scenario.js';
import { postRaw } from './support/signed-requests.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('delivery-and-signing');
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('delivery: de-duplication, Slack retries, fast acks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { slackPacing: fastPacing } });
  });
  afterEach(() => {
    h.portal.setLatency(0);
    h.portal.clearFaults();
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
  });

  it('handles an event once, whatever Slack redelivers: same event_id, retries 1-3, new signatures', async () => {
    const { threadTs, link } = await ticketThread(h);
    const before = sendsTo(h.portal.calls, link.ticketName).length;
    const delivery = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'any news?', threadTs });
    const url = `${h.service.url}/slack/events`;
    const first = await postToApp(url, SigningSecret, delivery.event, { kind: 'event' });
    expect(first.status).toBe(200);
    await h.service.idle();
    for (const [retryNum, reason] of [
      [1, 'http_timeout'],
      [2, 'http_error'],
      [3, 'http_timeout'],
    ] as const) {
      // Slack signs each retry afresh: a later timestamp, so a new signature.
      const retry = await postToApp(url, SigningSecret, delivery.event, {
        kind: 'event',
        retryNum,
        retryReason: reason,
        timestampSeconds: nowSeconds() + retryNum,
      });
      expect(retry.status).toBe(200);
      expect(retry.elapsedMs).toBeLessThan(1000);
    }
    await h.service.idle();
    const sends = sendsTo(h.portal.calls, link.ticketName).length - before;
    counters.add('duplicatesFound', Math.max(0, sends - 1));
    expect(sends).toBe(1);
    expect(h.transcript(threadTs).filter((text) => text.includes('You asked: "any news?"'))).toHaveLength(1);
    expect(h.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({
        msg: 'slack request handled',
        outcome: 'duplicate',
        correlationId: delivery.event.event_id,
      }),
    );
    // The store remembers it: another instance would skip it too.
    expect(await h.service.store.recordEvent(String(delivery.event.event_id), new Date())).toBe(false);
  });

  it('acks before slow work: a relay, a Submit and a Create Ticket while the portal takes 1.5 s a call', async () => {
    const { threadTs, link } = await ticketThread(h);
    const card = await approveFirst(h, threadTs);
    h.portal.setLatency(1500);
    const url = `${h.service.url}/slack/events`;

    const mention = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'still slow?', threadTs });
    const relayAck = await postToApp(url, SigningSecret, mention.event, { kind: 'event' });
    const submitAck = await postToApp(url, SigningSecret, clickSubmit(h, People.alice, card.ts), {
      kind: 'interaction',
    });
    expect(relayAck.status).toBe(200);
    expect(submitAck.status).toBe(200);
    expect(relayAck.elapsedMs).toBeLessThan(1000);
    expect(submitAck.elapsedMs).toBeLessThan(1000);
    await h.service.idle();
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
    expect(h.transcript(threadTs).join('\n')).toContain('You asked: "still slow?"');

    // A view submission must validate within its ack; past the budget it acks and reports in the thread.
    h.portal.setLatency(0);
    const { ts } = await h.mention(People.alice, 'slow portal, new thread');
    const viewId = await openCreateTicket(h, People.alice, ts);
    const payload = h.slack.submitView({
      user: People.alice.id,
      viewId,
      values: { [ActionId.SelectTenant]: dev.id },
    });
    h.portal.setLatency(1500);
    const createAck = await postToApp(url, SigningSecret, payload, { kind: 'interaction' });
    expect(createAck.status).toBe(200);
    expect(createAck.elapsedMs).toBeLessThan(3000);
  });

  it('creates one ticket however often the Create Ticket form is submitted', async () => {
    const { ts } = await h.mention(People.alice, 'double submit test');
    const viewId = await openCreateTicket(h, People.alice, ts);
    const { chooseInView } = await import('../support/flows.js');
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, dev.id);
    const values = {
      [ActionId.SelectAgent]: devChoice.agentId,
      [ActionId.SelectIdentity]: devChoice.permissionIds[0] as string,
    };
    const before = createsIn(h.portal.calls, dev.id).length;
    const payloads = Array.from({ length: 5 }, () => h.slack.submitView({ user: People.alice.id, viewId, values }));
    await Promise.all(payloads.map((payload) => h.send(payload, 'interaction')));
    await submit(h, People.alice, viewId, values).catch(() => undefined);
    const created = createsIn(h.portal.calls, dev.id).length - before;
    counters.add('duplicatesFound', Math.max(0, created - 1));
    expect(created).toBe(1);
    const links = await h.service.store.linkHistory({ teamId: h.slack.teamId, channelId: Channel, threadTs: ts });
    expect(links).toHaveLength(1);
  });
});

describe('processed events are kept a day, then pruned', () => {
  let h: Harness;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { clock, slackPacing: fastPacing } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('remembers an event id for a day, and forgets it after the next sweep', async () => {
    const delivery = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'remember me' });
    await h.send(delivery.event, 'event');
    const eventId = String(delivery.event.event_id);
    // Within the day a redelivery is a duplicate.
    offsetMs = 23 * 60 * 60_000;
    await h.service.sweep();
    expect(await h.service.store.recordEvent(eventId, clock.now())).toBe(false);
    // Past the day the sweep prunes it (Slack stopped retrying long before).
    offsetMs = 2 * 24 * 60 * 60_000;
    const report = await h.service.sweep();
    // The event id (an event's signature is kept in the instance's memory only: its event id covers the others).
    expect(report.prunedEvents).toBeGreaterThanOrEqual(1);
    expect(await h.service.store.recordEvent(eventId, clock.now())).toBe(true);
  });
});

describe('signing: only fresh, correctly signed, first-time requests do anything', () => {
  let h: Harness;
  let store: TicketStore;
  beforeAll(async () => {
    // One store for every instance, as replicas share one PostgreSQL.
    store = await openStore({ dataDir: 'memory' });
    h = await startHarness({ store, serviceOptions: { slackPacing: fastPacing } });
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
    await store?.close();
  });

  const sideEffects = () => ({ portal: h.portal.calls.length, slack: h.slack.calls.length });

  it.each([
    ['a bad signature', { headers: { 'x-slack-signature': `v0=${'0'.repeat(64)}` } }],
    ['a signature made with another secret', { secret: 'not-the-signing-secret' }],
    ['no signature header', { headers: { 'x-slack-signature': undefined } }],
    ['no timestamp header', { headers: { 'x-slack-request-timestamp': undefined } }],
    ['neither header', { headers: { 'x-slack-signature': undefined, 'x-slack-request-timestamp': undefined } }],
    ['a timestamp 6 minutes old', { timestampSeconds: nowSeconds() - 6 * 60 }],
    ['a timestamp 10 minutes in the future', { timestampSeconds: nowSeconds() + 10 * 60 }],
    ['a non-numeric timestamp', { headers: { 'x-slack-request-timestamp': 'yesterday' } }],
  ] as const)('refuses %s with 401 and does nothing', async (_what, tamper) => {
    const { threadTs } = await ticketThread(h);
    await h.service.idle();
    const before = sideEffects();
    const mention = h.slack.mention({ user: People.alice.id, channel: Channel, text: 'forged?', threadTs });
    const { body, contentType } = encodeSlackDelivery(mention.event, 'event');
    const response = await postRaw(
      `${h.service.url}/slack/events`,
      'secret' in tamper ? tamper.secret : SigningSecret,
      {
        body,
        contentType,
        ...('timestampSeconds' in tamper ? { timestampSeconds: tamper.timestampSeconds } : {}),
        ...('headers' in tamper ? { headers: tamper.headers } : {}),
      },
    );
    await h.service.idle();
    counters.add('signedRequestsRefused');
    expect(response.status).toBe(401);
    expect(sideEffects()).toEqual(before);
    expect(await h.service.store.recordEvent(String(mention.event.event_id), new Date())).toBe(true);
  });

  it('refuses a body signed for another body', async () => {
    const { threadTs } = await ticketThread(h);
    const before = sideEffects();
    const honest = encodeSlackDelivery(
      h.slack.mention({ user: People.alice.id, channel: Channel, text: 'honest', threadTs }).event,
      'event',
    );
    const forged = encodeSlackDelivery(
      h.slack.mention({ user: People.alice.id, channel: Channel, text: 'forged', threadTs }).event,
      'event',
    );
    const { signSlackRequest } = await import('../fakes/slack/index.js');
    const signed = signSlackRequest(SigningSecret, honest.body);
    const response = await postRaw(`${h.service.url}/slack/events`, SigningSecret, {
      body: forged.body,
      contentType: forged.contentType,
      headers: { ...signed },
    });
    counters.add('signedRequestsRefused');
    expect(response.status).toBe(401);
    await h.service.idle();
    expect(sideEffects()).toEqual(before);
  });

  it('refuses a replayed request (event or click) with 401 and acts on it once', async () => {
    const { threadTs, link } = await ticketThread(h);
    const card = await approveFirst(h, threadTs);
    const url = `${h.service.url}/slack/events`;
    const timestampSeconds = nowSeconds();

    const mention = encodeSlackDelivery(
      h.slack.mention({ user: People.alice.id, channel: Channel, text: 'replay me', threadTs }).event,
      'event',
    );
    const click = encodeSlackDelivery(clickSubmit(h, People.alice, card.ts), 'interaction');
    const sendsBefore = sendsTo(h.portal.calls, link.ticketName).length;
    for (const request of [mention, click]) {
      const first = await postRaw(url, SigningSecret, { ...request, timestampSeconds });
      expect(first.status).toBe(200);
      await h.service.idle();
      const before = sideEffects();
      // The same bytes and headers, replayed a moment later, several times, and concurrently.
      const replays = await Promise.all(
        Array.from({ length: 5 }, () => postRaw(url, SigningSecret, { ...request, timestampSeconds })),
      );
      await h.service.idle();
      counters.add('signedRequestsRefused', replays.length);
      expect(replays.map((replay) => replay.status)).toEqual([401, 401, 401, 401, 401]);
      expect(sideEffects()).toEqual(before);
    }
    // One relay and one echo: nothing ran twice.
    const sends = sendsTo(h.portal.calls, link.ticketName).length - sendsBefore;
    counters.add('duplicatesFound', Math.max(0, sends - 2));
    expect(sends).toBe(2);
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
    expect(h.logs.text()).toContain('"reason":"replayed"');
  });

  it('refuses a replayed click on a second instance sharing the store; a replayed event there is acked and dropped', async () => {
    const { threadTs, link } = await ticketThread(h);
    const card = await approveFirst(h, threadTs);
    const second = await h.startInstance();
    const timestampSeconds = nowSeconds();
    const first = `${h.service.url}/slack/events`;
    const other = `${second.service.url}/slack/events`;

    // An interaction's signature is recorded in the store before Bolt sees it: the other instance refuses it.
    const click = encodeSlackDelivery(clickSubmit(h, People.alice, card.ts), 'interaction');
    expect((await postRaw(first, SigningSecret, { ...click, timestampSeconds })).status).toBe(200);
    await h.service.idle();
    const clickReplay = await postRaw(other, SigningSecret, { ...click, timestampSeconds });
    counters.add('signedRequestsRefused');
    expect(clickReplay.status).toBe(401);
    await second.service.idle();
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);

    // An event's signature stays in the first instance's memory (no database write before the ack); its event_id,
    // recorded by whichever instance runs it, makes the other drop the copy after acking it.
    const mention = encodeSlackDelivery(
      h.slack.mention({ user: People.alice.id, channel: Channel, text: 'cross-instance replay', threadTs }).event,
      'event',
    );
    const before = sendsTo(h.portal.calls, link.ticketName).length;
    expect((await postRaw(first, SigningSecret, { ...mention, timestampSeconds })).status).toBe(200);
    await h.service.idle();
    const replay = await postRaw(other, SigningSecret, { ...mention, timestampSeconds });
    expect(replay.status).toBe(200);
    await second.service.idle();
    await eventually(() => sendsTo(h.portal.calls, link.ticketName).length > before, 5000, 'the relay');
    expect(sendsTo(h.portal.calls, link.ticketName).length - before).toBe(1);
  });
});
