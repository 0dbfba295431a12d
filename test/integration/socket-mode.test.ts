import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppConfig, loadConfig } from '../../src/config.js';
import { type RunningService, startService } from '../../src/service.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { defaultPortalSeed, type FakePortal, SeedAgents, SeedTenants, startFakePortal } from '../fakes/portal/index.js';
import {
  type AppResponse,
  type FakeSlack,
  renderMessageText,
  type SlackDeliveryKind,
  type SocketDelivery,
  type SocketEnvelopeType,
  startFakeSlack,
} from '../fakes/slack/index.js';
import { eventually } from '../support/eventually.js';
import { createTicketThroughSlack, devChoice, openCreateTicket, submit } from '../support/flows.js';
import { Channel, type Harness, LogCapture, People } from '../support/harness.js';

/**
 * The service in Socket Mode, end to end, with no Slack: it opens its connection with the app-level token at
 * start, receives the simulator's payloads as Socket Mode envelopes and answers them with acks over the WebSocket
 * (a view_submission's errors travel in the ack), while /healthz, /readyz and /metrics stay on its HTTP port.
 *
 * The UI flows of test/support/flows.ts run unchanged: they drive a Harness, and this file gives them one whose
 * `send` delivers over the socket instead of signing and posting.
 */

const kinds: Record<SlackDeliveryKind, SocketEnvelopeType> = {
  event: 'events_api',
  interaction: 'interactive',
  options: 'interactive',
  command: 'slash_commands',
};

const dev = SeedTenants.dev;
const choice = devChoice;

/** The ack as flows.ts reads an HTTP answer: the JSON body, or '' for a bare ack (`{}` from @slack/socket-mode). */
function asAppResponse(delivery: SocketDelivery, elapsedMs: number): AppResponse {
  const ack = delivery.ack;
  const bare = ack === undefined || (typeof ack === 'object' && ack !== null && Object.keys(ack).length === 0);
  return {
    status: 200,
    body: bare ? '' : JSON.stringify(ack),
    ...(bare ? {} : { json: ack }),
    headers: {},
    elapsedMs,
  };
}

describe('the service in Socket Mode', () => {
  let slack: FakeSlack;
  let portal: FakePortal;
  let config: AppConfig;
  let service: RunningService;
  const logs = new LogCapture();
  const acks: SocketDelivery[] = [];
  let h: Harness;

  /** Delivers over the socket, then waits until the app's work for it is done (as the HTTP harness does). */
  const deliver = async (payload: unknown, kind: SlackDeliveryKind): Promise<AppResponse> => {
    const started = performance.now();
    const delivery = await slack.deliverOverSocket(payload, kinds[kind]);
    const elapsedMs = performance.now() - started;
    acks.push(delivery);
    await service.idle();
    return asAppResponse(delivery, elapsedMs);
  };

  beforeAll(async () => {
    portal = await startFakePortal({ seed: defaultPortalSeed() });
    slack = await startFakeSlack({ users: Object.values(People) });
    config = loadConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_MODE: 'socket',
      SLACK_API_URL: slack.apiUrl,
      DUPLO_SLACK_APP_PORTALS: JSON.stringify([
        { name: 'acme', duplo_host: portal.url, duplo_token: portal.adminToken },
      ]),
      PORT: '0',
      DATA_DIR: 'memory',
      LOG_LEVEL: 'info',
    });
    service = await startService(config, {
      host: '127.0.0.1',
      logDestination: logs,
      slackClientOptions: { retryConfig: { retries: 0 }, timeout: 5_000 },
      portalClientOptions: { timeoutMs: 3_000, agentTimeoutMs: 5_000, getRetries: 1, retryBaseDelayMs: 10 },
    });
    const say = async (user: { id: string }, text: string, threadTs?: string, mention = false) => {
      const input = { user: user.id, channel: Channel, text, ...(threadTs ? { threadTs } : {}) };
      const result = mention ? slack.mention(input) : slack.userMessage(input);
      for (const envelope of result.events) await deliver(envelope, 'event');
      return { ts: result.ts };
    };
    h = {
      slack,
      portal,
      beta: null,
      workspace: null,
      service,
      config,
      logs,
      send: deliver,
      say: (user, text, threadTs) => say(user, text, threadTs),
      mention: (user, text, threadTs) => say(user, text, threadTs, true),
      helpdesk: (user, text, channel = Channel) =>
        deliver(slack.slashCommand({ user: user.id, channel, command: '/helpdesk', text }), 'command'),
      startInstance: () => Promise.reject(new Error('one instance in the Socket Mode tests')),
      transcript: (threadTs) => slack.thread(Channel, threadTs).map((message) => renderMessageText(message)),
      botMessage(threadTs, pattern) {
        const found = slack
          .thread(Channel, threadTs)
          .filter((message) => message.bot_id === slack.botId)
          .map((message) => ({ ts: String(message.ts), text: renderMessageText(message) }))
          .reverse()
          .find((message) => pattern.test(message.text));
        if (!found) throw new Error(`no bot message matching ${pattern} in thread ${threadTs}`);
        return found;
      },
      stop: () => service.stop(),
    };
  });

  afterAll(async () => {
    // Service first: a Socket Mode client whose server vanishes keeps trying to reconnect.
    await service?.stop();
    await slack?.close();
    await portal?.close();
  });

  it('connects with the app-level token at start and keeps its HTTP port for health, not for Slack', async () => {
    expect(config.slack.mode).toBe('socket');
    expect(slack.socketConnected()).toBe(true);
    expect(slack.callsTo('apps.connections.open')).toMatchObject([{ ok: true }]);
    expect(slack.socketConnections).toHaveLength(1);

    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    // No Slack endpoint in Socket Mode: a delivery posted over HTTP is refused (404) and does nothing.
    const mention = slack.mention({ user: People.alice.id, channel: Channel, text: 'over http?' });
    const events = await fetch(`${service.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mention.events[0]),
    });
    expect(events.status).toBe(404);
    expect(await events.text()).not.toContain('challenge');
    expect((await fetch(`${service.url}/slack/events`)).status).toBe(404);
    await service.idle();
    expect(slack.thread(Channel, mention.ts)).toHaveLength(1);
  });

  it('offers Create Ticket in the thread of an unlinked mention, acking the event at once', async () => {
    const portalCalls = portal.calls.length;
    const { ts } = await h.mention(People.alice, 'what is wrong with my pods?');
    expect(acks.at(-1)?.ack).toEqual({});
    const thread = slack.thread(Channel, ts);
    expect(thread).toHaveLength(2);
    expect(thread[1]?.thread_ts).toBe(ts);
    expect(h.transcript(ts)[1]).toContain('[Create Ticket]');
    expect(portal.calls.length).toBe(portalCalls);
  });

  it('answers /helpdesk over the socket: acked at once, the answer to the caller alone', async () => {
    const before = slack.ephemerals(People.alice.id).length;
    const response = await h.helpdesk(People.alice, 'status');
    expect(response.elapsedMs).toBeLessThan(3_000);
    expect(acks.at(-1)?.ack).toEqual({});
    const answers = slack.ephemerals(People.alice.id);
    expect(answers).toHaveLength(before + 1);
    expect(answers.at(-1)?.text).toContain('1 of 1 portal reachable');
  });

  it('does no work twice for an event Slack redelivers over the socket', async () => {
    const mention = slack.mention({ user: People.alice.id, channel: Channel, text: 'delivered twice' });
    for (const envelope of mention.events) await deliver(envelope, 'event');
    const before = slack.thread(Channel, mention.ts).length;
    for (const envelope of mention.events) {
      await slack.deliverOverSocket(envelope, 'events_api', { retryAttempt: 1, retryReason: 'timeout' });
      await service.idle();
    }
    expect(before).toBe(2);
    expect(slack.thread(Channel, mention.ts)).toHaveLength(2);
  });

  it('answers a bad submission with response_action errors in the socket ack, creating nothing', async () => {
    // carol reaches only prod, whose helpdesk-impersonatable-users list is empty: no identity can be chosen.
    const { ts } = await h.mention(People.carol, 'prod is slow');
    const viewId = await openCreateTicket(h, People.carol, ts);
    expect(slack.view(viewId)?.title).toMatchObject({ text: 'Create Ticket' });
    const tickets = portal.tickets().length;

    const outcome = await submit(h, People.carol, viewId, { [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId });
    expect(outcome.kind).toBe('errors');
    const ack = acks.at(-1)?.ack as { response_action?: string; errors?: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    // The fake checked that every key names an input block of the open view before calling it 'errors'.
    expect(outcome).toEqual({ kind: 'errors', errors: ack.errors });
    expect(Object.values(ack.errors ?? {}).join(' ')).toMatch(/identity/i);
    expect(slack.openViews(People.carol.id).map((view) => view.id)).toContain(viewId);
    expect(portal.tickets()).toHaveLength(tickets);
    expect(await service.store.activeLink({ teamId: slack.teamId, channelId: Channel, threadTs: ts })).toBeNull();
  });

  it('creates the ticket from the modal and posts the ticket card in the thread', async () => {
    const request = 'the web pods in dev are crashing since the last deploy';
    const { threadTs, outcome } = await createTicketThroughSlack(h, People.alice, request, choice);
    expect(outcome.kind).toBe('closed');
    expect(acks.at(-1)?.ack).toEqual({});

    const link = await service.store.activeLink({ teamId: slack.teamId, channelId: Channel, threadTs });
    expect(link).toMatchObject({
      spaceId: dev.id,
      agentId: choice.agentId,
      permissions: choice.permissionIds.map((id) => ({ id, name: id })),
    });
    const ticket = portal.tickets().find((candidate) => candidate.name === link?.ticketName);
    expect(ticket?.spaceId).toBe(dev.id);
    const card = slack.message(Channel, String(link?.cardMessageTs));
    expect(card?.thread_ts).toBe(threadTs);
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript).toContain('[Open AI HelpDesk]');
    expect(transcript).toContain('Update Context');
    expect(transcript).toMatch(/proposes 2 commands/);
  });

  it('times event acks in Socket Mode', async () => {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/helpdesk_slack_ack_seconds_count\{kind="event:app_mention"\} [1-9]/);
  });

  it('reconnects when Slack asks it to refresh the connection, and keeps working', async () => {
    const opened = slack.callsTo('apps.connections.open').length;
    expect(slack.disconnectSocket('refresh_requested')).toBe(1);
    await eventually(() => expect(slack.socketConnected()).toBe(false));
    // @slack/socket-mode waits clientPingTimeout (5 s, Bolt's default) before reconnecting.
    await slack.waitForSocket(15_000);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(opened + 1);
    expect(slack.socketConnections.at(-2)).toMatchObject({ closedBy: 'app', closeCode: 1000 });

    const { ts } = await h.mention(People.bob, 'after the refresh');
    expect(h.transcript(ts)[1]).toContain('[Create Ticket]');
  }, 30_000);

  it('closes the socket cleanly on stop, does not reconnect, and never logs a token', async () => {
    const connections = slack.socketConnections.length;
    await service.stop();
    // Bolt 5.1's SocketModeReceiver.stop() does not wait for the close handshake, so stop() can resolve a moment
    // before the close frame arrives.
    await eventually(() => expect(slack.socketConnections.at(-1)?.closedAt).toBeInstanceOf(Date));
    expect(slack.socketConnected()).toBe(false);
    expect(slack.socketConnections.at(-1)).toMatchObject({ closedBy: 'app', closeCode: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.socketConnections).toHaveLength(connections);
    await expect(slack.deliverOverSocket({ type: 'block_actions', actions: [] }, 'interactive')).rejects.toThrow(
      /no Socket Mode connection/,
    );

    const text = logs.text();
    expect(text).not.toContain('did not close cleanly');
    expect(text).not.toContain(slack.appToken);
    expect(text).not.toContain(slack.botToken);
    expect(slack.internalErrors).toEqual([]);
  });
});
