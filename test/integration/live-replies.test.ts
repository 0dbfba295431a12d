import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedScopes, SeedWorkspaceAgents } from '../fakes/portal/index.js';
import type { AgentEvent } from '../fakes/portal/model.js';
import type { RecordedStream } from '../fakes/slack/index.js';
import { devChoice, linkedThread, openUpdateContext, platformChoice, submit } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

/**
 * Agent turns shown as they happen (issue 13), over HTTP against the fake Slack and both fake HelpDesks: the text
 * streamed as it is written, the status from progress updates, cards and outputs as they come, and every fallback.
 */

const streamingAgent = { ...platformChoice, agentId: SeedWorkspaceAgents.k8s.id };
const Trigger = 'live please';

const text = (value: string): AgentEvent => ({ type: 'text_delta', text: value });
const update = (value: string): AgentEvent => ({ type: 'intermittent_update', text: value, content: value });
const done: AgentEvent = { type: 'done', stop_reason: 'end_turn' };

/** The agent answers `Trigger` with `events`; everything else with its default script. */
function scriptTurn(h: Harness, events: readonly AgentEvent[]): void {
  for (const portal of [h.portal, h.workspace]) {
    portal?.setAgentScript((context) => (context.message.content.includes(Trigger) ? { events } : undefined));
  }
}

const streamsOf = (h: Harness, threadTs: string): RecordedStream[] =>
  h.slack.streams(Channel).filter((stream) => stream.threadTs === threadTs);

const callsOf = (h: Harness, method: string, from = 0) =>
  h.slack.calls.slice(from).filter((call) => call.method === method);

describe('live replies on the workspace HelpDesk (streaming agent)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ workspacePortal: { streaming: { eventDelayMs: 60, deltaChars: 12 } } });
  });

  afterEach(async () => {
    await h.stop();
  });

  async function turn(events: readonly AgentEvent[]) {
    const linked = await linkedThread(h, People.alice, 'the api pods', streamingAgent);
    scriptTurn(h, events);
    const callsBefore = h.slack.calls.length;
    await h.say(People.alice, Trigger, linked.threadTs);
    return { ...linked, callsBefore };
  }

  it('streams the text as it is written, on the asker’s behalf, then leaves the formatted reply', async () => {
    const words = Array.from({ length: 40 }, (_, n) => `step${n}`);
    const answer = `Here is **what I found** in the api deployment: ${words.join(' ')}.\n\nThe pods are fine now. `;
    const pieces = answer.match(/[\s\S]{1,10}/g) ?? [];
    const { threadTs, callsBefore } = await turn([
      update('Reading the deployment'),
      ...pieces.map(text),
      update('Checking the pods'),
      done,
    ]);

    const [stream, ...more] = streamsOf(h, threadTs).slice(-1);
    expect(more).toHaveLength(0);
    if (!stream) throw new Error('nothing was streamed');
    expect(stream).toMatchObject({
      recipientUserId: People.alice.id,
      recipientTeamId: h.slack.teamId,
      mode: 'markdown_text',
      state: 'stopped',
      endedBy: 'app',
    });
    // Started on the first settled text, appended in batches (not one call per delta), stopped once.
    const methods = stream.updates.map((entry) => entry.method);
    expect(methods[0]).toBe('chat.startStream');
    expect(methods.at(-1)).toBe('chat.stopStream');
    expect(methods.filter((method) => method === 'chat.appendStream').length).toBeGreaterThan(0);
    expect(stream.updates.length).toBeLessThan(pieces.length);
    expect(stream.text).toContain('step39');
    // The message then is the reply as a posted one reads: formatted, once.
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript.match(/step39/g)).toHaveLength(1);
    expect(h.botMessage(threadTs, /step39/).text).toContain('*what I found*');
    expect(
      callsOf(h, 'chat.postMessage', callsBefore).filter((call) => String(call.args.text).includes('step')),
    ).toEqual([]);
    // The status showed what the agent was doing, in Slack's bounds, and the turn cleared it.
    const statuses = callsOf(h, 'assistant.threads.setStatus', callsBefore).map((call) => call.args);
    expect(statuses.map((args) => args.status)).toContain('Reading the deployment');
    for (const args of statuses) {
      for (const message of (args.loading_messages as string[] | undefined) ?? []) {
        expect(message.length).toBeLessThanOrEqual(50);
      }
    }
    expect(statuses.at(-1)?.status).toBe('');
  });

  it('streams a new ticket’s first answer under its ticket card', async () => {
    // The answer takes a couple of seconds, as a real one does: the card goes up first, then the text streams.
    h.workspace?.setStreamPacing({ eventDelayMs: 150, deltaChars: 16 });
    const { threadTs, link } = await linkedThread(h, People.alice, 'the api pods restart all the time', streamingAgent);
    const stream = streamsOf(h, threadTs).at(-1);
    expect(stream?.state).toBe('stopped');
    expect(stream?.text).toContain('You asked');
    const card = h.botMessage(threadTs, new RegExp(link.ticketName));
    expect(Number(stream?.ts)).toBeGreaterThan(Number(card.ts));
    expect(
      h
        .transcript(threadTs)
        .join('\n')
        .match(/You asked/g),
    ).toHaveLength(1);
  });

  it('streams the first answer of the ticket an Update Context move opens, under its new card and note', async () => {
    h.workspace?.setStreamPacing({ eventDelayMs: 150, deltaChars: 16 });
    const { threadTs, thread, link } = await linkedThread(
      h,
      People.alice,
      'the api pods, first ticket',
      streamingAgent,
    );
    const streamsBefore = streamsOf(h, threadTs).length;
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    // New scopes open a new ticket (they are fixed when a ticket is created), with the same streaming agent.
    const scopes = h.slack.selectInView({
      user: People.alice.id,
      viewId,
      actionId: ActionId.SelectScopes,
      value: [SeedScopes.readOnly.id],
    });
    await h.send(scopes ?? {}, 'interaction');
    await submit(h, People.alice, viewId, {
      [ActionId.ShareThread]: 'no',
      [ActionId.NewMessage]: 'look at the api pods again, read-only now',
    });
    await h.service.idle();
    const moved = await h.service.store.activeLink(thread);
    expect(moved?.ticketName).not.toBe(link.ticketName);
    const streams = streamsOf(h, threadTs).slice(streamsBefore);
    expect(streams).toHaveLength(1);
    expect(streams[0]?.state).toBe('stopped');
    expect(streams[0]?.text).toContain('You asked');
    const card = h.botMessage(threadTs, new RegExp(`${moved?.ticketName}`));
    expect(Number(streams[0]?.ts)).toBeGreaterThan(Number(card.ts));
    expect(Number(streams[0]?.ts)).toBeGreaterThan(
      Number(h.botMessage(threadTs, /moved this thread|new ticket|now goes/).ts),
    );
    // Shown once: streamed, then made final in place; never posted again beside it.
    const answers = h.transcript(threadTs).filter((line) => line.includes('read-only now'));
    expect(answers.length).toBeLessThanOrEqual(1);
  });

  it('never shows a secret or a live mention split across two pieces, in the stream or after', async () => {
    const token = `ghp_${'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa'}`;
    const { threadTs } = await turn([
      text('Log in with '),
      text(token.slice(0, 11)),
      text(`${token.slice(11)} and then tell <!chan`),
      text('nel> and <@U0ADMIN> that [the dashboard](https://evil.example/login) is up. '),
      text('More words follow here so the stream goes on for a while. '),
      done,
    ]);
    const stream = streamsOf(h, threadTs).at(-1);
    expect(stream?.text).toMatch(/^Log in with /);
    // What Slack was sent (it would render `<!channel>` as a ping), and what people read.
    const sent = JSON.stringify([stream?.updates, h.slack.message(Channel, stream?.ts ?? '')]);
    const shown = [sent, ...h.transcript(threadTs)].join('\n');
    for (let at = 0; at + 8 <= token.length; at += 4) expect(shown).not.toContain(token.slice(at, at + 8));
    expect(sent).not.toMatch(/<!channel>|<@U0ADMIN>/);
    expect(shown).toContain('[REDACTED:');
    // The link's label never hides where it goes.
    expect(stream?.text).not.toContain('](https://evil.example');
    expect(h.transcript(threadTs).join('\n')).toContain('evil.example');
  });

  it('posts the card and the outputs as they come, between the text before and after them', async () => {
    const { threadTs } = await turn([
      text('First I looked at the pods in the namespace. '),
      { type: 'executed_commands', executed_cmds: [{ command: 'kubectl get pods', output: 'web-1 Running' }] },
      text('They run. I propose a restart of the web deployment now. '),
      { type: 'commands', commands: [{ command: 'kubectl rollout restart deploy/web', execute: false }] },
      update('Waiting for your decision'),
      text('Approve it when you are ready. '),
      done,
    ]);
    const lines = h.transcript(threadTs);
    const order = ['looked at the pods', 'web-1 Running', 'propose a restart', 'restart deploy/web', 'Approve it when'];
    const at = order.map((words) => lines.findLastIndex((line) => line.includes(words)));
    for (const index of at) expect(index).toBeGreaterThanOrEqual(0);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(
      h
        .transcript(threadTs)
        .join('\n')
        .match(/propose a restart/g),
    ).toHaveLength(1);
  });

  it('keeps the text so far when the agent reports an error, and says what failed', async () => {
    const { threadTs } = await turn([
      text('I started to read the logs of the api pods and '),
      text('found three restarts so far. '),
      { type: 'error', error: 'tool kubectl timed out' },
    ]);
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript.match(/found three restarts/g)).toHaveLength(1);
    expect(transcript).toMatch(
      /Your message reached \*?k8s-agent\*?, but the rest of the agent’s answer could not be shown/,
    );
    expect(transcript).toContain('the agent stopped with an error: tool kubectl timed out');
    expect(streamsOf(h, threadTs).every((stream) => stream.state === 'stopped')).toBe(true);
  });

  it('says so when the portal drops the stream midway, and never shows the same text twice', async () => {
    const linked = await linkedThread(h, People.alice, 'the api pods', streamingAgent);
    scriptTurn(h, [
      text('Checking the first pod now. '),
      text('It restarted twice today. '),
      text('Checking the second pod '),
      text('which never arrives. '),
      done,
    ]);
    h.workspace?.inject({ path: /sendMessageStreaming$/, dropAfterEvents: 3 });
    await h.say(People.alice, Trigger, linked.threadTs);
    const transcript = h.transcript(linked.threadTs).join('\n');
    expect(transcript.match(/restarted twice/g)).toHaveLength(1);
    expect(transcript).not.toContain('never arrives');
    expect(transcript).toMatch(/the rest of the agent’s answer could not be shown here/);
    expect(streamsOf(h, linked.threadTs).every((stream) => stream.state === 'stopped')).toBe(true);
  });

  it('posts the reply once where Slack refuses to stream, and does not ask again', async () => {
    h.slack.inject({ method: 'chat.startStream', error: 'channel_type_not_supported', times: Infinity });
    // Half a second between events: time enough, even on a busy machine, for the text to be offered to Slack.
    h.workspace?.setStreamPacing({ eventDelayMs: 500, deltaChars: 40 });
    const { threadTs } = await turn([text('A reply Slack '), text('will not stream here. '), done]);
    await h.say(People.alice, `${Trigger} again`, threadTs);
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript.match(/will not stream here/g)).toHaveLength(2);
    expect(transcript.match(/You asked/g)).toHaveLength(1);
    // Three answers in the thread (the ticket's first one and two more); Slack was asked to stream once.
    expect(callsOf(h, 'chat.startStream')).toHaveLength(1);
    expect(streamsOf(h, threadTs)).toHaveLength(0);
  });

  it('shows two turns of one thread in order, never interleaved', async () => {
    const linked = await linkedThread(h, People.alice, 'the api pods', streamingAgent);
    for (const portal of [h.workspace]) {
      portal?.setAgentScript((context) => {
        const which = /first|second/.exec(context.message.content)?.[0];
        if (!which) return undefined;
        const words = Array.from({ length: 12 }, (_, n) => `${which}${n}`).join(' ');
        return { events: [text(`${words} `), text('end of turn. '), done] };
      });
    }
    await Promise.all([
      h.say(People.alice, 'first question', linked.threadTs),
      h.say(People.bob, 'second question', linked.threadTs),
    ]);
    const turns = h.slack
      .thread(Channel, linked.threadTs)
      .filter((message) => /first\d|second\d/.test(String(message.text)));
    expect(turns).toHaveLength(2);
    for (const message of turns)
      expect(/first\d/.test(String(message.text)) && /second\d/.test(String(message.text))).toBe(false);
    // A turn that streamed was stopped before the other turn's message began (a turn that waited is posted whole).
    expect(streamsOf(h, linked.threadTs).length).toBeGreaterThanOrEqual(1);
    for (const stream of streamsOf(h, linked.threadTs)) {
      const other = turns.find((message) => message.ts !== stream.ts);
      if (!other) throw new Error('no other turn');
      const otherAt = Number(other.ts) * 1000;
      expect(otherAt < stream.startedAt.getTime() || otherAt >= (stream.stoppedAt as Date).getTime()).toBe(true);
    }
  });

  it('closes, with a note, a stream a stopped process left open', async () => {
    const linked = await linkedThread(h, People.alice, 'the api pods', streamingAgent);
    // What a process that stopped mid-answer leaves: a message still streaming in Slack, recorded as open.
    const { WebClient } = await import('@slack/web-api');
    const client = new WebClient(h.slack.botToken, { slackApiUrl: h.slack.apiUrl });
    const started = await client.chat.startStream({
      channel: Channel,
      thread_ts: linked.threadTs,
      recipient_user_id: People.alice.id,
      recipient_team_id: h.slack.teamId,
      markdown_text: 'The pods restarted because ',
    });
    const long = new Date(Date.now() - 10 * 60_000);
    await h.service.store.recordStream(
      { thread: linked.thread, messageTs: String(started.ts), agentName: 'k8s-agent', owner: 'gone', startedAt: long },
      long,
    );
    const report = await h.service.sweep();
    expect(report.closedStreams).toBe(1);
    const stream = h.slack.stream(Channel, String(started.ts));
    expect(stream?.state).toBe('stopped');
    expect(stream?.text).toMatch(/The pods restarted because [\s\S]*cut off here: the service restarted/);
    expect((await h.service.sweep()).closedStreams).toBe(0);
  });
});

describe('live replies switched off (SLACK_STREAM_REPLIES=false)', () => {
  it('posts a streaming agent’s reply once it is done, with the status meanwhile', async () => {
    const h = await startHarness({
      workspacePortal: { streaming: { eventDelayMs: 30, deltaChars: 12 } },
      env: { SLACK_STREAM_REPLIES: 'false' },
    });
    try {
      const linked = await linkedThread(h, People.alice, 'the api pods', streamingAgent);
      scriptTurn(h, [update('Reading the logs'), text('Nothing streams here, the reply is posted whole. '), done]);
      const callsBefore = h.slack.calls.length;
      await h.say(People.alice, Trigger, linked.threadTs);
      expect(callsOf(h, 'chat.startStream')).toHaveLength(0);
      expect(
        h
          .transcript(linked.threadTs)
          .join('\n')
          .match(/posted whole/g),
      ).toHaveLength(1);
      const statuses = callsOf(h, 'assistant.threads.setStatus', callsBefore).map((call) => call.args.status);
      expect(statuses).toContain('Reading the logs');
    } finally {
      await h.stop();
    }
  });
});

describe('live replies on the tenant HelpDesk (unary answers)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.stop();
  });

  it('shows a whole answer through the same path: posted once, never streamed, outputs and card in order', async () => {
    const linked = await linkedThread(h, People.alice, 'the api pods', devChoice);
    h.portal.setAgentScript((context) =>
      context.message.content.includes(Trigger)
        ? {
            content: 'The web pods restarted after an OOM kill. ',
            data: {
              executed_cmds: [{ command: 'kubectl get pods', output: 'web-1 OOMKilled' }],
              cmds: [{ command: 'kubectl rollout restart deploy/web', execute: false }],
            },
          }
        : undefined,
    );
    const callsBefore = h.slack.calls.length;
    await h.say(People.alice, Trigger, linked.threadTs);
    expect(callsOf(h, 'chat.startStream', callsBefore)).toHaveLength(0);
    const transcript = h.transcript(linked.threadTs);
    const at = ['web-1 OOMKilled', 'restarted after an OOM kill', 'rollout restart'].map((words) =>
      transcript.findLastIndex((line) => line.includes(words)),
    );
    expect(at.every((index) => index > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(transcript.join('\n').match(/restarted after an OOM kill/g)).toHaveLength(1);
  });

  it('keeps what a streaming agent said before its error (its events in the error body), and says what failed', async () => {
    const linked = await linkedThread(h, People.alice, 'the api pods', devChoice);
    scriptTurn(h, [
      text('The first node is healthy. '),
      text('The second node '),
      { type: 'error', error: 'node lookup failed' },
    ]);
    const agent = h.portal.agents.find((candidate) => candidate.instanceId === devChoice.agentId);
    if (!agent) throw new Error('no kubernetes agent');
    agent.streaming = true;
    await h.say(People.alice, Trigger, linked.threadTs);
    const transcript = h.transcript(linked.threadTs).join('\n');
    expect(transcript.match(/first node is healthy/g)).toHaveLength(1);
    expect(transcript).toContain('the agent stopped with an error: node lookup failed');
  });
});
