import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, type FakeSlack, startFakeSlack } from './fake-slack.js';
import { clientFor, slackError } from './test-helpers.js';

let fake: FakeSlack;
let client: WebClient;
const person = DEFAULT_USERS[0]?.id ?? '';

beforeEach(async () => {
  fake = await startFakeSlack();
  client = clientFor(fake);
});

afterEach(async () => {
  expect(fake.internalErrors).toEqual([]);
  await fake.close();
});

const prompt = (n: number) => ({ title: `Prompt ${n}`, message: `Message ${n}` });

describe('the app’s DM with a person', () => {
  it('sends message.im (channel_type im; app_mention too when it mentions the bot) and lets the bot reply', async () => {
    const channel = fake.dmChannelOf(person);
    expect(fake.directMessage({ user: person, text: 'plain' }).events.map((envelope) => envelope.event.type)).toEqual([
      'message',
    ]);
    const { ts, events } = fake.directMessage({ user: person, text: `<@${fake.botUserId}> hi` });
    expect(events.map((envelope) => [envelope.event.type, envelope.event.channel_type])).toEqual([
      ['app_mention', undefined],
      ['message', 'im'],
    ]);
    await client.chat.postMessage({ channel, thread_ts: ts, text: 'hello' });
    expect(fake.thread(channel, ts)).toHaveLength(2);
    const reply = fake.directMessage({ user: person, text: 'thanks', threadTs: ts });
    expect(reply.event.event).toMatchObject({ channel, thread_ts: ts, channel_type: 'im' });
  });

  it('answers conversations.info on a DM with missing_scope (it needs im:read, which the app does not ask for)', async () => {
    expect((await slackError(client.conversations.info({ channel: fake.dmChannelOf(person) }))).error).toBe(
      'missing_scope',
    );
  });

  it('takes the thread status line in a DM thread', async () => {
    const { ts } = fake.directMessage({ user: person, text: 'hi' });
    await client.assistant.threads.setStatus({
      channel_id: fake.dmChannelOf(person),
      thread_ts: ts,
      status: 'is busy…',
    });
    expect(fake.status(fake.dmChannelOf(person), ts)).toBe('is busy…');
  });
});

describe('assistant threads', () => {
  it('stores the root message (assistant_app_thread) and sends assistant_thread_started', () => {
    const started = fake.assistantThreadStarted({ user: person, contextChannel: 'C0TEST' });
    expect(started.event.event).toMatchObject({
      type: 'assistant_thread_started',
      assistant_thread: { user_id: person, channel_id: started.channel, thread_ts: started.threadTs },
    });
    expect(fake.message(started.channel, started.threadTs)).toMatchObject({
      subtype: 'assistant_app_thread',
      user: person,
    });
  });

  it('takes up to four suggested prompts with title and message, and a title', async () => {
    const { channel, threadTs } = fake.assistantThreadStarted({ user: person });
    await client.assistant.threads.setSuggestedPrompts({
      channel_id: channel,
      thread_ts: threadTs,
      title: 'Try',
      prompts: [1, 2, 3, 4].map(prompt),
    });
    await client.assistant.threads.setTitle({ channel_id: channel, thread_ts: threadTs, title: 'Backups' });
    expect(fake.assistantThread(channel, threadTs)).toMatchObject({ title: 'Backups', promptsTitle: 'Try' });
    expect(fake.assistantThread(channel, threadTs)?.prompts).toHaveLength(4);
  });

  it('refuses five prompts, a prompt without message, no prompts and an empty title', async () => {
    const { channel, threadTs } = fake.assistantThreadStarted({ user: person });
    const set = (prompts: unknown) =>
      slackError(
        client.apiCall('assistant.threads.setSuggestedPrompts', { channel_id: channel, thread_ts: threadTs, prompts }),
      );
    expect((await set([1, 2, 3, 4, 5].map(prompt))).error).toBe('invalid_arguments');
    expect((await set([{ title: 'no message' }])).messages.join()).toContain('/prompts/0/message');
    expect((await set([])).error).toBe('invalid_arguments');
    expect(
      (await slackError(client.assistant.threads.setTitle({ channel_id: channel, thread_ts: threadTs, title: '' })))
        .error,
    ).toBe('invalid_arguments');
  });

  it('refuses prompts and titles outside an assistant thread: a plain DM thread, a channel', async () => {
    const { ts } = fake.directMessage({ user: person, text: 'hi' });
    const plain = { channel_id: fake.dmChannelOf(person), thread_ts: ts };
    expect((await slackError(client.assistant.threads.setTitle({ ...plain, title: 'x' }))).error).toBe(
      'invalid_thread_ts',
    );
    const { ts: channelTs } = fake.userMessage({ user: person, channel: 'C0TEST', text: 'hi' });
    expect(
      (
        await slackError(
          client.assistant.threads.setSuggestedPrompts({
            channel_id: 'C0TEST',
            thread_ts: channelTs,
            prompts: [prompt(1)],
          }),
        )
      ).error,
    ).toBe('channel_not_found');
  });
});
