import { ErrorCode, type WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from './fake-slack.js';
import { renderMessageText, STREAMING_MARK } from './render.js';
import { STREAMING_RATE_LIMITS } from './streaming.js';
import { clientFor, ManualClock, slackError } from './test-helpers.js';

const CHANNEL = 'C0STREAM';
const DM = 'D0ALICE01';
const TEAM = 'T0001';
const recipient = { recipient_user_id: 'UALICE', recipient_team_id: TEAM };
const plain = (text: string) => ({ type: 'plain_text' as const, text });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

let fake: FakeSlack;
let client: WebClient;

async function start(options: FakeSlackOptions = {}): Promise<void> {
  await fake?.close();
  fake = await startFakeSlack(options);
  client = clientFor(fake);
}

beforeEach(async () => {
  fake = await startFakeSlack();
  client = clientFor(fake);
});

afterEach(async () => {
  expect(fake.internalErrors).toEqual([]);
  await fake.close();
});

/** A person's message to reply under. */
function ask(channel = CHANNEL, user = 'UALICE'): string {
  return fake.mention({ user, channel, text: 'why is prod down?' }).ts;
}

async function startIn(threadTs: string, extra: Record<string, unknown> = {}): Promise<string> {
  const started = await client.chat.startStream({ channel: CHANNEL, thread_ts: threadTs, ...recipient, ...extra });
  return started.ts as string;
}

describe('chat.startStream', () => {
  it('starts a reply in the thread that shows it is streaming', async () => {
    const thread = ask();
    await client.assistant.threads.setStatus({ channel_id: CHANNEL, thread_ts: thread, status: 'is thinking…' });
    const started = await client.chat.startStream({ channel: CHANNEL, thread_ts: thread, ...recipient });
    expect(started).toMatchObject({ ok: true, channel: CHANNEL, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    const [, reply] = fake.thread(CHANNEL, thread);
    expect(reply).toMatchObject({
      ts: started.ts,
      thread_ts: thread,
      parent_user_id: 'UALICE',
      user: fake.botUserId,
      bot_id: fake.botId,
      text: '',
      streaming_state: 'in_progress',
    });
    expect(reply).not.toHaveProperty('blocks');
    expect(renderMessageText(reply ?? { text: '' })).toBe(STREAMING_MARK);
    // A reply clears the assistant status, as a posted one does.
    expect(fake.status(CHANNEL, thread)).toBeNull();
  });

  it('shows the first text at once when it comes with the start', async () => {
    const ts = await startIn(ask(), { markdown_text: 'Looking at **prod**…' });
    expect(fake.message(CHANNEL, ts)?.text).toBe('Looking at **prod**…');
    expect(renderMessageText(fake.message(CHANNEL, ts) ?? { text: '' })).toBe(`Looking at **prod**… ${STREAMING_MARK}`);
    expect(fake.stream(CHANNEL, ts)).toMatchObject({ mode: 'markdown_text', text: 'Looking at **prod**…' });
  });

  it('needs recipient_team_id and recipient_user_id in a channel, not in a DM', async () => {
    const thread = ask();
    const neither = await slackError(client.chat.startStream({ channel: CHANNEL, thread_ts: thread }));
    expect(neither.error).toBe('missing_recipient_team_id');
    const noTeam = client.chat.startStream({ channel: CHANNEL, thread_ts: thread, recipient_user_id: 'UALICE' });
    expect((await slackError(noTeam)).error).toBe('missing_recipient_team_id');
    const noUser = client.chat.startStream({ channel: CHANNEL, thread_ts: thread, recipient_team_id: TEAM });
    expect((await slackError(noUser)).error).toBe('missing_recipient_user_id');
    const private_ = 'G0PRIVATE';
    const inPrivate = client.chat.startStream({ channel: private_, thread_ts: ask(private_) });
    expect((await slackError(inPrivate)).error).toBe('missing_recipient_team_id');

    fake.addChannel(DM, { name: 'alice', isPrivate: true, members: ['UALICE'] });
    const dmThread = ask(DM);
    const inDm = await client.chat.startStream({ channel: DM, thread_ts: dmThread, markdown_text: 'Hi' });
    expect(fake.message(DM, inDm.ts as string)).toMatchObject({ text: 'Hi', streaming_state: 'in_progress' });
    expect(fake.streams(CHANNEL)).toEqual([]);
  });

  it('refuses an unknown recipient, and a team that is not the recipient’s own', async () => {
    const thread = ask();
    const unknown = client.chat.startStream({
      channel: CHANNEL,
      thread_ts: thread,
      recipient_user_id: 'UNOBODY',
      recipient_team_id: TEAM,
    });
    expect((await slackError(unknown)).error).toBe('user_not_found');
    fake.addUser({ id: 'UEXT', name: 'ext', teamId: 'T0OTHER' });
    const wrongTeam = await slackError(
      client.chat.startStream({
        channel: CHANNEL,
        thread_ts: thread,
        recipient_user_id: 'UEXT',
        recipient_team_id: TEAM,
      }),
    );
    expect(wrongTeam.error).toBe('invalid_arguments');
    expect(wrongTeam.messages[0]).toMatch(/fake Slack: .*not the team of UEXT \(T0OTHER\).*recipient_team_id/);
    const external = await client.chat.startStream({
      channel: CHANNEL,
      thread_ts: thread,
      recipient_user_id: 'UEXT',
      recipient_team_id: 'T0OTHER',
    });
    expect(fake.stream(CHANNEL, external.ts as string)).toMatchObject({
      recipientUserId: 'UEXT',
      recipientTeamId: 'T0OTHER',
    });
  });

  it('refuses channels the bot cannot post in, as chat.postMessage does', async () => {
    fake.addChannel('C0OUTSIDE', { botIsMember: false });
    fake.addChannel('G0HIDDEN', { botIsMember: false });
    const outside = client.chat.startStream({ channel: 'C0OUTSIDE', thread_ts: '1700000000.000100', ...recipient });
    expect((await slackError(outside)).error).toBe('not_in_channel');
    const hidden = client.chat.startStream({ channel: 'G0HIDDEN', thread_ts: '1700000000.000100', ...recipient });
    expect((await slackError(hidden)).error).toBe('channel_not_found');
    const nowhere = client.chat.startStream({ channel: 'nope', thread_ts: '1700000000.000100', ...recipient });
    expect((await slackError(nowhere)).error).toBe('channel_not_found');
    expect(fake.streams()).toEqual([]);
  });

  it('streams only into an existing thread (the fake requires thread_ts)', async () => {
    const missing = await slackError(client.apiCall('chat.startStream', { channel: CHANNEL, ...recipient }));
    expect(missing.error).toBe('invalid_arguments');
    expect(missing.messages[0]).toMatch(/fake Slack: missing required field: thread_ts.*json-pointer:\/thread_ts/);
    const unknown = client.chat.startStream({ channel: CHANNEL, thread_ts: '1700000000.000100', ...recipient });
    expect((await slackError(unknown)).error).toBe('thread_not_found');
    const thread = ask();
    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: thread, text: 'a reply' });
    const underReply = client.chat.startStream({ channel: CHANNEL, thread_ts: reply.ts as string, ...recipient });
    expect((await slackError(underReply)).error).toBe('thread_not_found');
  });

  it('takes at most 12,000 characters of markdown_text, and markdown_text or chunks, not both', async () => {
    const thread = ask();
    const long = client.chat.startStream({
      channel: CHANNEL,
      thread_ts: thread,
      ...recipient,
      markdown_text: 'x'.repeat(12_001),
    });
    expect((await slackError(long)).error).toBe('msg_too_long');
    const longChunk = startIn(thread, { chunks: [{ type: 'markdown_text', text: 'x'.repeat(12_001) }] });
    expect((await slackError(longChunk)).error).toBe('msg_too_long');
    const both = await slackError(
      startIn(thread, { markdown_text: 'a', chunks: [{ type: 'markdown_text', text: 'b' }] }),
    );
    expect(both.error).toBe('invalid_arguments');
    const ts = await startIn(thread, { markdown_text: 'x'.repeat(12_000) });
    expect(fake.message(CHANNEL, ts)?.text).toHaveLength(12_000);
  });

  it('checks chunks and task_display_mode', async () => {
    const thread = ask();
    const badType = await slackError(startIn(thread, { chunks: [{ type: 'paragraph', text: 'x' }] }));
    expect(badType).toEqual({
      error: 'invalid_chunks',
      messages: [
        '[ERROR] must be one of: markdown_text, task_update, plan_update, blocks [json-pointer:/chunks/0/type]',
      ],
    });
    const badTask = await slackError(
      startIn(thread, { chunks: [{ type: 'task_update', id: 't1', title: 'x'.repeat(257), status: 'done' }] }),
    );
    expect(badTask.error).toBe('invalid_chunks');
    expect(badTask.messages).toEqual([
      '[ERROR] must be less than 257 characters [json-pointer:/chunks/0/title]',
      '[ERROR] must be one of: pending, in_progress, complete, error [json-pointer:/chunks/0/status]',
    ]);
    const notArray = await slackError(
      client.apiCall('chat.startStream', { channel: CHANNEL, thread_ts: thread, ...recipient, chunks: 'x' }),
    );
    expect(notArray.error).toBe('invalid_chunks');
    const badBlocks = await slackError(startIn(thread, { chunks: [{ type: 'blocks', blocks: [{ type: 'nope' }] }] }));
    expect(badBlocks.error).toBe('invalid_blocks');
    const badMode = await slackError(startIn(thread, { task_display_mode: 'list' }));
    expect(badMode).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] must be one of: timeline, plan [json-pointer:/task_display_mode]'],
    });
    const ok = await startIn(thread, {
      task_display_mode: 'plan',
      chunks: [
        { type: 'plan_update', title: 'Find the cause' },
        { type: 'task_update', id: 'logs', title: 'Read the logs', status: 'in_progress', details: 'web-1' },
      ],
    });
    expect(fake.stream(CHANNEL, ok)).toMatchObject({
      mode: 'chunks',
      planTitle: 'Find the cause',
      tasks: { logs: { title: 'Read the logs', status: 'in_progress', details: 'web-1' } },
      text: '',
      firstTextAt: null,
    });
  });

  it('is refused where a channel does not allow streaming, and when told to refuse', async () => {
    fake.addChannel('C0NOSTREAM', { streaming: false });
    const thread = ask('C0NOSTREAM');
    const refused = client.chat.startStream({ channel: 'C0NOSTREAM', thread_ts: thread, ...recipient });
    expect((await slackError(refused)).error).toBe('channel_type_not_supported');
    // The fallback still posts.
    await client.chat.postMessage({ channel: 'C0NOSTREAM', thread_ts: thread, text: 'the answer' });
    expect(fake.thread('C0NOSTREAM', thread).map((m) => m.text)).toEqual(['<@UBOT> why is prod down?', 'the answer']);

    fake.inject({ method: 'chat.startStream', error: 'restricted_action', times: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) expect((await slackError(startIn(ask()))).error).toBe('restricted_action');
    fake.clearInjections();
    await startIn(ask());
    expect(fake.callsTo('chat.startStream').map((call) => call.error ?? 'ok')).toEqual([
      'channel_type_not_supported',
      'restricted_action',
      'restricted_action',
      'restricted_action',
      'ok',
    ]);
    expect(fake.streams()).toHaveLength(1);
  });
});

describe('chat.appendStream', () => {
  it('appends to the message’s text, call after call', async () => {
    const ts = await startIn(ask(), { markdown_text: 'The pod ' });
    await client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: '`web-1` ' });
    const appended = await client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'is crash-looping.' });
    expect(appended).toMatchObject({ ok: true, channel: CHANNEL, ts });
    expect(fake.message(CHANNEL, ts)).toMatchObject({
      text: 'The pod `web-1` is crash-looping.',
      streaming_state: 'in_progress',
    });
    expect(fake.stream(CHANNEL, ts)?.updates.map((update) => [update.method, update.text])).toEqual([
      ['chat.startStream', 'The pod '],
      ['chat.appendStream', '`web-1` '],
      ['chat.appendStream', 'is crash-looping.'],
    ]);
  });

  it('answers message_not_found, message_not_owned_by_app and message_not_in_streaming_state', async () => {
    const thread = ask();
    const unknown = client.chat.appendStream({ channel: CHANNEL, ts: '1700000000.000999', markdown_text: 'x' });
    expect((await slackError(unknown)).error).toBe('message_not_found');
    const human = client.chat.appendStream({ channel: CHANNEL, ts: thread, markdown_text: 'x' });
    expect((await slackError(human)).error).toBe('message_not_owned_by_app');
    const posted = await client.chat.postMessage({ channel: CHANNEL, thread_ts: thread, text: 'posted' });
    const notStream = client.chat.appendStream({ channel: CHANNEL, ts: posted.ts as string, markdown_text: 'x' });
    expect((await slackError(notStream)).error).toBe('message_not_in_streaming_state');
    const ts = await startIn(thread, { markdown_text: 'done' });
    await client.chat.stopStream({ channel: CHANNEL, ts });
    const afterStop = client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: ' more' });
    expect((await slackError(afterStop)).error).toBe('message_not_in_streaming_state');
    const missingTs = await slackError(client.apiCall('chat.appendStream', { channel: CHANNEL, markdown_text: 'x' }));
    expect(missingTs.error).toBe('invalid_arguments');
    expect(fake.message(CHANNEL, ts)?.text).toBe('done');
  });

  it('needs something to append', async () => {
    const ts = await startIn(ask());
    expect((await slackError(client.apiCall('chat.appendStream', { channel: CHANNEL, ts }))).error).toBe('no_text');
    expect((await slackError(client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: '' }))).error).toBe(
      'no_text',
    );
    expect((await slackError(client.chat.appendStream({ channel: CHANNEL, ts, chunks: [] }))).error).toBe('no_text');
  });

  it('keeps a stream to the form of its first content: markdown_text or chunks', async () => {
    const textual = await startIn(ask(), { markdown_text: 'a' });
    const chunk = client.chat.appendStream({
      channel: CHANNEL,
      ts: textual,
      chunks: [{ type: 'markdown_text', text: 'b' }],
    });
    expect((await slackError(chunk)).error).toBe('streaming_mode_mismatch');
    const chunky = await startIn(ask(), { chunks: [{ type: 'markdown_text', text: 'a' }] });
    const text = client.chat.appendStream({ channel: CHANNEL, ts: chunky, markdown_text: 'b' });
    expect((await slackError(text)).error).toBe('streaming_mode_mismatch');
    await client.chat.appendStream({
      channel: CHANNEL,
      ts: chunky,
      chunks: [{ type: 'task_update', id: 't', title: 'Check', status: 'complete' }],
    });
    // A bare start leaves the form to the first append.
    const bare = await startIn(ask());
    await client.chat.appendStream({ channel: CHANNEL, ts: bare, markdown_text: 'x' });
    expect(fake.streams().map((stream) => stream.mode)).toEqual(['markdown_text', 'chunks', 'markdown_text']);
  });

  it('refuses text past 12,000 characters per call and per message', async () => {
    const ts = await startIn(ask(), { markdown_text: 'x'.repeat(11_000) });
    const perCall = client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'y'.repeat(12_001) });
    expect((await slackError(perCall)).error).toBe('msg_too_long');
    const perMessage = client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'y'.repeat(1_001) });
    expect((await slackError(perMessage)).error).toBe('msg_too_long');
    await client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'y'.repeat(1_000) });
    expect(fake.message(CHANNEL, ts)?.text).toHaveLength(12_000);

    await start({ streamTextLimit: 10 });
    const small = await startIn(ask(), { markdown_text: '12345' });
    await client.chat.appendStream({ channel: CHANNEL, ts: small, markdown_text: '67890' });
    const over = client.chat.appendStream({ channel: CHANNEL, ts: small, markdown_text: '!' });
    expect((await slackError(over)).error).toBe('msg_too_long');
  });
});

describe('chat.stopStream', () => {
  it('ends the stream; the message then reads as a posted one', async () => {
    const thread = ask();
    const ts = await startIn(thread, { markdown_text: 'The pod `web-1` ' });
    const stopped = await client.chat.stopStream({ channel: CHANNEL, ts, markdown_text: 'is crash-looping.' });
    expect(stopped).toMatchObject({
      ok: true,
      channel: CHANNEL,
      ts,
      message: { ts, text: 'The pod `web-1` is crash-looping.', streaming_state: 'completed' },
    });
    const message = fake.message(CHANNEL, ts);
    expect(renderMessageText(message ?? { text: '' })).toBe('The pod `web-1` is crash-looping.');
    const posted = await client.chat.postMessage({ channel: CHANNEL, thread_ts: thread, text: 'posted' });
    const postedMessage = fake.message(CHANNEL, posted.ts as string) ?? { text: '' };
    // The same shape as a posted reply: the demo page and the transcript show it the same way.
    expect(Object.keys(message ?? {}).sort()).toEqual([...Object.keys(postedMessage), 'streaming_state'].sort());
    expect(fake.stream(CHANNEL, ts)).toMatchObject({ state: 'stopped', endedBy: 'app' });
    const again = client.chat.stopStream({ channel: CHANNEL, ts });
    expect((await slackError(again)).error).toBe('message_not_in_streaming_state');
  });

  it('shows the stop’s blocks under the streamed text', async () => {
    const ts = await startIn(ask(), { markdown_text: 'Restarted <@UALICE>’s pod.' });
    const feedback = {
      type: 'context_actions',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: 'feedback',
          positive_button: { text: plain('Good'), value: 'good' },
          negative_button: { text: plain('Bad'), value: 'bad' },
        },
      ],
    };
    await client.chat.stopStream({ channel: CHANNEL, ts, blocks: [section('Was this helpful?'), feedback] });
    const message = fake.message(CHANNEL, ts);
    expect(message?.text).toBe('Restarted <@UALICE>’s pod.');
    expect(message?.blocks?.map((block) => block.type)).toEqual(['rich_text', 'section', 'context_actions']);
    expect(
      renderMessageText(message ?? { text: '' })
        .split('\n')
        .slice(0, 2),
    ).toEqual(['Restarted @UALICE’s pod.', 'Was this helpful?']);
  });

  it('validates blocks as chat.postMessage does, and metadata', async () => {
    const ts = await startIn(ask(), { markdown_text: 'answer' });
    const badBlocks = await slackError(
      client.chat.stopStream({ channel: CHANNEL, ts, blocks: [{ type: 'section' } as never] }),
    );
    expect(badBlocks.error).toBe('invalid_blocks');
    expect(badBlocks.messages.join('\n')).toContain('[json-pointer:/blocks/0]');
    const notArray = client.apiCall('chat.stopStream', { channel: CHANNEL, ts, blocks: '{' });
    expect((await slackError(notArray)).error).toBe('invalid_blocks_format');
    const tooLong = client.chat.stopStream({
      channel: CHANNEL,
      ts,
      blocks: [
        section('x'.repeat(3000)),
        section('x'.repeat(3000)),
        section('x'.repeat(3000)),
        section('x'.repeat(3000)),
        section('x'),
      ],
    });
    expect((await slackError(tooLong)).error).toBe('msg_blocks_too_long');
    const badMetadata = client.apiCall('chat.stopStream', { channel: CHANNEL, ts, metadata: '{not json' });
    expect((await slackError(badMetadata)).error).toBe('invalid_metadata_format');
    const noPayload = client.chat.stopStream({ channel: CHANNEL, ts, metadata: { event_type: 'answered' } as never });
    expect((await slackError(noPayload)).error).toBe('invalid_metadata_schema');
    expect(fake.stream(CHANNEL, ts)?.state).toBe('streaming');

    await client.chat.stopStream({
      channel: CHANNEL,
      ts,
      metadata: { event_type: 'helpdesk_answer', event_payload: { ticket: 'HD-1' } },
    });
    expect(fake.message(CHANNEL, ts)?.metadata).toEqual({
      event_type: 'helpdesk_answer',
      event_payload: { ticket: 'HD-1' },
    });
  });

  it('refuses to end a stream that said nothing', async () => {
    const ts = await startIn(ask());
    expect((await slackError(client.chat.stopStream({ channel: CHANNEL, ts }))).error).toBe('no_text');
    await client.chat.stopStream({ channel: CHANNEL, ts, markdown_text: 'Nothing found.' });
    expect(fake.message(CHANNEL, ts)?.text).toBe('Nothing found.');
  });

  it('keeps chat.update off a message while it streams, and allows it after', async () => {
    const ts = await startIn(ask(), { markdown_text: 'draft' });
    expect((await slackError(client.chat.update({ channel: CHANNEL, ts, text: 'edited' }))).error).toBe(
      'streaming_state_conflict',
    );
    await client.chat.stopStream({ channel: CHANNEL, ts });
    await client.chat.update({ channel: CHANNEL, ts, text: 'edited' });
    expect(fake.message(CHANNEL, ts)?.text).toBe('edited');
  });

  it('ends a stream whose message is deleted', async () => {
    const ts = await startIn(ask(), { markdown_text: 'oops' });
    await client.chat.delete({ channel: CHANNEL, ts });
    expect(fake.stream(CHANNEL, ts)).toMatchObject({ state: 'stopped', endedBy: 'deleted' });
    const append = client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'x' });
    expect((await slackError(append)).error).toBe('message_not_found');
  });
});

describe('Slack’s limits on streams', () => {
  it('ends a stream 5 minutes after it started, however recently it was appended to', async () => {
    const clock = new ManualClock();
    await start({ clock });
    const ts = await startIn(ask(), { markdown_text: 'a' });
    clock.advance(4 * 60 * 1000);
    await client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'b' });
    clock.advance(60 * 1000);
    expect(fake.message(CHANNEL, ts)).toMatchObject({ text: 'ab', streaming_state: 'completed' });
    const late = client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'c' });
    expect((await slackError(late)).error).toBe('message_not_in_streaming_state');
    expect((await slackError(client.chat.stopStream({ channel: CHANNEL, ts }))).error).toBe(
      'message_not_in_streaming_state',
    );
    const stream = fake.stream(CHANNEL, ts);
    expect(stream).toMatchObject({ state: 'stopped', endedBy: 'expired' });
    expect((stream?.stoppedAt?.getTime() ?? 0) - (stream?.startedAt.getTime() ?? 0)).toBe(5 * 60 * 1000);
  });

  it('paces start and stop at Tier 2 and append at Tier 4 when asked, with 429 and Retry-After', async () => {
    const clock = new ManualClock();
    await start({ clock, rateLimits: STREAMING_RATE_LIMITS });
    const strict = clientFor(fake, { rejectRateLimitedCalls: true });
    const thread = ask();
    const streams: string[] = [];
    for (let i = 0; i < 20; i++) streams.push(await startIn(thread, { markdown_text: `${i}` }));
    await expect(strict.chat.startStream({ channel: CHANNEL, thread_ts: thread, ...recipient })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 60,
    });
    const first = streams[0] as string;
    for (let i = 0; i < 100; i++) await client.chat.appendStream({ channel: CHANNEL, ts: first, markdown_text: '.' });
    await expect(strict.chat.appendStream({ channel: CHANNEL, ts: first, markdown_text: '.' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
    });
    clock.advance(30 * 1000);
    for (const ts of streams) await client.chat.stopStream({ channel: CHANNEL, ts });
    await expect(strict.chat.stopStream({ channel: CHANNEL, ts: first })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 60,
    });
    // The starts were a minute ago: a start goes through again.
    clock.advance(30 * 1000);
    await startIn(thread);
    expect(
      fake
        .callsTo('chat.startStream')
        .map((call) => call.httpStatus)
        .slice(-2),
    ).toEqual([429, 200]);
  });

  it('has no rate limit unless asked', async () => {
    const thread = ask();
    for (let i = 0; i < 25; i++) await startIn(thread, { markdown_text: `${i}` });
    expect(fake.streams()).toHaveLength(25);
  });
});

describe('the recorded streams', () => {
  it('time every call, so time to first text and calls per reply can be measured', async () => {
    const clock = new ManualClock('2026-03-02T09:00:00Z');
    await start({ clock });
    const thread = ask();
    const ts = await startIn(thread);
    clock.advance(800);
    await client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'First ' });
    clock.advance(400);
    await client.chat.appendStream({ channel: CHANNEL, ts, markdown_text: 'words.' });
    clock.advance(300);
    await client.chat.stopStream({ channel: CHANNEL, ts });
    expect(fake.streams(CHANNEL)).toEqual([
      {
        channel: CHANNEL,
        ts,
        threadTs: thread,
        recipientUserId: 'UALICE',
        recipientTeamId: TEAM,
        mode: 'markdown_text',
        state: 'stopped',
        endedBy: 'app',
        startedAt: new Date('2026-03-02T09:00:00.000Z'),
        firstTextAt: new Date('2026-03-02T09:00:00.800Z'),
        stoppedAt: new Date('2026-03-02T09:00:01.500Z'),
        text: 'First words.',
        updates: [
          { method: 'chat.startStream', at: new Date('2026-03-02T09:00:00.000Z'), text: '', chunks: [] },
          { method: 'chat.appendStream', at: new Date('2026-03-02T09:00:00.800Z'), text: 'First ', chunks: [] },
          { method: 'chat.appendStream', at: new Date('2026-03-02T09:00:01.200Z'), text: 'words.', chunks: [] },
          { method: 'chat.stopStream', at: new Date('2026-03-02T09:00:01.500Z'), text: '', chunks: [] },
        ],
        tasks: {},
      },
    ]);
    expect(fake.streams('C0OTHER')).toEqual([]);
    fake.reset();
    expect(fake.streams()).toEqual([]);
  });

  it('records refused calls only in calls, not in the stream', async () => {
    const ts = await startIn(ask(), { markdown_text: 'a' });
    await slackError(
      client.chat.appendStream({ channel: CHANNEL, ts, chunks: [{ type: 'markdown_text', text: 'b' }] }),
    );
    expect(fake.stream(CHANNEL, ts)?.updates).toHaveLength(1);
    expect(fake.callsTo('chat.appendStream')).toMatchObject([{ ok: false, error: 'streaming_mode_mismatch' }]);
  });
});

describe('@slack/web-api’s chatStream() helper against the fake', () => {
  it('streams through start, appends and a stop with feedback blocks', async () => {
    const thread = ask();
    const streamer = client.chatStream({ channel: CHANNEL, thread_ts: thread, ...recipient, buffer_size: 20 });
    expect(await streamer.append({ markdown_text: 'Checking ' })).toBeNull(); // buffered
    await streamer.append({ markdown_text: 'the deployment of `web`… ' }); // flushes: chat.startStream
    await streamer.append({ markdown_text: 'it rolled back at 09:12 ' }); // chat.appendStream
    await streamer.append({ markdown_text: 'because' }); // buffered
    const stopped = await streamer.stop({
      markdown_text: ' the image was missing.',
      blocks: [section('Did this answer it?')],
    });
    expect(stopped.message?.text).toBe(
      'Checking the deployment of `web`… it rolled back at 09:12 because the image was missing.',
    );
    const stream = fake.stream(CHANNEL, streamer.ts as string);
    expect(stream).toMatchObject({ mode: 'chunks', state: 'stopped', endedBy: 'app' });
    expect(stream?.updates.map((update) => update.method)).toEqual([
      'chat.startStream',
      'chat.appendStream',
      'chat.stopStream',
    ]);
    expect(stream?.updates[0]?.chunks).toEqual([{ type: 'markdown_text', text: 'Checking the deployment of `web`… ' }]);
    expect(fake.callsTo('chat.startStream')[0]?.args).toMatchObject({
      channel: CHANNEL,
      thread_ts: thread,
      recipient_user_id: 'UALICE',
      recipient_team_id: TEAM,
    });
    expect(fake.calls.every((call) => call.ok)).toBe(true);
    const transcript = fake.thread(CHANNEL, thread).map((message) => renderMessageText(message));
    expect(transcript.at(-1)).toBe(
      'Checking the deployment of `web`… it rolled back at 09:12 because the image was missing.\nDid this answer it?',
    );
  });

  it('starts bare and stops with the text when stopped before its buffer filled', async () => {
    const thread = ask();
    const streamer = client.chatStream({ channel: CHANNEL, thread_ts: thread, ...recipient });
    await streamer.append({ markdown_text: 'Short answer.' });
    await streamer.stop();
    const [start_, stop] = fake.callsTo('chat.startStream').concat(fake.callsTo('chat.stopStream'));
    expect(start_?.args).not.toHaveProperty('chunks');
    expect(stop?.args.chunks).toEqual([{ type: 'markdown_text', text: 'Short answer.' }]);
    expect(fake.message(CHANNEL, streamer.ts as string)).toMatchObject({
      text: 'Short answer.',
      streaming_state: 'completed',
    });
  });

  it('stops with an empty chunks list when everything was flushed', async () => {
    const streamer = client.chatStream({ channel: CHANNEL, thread_ts: ask(), ...recipient, buffer_size: 1 });
    await streamer.append({ markdown_text: 'All of it.' });
    await streamer.stop();
    expect(fake.callsTo('chat.stopStream')[0]?.args.chunks).toEqual([]);
    expect(fake.stream(CHANNEL, streamer.ts as string)).toMatchObject({ state: 'stopped', text: 'All of it.' });
  });

  it('surfaces the fake’s refusal to the helper’s caller', async () => {
    const streamer = client.chatStream({ channel: CHANNEL, thread_ts: ask(), buffer_size: 1 });
    await expect(streamer.append({ markdown_text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'missing_recipient_team_id' },
    });
  });
});
