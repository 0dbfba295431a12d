import type { Clock } from '../../../src/domain/ports.js';
import { validateHomeView, validateMessageContent, validateModalView } from './block-kit-validator.js';
import { initialState, interactiveElements, isStateful, normalizeBlocks } from './blocks.js';
import { SlackIds } from './ids.js';
import type {
  EphemeralMessage,
  FakeChannelOptions,
  FakeSlackUser,
  RecordedResponse,
  SlackFileObject,
  SlackHomeView,
  SlackMessage,
  SlackObject,
  SlackView,
  StreamUpdate,
  ThreadStatus,
  UploadedFile,
} from './types.js';

/** A Web API error: answered as HTTP 200 `{ok:false, error, response_metadata?:{messages}}`. */
export class ApiError extends Error {
  constructor(
    readonly error: string,
    readonly messages: readonly string[] = [],
  ) {
    super(error);
  }
}

/** Answered as HTTP 429 with Retry-After. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfter: number) {
    super('ratelimited');
  }
}

export interface WorkspaceConfig {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly teamName: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly botName: string;
  readonly appId: string;
  readonly verificationToken: string;
  readonly clock: Clock;
  readonly autoChannels: boolean;
  readonly triggerLifetimeMs: number;
  readonly historyLimit?: number;
  readonly historyRatePerMinute?: number;
  readonly repliesParentOnEveryPage: boolean;
  /** Calls per minute per method (Slack's tiers); beyond it, 429 + Retry-After. Methods not named are not limited. */
  readonly rateLimits?: Readonly<Record<string, number>>;
  /** How long a stream stays open after chat.startStream (Slack ends it after about 5 minutes). */
  readonly streamLifetimeMs: number;
  /** The most text one streamed message may carry (msg_too_long beyond). */
  readonly streamTextLimit: number;
}

export interface ChannelRecord {
  readonly id: string;
  readonly name: string;
  readonly members: ReadonlySet<string> | null;
  readonly botIsMember: boolean;
  readonly isPrivate: boolean;
  readonly isExtShared: boolean;
  readonly streaming: boolean;
  readonly created: number;
  /** The app's direct-message conversation with one person (a D… id; channel_type `im`), else null. */
  readonly imUser: string | null;
}

/** An assistant thread (the app's Messages tab / assistant pane), opened by its person: root message and what the app set. */
export interface AssistantThreadRecord {
  readonly channel: string;
  readonly threadTs: string;
  readonly user: string;
  title: string | null;
  prompts: readonly { readonly title: string; readonly message: string }[];
  promptsTitle: string | null;
}

interface TriggerRecord {
  readonly id: string;
  readonly issuedAt: number;
  readonly user?: string;
  readonly viewId?: string;
  used: boolean;
}

type StateValues = Map<string, Map<string, SlackObject>>;

export interface ViewRecord {
  view: SlackView;
  readonly user?: string;
  open: boolean;
  readonly rootId: string;
  /** What the person entered, by block_id then action_id. Initial values are not copied here. */
  entered: StateValues;
}

interface ResponseUrlRecord {
  readonly id: string;
  readonly channel: string;
  readonly user: string;
  /** The message the interaction came from; null for a slash command's (there is none to replace or delete). */
  readonly messageTs: string | null;
  readonly ephemeral: boolean;
  readonly createdAt: number;
  uses: number;
}

export interface UploadRecord {
  readonly id: string;
  readonly token: string;
  readonly filename: string;
  readonly length: number;
  readonly altText?: string;
  bytes: Buffer | null;
  title: string;
  completed: boolean;
  channel?: string;
  threadTs?: string;
}

/** A stream as the workspace holds it (streaming.ts does the work); RecordedStream is its public copy. */
export interface StreamState {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  readonly recipientUserId?: string;
  readonly recipientTeamId?: string;
  mode: 'markdown_text' | 'chunks' | null;
  state: 'streaming' | 'stopped';
  endedBy: 'app' | 'expired' | 'deleted' | null;
  readonly startedAt: number;
  firstTextAt: number | null;
  stoppedAt: number | null;
  text: string;
  readonly updates: StreamUpdate[];
  readonly tasks: Map<string, SlackObject>;
  planTitle?: string;
  /** Blocks sent in `blocks` chunks, then chat.stopStream's blocks: shown below the streamed text. */
  readonly blocks: SlackObject[];
}

const TS_PATTERN = /^\d{10}\.\d{6}$/;
const STATUS_LIFETIME_MS = 2 * 60 * 1000;
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;
const MAX_VIEW_STACK = 3;

const key = (channel: string, ts: string): string => `${channel} ${ts}`;

const MIME_TYPES: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  csv: 'text/csv',
  yaml: 'application/x-yaml',
  yml: 'application/x-yaml',
  sh: 'text/x-sh',
  png: 'image/png',
  pdf: 'application/pdf',
};

/** Everything the fake workspace holds, and the operations the Web API and the user simulator share. */
export class Workspace {
  readonly ids: SlackIds;
  baseUrl = 'http://127.0.0.1:0';

  readonly users = new Map<string, FakeSlackUser>();
  readonly channels = new Map<string, ChannelRecord>();
  private readonly channelMessages = new Map<string, SlackMessage[]>();
  private readonly messageIndex = new Map<string, SlackMessage>();
  /** Per message, per user: what they selected in the message's stateful elements (client-side state). */
  private readonly selections = new Map<string, Map<string, StateValues>>();
  readonly ephemeralMessages: EphemeralMessage[] = [];
  private readonly triggers = new Map<string, TriggerRecord>();
  private readonly views = new Map<string, ViewRecord>();
  private readonly stacks = new Map<string, string[]>();
  /** The published Home tab per user id. */
  private readonly homeViews = new Map<string, SlackHomeView>();
  private readonly statusMap = new Map<string, ThreadStatus>();
  private readonly assistantThreadMap = new Map<string, AssistantThreadRecord>();
  private readonly responseUrls = new Map<string, ResponseUrlRecord>();
  readonly responses: RecordedResponse[] = [];
  private readonly uploads = new Map<string, UploadRecord>();
  private readonly uploadsByToken = new Map<string, UploadRecord>();
  private readonly historyCalls: number[] = [];
  /** Per rate-limited method, the times of its calls in the last minute. */
  private readonly methodCalls = new Map<string, number[]>();
  /** Every stream since start (or reset), by `channel ts`, in the order started. */
  readonly streams = new Map<string, StreamState>();

  constructor(readonly config: WorkspaceConfig) {
    this.ids = new SlackIds(() => this.nowMs());
  }

  nowMs(): number {
    return this.config.clock.now().getTime();
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  reset(): void {
    this.channelMessages.clear();
    this.messageIndex.clear();
    this.selections.clear();
    this.ephemeralMessages.length = 0;
    this.triggers.clear();
    this.views.clear();
    this.stacks.clear();
    this.homeViews.clear();
    this.statusMap.clear();
    this.assistantThreadMap.clear();
    this.responseUrls.clear();
    this.responses.length = 0;
    this.uploads.clear();
    this.uploadsByToken.clear();
    this.historyCalls.length = 0;
    this.methodCalls.clear();
    this.streams.clear();
  }

  // ───────────────────────────── directory ─────────────────────────────

  addUser(user: FakeSlackUser): void {
    this.users.set(user.id, user);
  }

  user(id: string): FakeSlackUser | undefined {
    return this.users.get(id);
  }

  isExternal(user: FakeSlackUser): boolean {
    return user.teamId !== undefined && user.teamId !== this.config.teamId;
  }

  teamOf(user: FakeSlackUser): string {
    return user.teamId ?? this.config.teamId;
  }

  addChannel(id: string, options: FakeChannelOptions = {}): ChannelRecord {
    const record: ChannelRecord = {
      id,
      name: options.name ?? `channel-${id.toLowerCase()}`,
      members: options.members ? new Set(options.members) : null,
      botIsMember: options.botIsMember ?? true,
      isPrivate: options.isPrivate ?? id.startsWith('G'),
      isExtShared: options.isExtShared ?? false,
      streaming: options.streaming ?? true,
      created: Math.floor(this.nowMs() / 1000),
      imUser: null,
    };
    this.channels.set(id, record);
    return record;
  }

  /** The app's DM with a person of this workspace: only they and the bot are in it. */
  imChannel(userId: string): ChannelRecord {
    const id = this.dmChannelOf(userId);
    const known = this.channels.get(id);
    if (known) return known;
    const record: ChannelRecord = {
      id,
      name: id,
      members: new Set([userId]),
      botIsMember: true,
      isPrivate: true,
      isExtShared: false,
      streaming: true,
      created: Math.floor(this.nowMs() / 1000),
      imUser: userId,
    };
    this.channels.set(id, record);
    return record;
  }

  /** A configured channel, or (by default) any C…/G… id, known with the bot as a member. */
  channel(id: string): ChannelRecord | undefined {
    const known = this.channels.get(id);
    if (known) return known;
    if (this.config.autoChannels && /^[CG][A-Z0-9]{2,}$/.test(id)) return this.addChannel(id);
    // The app's DM with a person exists as soon as the person does (Slack opens it on first use).
    const owner = [...this.users.values()].find((user) => !this.isExternal(user) && this.dmChannelOf(user.id) === id);
    return owner ? this.imChannel(owner.id) : undefined;
  }

  isMember(channel: ChannelRecord, userId: string): boolean {
    if (userId === this.config.botUserId) return channel.botIsMember;
    return channel.members === null ? this.users.has(userId) : channel.members.has(userId);
  }

  /** The channel for a bot write or read: `channel_not_found` / `not_in_channel` as Slack answers. */
  botChannel(id: unknown, errors: { notFound?: string; notMember?: string } = {}): ChannelRecord {
    const channel = typeof id === 'string' && id !== '' ? this.channel(id) : undefined;
    // A private channel the bot is not in is invisible to it.
    if (!channel || (channel.isPrivate && !channel.botIsMember))
      throw new ApiError(errors.notFound ?? 'channel_not_found');
    if (!channel.botIsMember) throw new ApiError(errors.notMember ?? 'not_in_channel');
    return channel;
  }

  // ───────────────────────────── messages ─────────────────────────────

  message(channel: string, ts: string): SlackMessage | undefined {
    return this.messageIndex.get(key(channel, ts));
  }

  messages(channel: string): SlackMessage[] {
    return [...(this.channelMessages.get(channel) ?? [])];
  }

  /** Parent first, then replies in order. Empty when there is no such message. */
  thread(channel: string, threadTs: string): SlackMessage[] {
    const parent = this.message(channel, threadTs);
    if (!parent) return [];
    const replies = (this.channelMessages.get(channel) ?? []).filter(
      (message) => message.thread_ts === threadTs && message.ts !== threadTs,
    );
    return [parent, ...replies];
  }

  /**
   * The parent a reply goes under. Real Slack may silently accept a bad thread_ts; the fake refuses it, because an
   * app that replies to a thread that does not exist (or to a reply's ts) has a bug.
   */
  threadParent(channel: string, threadTs: unknown): SlackMessage {
    const ts = typeof threadTs === 'number' ? String(threadTs) : threadTs;
    if (typeof ts !== 'string' || !TS_PATTERN.test(ts)) {
      throw new ApiError('thread_not_found', [
        `[ERROR] thread_ts must be a message ts string [json-pointer:/thread_ts]`,
      ]);
    }
    const parent = this.message(channel, ts);
    if (!parent || parent.subtype === 'tombstone') {
      throw new ApiError('thread_not_found', [
        `[ERROR] fake Slack: no message ${ts} in ${channel} to reply to [json-pointer:/thread_ts]`,
      ]);
    }
    if (parent.thread_ts !== undefined && parent.thread_ts !== parent.ts) {
      throw new ApiError('thread_not_found', [
        `[ERROR] fake Slack: ${ts} is a reply; use its parent ${parent.thread_ts} [json-pointer:/thread_ts]`,
      ]);
    }
    return parent;
  }

  private store(channel: string, message: SlackMessage): SlackMessage {
    const list = this.channelMessages.get(channel) ?? [];
    list.push(message);
    this.channelMessages.set(channel, list);
    this.messageIndex.set(key(channel, message.ts), message);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      const parent = this.message(channel, message.thread_ts);
      if (parent) {
        const replyUsers = new Set(parent.reply_users ?? []);
        if (message.user !== undefined) replyUsers.add(message.user);
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        parent.reply_users = [...replyUsers];
        parent.reply_users_count = replyUsers.size;
        parent.latest_reply = message.ts;
      }
      message.parent_user_id = parent?.user ?? this.config.botUserId;
    }
    return message;
  }

  botProfile(): SlackObject {
    return {
      id: this.config.botId,
      app_id: this.config.appId,
      name: this.config.botName,
      deleted: false,
      team_id: this.config.teamId,
      icons: { image_48: 'https://fake-slack.example/bot_48.png' },
    };
  }

  /** Stores a message the app posted (its bot token). A reply clears the thread's assistant status. */
  postBotMessage(
    channel: string,
    content: { text: string; blocks?: unknown[]; threadTs?: string; files?: SlackFileObject[]; extra?: SlackObject },
  ): SlackMessage {
    const ts = this.ids.ts();
    const message: SlackMessage = {
      user: this.config.botUserId,
      type: 'message',
      ts,
      bot_id: this.config.botId,
      app_id: this.config.appId,
      text: content.text,
      team: this.config.teamId,
      bot_profile: this.botProfile(),
      ...(content.extra ?? {}),
    };
    if (content.blocks !== undefined && content.blocks.length > 0) {
      message.blocks = normalizeBlocks(content.blocks, () => this.ids.blockId());
    }
    if (content.files) {
      message.files = content.files;
      message.upload = true;
      message.display_as_bot = false;
    }
    if (content.threadTs !== undefined) {
      message.thread_ts = content.threadTs;
      this.statusMap.delete(key(channel, content.threadTs));
    }
    return this.store(channel, message);
  }

  /** Stores what a person typed. */
  postHumanMessage(channel: string, user: FakeSlackUser, text: string, threadTs?: string): SlackMessage {
    const ts = this.ids.ts();
    const message: SlackMessage = {
      user: user.id,
      type: 'message',
      ts,
      client_msg_id: this.ids.uuid(),
      text,
      team: this.teamOf(user),
      blocks: [richTextOf(text, this.ids.blockId())],
    };
    if (this.isExternal(user)) {
      message.user_team = this.teamOf(user);
      message.source_team = this.teamOf(user);
    }
    if (threadTs !== undefined) message.thread_ts = threadTs;
    return this.store(channel, message);
  }

  updateBotMessage(channel: string, ts: string, content: { text: string; blocks?: unknown[] }): SlackMessage {
    const message = this.message(channel, ts);
    if (!message) throw new ApiError('message_not_found');
    message.text = content.text;
    if (content.blocks === undefined || content.blocks.length === 0) delete message.blocks;
    else message.blocks = normalizeBlocks(content.blocks, () => this.ids.blockId());
    message.edited = { user: this.config.botUserId, ts: this.ids.ts() };
    // Slack's client re-renders an updated message: what people had selected in it is gone.
    this.selections.delete(key(channel, ts));
    return message;
  }

  deleteMessage(channel: string, ts: string): void {
    const message = this.message(channel, ts);
    if (!message) return;
    this.selections.delete(key(channel, ts));
    const stream = this.streams.get(key(channel, ts));
    if (stream?.state === 'streaming') {
      stream.state = 'stopped';
      stream.endedBy = 'deleted';
      stream.stoppedAt = this.nowMs();
    }
    if ((message.reply_count ?? 0) > 0) {
      // A parent with replies stays as a tombstone, as in Slack.
      for (const field of ['blocks', 'files', 'bot_id', 'app_id', 'bot_profile', 'edited', 'upload'])
        delete message[field];
      message.subtype = 'tombstone';
      message.text = 'This message was deleted.';
      message.hidden = true;
      return;
    }
    const list = this.channelMessages.get(channel) ?? [];
    this.channelMessages.set(
      channel,
      list.filter((candidate) => candidate !== message),
    );
    this.messageIndex.delete(key(channel, ts));
    if (message.thread_ts !== undefined && message.thread_ts !== ts) {
      const parent = this.message(channel, message.thread_ts);
      if (parent && parent.reply_count !== undefined) {
        parent.reply_count -= 1;
        const remaining = this.thread(channel, parent.ts).slice(1);
        parent.latest_reply = remaining.at(-1)?.ts ?? parent.ts;
      }
    }
  }

  /** Validated content or the ApiError Slack would answer. */
  checkContent(content: { text?: unknown; blocks?: unknown; attachments?: unknown }): void {
    const check = validateMessageContent(content);
    if (!check.ok) throw new ApiError(check.error, check.messages);
  }

  // ───────────────────────────── message selections (client-side state) ─────────────────────────────

  selectionsOf(channel: string, ts: string, user: string): StateValues {
    const byUser = this.selections.get(key(channel, ts)) ?? new Map<string, StateValues>();
    this.selections.set(key(channel, ts), byUser);
    const values = byUser.get(user) ?? new Map<string, Map<string, SlackObject>>();
    byUser.set(user, values);
    return values;
  }

  /** `state.values` of a message for one person: every stateful element, with their selection or its initial value. */
  messageState(blocks: readonly SlackObject[], selections: StateValues): Record<string, Record<string, SlackObject>> {
    const values: Record<string, Record<string, SlackObject>> = {};
    for (const ref of interactiveElements(blocks)) {
      if (!isStateful(ref.type)) continue;
      const chosen = selections.get(ref.blockId)?.get(ref.actionId);
      values[ref.blockId] = { ...(values[ref.blockId] ?? {}), [ref.actionId]: chosen ?? initialState(ref.element) };
    }
    return values;
  }

  // ───────────────────────────── ephemeral messages ─────────────────────────────

  postEphemeral(channel: string, user: string, content: { text: string; blocks?: unknown[]; threadTs?: string }) {
    const message: EphemeralMessage = {
      channel,
      user,
      ts: this.ids.ts(),
      text: content.text,
      ...(content.blocks !== undefined && content.blocks.length > 0
        ? { blocks: normalizeBlocks(content.blocks, () => this.ids.blockId()) }
        : {}),
      ...(content.threadTs === undefined ? {} : { threadTs: content.threadTs }),
      at: this.now(),
    };
    this.ephemeralMessages.push(message);
    return message;
  }

  ephemeral(channel: string, ts: string, user: string): EphemeralMessage | undefined {
    return this.ephemeralMessages.find((m) => m.channel === channel && m.ts === ts && m.user === user);
  }

  private replaceEphemeral(old: EphemeralMessage, content: { text: string; blocks?: unknown[] } | null): void {
    const index = this.ephemeralMessages.indexOf(old);
    if (index < 0) return;
    if (content === null) {
      this.ephemeralMessages.splice(index, 1);
      return;
    }
    const { blocks: _old, ...rest } = old;
    this.ephemeralMessages[index] = {
      ...rest,
      text: content.text,
      ...(content.blocks !== undefined && content.blocks.length > 0
        ? { blocks: normalizeBlocks(content.blocks, () => this.ids.blockId()) }
        : {}),
    };
  }

  // ───────────────────────────── triggers ─────────────────────────────

  issueTrigger(context: { user?: string; viewId?: string } = {}): string {
    const id = this.ids.triggerId();
    this.triggers.set(id, { id, issuedAt: this.nowMs(), used: false, ...context });
    return id;
  }

  /** Exchanges a trigger once, within its 3 s life. */
  consumeTrigger(id: unknown): TriggerRecord {
    if (typeof id !== 'string' || id === '') {
      throw new ApiError('invalid_arguments', [
        '[ERROR] missing required field: trigger_id [json-pointer:/trigger_id]',
      ]);
    }
    const trigger = this.triggers.get(id);
    if (!trigger) throw new ApiError('invalid_arguments', ['invalid `trigger_id`']);
    if (this.nowMs() - trigger.issuedAt > this.config.triggerLifetimeMs) throw new ApiError('expired_trigger_id');
    if (trigger.used) throw new ApiError('trigger_exchanged');
    trigger.used = true;
    return trigger;
  }

  // ───────────────────────────── views ─────────────────────────────

  /** Parses and validates a view argument: `invalid_arguments` with Slack's messages when it is not a valid modal. */
  checkView(raw: unknown, updatingViewId?: string): SlackObject {
    if (raw === undefined) {
      throw new ApiError('invalid_arguments', ['[ERROR] missing required field: view [json-pointer:/view]']);
    }
    if (typeof raw === 'string')
      throw new ApiError('invalid_arguments', ['[ERROR] must be a valid JSON object [json-pointer:/view]']);
    if (JSON.stringify(raw).length > 250_000) throw new ApiError('view_too_large');
    const messages = validateModalView(raw);
    if (messages.length > 0) throw new ApiError('invalid_arguments', messages);
    const view = raw as SlackObject;
    if (typeof view.external_id === 'string' && view.external_id !== '') {
      for (const record of this.views.values()) {
        if (record.view.id !== updatingViewId && record.view.external_id === view.external_id) {
          throw new ApiError('duplicate_external_id');
        }
      }
    }
    return view;
  }

  private buildView(input: SlackObject, id: string, rootId: string, previousId: string | null): SlackView {
    return {
      id,
      team_id: this.config.teamId,
      type: 'modal',
      title: structuredClone(input.title) as SlackObject,
      submit: input.submit === undefined ? null : (structuredClone(input.submit) as SlackObject),
      close: input.close === undefined ? null : (structuredClone(input.close) as SlackObject),
      blocks: normalizeBlocks(input.blocks as unknown[], () => this.ids.blockId()),
      private_metadata: typeof input.private_metadata === 'string' ? input.private_metadata : '',
      callback_id: typeof input.callback_id === 'string' ? input.callback_id : '',
      external_id: typeof input.external_id === 'string' ? input.external_id : '',
      state: { values: {} },
      hash: this.ids.hash(),
      clear_on_close: input.clear_on_close === true,
      notify_on_close: input.notify_on_close === true,
      root_view_id: rootId,
      previous_view_id: previousId,
      app_id: this.config.appId,
      app_installed_team_id: this.config.teamId,
      bot_id: this.config.botId,
    };
  }

  openView(input: SlackObject, user?: string): SlackView {
    const id = this.ids.viewId();
    const view = this.buildView(input, id, id, null);
    this.views.set(id, { view, open: true, rootId: id, entered: new Map(), ...(user === undefined ? {} : { user }) });
    this.stacks.set(id, [id]);
    return this.viewForApi(id);
  }

  pushView(input: SlackObject, onTopOf: string): SlackView {
    const below = this.views.get(onTopOf);
    const stack = below ? this.stacks.get(below.rootId) : undefined;
    if (!below?.open || !stack) {
      throw new ApiError('invalid_arguments', [
        '[ERROR] fake Slack: trigger_id did not come from an interaction in an open modal [json-pointer:/trigger_id]',
      ]);
    }
    if (stack.length >= MAX_VIEW_STACK) throw new ApiError('push_limit_reached');
    const id = this.ids.viewId();
    const previous = stack.at(-1) ?? null;
    const view = this.buildView(input, id, below.rootId, previous);
    this.views.set(id, {
      view,
      open: true,
      rootId: below.rootId,
      entered: new Map(),
      ...(below.user === undefined ? {} : { user: below.user }),
    });
    stack.push(id);
    return this.viewForApi(id);
  }

  findView(target: { viewId?: unknown; externalId?: unknown }): ViewRecord {
    let record: ViewRecord | undefined;
    if (typeof target.viewId === 'string' && target.viewId !== '') record = this.views.get(target.viewId);
    else if (typeof target.externalId === 'string' && target.externalId !== '') {
      record = [...this.views.values()].find((candidate) => candidate.view.external_id === target.externalId);
    } else {
      throw new ApiError('invalid_arguments', [
        '[ERROR] either view_id or external_id is required [json-pointer:/view_id]',
      ]);
    }
    if (!record?.open) throw new ApiError('not_found');
    return record;
  }

  /**
   * Replaces a view's content, keeping its id. What the person entered survives only where the new view has the
   * same block_id and action_id (and element type); the hash changes.
   */
  updateView(record: ViewRecord, input: SlackObject): SlackView {
    const old = record.view;
    // An update that names no external_id keeps the view's own (it stays addressable by it).
    const withId =
      input.external_id === undefined && old.external_id !== '' ? { ...input, external_id: old.external_id } : input;
    const view = this.buildView(withId, old.id, old.root_view_id, old.previous_view_id);
    const kept: StateValues = new Map();
    for (const ref of interactiveElements(view.blocks)) {
      const entered = record.entered.get(ref.blockId)?.get(ref.actionId);
      if (entered && entered.type === ref.type) {
        const block = kept.get(ref.blockId) ?? new Map<string, SlackObject>();
        block.set(ref.actionId, entered);
        kept.set(ref.blockId, block);
      }
    }
    record.view = view;
    record.entered = kept;
    return this.viewForApi(view.id);
  }

  viewRecord(viewId: string): ViewRecord | undefined {
    return this.views.get(viewId);
  }

  /** The view as views.* answer it: state holds only what the person entered. */
  viewForApi(viewId: string): SlackView {
    const record = this.views.get(viewId);
    if (!record) throw new ApiError('not_found');
    const values: Record<string, Record<string, SlackObject>> = {};
    for (const [blockId, actions] of record.entered) values[blockId] = Object.fromEntries(actions);
    return { ...structuredClone(record.view), state: { values: structuredClone(values) } };
  }

  /** The view as interaction payloads carry it: state holds every stateful element's current value. */
  viewForPayload(viewId: string): SlackView {
    const record = this.views.get(viewId);
    if (!record) throw new ApiError('not_found');
    const values: Record<string, Record<string, SlackObject>> = {};
    for (const ref of interactiveElements(record.view.blocks)) {
      if (!isStateful(ref.type)) continue;
      const entered = record.entered.get(ref.blockId)?.get(ref.actionId);
      values[ref.blockId] = { ...(values[ref.blockId] ?? {}), [ref.actionId]: entered ?? initialState(ref.element) };
    }
    return { ...structuredClone(record.view), state: { values: structuredClone(values) } };
  }

  enter(record: ViewRecord, blockId: string, actionId: string, state: SlackObject): void {
    const block = record.entered.get(blockId) ?? new Map<string, SlackObject>();
    block.set(actionId, state);
    record.entered.set(blockId, block);
  }

  stackOf(viewId: string): string[] {
    const record = this.views.get(viewId);
    return record ? [...(this.stacks.get(record.rootId) ?? [])] : [];
  }

  /** Closes the top view of a stack (or the whole stack). */
  closeView(viewId: string, wholeStack: boolean): void {
    const record = this.views.get(viewId);
    if (!record) return;
    const stack = this.stacks.get(record.rootId) ?? [];
    const closing = wholeStack ? stack.splice(0) : stack.splice(stack.indexOf(viewId));
    for (const id of closing) {
      const closed = this.views.get(id);
      if (closed) closed.open = false;
    }
    if (stack.length === 0) this.stacks.delete(record.rootId);
  }

  openViews(user?: string): SlackView[] {
    return [...this.views.values()]
      .filter((record) => record.open && (user === undefined || record.user === user))
      .map((record) => this.viewForApi(record.view.id));
  }

  // ───────────────────────────── App Home ─────────────────────────────

  /**
   * views.publish: replaces the user's Home tab. A `hash` must be the current Home view's (`hash_conflict`
   * otherwise, also when nothing was published yet, as with views.update); the Home view keeps its id across
   * publishes and gets a new hash each time.
   */
  publishHome(userId: unknown, raw: unknown, hash: string | undefined): SlackHomeView {
    if (typeof userId !== 'string' || userId === '') {
      throw new ApiError('invalid_arguments', ['[ERROR] missing required field: user_id [json-pointer:/user_id]']);
    }
    // Slack's error for an unknown user_id is not documented on the method page; the fake uses users.info's.
    if (!this.users.has(userId) || this.users.get(userId)?.isBot === true) throw new ApiError('user_not_found');
    if (raw === undefined) {
      throw new ApiError('invalid_arguments', ['[ERROR] missing required field: view [json-pointer:/view]']);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ApiError('invalid_arguments', ['[ERROR] must be a valid JSON object [json-pointer:/view]']);
    }
    if (JSON.stringify(raw).length > 250_000) throw new ApiError('view_too_large');
    const messages = validateHomeView(raw);
    if (messages.length > 0) throw new ApiError('invalid_arguments', messages);
    const current = this.homeViews.get(userId);
    if (hash !== undefined && hash !== '' && hash !== current?.hash) throw new ApiError('hash_conflict');
    const input = raw as SlackObject;
    const externalId = typeof input.external_id === 'string' ? input.external_id : '';
    if (externalId !== '') {
      const taken =
        [...this.views.values()].some((record) => record.view.external_id === externalId) ||
        [...this.homeViews.entries()].some(([owner, view]) => owner !== userId && view.external_id === externalId);
      if (taken) throw new ApiError('duplicate_external_id');
    }
    const id = current?.id ?? this.ids.viewId();
    const view: SlackHomeView = {
      id,
      team_id: this.config.teamId,
      type: 'home',
      blocks: normalizeBlocks(input.blocks as unknown[], () => this.ids.blockId()),
      private_metadata: typeof input.private_metadata === 'string' ? input.private_metadata : '',
      callback_id: typeof input.callback_id === 'string' ? input.callback_id : '',
      external_id: externalId,
      state: { values: {} },
      hash: this.ids.hash(),
      root_view_id: id,
      previous_view_id: null,
      app_id: this.config.appId,
      app_installed_team_id: this.config.teamId,
      bot_id: this.config.botId,
    };
    this.homeViews.set(userId, view);
    return structuredClone(view);
  }

  homeView(userId: string): SlackHomeView | undefined {
    const view = this.homeViews.get(userId);
    return view === undefined ? undefined : structuredClone(view);
  }

  /** The app's DM channel with a person: stable per user, as in Slack. */
  dmChannelOf(userId: string): string {
    return `D${userId.replace(/^[UW]/, '').slice(0, 10).padEnd(8, '0')}`;
  }

  // ───────────────────────────── assistant threads ─────────────────────────────

  /**
   * A person opens a new assistant thread (the app's assistant pane): Slack stores a root message of subtype
   * `assistant_app_thread`, written as the person, under which the app answers (docs.slack.dev/reference/events/
   * message/assistant_app_thread).
   */
  startAssistantThread(user: FakeSlackUser): AssistantThreadRecord {
    const channel = this.imChannel(user.id);
    const ts = this.ids.ts();
    const title = `Chats from ${this.now().toISOString()}`;
    const root: SlackMessage = {
      user: user.id,
      type: 'message',
      subtype: 'assistant_app_thread',
      ts,
      text: title,
      team: this.teamOf(user),
      assistant_app_thread: { title, title_blocks: [], artifacts: [] },
    };
    this.store(channel.id, root);
    const record: AssistantThreadRecord = {
      channel: channel.id,
      threadTs: ts,
      user: user.id,
      title: null,
      prompts: [],
      promptsTitle: null,
    };
    this.assistantThreadMap.set(key(channel.id, ts), record);
    return record;
  }

  assistantThread(channel: string, threadTs: string): AssistantThreadRecord | undefined {
    return this.assistantThreadMap.get(key(channel, threadTs));
  }

  // ───────────────────────────── assistant status ─────────────────────────────

  setStatus(channel: string, threadTs: string, status: string, loadingMessages?: readonly string[]): void {
    if (status === '') {
      this.statusMap.delete(key(channel, threadTs));
      return;
    }
    this.statusMap.set(key(channel, threadTs), {
      channel,
      threadTs,
      status,
      at: this.now(),
      ...(loadingMessages === undefined ? {} : { loadingMessages }),
    });
  }

  /** Statuses still shown: not cleared by a reply or "", and younger than Slack's 2 minutes. */
  statuses(): ThreadStatus[] {
    const now = this.nowMs();
    return [...this.statusMap.values()].filter((status) => now - status.at.getTime() < STATUS_LIFETIME_MS);
  }

  // ───────────────────────────── history rate ─────────────────────────────

  /** The 2025 conversations.replies tier (when configured): N calls per minute, then 429 + Retry-After. */
  countHistoryCall(): void {
    const perMinute = this.config.historyRatePerMinute;
    if (perMinute === undefined) return;
    const now = this.nowMs();
    while (this.historyCalls.length > 0 && now - (this.historyCalls[0] ?? 0) >= 60_000) this.historyCalls.shift();
    if (this.historyCalls.length >= perMinute) {
      const oldest = this.historyCalls[0] ?? now;
      throw new RateLimitedError(Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)));
    }
    this.historyCalls.push(now);
  }

  /** Slack's per-method tiers (when configured in `rateLimits`): N calls a minute, then 429 + Retry-After. */
  countCall(method: string): void {
    const perMinute = this.config.rateLimits?.[method];
    if (perMinute === undefined) return;
    const now = this.nowMs();
    const calls = this.methodCalls.get(method) ?? [];
    while (calls.length > 0 && now - (calls[0] ?? 0) >= 60_000) calls.shift();
    if (calls.length >= perMinute) {
      const oldest = calls[0] ?? now;
      throw new RateLimitedError(Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)));
    }
    calls.push(now);
    this.methodCalls.set(method, calls);
  }

  // ───────────────────────────── streams ─────────────────────────────

  stream(channel: string, ts: string): StreamState | undefined {
    return this.streams.get(key(channel, ts));
  }

  addStream(stream: StreamState): void {
    this.streams.set(key(stream.channel, stream.ts), stream);
  }

  // ───────────────────────────── response_url ─────────────────────────────

  newResponseUrl(context: { channel: string; user: string; messageTs: string | null; ephemeral: boolean }): string {
    const id = this.ids.token();
    this.responseUrls.set(id, { id, createdAt: this.nowMs(), uses: 0, ...context });
    return `${this.baseUrl}/actions/${this.config.teamId}/${id}`;
  }

  /** Applies what Bolt's respond() posts to a response_url. Returns the HTTP status and body to answer. */
  useResponseUrl(id: string, url: string, body: SlackObject): { status: number; body: SlackObject } {
    const record = this.responseUrls.get(id);
    const reject = (status: number, error: string) => {
      this.responses.push({ url, body, at: this.now(), outcome: 'rejected', error });
      return { status, body: { ok: false, error } };
    };
    if (!record) return reject(404, 'invalid_url');
    if (this.nowMs() - record.createdAt > RESPONSE_URL_LIFETIME_MS) return reject(404, 'expired_url');
    if (record.uses >= RESPONSE_URL_USES) return reject(404, 'used_url');
    record.uses += 1;

    const source =
      record.messageTs === null
        ? undefined
        : record.ephemeral
          ? this.ephemeral(record.channel, record.messageTs, record.user)
          : this.message(record.channel, record.messageTs);
    const done = (outcome: RecordedResponse['outcome']) => {
      this.responses.push({ url, body, at: this.now(), outcome });
      return { status: 200, body: { ok: true } };
    };
    if (body.delete_original === true || body.delete_original === 'true') {
      if (!source || record.messageTs === null) return reject(404, 'message_not_found');
      if (record.ephemeral) this.replaceEphemeral(source as EphemeralMessage, null);
      else this.deleteMessage(record.channel, record.messageTs);
      return done('deleted');
    }
    const content = { text: body.text, blocks: body.blocks, attachments: body.attachments };
    const check = validateMessageContent(content);
    if (!check.ok) return reject(400, check.error);
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (body.replace_original === true || body.replace_original === 'true') {
      if (!source || record.messageTs === null) return reject(404, 'message_not_found');
      if (record.ephemeral) this.replaceEphemeral(source as EphemeralMessage, { text, ...(blocks ? { blocks } : {}) });
      else this.updateBotMessage(record.channel, record.messageTs, { text, ...(blocks ? { blocks } : {}) });
      return done('replaced');
    }
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    if (body.response_type === 'in_channel') {
      this.postBotMessage(record.channel, { text, ...(blocks ? { blocks } : {}), ...(threadTs ? { threadTs } : {}) });
      return done('in_channel');
    }
    this.postEphemeral(record.channel, record.user, {
      text,
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { threadTs } : {}),
    });
    return done('ephemeral');
  }

  // ───────────────────────────── files ─────────────────────────────

  startUpload(filename: string, length: number, altText?: string): { uploadUrl: string; fileId: string } {
    const id = this.ids.fileId();
    const token = this.ids.token();
    const record: UploadRecord = {
      id,
      token,
      filename,
      length,
      bytes: null,
      title: filename,
      completed: false,
      ...(altText === undefined ? {} : { altText }),
    };
    this.uploads.set(id, record);
    this.uploadsByToken.set(token, record);
    return { uploadUrl: `${this.baseUrl}/upload/v1/${token}`, fileId: id };
  }

  /** Bytes posted to an upload_url. Returns an error text, or null when stored. */
  receiveUpload(token: string, bytes: Buffer): string | null {
    const record = this.uploadsByToken.get(token);
    if (!record) return 'unknown upload url';
    if (record.bytes !== null) return 'upload url already used';
    if (bytes.length !== record.length) {
      return `length mismatch: files.getUploadURLExternal said ${record.length} bytes, got ${bytes.length}`;
    }
    record.bytes = bytes;
    return null;
  }

  upload(id: string): UploadRecord | undefined {
    return this.uploads.get(id);
  }

  fileObject(record: UploadRecord, isPublic: boolean): SlackFileObject {
    const extension = /\.([A-Za-z0-9]+)$/.exec(record.filename)?.[1]?.toLowerCase() ?? '';
    const created = Math.floor(this.nowMs() / 1000);
    const base = `${this.baseUrl}/files/${record.id}/${encodeURIComponent(record.filename)}`;
    return {
      id: record.id,
      created,
      timestamp: created,
      name: record.filename,
      title: record.title,
      mimetype: MIME_TYPES[extension] ?? 'application/octet-stream',
      filetype: extension === '' ? 'binary' : extension,
      pretty_type: extension === '' ? 'Binary' : extension.toUpperCase(),
      user: this.config.botUserId,
      user_team: this.config.teamId,
      editable: false,
      size: record.bytes?.length ?? 0,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: isPublic,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: base,
      url_private_download: `${base}?download=1`,
      permalink: `https://${this.config.teamDomain}.slack.com/files/${this.config.botUserId}/${record.id}/${record.filename}`,
      ...(record.altText === undefined ? {} : { alt_txt: record.altText }),
    };
  }

  completeUpload(
    records: UploadRecord[],
    target: { channel?: ChannelRecord; threadTs?: string; text: string; blocks?: unknown[] },
  ) {
    for (const record of records) {
      record.completed = true;
      if (target.channel) record.channel = target.channel.id;
      if (target.threadTs !== undefined) record.threadTs = target.threadTs;
    }
    if (!target.channel) return;
    const files = records.map((record) => this.fileObject(record, !target.channel?.isPrivate));
    this.postBotMessage(target.channel.id, {
      text: target.text,
      files,
      ...(target.blocks ? { blocks: target.blocks } : {}),
      ...(target.threadTs === undefined ? {} : { threadTs: target.threadTs }),
    });
  }

  uploadedFiles(): UploadedFile[] {
    return [...this.uploads.values()].map((record) => ({
      id: record.id,
      filename: record.filename,
      title: record.title,
      length: record.length,
      bytes: record.bytes,
      completed: record.completed,
      ...(record.channel === undefined ? {} : { channel: record.channel }),
      ...(record.threadTs === undefined ? {} : { threadTs: record.threadTs }),
    }));
  }
}

/** The rich_text block Slack's client attaches to a typed message. */
export function richTextOf(text: string, blockId: string): SlackObject {
  const elements: SlackObject[] = [];
  const pattern = /<@([UW][A-Z0-9]+)>/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) elements.push({ type: 'text', text: text.slice(last, match.index) });
    elements.push({ type: 'user', user_id: match[1] });
    last = match.index + match[0].length;
  }
  if (last < text.length) elements.push({ type: 'text', text: text.slice(last) });
  return { type: 'rich_text', block_id: blockId, elements: [{ type: 'rich_text_section', elements }] };
}
