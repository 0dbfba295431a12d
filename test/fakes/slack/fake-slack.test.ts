import type { View } from '@slack/types';
import { ErrorCode, type WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from './fake-slack.js';
import { clientFor, ManualClock, slackError } from './test-helpers.js';

const CHANNEL = 'C0TEST';
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

async function rawCall(method: string, init: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(`${fake.apiUrl}${method}`, { method: 'POST', ...init });
  return (await response.json()) as Record<string, unknown>;
}

describe('authentication and transport', () => {
  it('answers auth.test with the bot identity', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({ ok: true, team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT' });
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('refuses an unknown token with invalid_auth and a missing one with not_authed', async () => {
    const wrong = clientFor(fake, {}, 'xoxb-0000-not-the-token');
    expect((await slackError(wrong.auth.test())).error).toBe('invalid_auth');
    const anonymous = await rawCall('auth.test', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(anonymous).toEqual({ ok: false, error: 'not_authed' });
  });

  it('accepts the token as a form field, and JSON bodies only with a bearer token', async () => {
    const form = await rawCall('chat.postMessage', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: fake.botToken, channel: CHANNEL, text: 'form' }).toString(),
    });
    expect(form.ok).toBe(true);
    const json = await rawCall('chat.postMessage', {
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${fake.botToken}` },
      body: JSON.stringify({ channel: CHANNEL, text: 'json', blocks: [section('json *blocks*')] }),
    });
    expect(json.ok).toBe(true);
    const tokenInJson = await rawCall('chat.postMessage', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: fake.botToken, channel: CHANNEL, text: 'json' }),
    });
    expect(tokenInJson).toEqual({ ok: false, error: 'not_authed' });
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['form', 'json']);
    expect(fake.calls.every((call) => !('token' in call.args))).toBe(true);
  });

  it('answers unknown_method', async () => {
    expect((await slackError(client.apiCall('chat.postMesage', { channel: CHANNEL, text: 'x' }))).error).toBe(
      'unknown_method',
    );
  });

  it('records calls with parsed JSON arguments', async () => {
    await client.chat.postMessage({ channel: CHANNEL, text: 'hi', blocks: [section('hi')], unfurl_links: false });
    const [call] = fake.callsTo('chat.postMessage');
    expect(call).toMatchObject({ ok: true, httpStatus: 200, args: { channel: CHANNEL, unfurl_links: 'false' } });
    expect(call?.args.blocks).toEqual([section('hi')]);
  });
});

describe('chat.postMessage', () => {
  it('stores the message and answers with a unique, increasing ts', async () => {
    const first = await client.chat.postMessage({ channel: CHANNEL, text: 'one' });
    const second = await client.chat.postMessage({ channel: CHANNEL, text: 'two' });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message).toMatchObject({ type: 'message', text: 'one', user: 'UBOT', bot_id: 'BBOT', ts: first.ts });
    expect(fake.messages(CHANNEL).map((m) => m.ts)).toEqual([first.ts, second.ts]);
  });

  it('keeps ts unique with a frozen clock', async () => {
    await start({ clock: new ManualClock() });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.chat.postMessage({ channel: CHANNEL, text: `m${i}` })),
    );
    expect(new Set(results.map((r) => r.ts)).size).toBe(5);
    expect(results[0]?.ts).toBe('1772442000.000000');
  });

  it('fills block_id/action_id and text-object defaults as Slack stores them', async () => {
    const result = await client.chat.postMessage({
      channel: CHANNEL,
      text: 'card',
      blocks: [
        section('hello'),
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' } }] },
      ],
    });
    const [first, second] = result.message?.blocks ?? [];
    expect(first?.block_id).toEqual(expect.any(String));
    expect(first).toMatchObject({ text: { type: 'mrkdwn', text: 'hello', verbatim: false } });
    expect(second).toMatchObject({
      elements: [{ action_id: expect.any(String), text: { type: 'plain_text', text: 'Go', emoji: true } }],
    });
  });

  it('refuses a message without text or blocks (no_text) and over 40000 characters (msg_too_long)', async () => {
    expect((await slackError(client.chat.postMessage({ channel: CHANNEL, text: '' }))).error).toBe('no_text');
    expect((await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'x'.repeat(40001) }))).error).toBe(
      'msg_too_long',
    );
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('refuses invalid blocks with invalid_blocks and Slack-style messages', async () => {
    const failure = await slackError(
      client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [section('y'.repeat(3001))] }),
    );
    expect(failure).toEqual({
      error: 'invalid_blocks',
      messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
  });

  it('refuses blocks carrying more than 12,000 characters of text in all (msg_blocks_too_long), on post and update', async () => {
    const blocks = (count: number) => Array.from({ length: count }, () => section('y'.repeat(2500)));
    expect((await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: blocks(5) }))).error).toBe(
      'msg_blocks_too_long',
    );
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: blocks(4) });
    const update = client.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: 'x', blocks: blocks(5) });
    expect((await slackError(update)).error).toBe('msg_blocks_too_long');
    expect(fake.message(CHANNEL, posted.ts as string)?.blocks).toHaveLength(4);
  });

  it('refuses unknown channels and channels without the bot', async () => {
    fake.addChannel('C0OUTSIDE', { botIsMember: false });
    fake.addChannel('G0SECRET', { botIsMember: false });
    expect((await slackError(client.chat.postMessage({ channel: 'nope', text: 'x' }))).error).toBe('channel_not_found');
    expect((await slackError(client.chat.postMessage({ channel: 'C0OUTSIDE', text: 'x' }))).error).toBe(
      'not_in_channel',
    );
    expect((await slackError(client.chat.postMessage({ channel: 'G0SECRET', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
    await start({ autoChannels: false });
    expect((await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'x' }))).error).toBe(
      'channel_not_found',
    );
  });

  it('replies in a thread and refuses a thread that does not exist or a reply ts', async () => {
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'parent' });
    const reply = await client.chat.postMessage({ channel: CHANNEL, text: 'reply', thread_ts: parent.ts as string });
    expect(reply.message).toMatchObject({ thread_ts: parent.ts, parent_user_id: 'UBOT' });
    expect(fake.message(CHANNEL, parent.ts as string)).toMatchObject({ reply_count: 1, latest_reply: reply.ts });
    expect(fake.thread(CHANNEL, parent.ts as string).map((m) => m.text)).toEqual(['parent', 'reply']);
    expect(
      (await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'x', thread_ts: '1111111111.000001' })))
        .error,
    ).toBe('thread_not_found');
    expect(
      (await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'x', thread_ts: reply.ts as string }))).error,
    ).toBe('thread_not_found');
  });
});

describe('chat.update, chat.postEphemeral, chat.delete, chat.getPermalink', () => {
  it('gives permalinks for messages and thread replies', async () => {
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'parent' });
    const reply = await client.chat.postMessage({ channel: CHANNEL, text: 'reply', thread_ts: parent.ts as string });
    const digits = (ts: unknown) => String(ts).replace('.', '');
    expect((await client.chat.getPermalink({ channel: CHANNEL, message_ts: parent.ts as string })).permalink).toBe(
      `https://fake-team.slack.com/archives/${CHANNEL}/p${digits(parent.ts)}`,
    );
    expect((await client.chat.getPermalink({ channel: CHANNEL, message_ts: reply.ts as string })).permalink).toBe(
      `https://fake-team.slack.com/archives/${CHANNEL}/p${digits(reply.ts)}?thread_ts=${parent.ts}&cid=${CHANNEL}`,
    );
    expect(
      (await slackError(client.chat.getPermalink({ channel: CHANNEL, message_ts: '1111111111.000001' }))).error,
    ).toBe('message_not_found');
  });

  it('updates the bot message, keeping blocks when absent and removing them with []', async () => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'v1', blocks: [section('v1')] });
    const ts = posted.ts as string;
    const updated = await client.chat.update({ channel: CHANNEL, ts, text: 'v2' });
    expect(updated).toMatchObject({ ok: true, channel: CHANNEL, ts, text: 'v2' });
    expect(fake.message(CHANNEL, ts)).toMatchObject({ text: 'v2', blocks: [{ text: { text: 'v1' } }] });
    expect(fake.message(CHANNEL, ts)?.edited).toMatchObject({ user: 'UBOT' });
    await client.chat.update({ channel: CHANNEL, ts, text: 'v3', blocks: [] });
    expect(fake.message(CHANNEL, ts)?.blocks).toBeUndefined();
  });

  it('refuses a missing message, someone else’s message and invalid blocks', async () => {
    const human = fake.userMessage({ user: 'UALICE', channel: CHANNEL, text: 'hello' });
    expect((await slackError(client.chat.update({ channel: CHANNEL, ts: human.ts, text: 'x' }))).error).toBe(
      'cant_update_message',
    );
    expect((await slackError(client.chat.update({ channel: CHANNEL, ts: '1111111111.000001', text: 'x' }))).error).toBe(
      'message_not_found',
    );
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'v1' });
    const invalid = await slackError(
      client.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: 'x', blocks: [{ type: 'input' }] }),
    );
    expect(invalid.error).toBe('invalid_blocks');
    expect(fake.message(CHANNEL, posted.ts as string)?.text).toBe('v1');
  });

  it('stores ephemeral messages per user, apart from the channel', async () => {
    const result = await client.chat.postEphemeral({ channel: CHANNEL, user: 'UALICE', text: 'only you' });
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.ephemerals('UALICE')).toMatchObject([{ channel: CHANNEL, user: 'UALICE', text: 'only you' }]);
    expect(fake.ephemerals('UBOB')).toEqual([]);
    expect(fake.messages(CHANNEL)).toEqual([]);
    fake.addChannel('C0SMALL', { members: ['UBOB'] });
    expect((await slackError(client.chat.postEphemeral({ channel: 'C0SMALL', user: 'UALICE', text: 'x' }))).error).toBe(
      'user_not_in_channel',
    );
    expect((await slackError(client.chat.postEphemeral({ channel: CHANNEL, user: 'UNOBODY', text: 'x' }))).error).toBe(
      'user_not_found',
    );
  });

  it('deletes the bot’s messages; a parent with replies stays as a tombstone', async () => {
    const lone = await client.chat.postMessage({ channel: CHANNEL, text: 'lone' });
    await client.chat.delete({ channel: CHANNEL, ts: lone.ts as string });
    expect(fake.message(CHANNEL, lone.ts as string)).toBeUndefined();
    expect((await slackError(client.chat.delete({ channel: CHANNEL, ts: lone.ts as string }))).error).toBe(
      'message_not_found',
    );
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'parent' });
    await client.chat.postMessage({ channel: CHANNEL, text: 'reply', thread_ts: parent.ts as string });
    await client.chat.delete({ channel: CHANNEL, ts: parent.ts as string });
    expect(fake.message(CHANNEL, parent.ts as string)).toMatchObject({ subtype: 'tombstone' });
    const human = fake.userMessage({ user: 'UALICE', channel: CHANNEL, text: 'mine' });
    expect((await slackError(client.chat.delete({ channel: CHANNEL, ts: human.ts }))).error).toBe(
      'cant_delete_message',
    );
  });
});

describe('conversations.replies', () => {
  async function threadWith(replies: number): Promise<string> {
    const parent = fake.userMessage({ user: 'UALICE', channel: CHANNEL, text: 'help me' });
    for (let i = 0; i < replies; i += 1) {
      fake.userMessage({ user: i % 2 ? 'UALICE' : 'UBOB', channel: CHANNEL, text: `reply ${i}`, threadTs: parent.ts });
    }
    return parent.ts;
  }

  it('answers parent first then replies, and thread_not_found for an unknown ts', async () => {
    const ts = await threadWith(2);
    const result = await client.conversations.replies({ channel: CHANNEL, ts });
    expect(result.messages?.map((m) => m.text)).toEqual(['help me', 'reply 0', 'reply 1']);
    expect(result.has_more).toBe(false);
    expect(result.messages?.[0]).toMatchObject({ reply_count: 2, thread_ts: ts });
    expect((await slackError(client.conversations.replies({ channel: CHANNEL, ts: '1111111111.000001' }))).error).toBe(
      'thread_not_found',
    );
  });

  it('pages with cursors; client.paginate collects every reply once (after de-duplicating the repeated parent)', async () => {
    const ts = await threadWith(250);
    const pages = [];
    for await (const page of client.paginate('conversations.replies', { channel: CHANNEL, ts, limit: 100 })) {
      pages.push(page as unknown as { messages: Array<{ ts: string; text: string }>; has_more: boolean });
    }
    expect(pages.map((page) => page.messages.length)).toEqual([100, 101, 52]);
    expect(pages.map((page) => page.messages[0]?.ts)).toEqual([ts, ts, ts]);
    const unique = new Map(pages.flatMap((page) => page.messages).map((message) => [message.ts, message.text]));
    expect(unique.size).toBe(251);
    expect([...unique.values()].at(-1)).toBe('reply 249');
    expect(pages.map((page) => page.has_more)).toEqual([true, true, false]);
  });

  it('defaults to 100 per page and caps at 999', async () => {
    const ts = await threadWith(1200);
    expect((await client.conversations.replies({ channel: CHANNEL, ts })).messages).toHaveLength(100);
    const big = await client.conversations.replies({ channel: CHANNEL, ts, limit: 5000 });
    expect(big.messages).toHaveLength(999);
    expect(big.response_metadata?.next_cursor).toEqual(expect.any(String));
  });

  it('emulates the 2025 limit: 15 per page at most', async () => {
    await start({ historyLimit: 15 });
    const ts = await threadWith(40);
    const first = await client.conversations.replies({ channel: CHANNEL, ts, limit: 200 });
    expect(first.messages).toHaveLength(15);
    const second = await client.conversations.replies({
      channel: CHANNEL,
      ts,
      limit: 200,
      cursor: first.response_metadata?.next_cursor as string,
    });
    expect(second.messages?.slice(1).map((m) => m.text)).toEqual(
      Array.from({ length: 15 }, (_, i) => `reply ${i + 14}`),
    );
  });

  it('emulates the 2025 rate: one call a minute, then 429 with Retry-After', async () => {
    const clock = new ManualClock();
    await start({ historyRatePerMinute: 1, clock });
    const ts = await threadWith(1);
    await client.conversations.replies({ channel: CHANNEL, ts });
    const strict = clientFor(fake, { rejectRateLimitedCalls: true });
    await expect(strict.conversations.replies({ channel: CHANNEL, ts })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 60,
    });
    clock.advance(60_000);
    await expect(client.conversations.replies({ channel: CHANNEL, ts })).resolves.toMatchObject({ ok: true });
  });

  it('refuses a bad cursor and a channel without the bot', async () => {
    const ts = await threadWith(1);
    expect((await slackError(client.conversations.replies({ channel: CHANNEL, ts, cursor: 'bogus' }))).error).toBe(
      'invalid_cursor',
    );
    fake.addChannel('C0OUTSIDE', { botIsMember: false });
    expect((await slackError(client.conversations.replies({ channel: 'C0OUTSIDE', ts }))).error).toBe('not_in_channel');
  });
});

describe('conversations.info and users.info', () => {
  it('describes channels, Slack Connect ones included', async () => {
    fake.addChannel('C0SHARED', { name: 'with-partner', isExtShared: true });
    const info = await client.conversations.info({ channel: 'C0SHARED' });
    expect(info.channel).toMatchObject({ id: 'C0SHARED', name: 'with-partner', is_ext_shared: true, is_member: true });
    expect((await slackError(client.conversations.info({ channel: 'nope' }))).error).toBe('channel_not_found');
  });

  it('shows email only for members of this team who have one; external users are reduced', async () => {
    await start({
      users: [
        { id: 'UALICE', name: 'alice', email: 'alice@example.com' },
        { id: 'UHIDDEN', name: 'hidden' },
        { id: 'UEXT', name: 'partner', realName: 'Pat Partner', email: 'pat@partner.example', teamId: 'T0OTHER' },
      ],
    });
    expect((await client.users.info({ user: 'UALICE' })).user?.profile?.email).toBe('alice@example.com');
    expect((await client.users.info({ user: 'UHIDDEN' })).user?.profile).not.toHaveProperty('email');
    const external = (await client.users.info({ user: 'UEXT' })).user;
    expect(external).toMatchObject({ id: 'UEXT', team_id: 'T0OTHER', real_name: 'Pat Partner' });
    expect(external?.profile).not.toHaveProperty('email');
    expect(external).not.toHaveProperty('tz');
    expect((await slackError(client.users.info({ user: 'UNOBODY' }))).error).toBe('user_not_found');
  });
});

/** Views are typed loosely on purpose: the fake must judge what it receives, valid or not. */
const modal = (title: string, blocks: unknown[] = [section('hi')], extra: Record<string, unknown> = {}): View =>
  ({
    type: 'modal',
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: 'Submit' },
    blocks,
    ...extra,
  }) as unknown as View;

const selectInput = (blockId: string, actionId: string, values: string[], dispatch = true) => ({
  type: 'input',
  block_id: blockId,
  dispatch_action: dispatch,
  label: { type: 'plain_text', text: blockId },
  element: {
    type: 'static_select',
    action_id: actionId,
    options: values.map((value) => ({ text: { type: 'plain_text', text: value }, value })),
  },
});

describe('views.open', () => {
  it('opens with a fresh trigger and answers the view with id, hash and empty state', async () => {
    const trigger = fake.issueTriggerId({ user: 'UALICE' });
    const result = await client.views.open({ trigger_id: trigger, view: modal('Create Ticket') });
    expect(result.view).toMatchObject({
      id: expect.stringMatching(/^V[A-Z0-9]+$/),
      hash: expect.any(String),
      state: { values: {} },
      type: 'modal',
      title: { text: 'Create Ticket' },
      root_view_id: result.view?.id,
      previous_view_id: null,
    });
    expect(fake.openViews('UALICE').map((view) => view.id)).toEqual([result.view?.id]);
  });

  it('refuses an expired (> 3 s), reused or unknown trigger', async () => {
    const clock = new ManualClock();
    await start({ clock });
    const late = fake.issueTriggerId();
    clock.advance(3001);
    expect((await slackError(client.views.open({ trigger_id: late, view: modal('Late') }))).error).toBe(
      'expired_trigger_id',
    );
    const once = fake.issueTriggerId();
    clock.advance(3000);
    await client.views.open({ trigger_id: once, view: modal('Once') });
    expect((await slackError(client.views.open({ trigger_id: once, view: modal('Twice') }))).error).toBe(
      'trigger_exchanged',
    );
    expect((await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal('Made up') }))).error).toBe(
      'invalid_arguments',
    );
  });

  it('refuses an invalid view with invalid_arguments and Slack-style messages', async () => {
    const failure = await slackError(
      client.views.open({ trigger_id: fake.issueTriggerId(), view: modal('This title is far too long for Slack') }),
    );
    expect(failure).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
    });
  });
});

describe('views.update and views.push', () => {
  async function openFor(user: string, view = modal('Create Ticket')) {
    return (await client.views.open({ trigger_id: fake.issueTriggerId({ user }), view })).view as {
      id: string;
      hash: string;
    };
  }

  it('updates by view_id with the current hash, gives a new hash, refuses a stale one', async () => {
    const opened = await openFor('UALICE');
    const updated = await client.views.update({ view_id: opened.id, hash: opened.hash, view: modal('Step 2') });
    expect(updated.view).toMatchObject({ id: opened.id, title: { text: 'Step 2' } });
    expect(updated.view?.hash).not.toBe(opened.hash);
    expect(
      (await slackError(client.views.update({ view_id: opened.id, hash: opened.hash, view: modal('Step 3') }))).error,
    ).toBe('hash_conflict');
    expect(fake.view(opened.id)?.title).toMatchObject({ text: 'Step 2' });
  });

  it('updates by external_id and answers not_found for unknown or closed views', async () => {
    const opened = await openFor('UALICE', modal('Create Ticket', [section('a')], { external_id: 'ticket-1' }));
    const updated = await client.views.update({ external_id: 'ticket-1', view: modal('Renamed', [section('b')]) });
    expect(updated.view?.title).toMatchObject({ text: 'Renamed' });
    expect((await slackError(client.views.update({ view_id: 'VNOPE', view: modal('x') }))).error).toBe('not_found');
    expect(
      (
        await slackError(
          client.views.open({
            trigger_id: fake.issueTriggerId(),
            view: modal('Again', [], { external_id: 'ticket-1' }),
          }),
        )
      ).error,
    ).toBe('duplicate_external_id');
    fake.closeView({ user: 'UALICE', viewId: opened.id });
    expect((await slackError(client.views.update({ view_id: opened.id, view: modal('Late') }))).error).toBe(
      'not_found',
    );
  });

  it('keeps entered values only where block_id and action_id stay the same', async () => {
    const view = modal('Create Ticket', [
      selectInput('portal', 'portal_select', ['prod', 'dev']),
      selectInput('tenant', 'tenant_select', ['web', 'api']),
    ]);
    const opened = await openFor('UALICE', view);
    fake.selectInView({ user: 'UALICE', viewId: opened.id, actionId: 'portal_select', value: 'dev' });
    fake.selectInView({ user: 'UALICE', viewId: opened.id, actionId: 'tenant_select', value: 'api' });
    const rebuilt = modal('Create Ticket', [
      selectInput('portal', 'portal_select', ['prod', 'dev']),
      selectInput('tenant_dev', 'tenant_select', ['web2']),
    ]);
    const updated = await client.views.update({ view_id: opened.id, view: rebuilt });
    expect(updated.view?.state).toEqual(fake.view(opened.id)?.state);
    expect(fake.view(opened.id)?.state.values).toEqual({
      portal: { portal_select: { type: 'static_select', selected_option: expect.objectContaining({ value: 'dev' }) } },
    });
  });

  it('pushes from an interaction in the modal, at most two views over the root', async () => {
    const opened = await openFor(
      'UALICE',
      modal('Root', [section('x'), { type: 'actions', elements: [button('more')] }]),
    );
    const click = () =>
      fake.clickButtonInView({ user: 'UALICE', viewId: fake.openViews().at(-1)?.id as string, actionId: 'more' });
    const first = await client.views.push({
      trigger_id: click().trigger_id,
      view: modal('Second', [{ type: 'actions', elements: [button('more')] }]),
    });
    expect(first.view).toMatchObject({ root_view_id: opened.id, previous_view_id: opened.id });
    await client.views.push({
      trigger_id: click().trigger_id,
      view: modal('Third', [{ type: 'actions', elements: [button('more')] }]),
    });
    expect((await slackError(client.views.push({ trigger_id: click().trigger_id, view: modal('Fourth') }))).error).toBe(
      'push_limit_reached',
    );
    expect(
      (await slackError(client.views.push({ trigger_id: fake.issueTriggerId(), view: modal('Loose') }))).error,
    ).toBe('invalid_arguments');
  });
});

describe('views.publish and app_home_opened', () => {
  const textsOf = (view: { blocks?: unknown[] } | undefined) =>
    (view?.blocks as { text?: { text?: string } }[] | undefined)?.map((block) => block.text?.text);
  const home = (blocks: unknown[] = [section('Your tickets')], extra: Record<string, unknown> = {}): View =>
    ({ type: 'home', blocks, ...extra }) as unknown as View;

  it('publishes a Home tab per user, keeping its id and changing its hash on every publish', async () => {
    const first = await client.views.publish({ user_id: 'UALICE', view: home() });
    expect(first.view).toMatchObject({ type: 'home', team_id: 'T0001' });
    expect(textsOf(first.view)).toEqual(['Your tickets']);
    expect(fake.homeView('UALICE')?.id).toBe(first.view?.id);
    expect(fake.homeView('UBOB')).toBeUndefined();
    const second = await client.views.publish({
      user_id: 'UALICE',
      view: home([section('Updated')]),
      hash: first.view?.hash as string,
    });
    expect(second.view?.id).toBe(first.view?.id);
    expect(second.view?.hash).not.toBe(first.view?.hash);
    expect(textsOf(fake.homeView('UALICE'))).toEqual(['Updated']);
  });

  it('refuses a stale hash (and a hash before anything was published) with hash_conflict', async () => {
    expect((await slackError(client.views.publish({ user_id: 'UALICE', view: home(), hash: '1.abc' }))).error).toBe(
      'hash_conflict',
    );
    const first = await client.views.publish({ user_id: 'UALICE', view: home() });
    await client.views.publish({ user_id: 'UALICE', view: home([section('newer')]) });
    const stale = client.views.publish({
      user_id: 'UALICE',
      view: home([section('older')]),
      hash: first.view?.hash as string,
    });
    expect((await slackError(stale)).error).toBe('hash_conflict');
    expect(textsOf(fake.homeView('UALICE'))).toEqual(['newer']);
  });

  it('needs a known person and a valid home view', async () => {
    expect((await slackError(client.views.publish({ user_id: 'UNOBODY', view: home() }))).error).toBe('user_not_found');
    const modalView = await slackError(client.views.publish({ user_id: 'UALICE', view: modal('Not home') }));
    expect(modalView.error).toBe('invalid_arguments');
    expect(modalView.messages.join('\n')).toContain('[json-pointer:/view');
    const titled = await slackError(
      client.views.publish({
        user_id: 'UALICE',
        view: home([section('x')], { title: { type: 'plain_text', text: 'T' } }),
      }),
    );
    expect(titled.messages).toContain('[ERROR] invalid additional property: title [json-pointer:/view]');
    const tooMany = await slackError(
      client.views.publish({ user_id: 'UALICE', view: home(Array.from({ length: 101 }, (_, i) => section(`${i}`))) }),
    );
    expect(tooMany.messages.join('\n')).toContain('[json-pointer:/view/blocks]');
    const markdown = await slackError(
      client.views.publish({ user_id: 'UALICE', view: home([{ type: 'markdown', text: '**x**' }]) }),
    );
    expect(markdown.messages.join('\n')).toContain('not allowed in home tabs');
    expect(fake.homeView('UALICE')).toBeUndefined();
    const hundred = await client.views.publish({
      user_id: 'UALICE',
      view: home(Array.from({ length: 100 }, (_, i) => section(`${i}`))),
    });
    expect(hundred.view?.blocks).toHaveLength(100);
  });

  it('builds app_home_opened for a person, carrying the Home view once one was published', async () => {
    const before = fake.appHomeOpened({ user: 'UALICE' });
    expect(before).toMatchObject({
      type: 'event_callback',
      team_id: 'T0001',
      event: { type: 'app_home_opened', user: 'UALICE', tab: 'home', channel: expect.stringMatching(/^D/) },
    });
    expect(before.event.view).toBeUndefined();
    const published = await client.views.publish({ user_id: 'UALICE', view: home() });
    const after = fake.appHomeOpened({ user: 'UALICE' });
    expect(after.event.view).toMatchObject({ id: published.view?.id, hash: published.view?.hash, type: 'home' });
    expect(after.event.channel).toBe(before.event.channel);
    expect(after.event_id).not.toBe(before.event_id);
    expect(fake.appHomeOpened({ user: 'UBOB', tab: 'messages' }).event.tab).toBe('messages');
    expect(() => fake.appHomeOpened({ user: 'UNOBODY' })).toThrow(/not a user/);
  });
});

function button(actionId: string, text = 'More', value?: string) {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text },
    ...(value === undefined ? {} : { value }),
  };
}

describe('assistant.threads.setStatus', () => {
  it('stores the status until a bot reply in the thread, "" or two minutes', async () => {
    const clock = new ManualClock();
    await start({ clock });
    const parent = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'help' });
    await client.assistant.threads.setStatus({ channel_id: CHANNEL, thread_ts: parent.ts, status: 'is thinking…' });
    expect(fake.status(CHANNEL, parent.ts)).toBe('is thinking…');
    await client.chat.postMessage({ channel: CHANNEL, text: 'answer', thread_ts: parent.ts });
    expect(fake.status(CHANNEL, parent.ts)).toBeNull();

    await client.assistant.threads.setStatus({ channel_id: CHANNEL, thread_ts: parent.ts, status: 'again' });
    await client.assistant.threads.setStatus({ channel_id: CHANNEL, thread_ts: parent.ts, status: '' });
    expect(fake.statuses).toEqual([]);

    await client.assistant.threads.setStatus({ channel_id: CHANNEL, thread_ts: parent.ts, status: 'slow' });
    clock.advance(2 * 60 * 1000);
    expect(fake.statuses).toEqual([]);
  });

  it('takes 1 to 10 loading_messages of 1 to 50 characters', async () => {
    const thread = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'help' }).ts;
    const set = (loading_messages: unknown) =>
      client.apiCall('assistant.threads.setStatus', {
        channel_id: CHANNEL,
        thread_ts: thread,
        status: 'is thinking…',
        loading_messages,
      });
    const ten = Array.from({ length: 10 }, (_, i) => `Step ${i}…`);
    await set(ten);
    expect(fake.statuses[0]?.loadingMessages).toEqual(ten);
    expect(await slackError(set([...ten, 'one more']))).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] no more than 10 items allowed [json-pointer:/loading_messages]'],
    });
    expect((await slackError(set([]))).messages).toEqual([
      '[ERROR] must provide at least 1 items [json-pointer:/loading_messages]',
    ]);
    expect((await slackError(set(['x'.repeat(51)]))).messages).toEqual([
      '[ERROR] must be less than 51 characters [json-pointer:/loading_messages/0]',
    ]);
    expect((await slackError(set(['ok', '']))).messages).toEqual([
      '[ERROR] must be more than 0 characters [json-pointer:/loading_messages/1]',
    ]);
    expect((await slackError(set('Thinking'))).error).toBe('invalid_arguments');
    await set(['x'.repeat(50)]);
    expect(fake.statuses[0]?.loadingMessages).toEqual(['x'.repeat(50)]);
  });
});

describe('files', () => {
  it('filesUploadV2 uploads to the fake and shows the file in the thread', async () => {
    const parent = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'logs please' });
    const content = 'line 1\nline 2 ✓\n';
    const result = await client.filesUploadV2({
      channel_id: CHANNEL,
      thread_ts: parent.ts,
      content,
      filename: 'output.txt',
      initial_comment: 'Full output attached',
    });
    expect(result.ok).toBe(true);
    const thread = fake.thread(CHANNEL, parent.ts);
    expect(thread).toHaveLength(2);
    expect(thread[1]).toMatchObject({
      text: 'Full output attached',
      thread_ts: parent.ts,
      files: [{ name: 'output.txt', title: 'output.txt', mimetype: 'text/plain', size: Buffer.byteLength(content) }],
    });
    const [file] = fake.files();
    expect(file?.bytes?.toString('utf8')).toBe(content);
    expect(file).toMatchObject({ completed: true, channel: CHANNEL, threadTs: parent.ts });
    const download = await fetch(thread[1]?.files?.[0]?.url_private as string, {
      headers: { authorization: `Bearer ${fake.botToken}` },
    });
    expect(await download.text()).toBe(content);
  });

  it('checks arguments, declared length and completion', async () => {
    expect((await slackError(client.files.getUploadURLExternal({ filename: 'a.txt', length: 0 }))).error).toBe(
      'invalid_arguments',
    );
    const { upload_url, file_id } = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 5 });
    expect(upload_url?.startsWith(fake.url)).toBe(true);
    expect((await slackError(client.files.completeUploadExternal({ files: [{ id: file_id as string }] }))).error).toBe(
      'file_not_found',
    );
    const wrongLength = await fetch(upload_url as string, { method: 'POST', body: 'too long for five' });
    expect(wrongLength.status).toBe(400);
    const right = await fetch(upload_url as string, { method: 'POST', body: 'hello' });
    expect(await right.text()).toBe('OK - 5');
    await client.files.completeUploadExternal({ files: [{ id: file_id as string, title: 'Greeting' }] });
    expect(fake.files()).toMatchObject([{ id: file_id, title: 'Greeting', completed: true }]);
    expect(fake.files()[0]).not.toHaveProperty('channel');
  });

  it('lets the app edit a file message’s comment away', async () => {
    await client.filesUploadV2({ channel_id: CHANNEL, content: 'abc', filename: 'a.txt', initial_comment: 'note' });
    const [message] = fake.messages(CHANNEL);
    await client.chat.update({ channel: CHANNEL, ts: message?.ts as string, text: '' });
    expect(fake.message(CHANNEL, message?.ts as string)).toMatchObject({ text: '', files: [{ name: 'a.txt' }] });
  });
});

describe('fault injection', () => {
  it('answers an injected error the given number of times', async () => {
    fake.inject({ method: 'chat.postMessage', error: 'fatal_error', times: 2 });
    expect((await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'a' }))).error).toBe('fatal_error');
    expect((await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'b' }))).error).toBe('fatal_error');
    await client.chat.postMessage({ channel: CHANNEL, text: 'c' });
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['c']);
  });

  it('answers an injected HTTP status', async () => {
    fake.inject({ method: 'views.open', status: 503 });
    await expect(client.views.open({ trigger_id: fake.issueTriggerId(), view: modal('x') })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
    });
  });

  it('fails the upload_url when asked, and filesUploadV2 with it', async () => {
    fake.inject({ method: 'upload', status: 500 });
    await expect(client.filesUploadV2({ channel_id: CHANNEL, content: 'x', filename: 'x.txt' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 500,
    });
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('paces the methods named in rateLimits per minute, with 429 and Retry-After', async () => {
    const clock = new ManualClock();
    await start({ clock, rateLimits: { 'chat.postMessage': 2 } });
    const strict = clientFor(fake, { rejectRateLimitedCalls: true });
    await client.chat.postMessage({ channel: CHANNEL, text: 'one' });
    clock.advance(20_000);
    await client.chat.postMessage({ channel: CHANNEL, text: 'two' });
    await expect(strict.chat.postMessage({ channel: CHANNEL, text: 'three' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 40,
    });
    await client.auth.test(); // not named: not limited
    clock.advance(40_000);
    await client.chat.postMessage({ channel: CHANNEL, text: 'three' });
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(fake.callsTo('chat.postMessage').map((call) => call.httpStatus)).toEqual([200, 200, 429, 200]);
  });

  it('answers 429 with Retry-After; a client allowed one retry waits and succeeds', async () => {
    fake.inject({ method: 'chat.postMessage', retryAfter: 1 });
    const patient = clientFor(fake, { retryConfig: { retries: 1, factor: 1, minTimeout: 0, maxTimeout: 0 } });
    const started = Date.now();
    const result = await patient.chat.postMessage({ channel: CHANNEL, text: 'eventually' });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.callsTo('chat.postMessage').map((call) => call.httpStatus)).toEqual([429, 200]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
  });
});
