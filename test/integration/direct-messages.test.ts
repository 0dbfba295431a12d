import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedWorkspaceAgents } from '../fakes/portal/index.js';
import { type DirectMessages, directMessages } from '../support/direct-messages.js';
import { devChoice, platformChoice } from '../support/flows.js';
import { type Harness, People, startHarness } from '../support/harness.js';

const alice = People.alice;

/** Web API calls Slack refused, from the `from`-th call on (setTitle outside the assistant pane is expected). */
const refusedSince = (h: Harness, from = 0) =>
  h.slack.calls
    .slice(from)
    .filter((call) => !call.ok && call.method !== 'assistant.threads.setTitle')
    .map((call) => `${call.method}: ${call.error}`);

const sendsTo = (h: Harness, ticketName: string, from = 0) =>
  h.portal.calls
    .slice(from)
    .filter((call) => call.method === 'POST' && call.path.endsWith(`/${ticketName}/sendmessage`));

describe('direct messages to the bot (Messages tab)', () => {
  let h: Harness;
  let dm: DirectMessages;
  beforeAll(async () => {
    h = await startHarness();
    dm = directMessages(h);
  });
  afterEach(() => {
    h.portal.resetAgentScript();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers a top-level DM in its own thread with Create Ticket, no mention needed and no portal call', async () => {
    const portalCalls = h.portal.calls.length;
    const { ts } = await dm.write(alice, 'what is wrong with my pods?');
    const thread = h.slack.thread(dm.channelOf(alice), ts);
    expect(thread).toHaveLength(2);
    expect(thread[1]?.thread_ts).toBe(ts);
    expect(dm.transcript(alice, ts)[1]).toContain('[Create Ticket]');
    expect(h.portal.calls.length).toBe(portalCalls);
  });

  it('answers a DM that mentions the bot once, though Slack sends it as app_mention and message.im', async () => {
    const { ts } = await dm.write(alice, `<@${h.slack.botUserId}> can you look at my deployment?`);
    const transcript = dm.transcript(alice, ts);
    expect(transcript.filter((text) => text.includes('[Create Ticket]'))).toHaveLength(1);
    expect(transcript).toHaveLength(2);
  });

  it('DM → Create Ticket → ticket linked to the DM thread → reply relayed → agent answers in the DM thread', async () => {
    const from = h.slack.calls.length;
    const { ts } = await dm.write(alice, 'the checkout page is slow today');
    await dm.createTicket(alice, ts, devChoice);

    const link = await h.service.store.activeLink(dm.thread(alice, ts));
    expect(link).toMatchObject({ thread: dm.thread(alice, ts), spaceId: devChoice.spaceId, createdBy: alice.id });
    const ticket = h.portal.tickets().find((candidate) => candidate.name === link?.ticketName);
    expect(ticket?.messages[0]?.content).toContain('the checkout page is slow today');
    expect(dm.transcript(alice, ts).join('\n')).toMatch(/You asked: "the checkout page is slow today"/);
    // The bot is always in its own DM: it never asks (conversations.info on an im would need im:read).
    expect(h.slack.callsTo('conversations.info').slice()).toEqual([]);

    const sent = h.portal.calls.length;
    await dm.write(alice, 'is the database involved?', ts);
    expect(sendsTo(h, link?.ticketName ?? '', sent)).toHaveLength(1);
    expect(dm.botMessage(alice, ts, /is the database involved\?/).text).toContain('You asked');
    // The status line shows in the DM thread while the agent works, and is gone once it answered.
    expect(
      h.slack.callsTo('assistant.threads.setStatus').some((call) => call.args.channel_id === dm.channelOf(alice)),
    ).toBe(true);
    expect(h.slack.status(dm.channelOf(alice), ts)).toBeNull();
    expect(refusedSince(h, from)).toEqual([]);
  });

  it('approves and submits a command card in the DM: the command runs and its output comes back there', async () => {
    const { ts } = await dm.write(alice, 'pods keep crashing in dev, restart the web deployment');
    await dm.createTicket(alice, ts, devChoice);
    const card = dm.botMessage(alice, ts, /proposes 2 commands/);
    for (const index of [0, 1]) {
      await h.send(
        h.slack.clickButton({
          user: alice.id,
          channel: dm.channelOf(alice),
          messageTs: card.ts,
          actionId: ActionId.Approve,
          blockId: `cmd.${index}.decide`,
        }),
        'interaction',
      );
    }
    await h.send(
      h.slack.clickButton({
        user: alice.id,
        channel: dm.channelOf(alice),
        messageTs: card.ts,
        actionId: ActionId.Submit,
      }),
      'interaction',
    );
    const transcript = dm.transcript(alice, ts).join('\n');
    expect(transcript).toContain('web-7d4b9c6f5d-2xkqp');
    expect(transcript).toMatch(/Ran 2 commands/);
    expect(dm.botMessage(alice, ts, /proposes 2 commands/).text).toMatch(/Submitted by @UALICE: 2 approved/);
  });

  it('ignores its own messages, other bots, edits and deletions in the DM (no loop, nothing relayed)', async () => {
    const { ts } = await dm.write(alice, 'my service is down');
    await dm.createTicket(alice, ts, devChoice);
    const link = await h.service.store.activeLink(dm.thread(alice, ts));
    const channel = dm.channelOf(alice);
    const [portalCalls, posts] = [h.portal.calls.length, h.slack.thread(channel, ts).length];

    const ownReply = h.slack.thread(channel, ts).findLast((message) => message.bot_id === h.slack.botId);
    await h.send(h.slack.messageEventFor({ channel, ts: String(ownReply?.ts) }), 'event');
    const base = h.slack.directMessage({ user: alice.id, text: 'restart it please', threadTs: ts }).event;
    // Slack's message_changed / message_deleted carry the message inside; bot_message comes from another app.
    const variants = [
      { subtype: 'message_changed', message: { ...base.event, text: 'restart it now' } },
      { subtype: 'message_deleted', deleted_ts: base.event.ts },
      { subtype: 'bot_message', bot_id: 'BOTHER', user: undefined },
      { bot_id: 'BOTHER' },
    ];
    // Only the variants are delivered (the person's stored message never is): none may reach the agent.
    for (const [index, variant] of variants.entries()) {
      await h.send({ ...base, event_id: `EvIGNORED${index}`, event: { ...base.event, ...variant } }, 'event');
    }
    expect(sendsTo(h, link?.ticketName ?? '', portalCalls)).toHaveLength(0);
    expect(h.slack.thread(channel, ts).length).toBe(posts + 1); // only the person's stored message
  });

  it('sent Slack nothing it refused', () => {
    expect(h.slack.internalErrors).toEqual([]);
    expect(refusedSince(h)).toEqual([]);
  });
});

describe('direct messages on a workspace-scoped HelpDesk (Gen B, streaming agent)', () => {
  let h: Harness;
  let dm: DirectMessages;
  const streamingAgent = { ...platformChoice, agentId: SeedWorkspaceAgents.k8s.id };
  beforeAll(async () => {
    h = await startHarness({ workspacePortal: { streaming: { eventDelayMs: 20, deltaChars: 12 } } });
    dm = directMessages(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('creates the ticket in the workspace from the DM thread, streams to the DM’s person and relays replies there', async () => {
    const { ts } = await dm.write(People.alice, 'which services run in the platform workspace?');
    await dm.createTicket(People.alice, ts, streamingAgent);
    const link = await h.service.store.activeLink(dm.thread(People.alice, ts));
    expect(link).toMatchObject({ api: 'workspace', spaceId: platformChoice.spaceId });
    // The answer was streamed on Alice's behalf: she is the DM's only person.
    const streams = h.slack.streams(dm.channelOf(People.alice));
    expect(streams.length).toBeGreaterThan(0);
    expect(streams.map((stream) => stream.recipientUserId)).toEqual(streams.map(() => People.alice.id));
    const sent = h.workspace?.calls.length ?? 0;
    await dm.write(People.alice, 'and which of them restarted today?', ts);
    expect(
      h.workspace?.calls
        .slice(sent)
        .filter((call) => call.method === 'POST' && call.path.includes(link?.ticketName ?? '?')),
    ).not.toEqual([]);
    expect(dm.botMessage(People.alice, ts, /restarted today/).text).toBeTruthy();
    expect(refusedSince(h)).toEqual([]);
  });
});
