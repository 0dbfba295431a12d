import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaxSuggestedPrompts } from '../../src/slack/blocks/assistant-pane.js';
import { type DirectMessages, directMessages } from '../support/direct-messages.js';
import { devChoice } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

const alice = People.alice;

/** Calls of Bolt's default thread-context store, which this app must never make (listeners/assistant-pane.ts). */
const contextStoreCalls = (h: Harness, from: number) =>
  h.slack.calls.slice(from).filter((call) => ['conversations.replies', 'chat.update'].includes(call.method));

describe('the assistant pane (Bolt Assistant)', () => {
  let h: Harness;
  let dm: DirectMessages;
  beforeAll(async () => {
    h = await startHarness();
    dm = directMessages(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('greets a new assistant thread and sets at most four suggested prompts, keeping no thread context', async () => {
    const from = h.slack.calls.length;
    const { threadTs } = await dm.openAssistantThread(alice, Channel);
    expect(dm.transcript(alice, threadTs)[1]).toMatch(/Create Ticket/);
    const thread = h.slack.assistantThread(dm.channelOf(alice), threadTs);
    expect(thread?.prompts.length).toBeGreaterThan(0);
    expect(thread?.prompts.length).toBeLessThanOrEqual(MaxSuggestedPrompts);
    expect(thread?.promptsTitle).toBeTruthy();
    // No read of the thread to find or store the context the person looks at: nothing to share between replicas.
    expect(contextStoreCalls(h, from)).toEqual([]);
    expect(h.slack.calls.slice(from).filter((call) => !call.ok)).toEqual([]);
  });

  it('does nothing when the person moves to another channel with the pane open', async () => {
    const { threadTs } = await dm.openAssistantThread(alice, Channel);
    const from = h.slack.calls.length;
    const posts = h.slack.thread(dm.channelOf(alice), threadTs).length;
    await h.send(
      h.slack.assistantThreadContextChanged({ user: alice.id, threadTs, contextChannel: 'C0OTHER' }),
      'event',
    );
    expect(h.slack.calls.slice(from)).toEqual([]);
    expect(h.slack.thread(dm.channelOf(alice), threadTs)).toHaveLength(posts);
  });

  it('offers Create Ticket for a message in an assistant thread, then titles the thread after its ticket', async () => {
    const { threadTs } = await dm.openAssistantThread(alice);
    const { ts } = await dm.write(alice, 'why did the nightly backup job fail?', threadTs);
    const prompt = dm.botMessage(alice, threadTs, /Create Ticket/);
    expect(Number(prompt.ts)).toBeGreaterThan(Number(ts));

    await dm.createTicket(alice, threadTs, devChoice);
    const link = await h.service.store.activeLink(dm.thread(alice, threadTs));
    if (!link) throw new Error('no ticket was linked to the assistant thread');
    const ticket = h.portal.tickets().find((candidate) => candidate.name === link.ticketName);
    // The request is the person's message, not the greeting or the thread's root.
    expect(ticket?.messages[0]?.content).toContain('why did the nightly backup job fail?');
    const title = h.slack.assistantThread(dm.channelOf(alice), threadTs)?.title;
    expect(title).toContain(link.ticketName);
    expect(title).toContain('nightly backup job');
  });

  it('relays a message in a linked assistant thread with the status line while the agent works', async () => {
    const { threadTs } = await dm.openAssistantThread(alice);
    await dm.write(alice, 'the payments api is slow', threadTs);
    await dm.createTicket(alice, threadTs, devChoice);
    const link = await h.service.store.activeLink(dm.thread(alice, threadTs));
    const [portalCalls, slackCalls] = [h.portal.calls.length, h.slack.calls.length];

    await dm.write(alice, 'only since this morning', threadTs);
    const sends = h.portal.calls
      .slice(portalCalls)
      .filter((call) => call.method === 'POST' && call.path.endsWith(`/${link?.ticketName}/sendmessage`));
    expect(sends).toHaveLength(1);
    const statuses = h.slack
      .callsTo('assistant.threads.setStatus')
      .filter((call) => h.slack.calls.indexOf(call) >= slackCalls && call.args.thread_ts === threadTs);
    expect(statuses.map((call) => call.args.status)).toEqual([expect.stringMatching(/is working on it/), '']);
    expect(dm.botMessage(alice, threadTs, /only since this morning/).text).toContain('You asked');
  });

  it('still answers plain DMs beside it: a top-level message is not the pane’s and gets its own thread', async () => {
    const { ts } = await dm.write(alice, 'a plain message in the Messages tab');
    expect(dm.transcript(alice, ts)[1]).toContain('[Create Ticket]');
  });

  it('sent Slack nothing it refused', () => {
    expect(h.slack.internalErrors).toEqual([]);
    expect(h.slack.calls.filter((call) => !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual([]);
  });
});
