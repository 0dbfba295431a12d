import { retryPolicies, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { createThreadPoster } from '../../src/slack/web/thread-poster.js';
import type { FaultInjection } from '../fakes/slack/index.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';
import { fastPacing, ticketThread } from './support/scenario.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('slack-faults');

describe('Slack faults', () => {
  let h: Harness;
  const inject = (fault: FaultInjection) => {
    counters.add('faultsInjected', Number.isFinite(fault.times ?? 1) ? (fault.times ?? 1) : 1);
    h.slack.inject(fault);
  };
  const logLines = () => h.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    // Fast pacing for everything but the pacing test, which builds a poster with the production pace. The Web API
    // client keeps its production retry policy (the harness's default turns retries off): a 429 is handled by it
    // alone (src/slack/web/thread-poster.ts). The faults injected below are Slack errors (ok: false), which no
    // retry policy sends again.
    h = await startHarness({
      serviceOptions: {
        slackPacing: fastPacing,
        slackClientOptions: { retryConfig: retryPolicies.tenRetriesInAboutThirtyMinutes, timeout: 5_000 },
      },
    });
  });
  afterEach(() => {
    h.slack.clearInjections();
    h.portal.resetAgentScript();
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
  });

  it('honours 429 Retry-After and sends the reply again, once: nothing lost, nothing doubled', async () => {
    const { threadTs } = await ticketThread(h);
    h.portal.setAgentScript(({ message }) => ({ content: `Echo after a 429: ${message.content}` }));
    inject({ method: 'chat.postMessage', status: 429, retryAfter: 1, times: 2 });
    await h.say(People.alice, 'rate limit me', threadTs);

    const replies = h.transcript(threadTs).filter((text) => text.includes('Echo after a 429: rate limit me'));
    counters.add('duplicatesFound', Math.max(0, replies.length - 1));
    expect(replies).toHaveLength(1);
    const posts = h.slack.callsTo('chat.postMessage').slice(-3);
    expect(posts.map((call) => call.httpStatus)).toEqual([429, 429, 200]);
    // Each attempt came at least Retry-After (1 s) after the refusal before it.
    const [first, second, third] = posts.map((call) => call.at.getTime()) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(950);
    expect(third - second).toBeGreaterThanOrEqual(950);
    // One warning per refusal, and the client's retry was the only one: three attempts in all, not more.
    expect(
      logLines().filter(
        (line) =>
          line.level === 'warn' &&
          line.method === 'chat.postMessage' &&
          line.msg === 'Slack rate limited a call; the Web API client retries it after Retry-After',
      ),
    ).toHaveLength(2);
  });

  it('paces messages to one channel to about one a second (burst 2), in order, without holding other channels', async () => {
    const { thread } = await ticketThread(h);
    const other = { ...thread, channelId: 'C0OTHER' };
    const otherParent = h.slack.userMessage({ user: People.alice.id, channel: other.channelId, text: 'other' });
    const started = Date.now();
    const texts = Array.from({ length: 7 }, (_, index) => `paced message ${index + 1}`);
    const poster = createThreadPoster({
      client: new WebClient(h.slack.botToken, { slackApiUrl: h.slack.apiUrl, retryConfig: { retries: 0 } }),
      logger: h.service.logger,
      metrics: h.service.metrics,
    });
    const posts = texts.map((text) =>
      poster.post(thread, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }),
    );
    const elsewhere = poster
      .post({ ...other, threadTs: otherParent.ts }, { text: 'not held', blocks: [] })
      .then(() => Date.now() - started);
    // Not held behind the other channel's queue of several seconds (bounded generously: the machine may be busy).
    expect(await elsewhere).toBeLessThan(2_000);
    await Promise.all(posts);
    const sent = h.slack
      .callsTo('chat.postMessage')
      .filter((call) => texts.includes(String(call.args.text)))
      .map((call) => ({ text: String(call.args.text), offset: call.at.getTime() - started }));
    expect(sent.map((entry) => entry.text)).toEqual(texts);
    // Two at once, then one a second: message k (from 0) leaves no sooner than k - 1 seconds in.
    for (const [index, entry] of sent.entries()) {
      expect(entry.offset).toBeGreaterThanOrEqual(Math.max(0, index - 1) * 1000 - 100);
    }
    // No window of a second holds more than three (Slack: about one a second, short bursts allowed).
    for (const entry of sent) {
      expect(
        sent.filter((other) => other.offset >= entry.offset && other.offset < entry.offset + 1000).length,
      ).toBeLessThanOrEqual(3);
    }
  });

  it('not_in_channel: tells the person privately how to invite the bot, and logs it', async () => {
    const { threadTs } = await ticketThread(h);
    h.portal.setAgentScript(() => ({ content: 'a reply that cannot be posted' }));
    inject({ method: 'chat.postMessage', error: 'not_in_channel', times: 3 });
    await h.say(People.alice, 'are you there?', threadTs);
    const notice = JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1));
    expect(notice).toContain('I am not a member of this channel');
    expect(notice).toContain('/invite');
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        code: 'slack.not_in_channel',
        // The message reached the agent: only its answer could not be shown.
        msg: 'after the portal accepted it, could not show the agent’s answer',
      }),
    );
    expect(
      h.slack.callsTo('chat.postMessage').filter((call) => call.error === 'not_in_channel').length,
    ).toBeLessThanOrEqual(3);
  });

  it('channel_not_found: gives up at once with a log line saying what to do, no retry loop', async () => {
    const { threadTs } = await ticketThread(h);
    const before = h.slack.calls.length;
    inject({ method: 'chat.postMessage', error: 'channel_not_found', times: 10 });
    inject({ method: 'chat.postEphemeral', error: 'channel_not_found', times: 10 });
    await h.say(People.alice, 'anyone?', threadTs);
    const attempts = h.slack.calls.slice(before).filter((call) => call.error === 'channel_not_found');
    expect(attempts.length).toBeLessThanOrEqual(3);
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        code: 'slack.channel_not_found',
        msg: 'cannot post in this channel (invite the bot, or the channel is gone): the person was not told',
      }),
    );
  });

  it('expired_trigger_id: asks the person to click again, and the second click opens the form', async () => {
    const { ts } = await h.mention(People.alice, 'open the form late');
    const prompt = h.botMessage(ts, /Create Ticket/);
    const click = () =>
      h.slack.clickButton({
        user: People.alice.id,
        channel: Channel,
        messageTs: prompt.ts,
        actionId: ActionId.OpenCreateTicket,
      });
    const views = h.slack.openViews(People.alice.id).length;
    inject({ method: 'views.open', error: 'expired_trigger_id', times: 1 });
    await h.send(click(), 'interaction');
    expect(h.slack.openViews(People.alice.id)).toHaveLength(views);
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain('Click the button again');
    expect(logLines()).toContainEqual(
      expect.objectContaining({ code: 'slack.expired_trigger', msg: 'could not open the Create Ticket modal' }),
    );
    await h.send(click(), 'interaction');
    expect(h.slack.openViews(People.alice.id)).toHaveLength(views + 1);
  });

  it('invalid_blocks: says in the thread that Slack refused a message, and logs where', async () => {
    const { threadTs } = await ticketThread(h);
    h.portal.setAgentScript(() => ({ content: 'a reply Slack will refuse' }));
    inject({ method: 'chat.postMessage', error: 'invalid_blocks', times: 1 });
    await h.say(People.alice, 'format this', threadTs);
    expect(h.transcript(threadTs).at(-1)).toContain('Slack refused a message this service built');
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        code: 'slack.invalid_blocks',
        details: expect.objectContaining({ slackError: 'invalid_blocks' }),
      }),
    );
  });
});
