/** Public shapes of the fake Slack: what it stores, records and hands to tests. Slack's own JSON keeps snake_case. */

export type SlackObject = Record<string, unknown>;

/** A person (or bot) in the fake directory. */
export interface FakeSlackUser {
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  /** Absent = no email visible to the app (users:read.email not granted, or the user hides it). */
  readonly email?: string;
  /** Another team than the fake's = a Slack Connect external user: users.info is reduced and has no email. */
  readonly teamId?: string;
  readonly isBot?: boolean;
}

export interface FakeChannelOptions {
  readonly name?: string;
  /** User ids in the channel; absent = every known user. */
  readonly members?: readonly string[];
  /** Default true. A bot outside the channel gets `not_in_channel`. */
  readonly botIsMember?: boolean;
  /** Default: true for ids starting with G. */
  readonly isPrivate?: boolean;
  /** A Slack Connect channel shared with another organisation. */
  readonly isExtShared?: boolean;
  /**
   * Default true. false: chat.startStream is refused here with `channel_type_not_supported` ("Channel type not
   * supported", the documented error that names a conversation streaming cannot be used in), so a test can drive
   * the app's fallback to chat.postMessage.
   */
  readonly streaming?: boolean;
}

export interface SlackFileObject extends SlackObject {
  id: string;
  name: string;
  title: string;
  size: number;
  mimetype: string;
  filetype: string;
}

/** A message as Slack stores it and returns it from conversations.replies and in interaction payloads. */
export interface SlackMessage extends SlackObject {
  type: 'message';
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  subtype?: string;
  blocks?: SlackObject[];
  thread_ts?: string;
  parent_user_id?: string;
  files?: SlackFileObject[];
  edited?: { user: string; ts: string };
  reply_count?: number;
  reply_users_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  team?: string;
  /** A streamed message (chat.startStream): 'in_progress' until chat.stopStream (or Slack's time limit). */
  streaming_state?: 'in_progress' | 'completed' | 'errored';
}

export interface EphemeralMessage {
  readonly channel: string;
  readonly user: string;
  /** The `message_ts` chat.postEphemeral returned. */
  readonly ts: string;
  readonly text: string;
  readonly blocks?: SlackObject[];
  readonly threadTs?: string;
  readonly at: Date;
}

/** A view as Slack returns it from views.* and puts it in interaction payloads. */
export interface SlackView extends SlackObject {
  id: string;
  team_id: string;
  type: 'modal';
  title: SlackObject;
  submit: SlackObject | null;
  close: SlackObject | null;
  blocks: SlackObject[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: Record<string, Record<string, SlackObject>> };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  root_view_id: string;
  previous_view_id: string | null;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

/** A user's App Home tab as views.publish answers it and app_home_opened carries it. */
export interface SlackHomeView extends SlackObject {
  id: string;
  team_id: string;
  type: 'home';
  blocks: SlackObject[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: Record<string, Record<string, SlackObject>> };
  hash: string;
  root_view_id: string;
  previous_view_id: null;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

export interface RecordedCall {
  readonly method: string;
  /** Arguments as Slack parsed them (JSON-string arguments decoded); the token is never recorded. */
  readonly args: SlackObject;
  readonly at: Date;
  readonly ok: boolean;
  readonly error?: string;
  readonly httpStatus: number;
}

export interface ThreadStatus {
  readonly channel: string;
  readonly threadTs: string;
  readonly status: string;
  readonly loadingMessages?: readonly string[];
  readonly at: Date;
}

/** One accepted call to a stream, as the fake recorded it. */
export interface StreamUpdate {
  readonly method: 'chat.startStream' | 'chat.appendStream' | 'chat.stopStream';
  readonly at: Date;
  /** The markdown this call added to the message's text ('' when it added none). */
  readonly text: string;
  /** The chunks it sent, as sent (markdown_text chunks included); [] when it sent markdown_text or nothing. */
  readonly chunks: readonly SlackObject[];
}

/**
 * A streamed message's life (chat.startStream → chat.appendStream… → chat.stopStream), for tests and the benchmark:
 * time to first visible text is `firstTextAt` minus when the person asked; calls per streamed reply is
 * `updates.length`.
 */
export interface RecordedStream {
  readonly channel: string;
  /** The streamed message's ts. */
  readonly ts: string;
  readonly threadTs?: string;
  readonly recipientUserId?: string;
  readonly recipientTeamId?: string;
  /** Fixed by the first call that carried content; null while none has. */
  readonly mode: 'markdown_text' | 'chunks' | null;
  readonly state: 'streaming' | 'stopped';
  /** Why it is no longer streaming: the app stopped it, Slack's 5-minute lifetime ran out, or it was deleted. */
  readonly endedBy: 'app' | 'expired' | 'deleted' | null;
  readonly startedAt: Date;
  /** When the message first showed some text; null while it shows none. */
  readonly firstTextAt: Date | null;
  readonly stoppedAt: Date | null;
  /** The text streamed so far: every markdown_text (argument or chunk) in order. */
  readonly text: string;
  /** Every accepted call, start and stop included, in order. */
  readonly updates: readonly StreamUpdate[];
  /** task_update chunks by id, merged as Slack merges them (title and status replace, details append). */
  readonly tasks: Readonly<Record<string, SlackObject>>;
  /** The last plan_update title, if any. */
  readonly planTitle?: string;
}

export interface RecordedResponse {
  /** The response_url that was used. */
  readonly url: string;
  readonly body: SlackObject;
  readonly at: Date;
  /** What the fake did with it. */
  readonly outcome: 'replaced' | 'deleted' | 'ephemeral' | 'in_channel' | 'rejected';
  readonly error?: string;
}

export interface UploadedFile {
  readonly id: string;
  readonly filename: string;
  readonly title: string;
  /** Declared in files.getUploadURLExternal. */
  readonly length: number;
  readonly bytes: Buffer | null;
  readonly channel?: string;
  readonly threadTs?: string;
  readonly completed: boolean;
}

export interface FaultInjection {
  /**
   * Web API method, e.g. 'chat.postMessage'; '*' matches every method. 'upload' targets the upload_url endpoint and
   * 'response_url' the response_url endpoint.
   */
  readonly method: string;
  /** Answer 200 `{ok:false, error}`. */
  readonly error?: string;
  /** Answer this HTTP status (429 answers `{ok:false,error:'ratelimited'}`). */
  readonly status?: number;
  /** Seconds in a Retry-After header; implies status 429 when status is absent. */
  readonly retryAfter?: number;
  /** How many calls it affects; default 1. Infinity for all. */
  readonly times?: number;
  /** Only Web API calls whose arguments it accepts (blocks arrive as the JSON string sent); default every call. */
  readonly match?: (args: SlackObject) => boolean;
}

// ───────────────────────────── payloads the fake builds for the app ─────────────────────────────

export interface PayloadUser {
  id: string;
  username: string;
  name: string;
  team_id: string;
}

export interface BlockAction extends SlackObject {
  type: string;
  action_id: string;
  block_id: string;
  action_ts: string;
}

export interface BlockActionsPayload extends SlackObject {
  type: 'block_actions';
  user: PayloadUser;
  api_app_id: string;
  token: string;
  container: SlackObject;
  trigger_id: string;
  team: { id: string; domain: string };
  enterprise: null;
  is_enterprise_install: false;
  actions: BlockAction[];
  state?: { values: Record<string, Record<string, SlackObject>> };
  channel?: { id: string; name: string };
  message?: SlackMessage;
  view?: SlackView;
  response_url?: string;
}

export interface ViewSubmissionPayload extends SlackObject {
  type: 'view_submission';
  team: { id: string; domain: string };
  user: PayloadUser;
  api_app_id: string;
  token: string;
  trigger_id: string;
  view: SlackView;
  response_urls: SlackObject[];
  enterprise: null;
  is_enterprise_install: false;
}

export interface ViewClosedPayload extends SlackObject {
  type: 'view_closed';
  team: { id: string; domain: string };
  user: PayloadUser;
  api_app_id: string;
  token: string;
  view: SlackView;
  is_cleared: boolean;
  enterprise: null;
  is_enterprise_install: false;
}

export interface BlockSuggestionPayload extends SlackObject {
  type: 'block_suggestion';
  user: PayloadUser;
  container: SlackObject;
  api_app_id: string;
  token: string;
  action_id: string;
  block_id: string;
  value: string;
  team: { id: string; domain: string };
  view: SlackView;
}

export interface SlackEvent extends SlackObject {
  type: 'message' | 'app_mention';
  user: string;
  text: string;
  ts: string;
  channel: string;
  event_ts: string;
  thread_ts?: string;
}

/** A person opened the app's Home (or Messages) tab. `view` is present once a Home view was published for them. */
export interface AppHomeOpenedEvent extends SlackObject {
  type: 'app_home_opened';
  user: string;
  /** The app's DM channel with the person. */
  channel: string;
  tab: 'home' | 'messages';
  event_ts: string;
  view?: SlackHomeView;
}

/** A person opened a thread in the app's assistant pane, or moved elsewhere while it is open. */
export interface AssistantThreadEvent extends SlackObject {
  type: 'assistant_thread_started' | 'assistant_thread_context_changed';
  assistant_thread: {
    user_id: string;
    context: { channel_id?: string; team_id: string; enterprise_id: null };
    channel_id: string;
    thread_ts: string;
  };
  event_ts: string;
}

export interface EventEnvelope<E extends SlackObject = SlackEvent> extends SlackObject {
  token: string;
  team_id: string;
  context_team_id: string;
  context_enterprise_id: null;
  api_app_id: string;
  event: E;
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: SlackObject[];
  is_ext_shared_channel: boolean;
}

/** What userMessage/mention return: the stored message's ts and the deliveries Slack would make. */
export interface UserMessageResult {
  readonly ts: string;
  /** The app_mention envelope when the bot is mentioned, else the message envelope. */
  readonly event: EventEnvelope;
  /**
   * Every envelope Slack would send the app (subscriptions app_mention + message.channels/.groups): a mention
   * in a channel yields an app_mention AND a message event, with different event_ids. The app must not act twice.
   */
  readonly events: readonly EventEnvelope[];
}

export type ViewResponseOutcome =
  | { readonly kind: 'closed'; readonly viewId: string }
  | { readonly kind: 'cleared' }
  | { readonly kind: 'errors'; readonly errors: Readonly<Record<string, string>> }
  | { readonly kind: 'updated'; readonly view: SlackView }
  | { readonly kind: 'pushed'; readonly view: SlackView };
