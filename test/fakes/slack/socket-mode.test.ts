import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { SocketModeReceiver } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { DEFAULT_APP_TOKEN, type FakeSlack, startFakeSlack } from './fake-slack.js';
import { clientFor, silentLogger, slackError } from './test-helpers.js';

/**
 * The fake's Socket Mode against the real client (@slack/socket-mode, as Bolt's SocketModeReceiver builds it), and
 * against a raw socket where the protocol's edges matter.
 */

const CHANNEL = 'C0SOCKET';

type SocketClient = SocketModeReceiver['client'];
interface SlackEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  type: string;
  body: unknown;
  retry_num?: number;
  retry_reason?: string;
  accepts_response_payload?: boolean;
}

let fake: FakeSlack;
const clients: SocketClient[] = [];

beforeEach(async () => {
  fake = await startFakeSlack();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.disconnect();
  expect(fake.internalErrors).toEqual([]);
  await fake.close();
});

/** The Socket Mode client Bolt would run; a short clientPingTimeout makes pings and reconnects fast. */
function socketClient(options: { appToken?: string; clientPingTimeout?: number } = {}): SocketClient {
  const receiver = new SocketModeReceiver({
    appToken: options.appToken ?? fake.appToken,
    logger: silentLogger,
    clientPingTimeout: options.clientPingTimeout ?? 5_000,
    installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } } },
  });
  clients.push(receiver.client);
  return receiver.client;
}

const nextEvent = (client: SocketClient) =>
  new Promise<SlackEventArgs>((resolve) => client.once('slack_event', (args: SlackEventArgs) => resolve(args)));

/** A WebSocket handshake by hand: the 101's socket, or the refusal's status. */
function rawUpgrade(url: string): Promise<{ socket: Duplex; head: Buffer } | { status: number; body: string }> {
  const target = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = request(target, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
      },
    });
    req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function rawConnect(): Promise<{ socket: Duplex; frames: () => Buffer }> {
  const { url } = (await clientFor(fake, {}, fake.appToken).apps.connections.open()) as { url: string };
  const result = await rawUpgrade(url);
  if (!('socket' in result)) throw new Error(`refused: ${result.status}`);
  let received = result.head;
  result.socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  return { socket: result.socket, frames: () => received };
}

/** A client frame (masked unless told otherwise), payloads under 126 bytes. */
function clientFrame(opcode: number, payload: Buffer, { fin = true, mask = true } = {}): Buffer {
  const key = Buffer.from([1, 2, 3, 4]);
  const body = mask ? payload.map((byte, i) => byte ^ key[i % 4]!) : payload;
  return Buffer.concat([
    Buffer.from([(fin ? 0x80 : 0) | opcode, (mask ? 0x80 : 0) | payload.length]),
    mask ? key : Buffer.alloc(0),
    body,
  ]);
}

/** Server frames are unmasked and short here: [opcode, payload] pairs. */
function serverFrames(bytes: Buffer): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    let length = bytes[offset + 1]! & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset + 2);
      start = offset + 4;
    }
    frames.push({ opcode: bytes[offset]! & 0x0f, payload: bytes.subarray(start, start + length) });
    offset = start + length;
  }
  return frames;
}

describe('apps.connections.open', () => {
  it('answers a one-use ws:// URL on the fake itself for the app-level token', async () => {
    const result = await clientFor(fake, {}, fake.appToken).apps.connections.open();
    expect(fake.appToken).toBe(DEFAULT_APP_TOKEN);
    expect(result.ok).toBe(true);
    const url = new URL(String(result.url));
    expect(`${url.protocol}//${url.host}`).toBe(fake.url.replace('http', 'ws'));
    expect(url.pathname).toBe('/link/');
    expect(url.searchParams.get('ticket')).toMatch(/^[0-9a-f]{32}$/);
    expect(url.searchParams.get('app_id')).toBe(fake.appId);
    expect(fake.callsTo('apps.connections.open')).toMatchObject([{ ok: true }]);
  });

  it('refuses the bot token, an unknown token, and the app token for bot methods', async () => {
    expect((await slackError(clientFor(fake).apps.connections.open())).error).toBe('not_allowed_token_type');
    expect((await slackError(clientFor(fake, {}, 'xapp-1-other').apps.connections.open())).error).toBe('invalid_auth');
    const asApp = clientFor(fake, {}, fake.appToken);
    expect((await slackError(asApp.chat.postMessage({ channel: CHANNEL, text: 'hi' }))).error).toBe(
      'not_allowed_token_type',
    );
  });

  it('takes a configured app token and honours injected faults', async () => {
    await fake.close();
    fake = await startFakeSlack({ appToken: 'xapp-1-A1-custom' });
    expect((await slackError(clientFor(fake, {}, DEFAULT_APP_TOKEN).apps.connections.open())).error).toBe(
      'invalid_auth',
    );
    fake.inject({ method: 'apps.connections.open', error: 'ratelimited', status: 429, retryAfter: 1 });
    const client = clientFor(fake, { rejectRateLimitedCalls: true }, 'xapp-1-A1-custom');
    await expect(client.apps.connections.open()).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error' });
    expect((await client.apps.connections.open()).ok).toBe(true);
  });
});

describe('the Socket Mode client against the fake', () => {
  it('connects after hello and reports the connection', async () => {
    const client = socketClient();
    expect(fake.socketConnected()).toBe(false);
    await client.start();
    expect(fake.socketConnected()).toBe(true);
    await fake.waitForSocket(100);
    expect(fake.socketConnections).toMatchObject([{ id: 'socket-1', pings: expect.any(Number) }]);
    expect(fake.socketConnections[0]?.closedAt).toBeUndefined();
  });

  it('delivers an events_api envelope and resolves with the ack', async () => {
    const client = socketClient();
    await client.start();
    const mention = fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'help' });
    const received = nextEvent(client);
    const delivery = fake.deliverOverSocket(mention.events[0], 'events_api', {
      retryAttempt: 1,
      retryReason: 'timeout',
    });
    const args = await received;
    expect(args).toMatchObject({
      type: 'events_api',
      body: mention.events[0],
      retry_num: 1,
      retry_reason: 'timeout',
      accepts_response_payload: false,
    });
    await args.ack();
    const { envelopeId, ack } = await delivery;
    expect(envelopeId).toBe(args.envelope_id);
    expect(ack).toEqual({});
    expect(fake.socketAcks).toMatchObject([{ envelopeId, connectionId: 'socket-1', late: false }]);
  });

  it('lets a view_submission ack carry a response, and says so in the envelope', async () => {
    const client = socketClient();
    await client.start();
    const { view } = (await clientFor(fake).views.open({
      trigger_id: fake.issueTriggerId({ user: 'UALICE' }),
      view: {
        type: 'modal',
        callback_id: 'form',
        title: { type: 'plain_text', text: 'Form' },
        submit: { type: 'plain_text', text: 'Go' },
        blocks: [
          {
            type: 'input',
            block_id: 'name',
            label: { type: 'plain_text', text: 'Name' },
            element: { type: 'plain_text_input', action_id: 'name' },
          },
        ],
      },
    })) as { view: { id: string } };
    const payload = fake.submitView({ user: 'UALICE', viewId: view.id, values: { name: 'x' } });
    const received = nextEvent(client);
    const delivery = fake.deliverOverSocket(payload, 'interactive');
    const args = await received;
    expect(args).toMatchObject({ type: 'interactive', accepts_response_payload: true });
    await args.ack({ response_action: 'errors', errors: { name: 'Too short' } });
    const { ack } = await delivery;
    expect(fake.applyViewResponse(view.id, ack)).toEqual({ kind: 'errors', errors: { name: 'Too short' } });
  });

  it('rejects when the app does not ack in time, and records the late ack', async () => {
    const client = socketClient();
    await client.start();
    const received = nextEvent(client);
    const delivery = fake.deliverOverSocket(
      fake.mention({ user: 'UALICE', channel: CHANNEL, text: 'x' }).events[0],
      'events_api',
      {
        ackTimeoutMs: 50,
      },
    );
    await expect(delivery).rejects.toThrow(/did not acknowledge events_api envelope .* in 50 ms/);
    await (await received).ack();
    await eventually(() => expect(fake.socketAcks).toMatchObject([{ late: true }]));
  });

  it('refuses to deliver without a connection, or a payload of the wrong shape', async () => {
    await expect(fake.deliverOverSocket({ type: 'block_actions' }, 'interactive')).rejects.toThrow(/no Socket Mode/);
    await expect(fake.waitForSocket(30)).rejects.toThrow(/within 30 ms/);
    expect(() => fake.deliverOverSocket({ type: 'block_actions' }, 'events_api')).toThrow(/event_callback/);
    expect(() => fake.deliverOverSocket({}, 'interactive')).toThrow(/names its type/);
  });

  it('reconnects with a fresh ticket after a refresh_requested disconnect', async () => {
    const client = socketClient({ clientPingTimeout: 300 });
    await client.start();
    expect(fake.disconnectSocket('refresh_requested')).toBe(1);
    await eventually(() => expect(fake.socketConnections[0]?.closedAt).toBeDefined());
    expect(fake.socketConnections[0]).toMatchObject({ closedBy: 'app', closeCode: 1000 });
    await fake.waitForSocket(3_000);
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
    expect(fake.socketConnections.map((connection) => connection.id)).toEqual(['socket-1', 'socket-2']);

    const received = nextEvent(client);
    const delivery = fake.deliverOverSocket({ type: 'block_actions', actions: [] }, 'interactive');
    await (await received).ack();
    expect((await delivery).ack).toEqual({});
    expect(fake.socketAcks.at(-1)?.connectionId).toBe('socket-2');
  });

  it("answers the client's pings, so it stays connected", async () => {
    const client = socketClient({ clientPingTimeout: 150 });
    await client.start();
    // The client pings every 50 ms and drops the connection when no pong comes within 150 ms.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fake.socketConnected()).toBe(true);
    expect(fake.socketConnections[0]?.pings).toBeGreaterThanOrEqual(5);
    expect(fake.socketConnections).toHaveLength(1);
  });

  it('records a clean close when the client disconnects', async () => {
    const client = socketClient();
    await client.start();
    clients.length = 0;
    await client.disconnect();
    expect(fake.socketConnected()).toBe(false);
    expect(fake.socketConnections[0]).toMatchObject({ closedBy: 'app', closeCode: 1000 });
    await eventually(() => expect(fake.socketConnections[0]?.closedAt).toBeInstanceOf(Date));
  });

  it('fails a pending delivery when the connection closes before the ack', async () => {
    const client = socketClient();
    await client.start();
    const received = nextEvent(client);
    const delivery = fake.deliverOverSocket({ type: 'block_actions', actions: [] }, 'interactive');
    await received;
    clients.length = 0;
    await client.disconnect();
    await expect(delivery).rejects.toThrow(/closed before the app acknowledged/);
  });
});

describe('the WebSocket endpoint, byte by byte', () => {
  it('refuses an unknown or reused ticket and other paths', async () => {
    const { url } = (await clientFor(fake, {}, fake.appToken).apps.connections.open()) as { url: string };
    const first = await rawUpgrade(url);
    expect('socket' in first).toBe(true);
    if ('socket' in first) first.socket.destroy();
    expect(await rawUpgrade(url)).toMatchObject({ status: 401, body: expect.stringContaining('ticket') });
    expect(await rawUpgrade(`${fake.url}/link/?ticket=nope`)).toMatchObject({ status: 401 });
    expect(await rawUpgrade(`${fake.url}/api/auth.test`)).toMatchObject({ status: 404 });
  });

  it('sends hello first, answers pings, and assembles a fragmented ack', async () => {
    const { socket, frames } = await rawConnect();
    await eventually(() => expect(serverFrames(frames())).toHaveLength(1));
    const hello = JSON.parse(serverFrames(frames())[0]!.payload.toString('utf8')) as Record<string, unknown>;
    expect(hello).toMatchObject({
      type: 'hello',
      num_connections: 1,
      debug_info: { host: expect.any(String) },
      connection_info: { app_id: fake.appId },
    });

    socket.write(clientFrame(0x9, Buffer.from('are you there')));
    await eventually(() => expect(serverFrames(frames())).toHaveLength(2));
    expect(serverFrames(frames())[1]).toMatchObject({ opcode: 0xa, payload: Buffer.from('are you there') });

    const delivery = fake.deliverOverSocket({ type: 'block_actions', actions: [] }, 'interactive');
    await eventually(() => expect(serverFrames(frames())).toHaveLength(3));
    const envelope = JSON.parse(serverFrames(frames())[2]!.payload.toString('utf8')) as { envelope_id: string };
    const ack = Buffer.from(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'ok' } }));
    socket.write(clientFrame(0x1, ack.subarray(0, 10), { fin: false }));
    socket.write(clientFrame(0x9, Buffer.alloc(0))); // a control frame may come between fragments
    socket.write(clientFrame(0x0, ack.subarray(10)));
    expect(await delivery).toEqual({ envelopeId: envelope.envelope_id, ack: { text: 'ok' } });
    socket.destroy();
    await eventually(() => expect(fake.socketConnections[0]?.closedBy).toBe('network'));
  });

  it('closes with 1002 on an unmasked frame and 1003 on a binary message', async () => {
    for (const [frame, code, error] of [
      [clientFrame(0x1, Buffer.from('{}'), { mask: false }), 1002, 'client frame not masked'],
      [clientFrame(0x2, Buffer.from([1, 2, 3])), 1003, 'binary message'],
    ] as const) {
      const { socket, frames } = await rawConnect();
      socket.write(frame);
      await eventually(() => expect(serverFrames(frames()).at(-1)?.opcode).toBe(0x8));
      expect(serverFrames(frames()).at(-1)?.payload.readUInt16BE(0)).toBe(code);
      expect(fake.socketConnections.at(-1)).toMatchObject({ closedBy: 'slack', closeCode: code, protocolError: error });
      expect(fake.socketConnected()).toBe(false);
      socket.destroy();
    }
  });

  it('closes promptly with a client still connected', async () => {
    const { socket } = await rawConnect();
    const ended = new Promise((resolve) => socket.once('close', resolve));
    await fake.close();
    await ended;
    fake = await startFakeSlack();
  });
});
