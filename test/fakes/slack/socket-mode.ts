/**
 * Socket Mode for the fake Slack: `apps.connections.open` tickets, the WebSocket endpoint the app connects to, and
 * envelopes delivered to it, acknowledged by the app, as @slack/socket-mode 2.x/3.x speaks to Slack:
 *  - on connect Slack sends `{"type":"hello","num_connections":n,"debug_info":{…},"connection_info":{"app_id":…}}`;
 *  - then envelopes `{"envelope_id","type":"events_api"|"interactive"|"slash_commands","payload",
 *    "accepts_response_payload"}` (events_api also carry `retry_attempt` and `retry_reason`);
 *  - the app acknowledges with `{"envelope_id","payload"?}`; Slack waits 3 s for it;
 *  - `{"type":"disconnect","reason":"refresh_requested"|"warning"|…}` asks the app to reconnect;
 *  - pings are answered with pongs (the client pings every clientPingTimeout/3 and drops a silent server).
 *
 * The `ws` package is not installed (@slack/socket-mode 3 connects with undici's WebSocket client), so this file
 * speaks the small part of RFC 6455 a server needs: the upgrade handshake, masked client frames, fragmentation,
 * ping/pong and the close handshake. It is strict where a lax server would hide a client bug: an unmasked or
 * malformed frame, a binary message or invalid UTF-8 closes the connection with the RFC's status code and records why.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export type SocketEnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface SocketDeliveryOptions {
  /**
   * Whether Slack would use a payload in the ack. Default: true for view_submission, block_suggestion and slash
   * commands (the ack is their answer), false otherwise.
   */
  readonly acceptsResponsePayload?: boolean;
  /** events_api only: Slack's retry_attempt and retry_reason. Default 0 and ''. */
  readonly retryAttempt?: number;
  readonly retryReason?: string;
  /** How long to wait for the ack; Slack's limit is 3 s. */
  readonly ackTimeoutMs?: number;
}

export interface SocketDelivery {
  readonly envelopeId: string;
  /** The `payload` of the app's ack message (`{}` for a bare ack from @slack/socket-mode); undefined when absent. */
  readonly ack: unknown;
}

export interface SocketAck {
  readonly envelopeId: string;
  readonly connectionId: string;
  readonly payload: unknown;
  readonly at: Date;
  /** No delivery was waiting for it: it came after the timeout, twice, or for an envelope never sent. */
  readonly late: boolean;
}

export interface SocketConnectionRecord {
  readonly id: string;
  readonly openedAt: Date;
  readonly closedAt?: Date;
  /** Who started the close: the app (close frame), Slack (disconnect or a protocol error), or neither (TCP dropped). */
  readonly closedBy?: 'app' | 'slack' | 'network';
  /** The status code of the close frame (1005 when it carried none). */
  readonly closeCode?: number;
  readonly closeReason?: string;
  /** Why the fake closed the connection on the app, when the app broke the protocol. */
  readonly protocolError?: string;
  /** Ping frames the app sent (each was answered with a pong). */
  readonly pings: number;
}

export interface SocketModeHubOptions {
  readonly appId: string;
  readonly now: () => Date;
  /** Default 3000 (Slack's ack deadline). */
  readonly ackTimeoutMs?: number;
}

const WebSocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MaxMessageBytes = 8 * 1024 * 1024;
const CloseHandshakeTimeoutMs = 2_000;
const DebugHost = 'applink-fake-1';

const Opcode = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

/** RFC 6455 §7.4.1 status codes this fake sends. */
const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatus: 1005,
  InvalidPayload: 1007,
  TooBig: 1009,
} as const;

interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
  readonly size: number;
}

interface FrameError {
  readonly code: number;
  readonly error: string;
}

/** One client frame from the front of `buffer`; null when more bytes are needed. */
function readFrame(buffer: Buffer): Frame | FrameError | null {
  if (buffer.length < 2) return null;
  const first = buffer[0]!;
  const second = buffer[1]!;
  if ((first & 0x70) !== 0) return { code: CloseCode.ProtocolError, error: 'reserved bits set (no extension)' };
  if ((second & 0x80) === 0) return { code: CloseCode.ProtocolError, error: 'client frame not masked' };
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    const long = buffer.readBigUInt64BE(2);
    if (long > BigInt(MaxMessageBytes)) return { code: CloseCode.TooBig, error: 'frame too big' };
    length = Number(long);
    offset = 10;
  }
  if (length > MaxMessageBytes) return { code: CloseCode.TooBig, error: 'frame too big' };
  if (buffer.length < offset + 4 + length) return null;
  const mask = buffer.subarray(offset, offset + 4);
  const payload = Buffer.allocUnsafe(length);
  const start = offset + 4;
  for (let i = 0; i < length; i += 1) payload[i] = buffer[start + i]! ^ mask[i % 4]!;
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, size: start + length };
}

/** A server frame: never masked, never fragmented. */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  let header: Buffer;
  if (payload.length < 126) {
    header = Buffer.from([0x80 | opcode, payload.length]);
  } else if (payload.length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

function closePayload(code: number, reason: string): Buffer {
  if (code === CloseCode.NoStatus) return Buffer.alloc(0);
  const text = Buffer.from(reason.slice(0, 100), 'utf8');
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface MutableRecord {
  id: string;
  openedAt: Date;
  closedAt?: Date;
  closedBy?: 'app' | 'slack' | 'network';
  closeCode?: number;
  closeReason?: string;
  protocolError?: string;
  pings: number;
}

/** One app connection, after the 101 response. */
class SocketConnection {
  state: 'open' | 'closing' | 'closed' = 'open';
  readonly record: MutableRecord;
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] | null = null;
  private fragmentOpcode = 0;
  private fragmentBytes = 0;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    id: string,
    private readonly socket: Duplex,
    head: Buffer,
    private readonly now: () => Date,
    private readonly onText: (connection: SocketConnection, text: string) => void,
    private readonly onClosed: (connection: SocketConnection) => void,
  ) {
    this.record = { id, openedAt: now(), pings: 0 };
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // ECONNRESET and the like: 'close' follows and records the end.
    socket.on('error', () => {});
    socket.on('close', () => this.closed());
    if (head.length > 0) this.receive(head);
  }

  get id(): string {
    return this.record.id;
  }

  sendJson(message: unknown): void {
    if (this.state !== 'open') throw new Error(`fake Slack: Socket Mode connection ${this.id} is not open`);
    this.socket.write(encodeFrame(Opcode.Text, Buffer.from(JSON.stringify(message), 'utf8')));
  }

  /** Starts the close handshake from Slack's side. */
  close(code: number, reason: string): void {
    if (this.state !== 'open') return;
    this.record.closedBy = 'slack';
    this.record.closeCode = code;
    this.record.closeReason = reason;
    this.sendClose(code, reason);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private sendClose(code: number, reason: string): void {
    this.state = 'closing';
    this.socket.write(encodeFrame(Opcode.Close, closePayload(code, reason)));
    this.closeTimer = setTimeout(() => this.socket.destroy(), CloseHandshakeTimeoutMs);
    this.closeTimer.unref();
  }

  private fail(code: number, error: string): void {
    this.record.protocolError = error;
    if (this.state === 'open') this.close(code, error);
    else this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.state !== 'closed') {
      const frame = readFrame(this.buffer);
      if (frame === null) return;
      if ('error' in frame) {
        this.buffer = Buffer.alloc(0);
        this.fail(frame.code, frame.error);
        return;
      }
      this.buffer = this.buffer.subarray(frame.size);
      this.frame(frame);
    }
  }

  private frame({ fin, opcode, payload }: Frame): void {
    if (opcode >= 0x8) {
      if (!fin || payload.length > 125) {
        this.fail(CloseCode.ProtocolError, 'bad control frame');
        return;
      }
      switch (opcode) {
        case Opcode.Close:
          this.closeFrame(payload);
          return;
        case Opcode.Ping:
          this.record.pings += 1;
          if (this.state === 'open') this.socket.write(encodeFrame(Opcode.Pong, payload));
          return;
        case Opcode.Pong:
          return;
        default:
          this.fail(CloseCode.ProtocolError, `unknown control opcode ${opcode}`);
          return;
      }
    }
    // After our close frame only the peer's close frame matters (RFC 6455 §5.5.1).
    if (this.state !== 'open') return;
    if (opcode === Opcode.Continuation) {
      if (this.fragments === null) {
        this.fail(CloseCode.ProtocolError, 'continuation without a first frame');
        return;
      }
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.fragments !== null) {
        this.fail(CloseCode.ProtocolError, 'new message inside a fragmented one');
        return;
      }
      this.fragments = [];
      this.fragmentOpcode = opcode;
      this.fragmentBytes = 0;
    } else {
      this.fail(CloseCode.ProtocolError, `unknown data opcode ${opcode}`);
      return;
    }
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > MaxMessageBytes) {
      this.fail(CloseCode.TooBig, 'message too big');
      return;
    }
    if (!fin) return;
    const message = Buffer.concat(this.fragments);
    const messageOpcode = this.fragmentOpcode;
    this.fragments = null;
    if (messageOpcode === Opcode.Binary) {
      this.fail(CloseCode.UnsupportedData, 'binary message');
      return;
    }
    let text: string;
    try {
      text = utf8.decode(message);
    } catch {
      this.fail(CloseCode.InvalidPayload, 'text message is not valid UTF-8');
      return;
    }
    this.onText(this, text);
  }

  private closeFrame(payload: Buffer): void {
    if (payload.length === 1) {
      this.fail(CloseCode.ProtocolError, 'close frame with a 1-byte payload');
      return;
    }
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : CloseCode.NoStatus;
    if (this.state === 'open') {
      // The app closes: record its code and reason, echo the close (RFC 6455 §5.5.1), then end the TCP stream.
      this.record.closedBy = 'app';
      this.record.closeCode = code;
      try {
        this.record.closeReason = utf8.decode(payload.subarray(2));
      } catch {
        this.record.closeReason = '';
      }
      this.sendClose(code, '');
    }
    // Either way the handshake is complete.
    this.socket.end();
  }

  private closed(): void {
    if (this.state === 'closed') return;
    if (this.record.closedBy === undefined) this.record.closedBy = 'network';
    this.state = 'closed';
    this.record.closedAt = this.now();
    clearTimeout(this.closeTimer);
    this.onClosed(this);
  }
}

interface Pending {
  readonly connectionId: string;
  readonly resolve: (delivery: SocketDelivery) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Socket Mode as Slack runs it for one app: tickets from apps.connections.open, connections, envelopes and acks.
 * Envelopes go to the newest open connection (Slack picks one of an app's up to 10 connections).
 */
export class SocketModeHub {
  private readonly tickets = new Set<string>();
  private readonly connections: SocketConnection[] = [];
  private readonly acks: SocketAck[] = [];
  private readonly pending = new Map<string, Pending>();
  private waiters: Array<() => void> = [];
  private sequence = 0;

  constructor(private readonly options: SocketModeHubOptions) {}

  /** What apps.connections.open answers: a WebSocket URL with a one-use ticket. */
  openConnection(baseUrl: string): { url: string } {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.add(ticket);
    const url = new URL('/link/', baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('ticket', ticket);
    url.searchParams.set('app_id', this.options.appId);
    return { url: url.toString() };
  }

  /** The HTTP server's 'upgrade' handler. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://fake.local');
    if (url.pathname !== '/link/' && url.pathname !== '/link') {
      refuse(socket, 404, 'not found');
      return;
    }
    const key = req.headers['sec-websocket-key'];
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (req.method !== 'GET' || upgrade !== 'websocket' || typeof key !== 'string') {
      refuse(socket, 400, 'bad WebSocket handshake');
      return;
    }
    if (req.headers['sec-websocket-version'] !== '13') {
      refuse(socket, 426, 'WebSocket version 13 only');
      return;
    }
    const ticket = url.searchParams.get('ticket');
    // Tickets are good for one connection: a client must call apps.connections.open again to reconnect.
    if (ticket === null || !this.tickets.delete(ticket)) {
      refuse(socket, 401, 'fake Slack: unknown or already used Socket Mode ticket');
      return;
    }
    const accept = createHash('sha1').update(`${key}${WebSocketGuid}`).digest('base64');
    // No Sec-WebSocket-Extensions in the answer: permessage-deflate is declined, so frames are never compressed.
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    this.sequence += 1;
    const connection = new SocketConnection(
      `socket-${this.sequence}`,
      socket,
      head,
      this.options.now,
      (from, text) => this.receive(from, text),
      (closed) => this.rejectPending(closed.id, 'the Socket Mode connection closed before the app acknowledged'),
    );
    this.connections.push(connection);
    connection.sendJson({
      type: 'hello',
      num_connections: this.open().length,
      debug_info: { host: DebugHost, build_number: 1, approximate_connection_time: 18_060 },
      connection_info: { app_id: this.options.appId },
    });
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  connected(): boolean {
    return this.open().length > 0;
  }

  waitForConnection(timeoutMs = 5_000): Promise<void> {
    if (this.connected()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        reject(new Error(`fake Slack: no Socket Mode connection within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(wake);
    });
  }

  deliver(payload: unknown, type: SocketEnvelopeType, options: SocketDeliveryOptions = {}): Promise<SocketDelivery> {
    checkPayload(payload, type);
    const connection = this.open().at(-1);
    if (!connection) {
      return Promise.reject(new Error('fake Slack: no Socket Mode connection is open to deliver to'));
    }
    const envelopeId = randomUUID();
    const acceptsResponsePayload = options.acceptsResponsePayload ?? acceptsResponse(payload, type);
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: acceptsResponsePayload,
      ...(type === 'events_api'
        ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' }
        : {}),
    };
    const timeoutMs = options.ackTimeoutMs ?? this.options.ackTimeoutMs ?? 3_000;
    return new Promise<SocketDelivery>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`fake Slack: the app did not acknowledge ${type} envelope ${envelopeId} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, { connectionId: connection.id, resolve, reject, timer });
      connection.sendJson(envelope);
    });
  }

  /** Sends `{"type":"disconnect","reason":…}` on every open connection; returns how many were told. */
  disconnect(reason: string): number {
    const open = this.open();
    for (const connection of open) connection.sendJson({ type: 'disconnect', reason, debug_info: { host: DebugHost } });
    return open.length;
  }

  get records(): SocketConnectionRecord[] {
    return this.connections.map((connection) => ({ ...connection.record }));
  }

  get ackRecords(): SocketAck[] {
    return [...this.acks];
  }

  /** Forgets acks and closed connections; open connections stay open. */
  reset(): void {
    this.acks.length = 0;
    const open = this.open();
    this.connections.length = 0;
    this.connections.push(...open);
  }

  /** Drops every connection at once (the fake is shutting down) and fails what still waits for an ack. */
  close(): void {
    for (const connection of this.connections) connection.destroy();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new Error('fake Slack: closed before the app acknowledged'));
    }
  }

  private open(): SocketConnection[] {
    return this.connections.filter((connection) => connection.state === 'open');
  }

  private receive(connection: SocketConnection, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = undefined;
    }
    if (!isRecord(message) || typeof message.envelope_id !== 'string') {
      // Slack answers nothing to messages it does not understand; an app sending one has a bug worth seeing.
      connection.record.protocolError = `unexpected message: ${text.slice(0, 200)}`;
      return;
    }
    const envelopeId = message.envelope_id;
    const pending = this.pending.get(envelopeId);
    this.acks.push({
      envelopeId,
      connectionId: connection.id,
      payload: message.payload,
      at: this.options.now(),
      late: pending === undefined,
    });
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(envelopeId);
    pending.resolve({ envelopeId, ack: message.payload });
  }

  private rejectPending(connectionId: string, reason: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.connectionId !== connectionId) continue;
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new Error(`fake Slack: ${reason}`));
    }
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(message, 'utf8');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${message}`,
  );
}

/** Slack lets the ack answer view submissions, options requests and slash commands, not the rest. */
function acceptsResponse(payload: unknown, type: SocketEnvelopeType): boolean {
  if (type === 'slash_commands') return true;
  if (type !== 'interactive' || !isRecord(payload)) return false;
  return payload.type === 'view_submission' || payload.type === 'block_suggestion';
}

function checkPayload(payload: unknown, type: SocketEnvelopeType): void {
  if (!isRecord(payload)) throw new Error('fake Slack: a Socket Mode payload is an object');
  if (type === 'events_api' && (payload.type !== 'event_callback' || !isRecord(payload.event))) {
    throw new Error('fake Slack: an events_api payload is an event_callback envelope (with an event)');
  }
  if (type === 'interactive' && typeof payload.type !== 'string') {
    throw new Error('fake Slack: an interactive payload names its type (block_actions, view_submission, …)');
  }
  if (type === 'slash_commands' && typeof payload.command !== 'string') {
    throw new Error('fake Slack: a slash_commands payload has a command');
  }
}
