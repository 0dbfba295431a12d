import type { KnownBlock, View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatorError } from './blocks.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { clientFor, ManualClock } from './test-helpers.js';

const CHANNEL = 'C0HELP';
const plain = (text: string) => ({ type: 'plain_text' as const, text });
const option = (value: string, text = value) => ({ text: plain(text), value });

let fake: FakeSlack;
let client: WebClient;

beforeEach(async () => {
  fake = await startFakeSlack({
    users: [
      { id: 'UALICE', name: 'alice', realName: 'Alice Admin', email: 'alice@example.com' },
      { id: 'UBOB', name: 'bob', email: 'bob@example.com' },
      { id: 'UEXT', name: 'pat', realName: 'Pat Partner', teamId: 'T0PARTNER' },
    ],
  });
  client = clientFor(fake);
});

afterEach(async () => {
  expect(fake.internalErrors).toEqual([]);
  await fake.close();
});

/** The command card shape the app posts: one block per command with Approve/Reject, a Submit, an overflow. */
async function postCard(threadTs?: string): Promise<string> {
  const result = await client.chat.postMessage({
    channel: CHANNEL,
    text: 'Commands to approve',
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    blocks: [
      {
        type: 'section',
        block_id: 'cmd_0',
        text: { type: 'mrkdwn', text: '`kubectl get pods`' },
        accessory: { type: 'overflow', action_id: 'menu', options: [option('update', 'Update Context')] },
      },
      {
        type: 'actions',
        block_id: 'choice_0',
        elements: [
          { type: 'button', action_id: 'approve', text: plain('Approve'), value: '0', style: 'primary' },
          { type: 'button', action_id: 'reject', text: plain('Reject'), value: '0', style: 'danger' },
        ],
      },
      {
        type: 'actions',
        block_id: 'choice_1',
        elements: [
          { type: 'button', action_id: 'approve', text: plain('Approve'), value: '1' },
          {
            type: 'static_select',
            action_id: 'identity',
            placeholder: plain('Identity'),
            options: [option('admin'), option('readonly')],
          },
        ],
      },
      {
        type: 'actions',
        block_id: 'submit',
        elements: [{ type: 'button', action_id: 'submit', text: plain('Submit') }],
      },
    ],
  });
  return result.ts as string;
}

describe('userMessage and mention', () => {
  it('stores a person’s message and returns the message event envelope', () => {
    const result = fake.userMessage({ user: 'UALICE', channel: CHANNEL, text: 'the site is down' });
    expect(fake.messages(CHANNEL)).toMatchObject([{ ts: result.ts, user: 'UALICE', text: 'the site is down' }]);
    expect(result.events).toHaveLength(1);
    expect(result.event).toMatchObject({
      token: expect.any(String),
      team_id: 'T0001',
      api_app_id: 'AFAKEAPP01',
      type: 'event_callback',
      event_id: expect.stringMatching(/^Ev/),
      event_time: expect.any(Number),
      authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true }],
      event: {
        type: 'message',
        user: 'UALICE',
        text: 'the site is down',
        ts: result.ts,
        event_ts: result.ts,
        channel: CHANNEL,
        channel_type: 'channel',
        team: 'T0001',
      },
    });
    expect(result.event.event).not.toHaveProperty('thread_ts');
  });

  it('delivers both app_mention and message for a mention, with different event ids', () => {
    const result = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'please help' });
    expect(result.events.map((envelope) => envelope.event.type)).toEqual(['app_mention', 'message']);
    expect(result.event.event).toMatchObject({ type: 'app_mention', text: '<@UBOT> please help' });
    expect(result.event.event).not.toHaveProperty('channel_type');
    expect(new Set(result.events.map((envelope) => envelope.event_id)).size).toBe(2);
    expect(result.event.event.blocks).toMatchObject([
      {
        type: 'rich_text',
        elements: [
          {
            elements: [
              { type: 'user', user_id: 'UBOT' },
              { type: 'text', text: ' please help' },
            ],
          },
        ],
      },
    ]);
  });

  it('threads replies and marks Slack Connect users', () => {
    const parent = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'help' });
    const reply = fake.userMessage({ user: 'UEXT', channel: CHANNEL, text: 'same here', threadTs: parent.ts });
    expect(reply.event.event).toMatchObject({
      thread_ts: parent.ts,
      parent_user_id: 'UALICE',
      user_team: 'T0PARTNER',
      source_team: 'T0PARTNER',
      team: 'T0PARTNER',
      user_profile: { real_name: 'Pat Partner' },
    });
    expect(fake.thread(CHANNEL, parent.ts).map((m) => m.user)).toEqual(['UALICE', 'UEXT']);
    expect(() => fake.userMessage({ user: 'UALICE', channel: CHANNEL, text: 'x', threadTs: reply.ts })).toThrow(
      SimulatorError,
    );
  });

  it('builds the message event Slack sends for the app’s own posts', async () => {
    const parent = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'help' });
    const { ts } = await client.chat.postMessage({ channel: CHANNEL, text: 'On it', thread_ts: parent.ts });
    const envelope = fake.messageEventFor({ channel: CHANNEL, ts: ts as string });
    expect(envelope.event).toMatchObject({
      type: 'message',
      user: 'UBOT',
      bot_id: 'BBOT',
      text: 'On it',
      thread_ts: parent.ts,
      channel: CHANNEL,
      channel_type: 'channel',
    });
    expect(envelope.event_id).not.toBe(parent.event.event_id);
    expect(() => fake.messageEventFor({ channel: CHANNEL, ts: '1111111111.000001' })).toThrow(SimulatorError);
  });

  it('marks private channels and refuses unknown people or non-members', () => {
    fake.addChannel('G0PRIVATE', { members: ['UALICE'] });
    expect(fake.userMessage({ user: 'UALICE', channel: 'G0PRIVATE', text: 'x' }).event.event.channel_type).toBe(
      'group',
    );
    expect(() => fake.userMessage({ user: 'UBOB', channel: 'G0PRIVATE', text: 'x' })).toThrow(/not a member/);
    expect(() => fake.userMessage({ user: 'UNOBODY', channel: CHANNEL, text: 'x' })).toThrow(/not a user/);
  });
});

describe('clickButton and selectOption on messages', () => {
  it('builds a faithful block_actions payload from the stored message', async () => {
    const parent = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'help' });
    const ts = await postCard(parent.ts);
    const payload = fake.clickButton({ user: 'UBOB', channel: CHANNEL, messageTs: ts, actionId: 'submit' });
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'UBOB', username: 'bob', team_id: 'T0001' },
      team: { id: 'T0001', domain: 'fake-team' },
      api_app_id: 'AFAKEAPP01',
      container: { type: 'message', message_ts: ts, channel_id: CHANNEL, is_ephemeral: false, thread_ts: parent.ts },
      channel: { id: CHANNEL },
      message: { ts, text: 'Commands to approve', bot_id: 'BBOT' },
      trigger_id: expect.any(String),
      response_url: expect.stringContaining(fake.url),
      actions: [
        {
          type: 'button',
          action_id: 'submit',
          block_id: 'submit',
          text: { text: 'Submit' },
          action_ts: expect.any(String),
        },
      ],
    });
    expect(payload.state?.values).toEqual({
      choice_1: { identity: { type: 'static_select', selected_option: null } },
    });
  });

  it('picks among buttons sharing an action_id by block or value, and refuses absent or ambiguous ones', async () => {
    const ts = await postCard();
    const target = { user: 'UALICE', channel: CHANNEL, messageTs: ts };
    expect(fake.clickButton({ ...target, actionId: 'approve', blockId: 'choice_1' }).actions[0]).toMatchObject({
      block_id: 'choice_1',
      value: '1',
    });
    expect(fake.clickButton({ ...target, actionId: 'approve', value: '0' }).actions[0]).toMatchObject({
      block_id: 'choice_0',
      style: 'primary',
    });
    expect(() => fake.clickButton({ ...target, actionId: 'approve' })).toThrow(/pass blockId/);
    expect(() => fake.clickButton({ ...target, actionId: 'ignore' })).toThrow(/shows no button with action_id ignore/);
    expect(() => fake.clickButton({ ...target, messageTs: '1111111111.000001', actionId: 'submit' })).toThrow(
      /no message/,
    );
  });

  it('keeps each person’s selections in the message state until the message is updated', async () => {
    const ts = await postCard();
    const select = fake.selectOption({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: ts,
      actionId: 'identity',
      value: 'readonly',
    });
    expect(select.actions[0]).toMatchObject({
      type: 'static_select',
      selected_option: { value: 'readonly', text: { text: 'readonly' } },
      placeholder: { text: 'Identity' },
    });
    const alice = fake.clickButton({ user: 'UALICE', channel: CHANNEL, messageTs: ts, actionId: 'submit' });
    expect(alice.state?.values.choice_1?.identity).toMatchObject({ selected_option: { value: 'readonly' } });
    const bob = fake.clickButton({ user: 'UBOB', channel: CHANNEL, messageTs: ts, actionId: 'submit' });
    expect(bob.state?.values.choice_1?.identity).toMatchObject({ selected_option: null });
    expect(() =>
      fake.selectOption({ user: 'UALICE', channel: CHANNEL, messageTs: ts, actionId: 'identity', value: 'root' }),
    ).toThrow(/not one of the options/);
    await client.chat.update({
      channel: CHANNEL,
      ts,
      text: 'updated',
      blocks: (fake.message(CHANNEL, ts)?.blocks ?? []) as unknown as KnownBlock[],
    });
    const after = fake.clickButton({ user: 'UALICE', channel: CHANNEL, messageTs: ts, actionId: 'submit' });
    expect(after.state?.values.choice_1?.identity).toMatchObject({ selected_option: null });
  });

  it('selects an overflow option without changing state', async () => {
    const ts = await postCard();
    const payload = fake.selectOption({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: ts,
      actionId: 'menu',
      value: 'update',
    });
    expect(payload.actions[0]).toMatchObject({
      type: 'overflow',
      block_id: 'cmd_0',
      selected_option: { value: 'update', text: { text: 'Update Context' } },
    });
  });

  it('clicks buttons of ephemeral messages (no message in the payload)', async () => {
    const { message_ts } = await client.chat.postEphemeral({
      channel: CHANNEL,
      user: 'UALICE',
      text: 'Only you',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'retry', text: plain('Retry') }] }],
    });
    const payload = fake.clickButton({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: message_ts as string,
      actionId: 'retry',
    });
    expect(payload.container).toMatchObject({ is_ephemeral: true, message_ts });
    expect(payload).not.toHaveProperty('message');
    expect(() =>
      fake.clickButton({ user: 'UBOB', channel: CHANNEL, messageTs: message_ts as string, actionId: 'retry' }),
    ).toThrow(/no message/);
  });
});

describe('response_url', () => {
  async function respond(url: string, body: unknown): Promise<Response> {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  it('replaces, posts ephemerally, posts in channel and deletes as Slack does', async () => {
    const ts = await postCard();
    const { response_url: url } = fake.clickButton({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: ts,
      actionId: 'submit',
    });
    expect((await respond(url as string, { replace_original: true, text: 'Submitted by Alice' })).status).toBe(200);
    expect(fake.message(CHANNEL, ts)).toMatchObject({ text: 'Submitted by Alice' });
    expect(fake.message(CHANNEL, ts)?.blocks).toBeUndefined();
    await respond(url as string, { text: 'You are not allowed' });
    expect(fake.ephemerals('UALICE').map((m) => m.text)).toEqual(['You are not allowed']);
    await respond(url as string, { response_type: 'in_channel', text: 'Everyone sees this' });
    expect(fake.messages(CHANNEL).at(-1)?.text).toBe('Everyone sees this');
    await respond(url as string, { delete_original: true });
    expect(fake.message(CHANNEL, ts)).toBeUndefined();
    expect(fake.responses.map((r) => r.outcome)).toEqual(['replaced', 'ephemeral', 'in_channel', 'deleted']);
  });

  it('refuses invalid blocks and more than five uses', async () => {
    const ts = await postCard();
    const { response_url: url } = fake.clickButton({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: ts,
      actionId: 'submit',
    });
    const invalid = await respond(url as string, { replace_original: true, text: 'x', blocks: [{ type: 'nope' }] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ ok: false, error: 'invalid_blocks' });
    for (let i = 0; i < 4; i += 1) await respond(url as string, { text: `note ${i}` });
    const sixth = await respond(url as string, { text: 'one too many' });
    expect(sixth.status).toBe(404);
    expect(fake.responses.at(-1)).toMatchObject({ outcome: 'rejected', error: 'used_url' });
  });

  it('can be made to fail, as Bolt’s respond() then throws', async () => {
    const ts = await postCard();
    const { response_url: url } = fake.clickButton({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: ts,
      actionId: 'submit',
    });
    fake.inject({ method: 'response_url', status: 500 });
    expect((await respond(url as string, { text: 'x' })).status).toBe(500);
    expect((await respond(url as string, { text: 'y' })).status).toBe(200);
  });

  it('expires after 30 minutes', async () => {
    const clock = new ManualClock();
    await fake.close();
    fake = await startFakeSlack({ clock });
    client = clientFor(fake);
    const ts = await postCard();
    const { response_url: url } = fake.clickButton({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: ts,
      actionId: 'submit',
    });
    clock.advance(30 * 60 * 1000 + 1);
    expect((await respond(url as string, { text: 'late' })).status).toBe(404);
  });
});

const ticketModal = (extra: Record<string, unknown> = {}): View =>
  ({
    type: 'modal',
    callback_id: 'ticket.create',
    title: plain('Create Ticket'),
    submit: plain('Create'),
    private_metadata: '{"thread":"1"}',
    blocks: [
      {
        type: 'input',
        block_id: 'portal',
        dispatch_action: true,
        label: plain('Portal'),
        element: { type: 'static_select', action_id: 'portal', options: [option('prod'), option('dev')] },
      },
      {
        type: 'input',
        block_id: 'agent',
        label: plain('Agent'),
        element: {
          type: 'static_select',
          action_id: 'agent',
          initial_option: option('ops'),
          options: [option('ops'), option('sre')],
        },
      },
      {
        type: 'input',
        block_id: 'note',
        optional: true,
        label: plain('Note'),
        element: { type: 'plain_text_input', action_id: 'note', max_length: 10 },
      },
      {
        type: 'input',
        block_id: 'perms',
        label: plain('Permissions'),
        element: { type: 'checkboxes', action_id: 'perms', options: [option('read'), option('write')] },
      },
      { type: 'actions', elements: [{ type: 'button', action_id: 'refresh', text: plain('Refresh') }] },
      {
        type: 'section',
        block_id: 'search',
        text: { type: 'mrkdwn', text: 'Search' },
        accessory: { type: 'external_select', action_id: 'search', min_query_length: 2 },
      },
    ],
    ...extra,
  }) as unknown as View;

async function openTicketModal(user = 'UALICE', extra: Record<string, unknown> = {}): Promise<string> {
  const result = await client.views.open({ trigger_id: fake.issueTriggerId({ user }), view: ticketModal(extra) });
  return result.view?.id as string;
}

describe('modals', () => {
  it('sends block_actions only for dispatching inputs, and keeps state either way', async () => {
    const viewId = await openTicketModal();
    const payload = fake.selectInView({ user: 'UALICE', viewId, actionId: 'portal', value: 'dev' });
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: viewId },
      view: { id: viewId, callback_id: 'ticket.create', private_metadata: '{"thread":"1"}', hash: expect.any(String) },
      actions: [{ type: 'static_select', block_id: 'portal', action_id: 'portal', selected_option: { value: 'dev' } }],
    });
    expect(payload).not.toHaveProperty('response_url');
    expect(payload?.view?.state.values.portal?.portal).toMatchObject({ selected_option: { value: 'dev' } });
    expect(payload?.view?.state.values.agent?.agent).toMatchObject({ selected_option: { value: 'ops' } });
    expect(fake.selectInView({ user: 'UALICE', viewId, actionId: 'agent', value: 'sre' })).toBeNull();
    expect(fake.view(viewId)?.state.values.agent?.agent).toMatchObject({ selected_option: { value: 'sre' } });
    expect(() => fake.selectInView({ user: 'UBOB', viewId, actionId: 'portal', value: 'dev' })).toThrow(
      /opened for UALICE/,
    );
  });

  it('gives a trigger from a modal interaction that views.push accepts', async () => {
    const viewId = await openTicketModal();
    const click = fake.clickButtonInView({ user: 'UALICE', viewId, actionId: 'refresh' });
    const pushed = await client.views.push({
      trigger_id: click.trigger_id,
      view: ticketModal({ callback_id: 'second' }),
    });
    expect(fake.openViews('UALICE').map((view) => view.id)).toEqual([viewId, pushed.view?.id]);
    expect(() => fake.clickButtonInView({ user: 'UALICE', viewId, actionId: 'refresh' })).toThrow(
      /covered by pushed view/,
    );
  });

  it('builds view_submission with every input’s state and refuses what Slack’s client would', async () => {
    const viewId = await openTicketModal();
    expect(() => fake.submitView({ user: 'UALICE', viewId, values: { portal: 'prod' } })).toThrow(
      /required input "Permissions"/,
    );
    expect(() => fake.submitView({ user: 'UALICE', viewId, values: { portal: 'staging', perms: ['read'] } })).toThrow(
      /not one of the options/,
    );
    expect(() =>
      fake.submitView({ user: 'UALICE', viewId, values: { portal: 'prod', perms: ['read'], note: 'far too long' } }),
    ).toThrow(/at most 10 characters/);
    const payload = fake.submitView({ user: 'UALICE', viewId, values: { portal: 'prod', perms: ['read', 'write'] } });
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: 'UALICE', username: 'alice', team_id: 'T0001' },
      team: { id: 'T0001' },
      trigger_id: expect.any(String),
      response_urls: [],
      view: { id: viewId, callback_id: 'ticket.create', app_installed_team_id: 'T0001' },
    });
    expect(payload.view.state.values).toEqual({
      portal: { portal: { type: 'static_select', selected_option: expect.objectContaining({ value: 'prod' }) } },
      agent: { agent: { type: 'static_select', selected_option: expect.objectContaining({ value: 'ops' }) } },
      note: { note: { type: 'plain_text_input', value: null } },
      perms: {
        perms: {
          type: 'checkboxes',
          selected_options: [expect.objectContaining({ value: 'read' }), expect.objectContaining({ value: 'write' })],
        },
      },
      search: { search: { type: 'external_select', selected_option: null } },
    });
  });

  it('applies the app’s view_submission answers like Slack', async () => {
    const viewId = await openTicketModal();
    fake.submitView({ user: 'UALICE', viewId, values: { portal: 'prod', perms: 'read' } });
    expect(fake.applyViewResponse(viewId, '{"response_action":"errors","errors":{"portal":"No access"}}')).toEqual({
      kind: 'errors',
      errors: { portal: 'No access' },
    });
    expect(() => fake.applyViewResponse(viewId, { response_action: 'errors', errors: { portal_select: 'x' } })).toThrow(
      /not an input block/,
    );
    const updated = fake.applyViewResponse(viewId, {
      response_action: 'update',
      view: ticketModal({ title: plain('Step 2') }),
    });
    expect(updated).toMatchObject({ kind: 'updated', view: { id: viewId, title: { text: 'Step 2' } } });
    expect(() =>
      fake.applyViewResponse(viewId, {
        response_action: 'update',
        view: ticketModal({ title: plain('x'.repeat(25)) }),
      }),
    ).toThrow(/must be less than 25 characters/);
    const pushed = fake.applyViewResponse(viewId, { response_action: 'push', view: ticketModal() });
    expect(pushed.kind).toBe('pushed');
    const pushedId = pushed.kind === 'pushed' ? pushed.view.id : '';
    expect(fake.applyViewResponse(pushedId, '')).toEqual({ kind: 'closed', viewId: pushedId });
    expect(fake.openViews().map((view) => view.id)).toEqual([viewId]);
    expect(fake.applyViewResponse(viewId, { response_action: 'clear' })).toEqual({ kind: 'cleared' });
    expect(fake.openViews()).toEqual([]);
  });

  it('closes a modal, sending view_closed only when asked', async () => {
    const quiet = await openTicketModal();
    expect(fake.closeView({ user: 'UALICE', viewId: quiet })).toBeNull();
    expect(fake.openViews()).toEqual([]);
    const noisy = await openTicketModal('UALICE', { notify_on_close: true });
    expect(fake.closeView({ user: 'UALICE', viewId: noisy })).toMatchObject({
      type: 'view_closed',
      is_cleared: false,
      view: { id: noisy },
    });
  });

  it('builds block_suggestion without the unsubmitted view state', async () => {
    const viewId = await openTicketModal();
    fake.selectInView({ user: 'UALICE', viewId, actionId: 'portal', value: 'prod' });
    const payload = fake.suggestOptions({ user: 'UALICE', viewId, actionId: 'search', value: 'we' });
    expect(payload).toMatchObject({
      type: 'block_suggestion',
      action_id: 'search',
      block_id: 'search',
      value: 'we',
      view: { id: viewId, state: { values: {} } },
    });
    expect(() => fake.suggestOptions({ user: 'UALICE', viewId, actionId: 'search', value: 'w' })).toThrow(
      /2 characters/,
    );
  });

  it('uses the Slack Connect team for external users', async () => {
    fake.addChannel('C0SHARED', { isExtShared: true });
    const parent = fake.mention({ user: 'UEXT', channel: 'C0SHARED', text: 'hi' });
    expect(parent.event.is_ext_shared_channel).toBe(true);
    const { ts } = await client.chat.postMessage({
      channel: 'C0SHARED',
      thread_ts: parent.ts,
      text: 'card',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'go', text: plain('Go') }] }],
    });
    const payload = fake.clickButton({ user: 'UEXT', channel: 'C0SHARED', messageTs: ts as string, actionId: 'go' });
    expect(payload.user).toEqual({ id: 'UEXT', username: 'pat', name: 'pat', team_id: 'T0PARTNER' });
    expect(payload.team.id).toBe('T0PARTNER');
  });
});
