/**
 * chat.startStream / chat.appendStream / chat.stopStream: a reply written into a thread while the agent writes it
 * (docs/slack-platform.md §8). The rules and their sources:
 *  - Arguments, the 12,000-character `markdown_text` limit, the rate tiers (start/stop Tier 2, append Tier 4) and
 *    the error codes are Slack's method reference (docs.slack.dev/reference/methods/chat.startStream,
 *    chat.appendStream, chat.stopStream; their machine-readable copies in slack-ruby/slack-api-ref,
 *    `docs.slack.dev/methods/chat.*Stream.json`).
 *  - In a channel (not a DM) `recipient_user_id` and `recipient_team_id` are required: `missing_recipient_team_id`,
 *    `missing_recipient_user_id` (same reference; the team one is what apps sending neither report).
 *  - What @slack/web-api 8's `client.chatStream()` sends (src/chat-stream.ts): a bare start when stopped before any
 *    flush, `chunks` of `markdown_text` for text (never the `markdown_text` argument), `chunks: []` on a stop with
 *    nothing left to say. The fake accepts exactly that.
 *  - Observed on the live platform by others, documented nowhere, implemented because an app must cope with them:
 *    a stream is locked to the content form of its first content (`markdown_text` or `chunks`), the other form is
 *    `streaming_mode_mismatch`; a streamed message is refused `msg_too_long` once its text outgrows one message;
 *    a stream ends about 5 minutes after it started (then `message_not_in_streaming_state`); chat.update on a
 *    message still streaming is `streaming_state_conflict`.
 *
 * Where Slack is silent the fake chooses, and says so in a "fake Slack:" message: `thread_ts` is required (Slack
 * streams a top-level channel message without it; this service never means to), and `recipient_team_id` must be
 * the recipient's own team.
 */
import { blocksText, validateBlocks } from './block-kit-validator.js';
import { normalizeBlocks } from './blocks.js';
import type { RecordedStream, SlackMessage, SlackObject, StreamUpdate } from './types.js';
import type { MethodHandler } from './web-api.js';
import { ApiError, richTextOf, type StreamState, type Workspace } from './workspace.js';

/**
 * Slack's tiers for the streaming methods as calls per minute per workspace — the floors of "Tier 2: 20+ per
 * minute" and "Tier 4: 100+ per minute" (docs.slack.dev/apis/web-api/rate-limits). Give it to startFakeSlack's
 * `rateLimits` to have the fake answer 429 + Retry-After past them.
 */
export const STREAMING_RATE_LIMITS: Readonly<Record<string, number>> = {
  'chat.startStream': 20,
  'chat.appendStream': 100,
  'chat.stopStream': 20,
};

/** Slack ends a stream about 5 minutes after chat.startStream, however recently it was appended to. */
export const DEFAULT_STREAM_LIFETIME_MS = 5 * 60 * 1000;

/**
 * The most text one streamed message carries. Slack documents 12,000 characters per `markdown_text` (per call) and
 * none per message; the message is refused `msg_too_long` once it grows past one message's worth (measured near
 * 13,800 by klaus-gateway, which budgets 12,000, the markdown blocks' cumulative limit). The fake refuses past
 * 12,000: stricter than seen, never laxer.
 */
export const DEFAULT_STREAM_TEXT_LIMIT = 12_000;

const MARKDOWN_TEXT_LIMIT = 12_000;
const CHUNK_TITLE_LIMIT = 256;
const TASK_STATUSES = new Set(['pending', 'in_progress', 'complete', 'error']);
const TASK_DISPLAY_MODES = new Set(['timeline', 'plan']);

const isRecord = (value: unknown): value is SlackObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

const fakeNote = (message: string, pointer: string) => `[ERROR] fake Slack: ${message} [json-pointer:${pointer}]`;

// ───────────────────────────── content: markdown_text or chunks ─────────────────────────────

interface Content {
  /** The markdown this call adds. */
  readonly text: string;
  readonly chunks: readonly SlackObject[];
  /** The form of the content, or null when the call carries none. */
  readonly mode: 'markdown_text' | 'chunks' | null;
}

/** Chunk problems, with the error code and Slack's `[ERROR] … [json-pointer:…]` lines; null when valid. */
export function validateChunks(chunks: unknown, pointer = '/chunks'): { error: string; messages: string[] } | null {
  if (!Array.isArray(chunks))
    return { error: 'invalid_chunks', messages: [`[ERROR] must be an array [json-pointer:${pointer}]`] };
  const messages: string[] = [];
  const blockMessages: string[] = [];
  chunks.forEach((chunk, index) => {
    checkChunk(chunk, `${pointer}/${index}`, messages, blockMessages);
  });
  if (messages.length > 0) return { error: 'invalid_chunks', messages };
  if (blockMessages.length > 0) return { error: 'invalid_blocks', messages: blockMessages };
  return null;
}

/** One chunk, as @slack/types' AnyChunk describes it (markdown_text, task_update, plan_update, blocks). */
function checkChunk(chunk: unknown, at: string, messages: string[], blockMessages: string[]): void {
  const fail = (where: string, what: string) => messages.push(`[ERROR] ${what} [json-pointer:${where}]`);
  if (!isRecord(chunk)) {
    fail(at, 'must be an object');
    return;
  }
  const title = () => {
    if (typeof chunk.title !== 'string' || chunk.title === '') fail(`${at}/title`, 'must be a non-empty string');
    else if (chunk.title.length > CHUNK_TITLE_LIMIT) {
      fail(`${at}/title`, `must be less than ${CHUNK_TITLE_LIMIT + 1} characters`);
    }
  };
  switch (chunk.type) {
    case 'markdown_text':
      if (typeof chunk.text !== 'string') fail(`${at}/text`, 'must be a string');
      return;
    case 'task_update':
      if (typeof chunk.id !== 'string' || chunk.id === '') fail(`${at}/id`, 'must be a non-empty string');
      title();
      if (typeof chunk.status !== 'string' || !TASK_STATUSES.has(chunk.status)) {
        fail(`${at}/status`, `must be one of: ${[...TASK_STATUSES].join(', ')}`);
      }
      for (const field of ['details', 'output'] as const) {
        if (chunk[field] !== undefined && typeof chunk[field] !== 'string') fail(`${at}/${field}`, 'must be a string');
      }
      if (chunk.sources !== undefined && !Array.isArray(chunk.sources)) fail(`${at}/sources`, 'must be an array');
      if (Array.isArray(chunk.sources)) {
        chunk.sources.forEach((source, i) => {
          if (!isRecord(source) || source.type !== 'url' || typeof source.url !== 'string') {
            fail(`${at}/sources/${i}`, 'must be a url source: {type: "url", text, url}');
          }
        });
      }
      return;
    case 'plan_update':
      title();
      return;
    case 'blocks':
      blockMessages.push(...validateBlocks(chunk.blocks, 'message', `${at}/blocks`));
      if (Array.isArray(chunk.blocks) && chunk.blocks.length === 0) {
        blockMessages.push(`[ERROR] must provide at least 1 items [json-pointer:${at}/blocks]`);
      }
      return;
    default:
      fail(`${at}/type`, 'must be one of: markdown_text, task_update, plan_update, blocks');
  }
}

function readContent(args: SlackObject): Content {
  const markdown = args.markdown_text;
  const chunks = args.chunks;
  if (markdown !== undefined && chunks !== undefined) {
    throw new ApiError('invalid_arguments', [fakeNote('send markdown_text or chunks, not both', '/chunks')]);
  }
  if (markdown !== undefined) {
    if (typeof markdown !== 'string') {
      throw new ApiError('invalid_arguments', ['[ERROR] must be a string [json-pointer:/markdown_text]']);
    }
    if (markdown.length > MARKDOWN_TEXT_LIMIT) throw new ApiError('msg_too_long');
    return { text: markdown, chunks: [], mode: markdown === '' ? null : 'markdown_text' };
  }
  if (chunks === undefined) return { text: '', chunks: [], mode: null };
  const problem = validateChunks(chunks);
  if (problem) throw new ApiError(problem.error, problem.messages);
  const list = chunks as SlackObject[];
  const texts = list.filter((chunk) => chunk.type === 'markdown_text').map((chunk) => String(chunk.text));
  if (texts.some((text) => text.length > MARKDOWN_TEXT_LIMIT)) throw new ApiError('msg_too_long');
  return { text: texts.join(''), chunks: list, mode: list.length === 0 ? null : 'chunks' };
}

// ───────────────────────────── the stream's message ─────────────────────────────

/** Ends every stream older than Slack's lifetime. Called before each Web API call and each inspection. */
export function expireStreams(ws: Workspace): void {
  const now = ws.nowMs();
  for (const stream of ws.streams.values()) {
    if (stream.state !== 'streaming' || now - stream.startedAt < ws.config.streamLifetimeMs) continue;
    stream.state = 'stopped';
    stream.endedBy = 'expired';
    stream.stoppedAt = stream.startedAt + ws.config.streamLifetimeMs;
    const message = ws.message(stream.channel, stream.ts);
    if (message) message.streaming_state = 'completed';
  }
}

/**
 * Shows the stream in its message: `text` is everything streamed. With no blocks the message has the shape of a
 * posted text reply (so the transcript and the demo page show it alike). Blocks (from `blocks` chunks and the stop)
 * sit under the text, which then leads them as a rich_text block, as Slack renders a streamed message's text into
 * blocks and "blocks will be rendered at the bottom of the finalized message". The fake does not parse the markdown:
 * the block holds it as one text (mentions as user elements), and task and plan updates are recorded, not shown.
 */
function show(stream: StreamState, message: SlackMessage): void {
  message.text = stream.text;
  if (stream.blocks.length === 0) {
    delete message.blocks;
    return;
  }
  const textBlock = stream.text === '' ? [] : [richTextOf(stream.text, `${stream.ts.replace('.', '')}s`)];
  message.blocks = [...textBlock, ...stream.blocks];
}

function apply(ws: Workspace, stream: StreamState, method: StreamUpdate['method'], content: Content): void {
  if (content.mode !== null) {
    if (stream.mode !== null && stream.mode !== content.mode) throw new ApiError('streaming_mode_mismatch');
    if (stream.text.length + content.text.length > ws.config.streamTextLimit) throw new ApiError('msg_too_long');
  }
  // Validated: from here on nothing refuses.
  if (content.mode !== null) stream.mode = content.mode;
  stream.text += content.text;
  for (const chunk of content.chunks) {
    if (chunk.type === 'task_update') {
      const id = String(chunk.id);
      const before = stream.tasks.get(id) ?? {};
      const details =
        typeof before.details === 'string' && typeof chunk.details === 'string'
          ? before.details + chunk.details
          : (chunk.details ?? before.details);
      stream.tasks.set(id, { ...before, ...structuredClone(chunk), ...(details === undefined ? {} : { details }) });
    }
    if (chunk.type === 'plan_update') stream.planTitle = String(chunk.title);
    if (chunk.type === 'blocks' && Array.isArray(chunk.blocks)) {
      stream.blocks.push(...normalizeBlocks(chunk.blocks, () => ws.ids.blockId()));
    }
  }
  const now = ws.nowMs();
  if (stream.firstTextAt === null && stream.text !== '') stream.firstTextAt = now;
  stream.updates.push({ method, at: new Date(now), text: content.text, chunks: structuredClone([...content.chunks]) });
}

/** The stream behind `ts`, refused as Slack refuses a message that cannot take more. */
function openStream(ws: Workspace, args: SlackObject): { stream: StreamState; message: SlackMessage; channel: string } {
  const channel = ws.botChannel(args.channel);
  const ts = str(args.ts) ?? (typeof args.ts === 'number' ? String(args.ts) : undefined);
  if (ts === undefined || ts === '') {
    throw new ApiError('invalid_arguments', ['[ERROR] missing required field: ts [json-pointer:/ts]']);
  }
  const message = ws.message(channel.id, ts);
  if (!message || message.subtype === 'tombstone') throw new ApiError('message_not_found');
  if (message.bot_id !== ws.config.botId) throw new ApiError('message_not_owned_by_app');
  const stream = ws.stream(channel.id, ts);
  // A message the app posted, or a stream already stopped (by the app or by Slack's clock).
  if (stream?.state !== 'streaming') throw new ApiError('message_not_in_streaming_state');
  return { stream, message, channel: channel.id };
}

function checkRecipients(ws: Workspace, channelId: string, args: SlackObject): { user?: string; team?: string } {
  const user = str(args.recipient_user_id);
  const team = str(args.recipient_team_id);
  const isDm = channelId.startsWith('D');
  if (!isDm && !given(team)) throw new ApiError('missing_recipient_team_id');
  if (!isDm && !given(user)) throw new ApiError('missing_recipient_user_id');
  if (given(user)) {
    const person = ws.user(user as string);
    if (!person) throw new ApiError('user_not_found');
    const own = ws.teamOf(person);
    if (given(team) && team !== own) {
      throw new ApiError('invalid_arguments', [
        fakeNote(`recipient_team_id ${team} is not the team of ${person.id} (${own})`, '/recipient_team_id'),
      ]);
    }
  } else if (given(team)) {
    throw new ApiError('missing_recipient_user_id');
  }
  return { ...(given(user) ? { user: user as string } : {}), ...(given(team) ? { team: team as string } : {}) };
}

function checkMetadata(metadata: unknown): SlackObject | undefined {
  if (metadata === undefined || metadata === null || metadata === '') return undefined;
  let value = metadata;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ApiError('invalid_metadata_format');
    }
  }
  if (!isRecord(value)) throw new ApiError('invalid_metadata_format');
  if (typeof value.event_type !== 'string' || value.event_type === '' || !isRecord(value.event_payload)) {
    throw new ApiError('invalid_metadata_schema');
  }
  return { event_type: value.event_type, event_payload: structuredClone(value.event_payload) };
}

// ───────────────────────────── the methods ─────────────────────────────

export const startStream: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel);
  if (!channel.streaming) throw new ApiError('channel_type_not_supported');
  if (args.thread_ts === undefined || args.thread_ts === '') {
    throw new ApiError('invalid_arguments', [
      fakeNote('missing required field: thread_ts (a streamed reply belongs in the asker’s thread)', '/thread_ts'),
    ]);
  }
  const parent = ws.threadParent(channel.id, args.thread_ts);
  const recipient = checkRecipients(ws, channel.id, args);
  if (args.task_display_mode !== undefined && !TASK_DISPLAY_MODES.has(String(args.task_display_mode))) {
    throw new ApiError('invalid_arguments', [
      '[ERROR] must be one of: timeline, plan [json-pointer:/task_display_mode]',
    ]);
  }
  const content = readContent(args);
  const draft: StreamState = {
    channel: channel.id,
    ts: '',
    threadTs: parent.ts,
    ...(recipient.user === undefined ? {} : { recipientUserId: recipient.user }),
    ...(recipient.team === undefined ? {} : { recipientTeamId: recipient.team }),
    mode: null,
    state: 'streaming',
    endedBy: null,
    startedAt: ws.nowMs(),
    firstTextAt: null,
    stoppedAt: null,
    text: '',
    updates: [],
    tasks: new Map(),
    blocks: [],
  };
  apply(ws, draft, 'chat.startStream', content);
  const message = ws.postBotMessage(channel.id, {
    text: '',
    threadTs: parent.ts,
    extra: { streaming_state: 'in_progress' },
  });
  const stream: StreamState = { ...draft, ts: message.ts };
  show(stream, message);
  ws.addStream(stream);
  return { channel: channel.id, ts: message.ts };
};

export const appendStream: MethodHandler = (ws, args) => {
  const { stream, message, channel } = openStream(ws, args);
  const content = readContent(args);
  if (content.mode === null) throw new ApiError('no_text');
  apply(ws, stream, 'chat.appendStream', content);
  show(stream, message);
  return { channel, ts: stream.ts };
};

export const stopStream: MethodHandler = (ws, args) => {
  const { stream, message, channel } = openStream(ws, args);
  const content = readContent(args);
  const blocks = args.blocks;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) {
      throw new ApiError('invalid_blocks_format', ['[ERROR] must be an array [json-pointer:/blocks]']);
    }
    const problems = validateBlocks(blocks, 'message');
    if (problems.length > 0) throw new ApiError('invalid_blocks', problems);
    if (blocksText([...stream.blocks, ...blocks]) > 12_000) throw new ApiError('msg_blocks_too_long');
  }
  const metadata = checkMetadata(args.metadata);
  const finalBlocks = Array.isArray(blocks) ? blocks : [];
  const hasText = stream.text !== '' || content.text !== '';
  const hasOther = stream.blocks.length > 0 || finalBlocks.length > 0 || stream.tasks.size > 0;
  // A reply that says nothing: Slack lists no_text for the method; the fake refuses an empty stop.
  if (!hasText && !hasOther && !content.chunks.some((chunk) => chunk.type !== 'markdown_text')) {
    throw new ApiError('no_text');
  }
  apply(ws, stream, 'chat.stopStream', content);
  stream.blocks.push(...normalizeBlocks(finalBlocks, () => ws.ids.blockId()));
  stream.state = 'stopped';
  stream.endedBy = 'app';
  stream.stoppedAt = ws.nowMs();
  show(stream, message);
  message.streaming_state = 'completed';
  if (metadata) message.metadata = metadata;
  return { channel, ts: stream.ts, message: structuredClone(message) };
};

/** chat.update is refused while the message streams (measured, documented nowhere: an append is what it wants). */
export function checkNotStreaming(ws: Workspace, channel: string, ts: string): void {
  if (ws.stream(channel, ts)?.state === 'streaming') throw new ApiError('streaming_state_conflict');
}

/** A stream's public, copied record. */
export function recordOf(stream: StreamState): RecordedStream {
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    channel: stream.channel,
    ts: stream.ts,
    ...(stream.threadTs === undefined ? {} : { threadTs: stream.threadTs }),
    ...(stream.recipientUserId === undefined ? {} : { recipientUserId: stream.recipientUserId }),
    ...(stream.recipientTeamId === undefined ? {} : { recipientTeamId: stream.recipientTeamId }),
    mode: stream.mode,
    state: stream.state,
    endedBy: stream.endedBy,
    startedAt: new Date(stream.startedAt),
    firstTextAt: date(stream.firstTextAt),
    stoppedAt: date(stream.stoppedAt),
    text: stream.text,
    updates: structuredClone(stream.updates),
    tasks: Object.fromEntries([...stream.tasks].map(([id, task]) => [id, structuredClone(task)])),
    ...(stream.planTitle === undefined ? {} : { planTitle: stream.planTitle }),
  };
}
