/**
 * A fake Slack for integration tests, `npm run demo` and the benchmark: the Web API methods the app calls (over real
 * HTTP, as @slack/web-api 8 sends them), the upload_url and response_url endpoints, and a user simulator that builds
 * the payloads Slack would send the app.
 *
 * It is strict on purpose: it refuses what Slack refuses, with Slack's error codes and `[ERROR] … [json-pointer:…]`
 * messages. Where Slack is silently lenient in ways that only hide app bugs, it is stricter, and says so with a
 * "fake Slack:" message:
 *  - a thread_ts that is not a top-level message of the channel → `thread_not_found`;
 *  - views.push needs a trigger_id from an interaction inside the open modal → `invalid_arguments`.
 * Trigger errors: unknown → `invalid_arguments` ("invalid `trigger_id`"), older than 3 s → `expired_trigger_id`,
 * used twice → `trigger_exchanged`.
 *
 * Streaming (streaming.ts): chat.startStream / appendStream / stopStream with Slack's rules; every stream is recorded
 * (`streams()`) with the time and text of each call, for time-to-first-text and calls-per-reply measurements.
 *
 * Socket Mode (socket-mode.ts): `apps.connections.open` takes only the app-level `xapp-` token and answers a
 * `ws://127.0.0.1:<port>/link/?ticket=…` URL on this same server; the simulator's payloads then go to the app over
 * that WebSocket with `deliverOverSocket` instead of being signed and posted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../../../src/domain/ports.js';
import { formDataOf, parseApiRequest, readBody } from './http-body.js';
import {
  type AppHomeOpenedInput,
  type AssistantThreadInput,
  type ClickButtonInput,
  type ClickInViewInput,
  type CloseViewInput,
  type MentionInput,
  type MessageShortcutInput,
  type SelectInViewInput,
  type SelectOptionInput,
  type SlashCommandInput,
  type SubmitViewInput,
  type SuggestOptionsInput,
  type UserMessageInput,
  UserSimulator,
} from './simulator.js';
import {
  type SocketAck,
  type SocketConnectionRecord,
  type SocketDelivery,
  type SocketDeliveryOptions,
  type SocketEnvelopeType,
  SocketModeHub,
} from './socket-mode.js';
import { DEFAULT_STREAM_LIFETIME_MS, DEFAULT_STREAM_TEXT_LIMIT, expireStreams, recordOf } from './streaming.js';
import type {
  AppHomeOpenedEvent,
  AssistantThreadEvent,
  BlockActionsPayload,
  BlockSuggestionPayload,
  EphemeralMessage,
  EventEnvelope,
  FakeChannelOptions,
  FakeSlackUser,
  FaultInjection,
  RecordedCall,
  RecordedResponse,
  RecordedStream,
  SlackHomeView,
  SlackMessage,
  SlackObject,
  SlackView,
  ThreadStatus,
  UploadedFile,
  UserMessageResult,
  ViewClosedPayload,
  ViewResponseOutcome,
  ViewSubmissionPayload,
} from './types.js';
import { METHODS } from './web-api.js';
import { ApiError, type AssistantThreadRecord, RateLimitedError, Workspace } from './workspace.js';

export interface FakeSlackOptions {
  /** Default 'T0001'. */
  readonly teamId?: string;
  readonly teamDomain?: string;
  /** Default DEFAULT_BOT_TOKEN. */
  readonly botToken?: string;
  /** The app-level token apps.connections.open accepts (Socket Mode); default DEFAULT_APP_TOKEN. */
  readonly appToken?: string;
  /** Default 'UBOT'. */
  readonly botUserId?: string;
  /** Default 'BBOT'. */
  readonly botId?: string;
  /** api_app_id in payloads; default 'AFAKEAPP01'. */
  readonly appId?: string;
  readonly botName?: string;
  /** The people of the workspace; default DEFAULT_USERS. */
  readonly users?: readonly FakeSlackUser[];
  /** Drives ts values, trigger expiry (3 s), response_url and status lifetimes. Default: the system clock. */
  readonly clock?: Clock;
  /** Emulates Slack's 2025 limit for conversations.replies: page size default and max (Slack says 15). */
  readonly historyLimit?: number;
  /** Emulates the 2025 tier for conversations.replies (Slack says 1 per minute): beyond it, 429 + Retry-After. */
  readonly historyRatePerMinute?: number;
  /**
   * Slack's per-method rate tiers as calls per minute (e.g. STREAMING_RATE_LIMITS): beyond them, 429 + Retry-After.
   * Default: none — Slack's tiers are floors ("20+ per minute") and bursts pass, so only tests that measure pacing
   * opt in.
   */
  readonly rateLimits?: Readonly<Record<string, number>>;
  /** How long a stream stays open after chat.startStream; default 5 minutes (Slack's). */
  readonly streamLifetimeMs?: number;
  /** The most text one streamed message may carry (msg_too_long beyond); default 12,000. */
  readonly streamTextLimit?: number;
  /** Any C…/G… channel id is known with the bot in it; default true. Configure others with addChannel. */
  readonly autoChannels?: boolean;
  /** conversations.replies repeats the parent at the top of every page after the first; default true. */
  readonly repliesParentOnEveryPage?: boolean;
  /** The app subscribes to message.channels/.groups (the manifest does): message events too; default true. */
  readonly messageEvents?: boolean;
  readonly verificationToken?: string;
  /** How long deliverOverSocket waits for the app's ack; default 3000 (Slack's deadline). */
  readonly socketAckTimeoutMs?: number;
}

export const DEFAULT_BOT_TOKEN = 'xoxb-0000-fake-slack-bot-token';
export const DEFAULT_APP_TOKEN = 'xapp-1-fake-app-token';

/** Web API methods called with the app-level token; every other method wants the bot token. */
const APP_LEVEL_METHODS = new Set(['apps.connections.open']);

export const DEFAULT_USERS: readonly FakeSlackUser[] = [
  { id: 'UALICE', name: 'alice', realName: 'Alice Admin', email: 'alice@example.com' },
  { id: 'UBOB', name: 'bob', realName: 'Bob Builder', email: 'bob@example.com' },
];

export interface FakeSlack {
  /** 'http://127.0.0.1:<port>' */
  readonly url: string;
  /** Give it to WebClient as slackApiUrl: 'http://127.0.0.1:<port>/api/' */
  readonly apiUrl: string;
  readonly teamId: string;
  readonly botToken: string;
  /** The xapp- token for Socket Mode (SLACK_APP_TOKEN). */
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;

  // inspection
  /** Every Web API call, in order. */
  readonly calls: readonly RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Every message in a channel (top-level and replies), in ts order. */
  messages(channel: string): SlackMessage[];
  message(channel: string, ts: string): SlackMessage | undefined;
  /** Parent then replies, in order, file messages included; [] when there is no such message. */
  thread(channel: string, threadTs: string): SlackMessage[];
  ephemerals(user?: string): EphemeralMessage[];
  /** A view as views.* would answer it now (open or closed). */
  view(viewId: string): SlackView | undefined;
  openViews(user?: string): SlackView[];
  /** The Home tab last published for a user with views.publish; undefined when none was. */
  homeView(userId: string): SlackHomeView | undefined;
  /** assistant.threads.setStatus statuses still shown (not cleared by a reply or "", younger than 2 min). */
  readonly statuses: readonly ThreadStatus[];
  status(channel: string, threadTs: string): string | null;
  /** What the app posted to response_urls. */
  readonly responses: readonly RecordedResponse[];
  /** Every stream (chat.startStream) since start or reset, in the order started; only a channel's when given. */
  streams(channel?: string): RecordedStream[];
  /** The stream of a streamed message, by its ts. */
  stream(channel: string, ts: string): RecordedStream | undefined;
  files(): UploadedFile[];
  /** Unexpected exceptions inside the fake (answered 500 fatal_error). A test should expect none. */
  readonly internalErrors: readonly Error[];

  // set-up
  addChannel(id: string, options?: FakeChannelOptions): void;
  addUser(user: FakeSlackUser): void;
  inject(fault: FaultInjection): void;
  clearInjections(): void;
  /** Forgets messages, views, calls, files… (keeps users, channels and options). */
  reset(): void;

  // the people
  /** A trigger_id as Slack puts in a payload: 3 s of life, one exchange. */
  issueTriggerId(context?: { readonly user?: string; readonly viewId?: string }): string;
  userMessage(input: UserMessageInput): UserMessageResult;
  mention(input: MentionInput): UserMessageResult;
  /** A person writes in the app's Messages tab (their DM with the bot); Slack sends message.im. */
  directMessage(input: Omit<UserMessageInput, 'channel'>): UserMessageResult;
  /** The app's DM channel with a person (D…). */
  dmChannelOf(userId: string): string;
  /** A person opens a new thread in the app's assistant pane: its root message is stored, the event returned. */
  assistantThreadStarted(input: AssistantThreadInput): {
    readonly channel: string;
    readonly threadTs: string;
    readonly event: EventEnvelope<AssistantThreadEvent>;
  };
  assistantThreadContextChanged(
    input: AssistantThreadInput & { readonly threadTs: string },
  ): EventEnvelope<AssistantThreadEvent>;
  /** An assistant thread with what the app set on it (title, suggested prompts); undefined when there is none. */
  assistantThread(channel: string, threadTs: string): AssistantThreadRecord | undefined;
  /** The message event Slack would deliver for a stored message (the bot's own included). */
  messageEventFor(input: { readonly channel: string; readonly ts: string }): EventEnvelope;
  /** The app_home_opened envelope Slack sends when the person opens the app's Home tab (`tab` default 'home'). */
  appHomeOpened(input: AppHomeOpenedInput): EventEnvelope<AppHomeOpenedEvent>;
  clickButton(input: ClickButtonInput): BlockActionsPayload;
  /** The `message_action` payload of one of the app's message shortcuts run on a message. */
  messageShortcut(input: MessageShortcutInput): Record<string, unknown>;
  /** The form fields of one of the app's slash commands, run in a channel (deliver with kind 'command'). */
  slashCommand(input: SlashCommandInput): Record<string, string>;
  selectOption(input: SelectOptionInput): BlockActionsPayload;
  clickButtonInView(input: ClickInViewInput): BlockActionsPayload;
  selectInView(input: SelectInViewInput): BlockActionsPayload | null;
  suggestOptions(input: SuggestOptionsInput): BlockSuggestionPayload;
  submitView(input: SubmitViewInput): ViewSubmissionPayload;
  closeView(input: CloseViewInput): ViewClosedPayload | null;
  applyViewResponse(viewId: string, ack: unknown): ViewResponseOutcome;

  // Socket Mode
  /** True while the app holds an open Socket Mode connection (after hello, before any close frame). */
  socketConnected(): boolean;
  /** Resolves once the app is connected over Socket Mode; rejects after timeoutMs (default 5000). */
  waitForSocket(timeoutMs?: number): Promise<void>;
  /**
   * Sends a payload in a Socket Mode envelope (events_api: an event envelope such as `mention(…).events[0]`;
   * interactive: a block_actions, view_submission… payload) to the newest connection. Resolves with the ack's
   * payload; rejects when no connection is open, it closes first, or no ack comes within the timeout (3 s).
   */
  deliverOverSocket(
    payload: unknown,
    type: SocketEnvelopeType,
    options?: SocketDeliveryOptions,
  ): Promise<SocketDelivery>;
  /** Sends `{"type":"disconnect","reason":…}` to every connection (default reason refresh_requested). */
  disconnectSocket(reason?: string): number;
  /** Every ack the app sent, in order. */
  readonly socketAcks: readonly SocketAck[];
  /** Every Socket Mode connection since start (or reset), with how it ended. */
  readonly socketConnections: readonly SocketConnectionRecord[];

  close(): Promise<void>;
}

interface ActiveFault {
  readonly fault: FaultInjection;
  remaining: number;
}

interface Reply {
  readonly status: number;
  readonly body: SlackObject | string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

class FakeSlackServer implements FakeSlack {
  readonly url: string;
  readonly apiUrl: string;
  private readonly recorded: RecordedCall[] = [];
  private readonly faults: ActiveFault[] = [];
  private readonly errors: Error[] = [];
  private readonly simulator: UserSimulator;
  private readonly sockets: SocketModeHub;

  constructor(
    private readonly server: Server,
    private readonly ws: Workspace,
    messageEvents: boolean,
    readonly appToken: string,
    socketAckTimeoutMs: number | undefined,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.url}/api/`;
    ws.baseUrl = this.url;
    this.simulator = new UserSimulator(ws, { messageEvents });
    this.sockets = new SocketModeHub({
      appId: ws.config.appId,
      now: () => ws.now(),
      ...(socketAckTimeoutMs === undefined ? {} : { ackTimeoutMs: socketAckTimeoutMs }),
    });
    server.on('request', (req, res) => {
      this.handle(req, res).catch((error: unknown) => this.fail(res, error));
    });
    server.on('upgrade', (req, socket, head) => {
      try {
        this.sockets.handleUpgrade(req, socket, head);
      } catch (error) {
        this.errors.push(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      }
    });
  }

  get teamId() {
    return this.ws.config.teamId;
  }
  get botToken() {
    return this.ws.config.botToken;
  }
  get botUserId() {
    return this.ws.config.botUserId;
  }
  get botId() {
    return this.ws.config.botId;
  }
  get appId() {
    return this.ws.config.appId;
  }

  // ───────────────────────────── HTTP ─────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2 && (req.method === 'POST' || req.method === 'GET')) {
      return this.send(res, await this.api(parts[1] as string, req, body, url.searchParams));
    }
    if (parts[0] === 'upload' && parts.length === 3 && req.method === 'POST') {
      return this.send(res, this.takeFault('upload') ?? (await this.upload(parts[2] as string, req, body)));
    }
    if (parts[0] === 'actions' && parts.length === 3 && req.method === 'POST') {
      return this.send(res, this.takeFault('response_url') ?? this.respond(parts[2] as string, url.href, req, body));
    }
    if (parts[0] === 'files' && parts.length >= 2 && req.method === 'GET') {
      return this.send(res, this.download(parts[1] as string, req));
    }
    return this.send(res, { status: 404, body: 'not found' });
  }

  private send(res: ServerResponse, reply: Reply): void {
    const { body } = reply;
    const contentType = Buffer.isBuffer(body)
      ? 'application/octet-stream'
      : typeof body === 'string'
        ? 'text/plain; charset=utf-8'
        : 'application/json; charset=utf-8';
    res.writeHead(reply.status, { 'content-type': contentType, ...(reply.headers ?? {}) });
    res.end(Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body));
  }

  private fail(res: ServerResponse, error: unknown): void {
    this.errors.push(error instanceof Error ? error : new Error(String(error)));
    if (!res.headersSent) this.send(res, { status: 500, body: { ok: false, error: 'fatal_error' } });
    else res.end();
  }

  private async api(method: string, req: IncomingMessage, body: Buffer, query: URLSearchParams): Promise<Reply> {
    const parsed = await parseApiRequest(req.headers, body, query);
    const args = parsed.ok ? parsed.args : {};
    const record = (reply: Reply): Reply => {
      const result: SlackObject =
        typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? { ok: false } : reply.body;
      const error = typeof result.error === 'string' ? result.error : undefined;
      this.recorded.push({
        method,
        args,
        at: this.ws.now(),
        ok: result.ok === true,
        httpStatus: reply.status,
        ...(error === undefined ? {} : { error }),
      });
      return reply;
    };
    const fault = this.takeFault(method, args);
    if (fault) return record(fault);
    if (!parsed.ok) return record(failure(parsed.error));
    if (APP_LEVEL_METHODS.has(method)) {
      if (parsed.token === null) return record(failure('not_authed'));
      if (parsed.token === this.appToken) return record({ status: 200, body: this.appLevel(method) });
      if (parsed.token === this.ws.config.botToken) return record(failure('not_allowed_token_type'));
      return record(failure('invalid_auth'));
    }
    const handler = METHODS[method];
    if (!handler) return record({ status: 200, body: { ok: false, error: 'unknown_method', req_method: method } });
    if (parsed.token === null) return record(failure('not_authed'));
    if (parsed.token === this.appToken) return record(failure('not_allowed_token_type'));
    if (parsed.token !== this.ws.config.botToken) return record(failure('invalid_auth'));
    try {
      expireStreams(this.ws);
      this.ws.countCall(method);
      return record({ status: 200, body: { ok: true, ...handler(this.ws, args) } });
    } catch (error) {
      if (error instanceof ApiError) return record(failure(error.error, error.messages));
      if (error instanceof RateLimitedError) return record(rateLimited(error.retryAfter));
      this.errors.push(error instanceof Error ? error : new Error(String(error)));
      return record({ status: 500, body: { ok: false, error: 'fatal_error' } });
    }
  }

  private appLevel(method: string): SlackObject {
    if (method === 'apps.connections.open') return { ok: true, ...this.sockets.openConnection(this.url) };
    throw new Error(`fake Slack: no app-level handler for ${method}`);
  }

  private takeFault(method: string, args: SlackObject = {}): Reply | null {
    const isApiMethod = method !== 'upload' && method !== 'response_url';
    const active = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.fault.method === method || (candidate.fault.method === '*' && isApiMethod)) &&
        (candidate.fault.match?.(args) ?? true),
    );
    if (!active) return null;
    active.remaining -= 1;
    const { error, status, retryAfter } = active.fault;
    if (status === 429 || (status === undefined && retryAfter !== undefined)) return rateLimited(retryAfter);
    if (status !== undefined && status !== 200) {
      return { status, body: error === undefined ? `fake Slack: injected HTTP ${status}` : { ok: false, error } };
    }
    return failure(error ?? 'fatal_error');
  }

  private async upload(token: string, req: IncomingMessage, body: Buffer): Promise<Reply> {
    let bytes = body;
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    if (contentType.startsWith('multipart/form-data')) {
      const form = await formDataOf(req.headers, body);
      const parts = form ? [...form.values()].filter((value) => typeof value !== 'string') : [];
      const part = parts[0];
      if (parts.length !== 1 || part === undefined || typeof part === 'string') {
        return { status: 400, body: 'expected exactly one file part' };
      }
      bytes = Buffer.from(await part.arrayBuffer());
    }
    const error = this.ws.receiveUpload(token, bytes);
    if (error !== null) return { status: error.startsWith('unknown') ? 404 : 400, body: error };
    return { status: 200, body: `OK - ${bytes.length}` };
  }

  private respond(id: string, url: string, req: IncomingMessage, body: Buffer): Reply {
    let parsed: unknown;
    const contentType = (req.headers['content-type'] ?? '').toLowerCase();
    try {
      parsed = contentType.startsWith('application/json')
        ? JSON.parse(body.toString('utf8'))
        : JSON.parse(new URLSearchParams(body.toString('utf8')).get('payload') ?? '');
    } catch {
      return { status: 400, body: { ok: false, error: 'invalid_json' } };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { status: 400, body: { ok: false, error: 'invalid_json' } };
    }
    return this.ws.useResponseUrl(id, url, parsed as SlackObject);
  }

  private download(fileId: string, req: IncomingMessage): Reply {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== this.ws.config.botToken) return { status: 403, body: 'not authorized' };
    const file = this.ws.upload(fileId);
    if (!file?.completed || file.bytes === null) return { status: 404, body: 'file not found' };
    return { status: 200, body: file.bytes };
  }

  // ───────────────────────────── inspection ─────────────────────────────

  get calls(): readonly RecordedCall[] {
    return [...this.recorded];
  }

  callsTo(method: string): RecordedCall[] {
    return this.recorded.filter((call) => call.method === method);
  }

  messages(channel: string): SlackMessage[] {
    expireStreams(this.ws);
    return structuredClone(this.ws.messages(channel));
  }

  message(channel: string, ts: string): SlackMessage | undefined {
    expireStreams(this.ws);
    const message = this.ws.message(channel, ts);
    return message === undefined ? undefined : structuredClone(message);
  }

  thread(channel: string, threadTs: string): SlackMessage[] {
    expireStreams(this.ws);
    return structuredClone(this.ws.thread(channel, threadTs));
  }

  ephemerals(user?: string): EphemeralMessage[] {
    return structuredClone(this.ws.ephemeralMessages.filter((message) => user === undefined || message.user === user));
  }

  view(viewId: string): SlackView | undefined {
    return this.ws.viewRecord(viewId) ? this.ws.viewForApi(viewId) : undefined;
  }

  openViews(user?: string): SlackView[] {
    return this.ws.openViews(user);
  }

  homeView(userId: string): SlackHomeView | undefined {
    return this.ws.homeView(userId);
  }

  get statuses(): readonly ThreadStatus[] {
    return this.ws.statuses();
  }

  status(channel: string, threadTs: string): string | null {
    return this.ws.statuses().find((s) => s.channel === channel && s.threadTs === threadTs)?.status ?? null;
  }

  get responses(): readonly RecordedResponse[] {
    return [...this.ws.responses];
  }

  files(): UploadedFile[] {
    return this.ws.uploadedFiles();
  }

  streams(channel?: string): RecordedStream[] {
    expireStreams(this.ws);
    return [...this.ws.streams.values()]
      .filter((stream) => channel === undefined || stream.channel === channel)
      .map(recordOf);
  }

  stream(channel: string, ts: string): RecordedStream | undefined {
    expireStreams(this.ws);
    const stream = this.ws.stream(channel, ts);
    return stream === undefined ? undefined : recordOf(stream);
  }

  get internalErrors(): readonly Error[] {
    return [...this.errors];
  }

  // ───────────────────────────── set-up ─────────────────────────────

  addChannel(id: string, options: FakeChannelOptions = {}): void {
    this.ws.addChannel(id, options);
  }

  addUser(user: FakeSlackUser): void {
    this.ws.addUser(user);
  }

  inject(fault: FaultInjection): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clearInjections(): void {
    this.faults.length = 0;
  }

  reset(): void {
    this.ws.reset();
    this.sockets.reset();
    this.recorded.length = 0;
    this.faults.length = 0;
    this.errors.length = 0;
  }

  // ───────────────────────────── the people ─────────────────────────────

  issueTriggerId(context: { readonly user?: string; readonly viewId?: string } = {}): string {
    return this.ws.issueTrigger({
      ...(context.user === undefined ? {} : { user: context.user }),
      ...(context.viewId === undefined ? {} : { viewId: context.viewId }),
    });
  }

  userMessage(input: UserMessageInput): UserMessageResult {
    return this.simulator.userMessage(input);
  }

  directMessage(input: Omit<UserMessageInput, 'channel'>): UserMessageResult {
    return this.simulator.directMessage(input);
  }

  dmChannelOf(userId: string): string {
    return this.ws.dmChannelOf(userId);
  }

  assistantThreadStarted(input: AssistantThreadInput) {
    return this.simulator.assistantThreadStarted(input);
  }

  assistantThreadContextChanged(
    input: AssistantThreadInput & { readonly threadTs: string },
  ): EventEnvelope<AssistantThreadEvent> {
    return this.simulator.assistantThreadContextChanged(input);
  }

  assistantThread(channel: string, threadTs: string): AssistantThreadRecord | undefined {
    const thread = this.ws.assistantThread(channel, threadTs);
    return thread === undefined ? undefined : structuredClone(thread);
  }

  mention(input: MentionInput): UserMessageResult {
    return this.simulator.mention(input);
  }

  messageEventFor(input: { readonly channel: string; readonly ts: string }): EventEnvelope {
    return this.simulator.messageEventFor(input);
  }

  appHomeOpened(input: AppHomeOpenedInput): EventEnvelope<AppHomeOpenedEvent> {
    return this.simulator.appHomeOpened(input);
  }

  clickButton(input: ClickButtonInput): BlockActionsPayload {
    return this.simulator.clickButton(input);
  }

  messageShortcut(input: MessageShortcutInput): Record<string, unknown> {
    return this.simulator.messageShortcut(input);
  }

  slashCommand(input: SlashCommandInput): Record<string, string> {
    return this.simulator.slashCommand(input);
  }

  selectOption(input: SelectOptionInput): BlockActionsPayload {
    return this.simulator.selectOption(input);
  }

  clickButtonInView(input: ClickInViewInput): BlockActionsPayload {
    return this.simulator.clickButtonInView(input);
  }

  selectInView(input: SelectInViewInput): BlockActionsPayload | null {
    return this.simulator.selectInView(input);
  }

  suggestOptions(input: SuggestOptionsInput): BlockSuggestionPayload {
    return this.simulator.suggestOptions(input);
  }

  submitView(input: SubmitViewInput): ViewSubmissionPayload {
    return this.simulator.submitView(input);
  }

  closeView(input: CloseViewInput): ViewClosedPayload | null {
    return this.simulator.closeView(input);
  }

  applyViewResponse(viewId: string, ack: unknown): ViewResponseOutcome {
    return this.simulator.applyViewResponse(viewId, ack);
  }

  // ───────────────────────────── Socket Mode ─────────────────────────────

  socketConnected(): boolean {
    return this.sockets.connected();
  }

  waitForSocket(timeoutMs?: number): Promise<void> {
    return this.sockets.waitForConnection(timeoutMs);
  }

  deliverOverSocket(
    payload: unknown,
    type: SocketEnvelopeType,
    options?: SocketDeliveryOptions,
  ): Promise<SocketDelivery> {
    return this.sockets.deliver(payload, type, options);
  }

  disconnectSocket(reason = 'refresh_requested'): number {
    return this.sockets.disconnect(reason);
  }

  get socketAcks(): readonly SocketAck[] {
    return this.sockets.ackRecords;
  }

  get socketConnections(): readonly SocketConnectionRecord[] {
    return this.sockets.records;
  }

  async close(): Promise<void> {
    // Upgraded sockets are no longer the HTTP server's to close, but still keep it from closing.
    this.sockets.close();
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }
}

function failure(error: string, messages: readonly string[] = []): Reply {
  return {
    status: 200,
    body: { ok: false, error, ...(messages.length > 0 ? { response_metadata: { messages: [...messages] } } : {}) },
  };
}

function rateLimited(retryAfter: number | undefined): Reply {
  return {
    status: 429,
    body: { ok: false, error: 'ratelimited' },
    ...(retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } }),
  };
}

/** Starts a fake Slack Web API (and upload, response_url and file endpoints) on 127.0.0.1, on an ephemeral port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const ws = new Workspace({
    teamId: options.teamId ?? 'T0001',
    teamDomain: options.teamDomain ?? 'fake-team',
    teamName: 'Fake Team',
    botToken: options.botToken ?? DEFAULT_BOT_TOKEN,
    botUserId: options.botUserId ?? 'UBOT',
    botId: options.botId ?? 'BBOT',
    botName: options.botName ?? 'helpdesk',
    appId: options.appId ?? 'AFAKEAPP01',
    verificationToken: options.verificationToken ?? 'fake-verification-token',
    clock: options.clock ?? systemClock,
    autoChannels: options.autoChannels ?? true,
    triggerLifetimeMs: 3000,
    repliesParentOnEveryPage: options.repliesParentOnEveryPage ?? true,
    ...(options.historyLimit === undefined ? {} : { historyLimit: options.historyLimit }),
    ...(options.historyRatePerMinute === undefined ? {} : { historyRatePerMinute: options.historyRatePerMinute }),
    ...(options.rateLimits === undefined ? {} : { rateLimits: { ...options.rateLimits } }),
    streamLifetimeMs: options.streamLifetimeMs ?? DEFAULT_STREAM_LIFETIME_MS,
    streamTextLimit: options.streamTextLimit ?? DEFAULT_STREAM_TEXT_LIMIT,
  });
  for (const user of options.users ?? DEFAULT_USERS) ws.addUser(user);
  const server = createServer();
  // Slack keeps connections open for a while; Node's 5 s default makes fetch reuse a socket the server is just
  // closing (ECONNRESET), which a client with retries switched off — as in tests — reports as a failure.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new FakeSlackServer(
    server,
    ws,
    options.messageEvents ?? true,
    options.appToken ?? DEFAULT_APP_TOKEN,
    options.socketAckTimeoutMs,
  );
}
