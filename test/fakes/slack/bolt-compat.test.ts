import type { AddressInfo } from 'node:net';
import { App, type BlockAction, LogLevel, type ViewSubmitAction } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { renderMessageText } from './render.js';
import { postToApp } from './sign.js';

/**
 * The fake, the signer and the payload builders against a real Bolt app over HTTP: if Bolt parses, verifies and
 * routes what the fake builds, and the fake accepts what Bolt's client and respond() send, tests built on them are
 * testing the real thing.
 */

const SECRET = 'bolt-compat-secret';
const CHANNEL = 'C0BOLT';
const plain = (text: string) => ({ type: 'plain_text' as const, text });

let fake: FakeSlack;
let app: App;
let appUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  fake = await startFakeSlack();
  app = new App({
    token: fake.botToken,
    signingSecret: SECRET,
    botId: fake.botId,
    botUserId: fake.botUserId,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });

  app.event('app_mention', async ({ event, say }) => {
    seen.push(`app_mention ${event.ts}`);
    await say({
      thread_ts: event.thread_ts ?? event.ts,
      text: 'Create a ticket?',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'I can open a ticket for this thread.' } },
        {
          type: 'actions',
          elements: [
            { type: 'button', action_id: 'open_create', text: plain('Create Ticket') },
            { type: 'button', action_id: 'dismiss', text: plain('Dismiss') },
          ],
        },
      ],
    });
  });
  app.message(async ({ message }) => {
    seen.push(`message ${'ts' in message ? message.ts : ''}`);
  });

  app.action<BlockAction>('open_create', async ({ ack, body, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'ticket.create',
        title: plain('Create Ticket'),
        submit: plain('Create'),
        private_metadata: JSON.stringify({ channel: body.channel?.id, ts: body.container.message_ts }),
        blocks: [
          {
            type: 'input',
            block_id: 'portal',
            dispatch_action: true,
            label: plain('Portal'),
            element: {
              type: 'static_select',
              action_id: 'portal',
              options: [
                { text: plain('prod'), value: 'prod' },
                { text: plain('dev'), value: 'dev' },
              ],
            },
          },
        ],
      },
    });
  });
  app.action<BlockAction>('portal', async ({ ack, body, client }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const portal = view.state.values.portal?.portal?.selected_option?.value ?? '';
    await client.views.update({
      view_id: view.id,
      hash: view.hash,
      view: {
        type: 'modal',
        callback_id: 'ticket.create',
        title: plain('Create Ticket'),
        submit: plain('Create'),
        private_metadata: view.private_metadata,
        blocks: [
          view.blocks[0] as never,
          {
            type: 'input',
            block_id: `tenant_${portal}`,
            label: plain('Tenant'),
            element: {
              type: 'static_select',
              action_id: 'tenant',
              options: [{ text: plain(`${portal}-web`), value: `${portal}-web` }],
            },
          },
        ],
      },
    });
  });
  app.action<BlockAction>('dismiss', async ({ ack, respond }) => {
    await ack();
    await respond({ replace_original: true, text: 'Dismissed.' });
  });
  app.view<ViewSubmitAction>('ticket.create', async ({ ack, view }) => {
    const tenant = Object.values(view.state.values).find((block) => 'tenant' in block)?.tenant?.selected_option;
    if (tenant?.value !== 'dev-web') {
      await ack({ response_action: 'errors', errors: { portal: 'Pick the dev portal' } });
      return;
    }
    await ack();
  });
  app.options('search', async ({ ack, payload }) => {
    await ack({ options: [{ text: plain(`result for ${payload.value}`), value: payload.value }] });
  });

  const server = await app.start({ port: 0, host: '127.0.0.1' });
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await app.stop();
  expect(fake.internalErrors).toEqual([]);
  await fake.close();
});

describe('a Bolt app driven through the fake', () => {
  it('runs mention → button → modal → dependent update → submit, with signed deliveries', async () => {
    const mention = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'prod is down' });
    for (const envelope of mention.events) {
      expect((await postToApp(appUrl, SECRET, envelope, { kind: 'event' })).status).toBe(200);
    }
    await eventually(() => expect(fake.thread(CHANNEL, mention.ts)).toHaveLength(2));
    expect(seen).toEqual([`app_mention ${mention.ts}`, `message ${mention.ts}`]);
    const card = fake.thread(CHANNEL, mention.ts)[1];
    expect(renderMessageText(card ?? {})).toBe('I can open a ticket for this thread.\n[Create Ticket] [Dismiss]');

    const click = fake.clickButton({
      user: 'UBOB',
      channel: CHANNEL,
      messageTs: card?.ts ?? '',
      actionId: 'open_create',
    });
    expect((await postToApp(appUrl, SECRET, click, { kind: 'interaction' })).status).toBe(200);
    await eventually(() => expect(fake.openViews('UBOB')).toHaveLength(1));
    const viewId = fake.openViews('UBOB')[0]?.id ?? '';

    const choose = fake.selectInView({ user: 'UBOB', viewId, actionId: 'portal', value: 'dev' });
    expect(choose).not.toBeNull();
    await postToApp(appUrl, SECRET, choose, { kind: 'interaction' });
    await eventually(() =>
      expect(fake.view(viewId)?.blocks.map((block) => block.block_id)).toEqual(['portal', 'tenant_dev']),
    );
    expect(fake.view(viewId)?.state.values.portal?.portal).toMatchObject({ selected_option: { value: 'dev' } });

    const submission = fake.submitView({ user: 'UBOB', viewId, values: { tenant: 'dev-web' } });
    expect(submission.view.state.values.portal?.portal).toMatchObject({ selected_option: { value: 'dev' } });
    const answer = await postToApp(appUrl, SECRET, submission, { kind: 'interaction' });
    expect(answer).toMatchObject({ status: 200, body: '' });
    expect(fake.applyViewResponse(viewId, answer.body)).toEqual({ kind: 'closed', viewId });
    expect(fake.openViews('UBOB')).toEqual([]);
  });

  it('answers field errors through response_action and closes on a bare ack', async () => {
    const trigger = fake.issueTriggerId({ user: 'UALICE' });
    const client = app.client;
    const opened = await client.views.open({
      trigger_id: trigger,
      view: {
        type: 'modal',
        callback_id: 'ticket.create',
        title: plain('Create Ticket'),
        submit: plain('Create'),
        blocks: [
          {
            type: 'input',
            block_id: 'portal',
            label: plain('Portal'),
            element: { type: 'static_select', action_id: 'portal', options: [{ text: plain('prod'), value: 'prod' }] },
          },
          {
            type: 'input',
            block_id: 'tenant_prod',
            label: plain('Tenant'),
            element: {
              type: 'static_select',
              action_id: 'tenant',
              options: [{ text: plain('prod-web'), value: 'prod-web' }],
            },
          },
        ],
      },
    });
    const viewId = opened.view?.id ?? '';
    const submission = fake.submitView({ user: 'UALICE', viewId, values: { portal: 'prod', tenant: 'prod-web' } });
    const answer = await postToApp(appUrl, SECRET, submission, { kind: 'interaction' });
    expect(fake.applyViewResponse(viewId, answer.body)).toEqual({
      kind: 'errors',
      errors: { portal: 'Pick the dev portal' },
    });
    expect(fake.openViews('UALICE').map((view) => view.id)).toEqual([viewId]);
  });

  it('accepts what Bolt’s respond() posts to the response_url', async () => {
    const mention = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'again' });
    await postToApp(appUrl, SECRET, mention.event, { kind: 'event' });
    await eventually(() => expect(fake.thread(CHANNEL, mention.ts)).toHaveLength(2));
    const card = fake.thread(CHANNEL, mention.ts)[1];
    const click = fake.clickButton({
      user: 'UALICE',
      channel: CHANNEL,
      messageTs: card?.ts ?? '',
      actionId: 'dismiss',
    });
    await postToApp(appUrl, SECRET, click, { kind: 'interaction' });
    await eventually(() => expect(fake.message(CHANNEL, card?.ts ?? '')?.text).toBe('Dismissed.'));
    expect(fake.responses.at(-1)).toMatchObject({ outcome: 'replaced', body: { replace_original: true } });
  });

  it('answers block_suggestion with options', async () => {
    const opened = await app.client.views.open({
      trigger_id: fake.issueTriggerId({ user: 'UALICE' }),
      view: {
        type: 'modal',
        title: plain('Search'),
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: 'Find' },
            accessory: { type: 'external_select', action_id: 'search', min_query_length: 1 },
          },
        ],
      },
    });
    const suggestion = fake.suggestOptions({
      user: 'UALICE',
      viewId: opened.view?.id ?? '',
      actionId: 'search',
      value: 'web',
    });
    const answer = await postToApp(appUrl, SECRET, suggestion, { kind: 'options' });
    expect(answer.json).toEqual({ options: [{ text: plain('result for web'), value: 'web' }] });
  });

  it('is refused by Bolt with a bad signature or a stale timestamp', async () => {
    const mention = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'forged' });
    const forged = await postToApp(appUrl, SECRET, mention.event, { kind: 'event', signature: 'v0=deadbeef' });
    expect(forged.status).toBe(401);
    const stale = await postToApp(appUrl, SECRET, mention.event, {
      kind: 'event',
      timestampSeconds: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
  });
});
