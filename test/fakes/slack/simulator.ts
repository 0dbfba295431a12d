import {
  blockAction,
  type ElementRef,
  hasValue,
  initialState,
  interactiveElements,
  isStateful,
  type SimulatedInput,
  SimulatorError,
  stateFromInput,
} from './blocks.js';
import type {
  AppHomeOpenedEvent,
  AssistantThreadEvent,
  BlockActionsPayload,
  BlockSuggestionPayload,
  EventEnvelope,
  FakeSlackUser,
  PayloadUser,
  SlackEvent,
  SlackMessage,
  SlackObject,
  UserMessageResult,
  ViewClosedPayload,
  ViewResponseOutcome,
  ViewSubmissionPayload,
} from './types.js';
import { ApiError, type ChannelRecord, type ViewRecord, type Workspace } from './workspace.js';

export interface UserMessageInput {
  readonly user: string;
  readonly channel: string;
  readonly text: string;
  /** The parent's ts, to post in a thread. */
  readonly threadTs?: string;
}

export interface AssistantThreadInput {
  readonly user: string;
  /** The channel the person is looking at when they open the pane (the thread's context). */
  readonly contextChannel?: string;
}

const channelTypeOf = (channel: ChannelRecord): string =>
  channel.imUser ? 'im' : channel.isPrivate ? 'group' : 'channel';

export interface MentionInput {
  readonly user: string;
  readonly channel: string;
  /** Text after the mention; `<@bot>` is put in front unless the text already mentions the bot. */
  readonly text?: string;
  readonly threadTs?: string;
}

export interface MessageTarget {
  readonly user: string;
  readonly channel: string;
  /** ts of the app's message (or ephemeral message_ts) that shows the element. */
  readonly messageTs: string;
  readonly actionId: string;
  /** Needed only when the same action_id appears in several blocks. */
  readonly blockId?: string;
}

/** A person runs one of the app's message shortcuts on a message (any message in a channel they can see). */
export interface MessageShortcutInput {
  readonly user: string;
  readonly channel: string;
  readonly messageTs: string;
  readonly callbackId: string;
}

export interface ClickButtonInput extends MessageTarget {
  /** Picks among buttons sharing an action_id by their value. */
  readonly value?: string;
}

export interface SelectOptionInput extends MessageTarget {
  /** Option value(s) for selects, radio buttons, checkboxes and overflow menus; text for inputs. */
  readonly value: SimulatedInput;
}

export interface ViewTarget {
  readonly user: string;
  readonly viewId: string;
  readonly actionId: string;
  readonly blockId?: string;
}

export interface SelectInViewInput extends ViewTarget {
  readonly value: SimulatedInput;
}

export interface ClickInViewInput extends ViewTarget {
  readonly value?: string;
}

export interface SuggestOptionsInput extends ViewTarget {
  /** What the person typed in the external select. */
  readonly value: string;
}

export interface SubmitViewInput {
  readonly user: string;
  readonly viewId: string;
  /** By action_id (or `blockId/actionId` when an action_id repeats): option values, or typed text. */
  readonly values?: Readonly<Record<string, SimulatedInput>>;
}

/** A person runs one of the app's slash commands in a channel they are in (the bot need not be). */
export interface SlashCommandInput {
  readonly user: string;
  readonly channel: string;
  /** With its slash: `/helpdesk`. */
  readonly command: string;
  readonly text?: string;
}

export interface AppHomeOpenedInput {
  readonly user: string;
  /** Default 'home'. */
  readonly tab?: 'home' | 'messages';
}

export interface CloseViewInput {
  readonly user: string;
  readonly viewId: string;
}

const isRecord = (value: unknown): value is SlackObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Plays the people of the fake workspace: builds the payloads Slack would send the app, from what is stored. */
export class UserSimulator {
  constructor(
    private readonly ws: Workspace,
    private readonly options: { readonly messageEvents: boolean },
  ) {}

  // ───────────────────────────── who and where ─────────────────────────────

  private person(id: string): FakeSlackUser {
    const user = this.ws.user(id);
    if (!user) throw new SimulatorError(`${id} is not a user of the fake workspace (pass it in options.users)`);
    return user;
  }

  private place(user: FakeSlackUser, channelId: string): ChannelRecord {
    const channel = this.ws.channel(channelId);
    if (!channel) throw new SimulatorError(`channel ${channelId} does not exist in the fake workspace`);
    if (!this.ws.isMember(channel, user.id)) throw new SimulatorError(`${user.id} is not a member of ${channelId}`);
    return channel;
  }

  private payloadUser(user: FakeSlackUser): PayloadUser {
    return { id: user.id, username: user.name, name: user.name, team_id: this.ws.teamOf(user) };
  }

  private team(user: FakeSlackUser): { id: string; domain: string } {
    return this.ws.isExternal(user)
      ? { id: this.ws.teamOf(user), domain: `external-${this.ws.teamOf(user).toLowerCase()}` }
      : { id: this.ws.config.teamId, domain: this.ws.config.teamDomain };
  }

  // ───────────────────────────── events ─────────────────────────────

  userMessage(input: UserMessageInput): UserMessageResult {
    const user = this.person(input.user);
    const channel = this.place(user, input.channel);
    if (!channel.botIsMember) {
      throw new SimulatorError(`the bot is not in ${channel.id}: Slack would deliver no event to the app`);
    }
    let parent: SlackMessage | undefined;
    if (input.threadTs !== undefined) {
      try {
        parent = this.ws.threadParent(channel.id, input.threadTs);
      } catch (error) {
        throw new SimulatorError(`cannot reply in thread ${input.threadTs}: ${(error as ApiError).messages.join(' ')}`);
      }
    }
    const message = this.ws.postHumanMessage(channel.id, user, input.text, parent?.ts);
    const mentioned = input.text.includes(`<@${this.ws.config.botUserId}>`);

    const base: SlackObject = {
      client_msg_id: message.client_msg_id,
      blocks: structuredClone(message.blocks),
      team: this.ws.teamOf(user),
    };
    if (this.ws.isExternal(user)) {
      base.user_team = this.ws.teamOf(user);
      base.source_team = this.ws.teamOf(user);
      base.user_profile = {
        real_name: user.realName ?? user.name,
        display_name: user.name,
        name: user.name,
        team: this.ws.teamOf(user),
        is_restricted: false,
        is_ultra_restricted: false,
      };
    }
    if (parent) {
      base.thread_ts = parent.ts;
      base.parent_user_id = message.parent_user_id;
    }
    const common = { user: user.id, text: message.text, ts: message.ts, channel: channel.id, event_ts: message.ts };
    const messageEvent: SlackEvent = { type: 'message', ...base, ...common, channel_type: channelTypeOf(channel) };
    // app_mention carries no channel_type.
    const mentionEvent: SlackEvent = { type: 'app_mention', ...base, ...common };

    const events: EventEnvelope[] = [];
    // In the app's DM every message reaches it as message.im; one that mentions the bot also comes as app_mention
    // (reported in shomali11/slacker#83: "an app_mention in a dm (message.im) … the bot will receive two events").
    if (mentioned) events.push(this.envelope(mentionEvent, channel));
    if (this.options.messageEvents || channel.imUser) events.push(this.envelope(messageEvent, channel));
    const event = events[0] ?? this.envelope(messageEvent, channel);
    return { ts: message.ts, event, events };
  }

  /** A person writes to the app in its Messages tab (their DM with the bot), at the top or in a thread. */
  directMessage(input: Omit<UserMessageInput, 'channel'>): UserMessageResult {
    const user = this.person(input.user);
    if (this.ws.isExternal(user)) {
      throw new SimulatorError(
        `${user.id} is from another organisation: the app's Messages tab is in its own workspace`,
      );
    }
    return this.userMessage({ ...input, channel: this.ws.imChannel(user.id).id });
  }

  /**
   * A person opens a new thread in the app's assistant pane: Slack stores the thread's root message and sends
   * assistant_thread_started with the channel the person is looking at (docs.slack.dev/reference/events/
   * assistant_thread_started).
   */
  assistantThreadStarted(input: AssistantThreadInput): {
    readonly channel: string;
    readonly threadTs: string;
    readonly event: EventEnvelope<AssistantThreadEvent>;
  } {
    const user = this.person(input.user);
    if (this.ws.isExternal(user)) {
      throw new SimulatorError(
        `${user.id} is from another organisation: the app's assistant pane is in its own workspace`,
      );
    }
    const thread = this.ws.startAssistantThread(user);
    const channel = this.ws.imChannel(user.id);
    const event = this.assistantThreadEvent(
      'assistant_thread_started',
      user.id,
      input,
      thread.channel,
      thread.threadTs,
    );
    return { channel: thread.channel, threadTs: thread.threadTs, event: this.envelope(event, channel) };
  }

  /** The person moves to another channel while the assistant thread is open (assistant_thread_context_changed). */
  assistantThreadContextChanged(
    input: AssistantThreadInput & { readonly threadTs: string },
  ): EventEnvelope<AssistantThreadEvent> {
    const user = this.person(input.user);
    const channel = this.ws.imChannel(user.id);
    if (!this.ws.assistantThread(channel.id, input.threadTs)) {
      throw new SimulatorError(`no assistant thread ${input.threadTs} of ${user.id}`);
    }
    const event = this.assistantThreadEvent(
      'assistant_thread_context_changed',
      user.id,
      input,
      channel.id,
      input.threadTs,
    );
    return this.envelope(event, channel);
  }

  /** An assistant thread event: the thread, its person, and the channel they are looking at (when known). */
  private assistantThreadEvent(
    type: AssistantThreadEvent['type'],
    userId: string,
    input: AssistantThreadInput,
    channelId: string,
    threadTs: string,
  ): AssistantThreadEvent {
    return {
      type,
      assistant_thread: {
        user_id: userId,
        context: {
          ...(input.contextChannel === undefined ? {} : { channel_id: input.contextChannel }),
          team_id: this.ws.config.teamId,
          enterprise_id: null,
        },
        channel_id: channelId,
        thread_ts: threadTs,
      },
      event_ts: this.ws.ids.ts(),
    };
  }

  mention(input: MentionInput): UserMessageResult {
    const tag = `<@${this.ws.config.botUserId}>`;
    const rest = input.text ?? '';
    const text = rest.includes(tag) ? rest : `${tag} ${rest}`.trimEnd();
    return this.userMessage({
      user: input.user,
      channel: input.channel,
      text,
      ...(input.threadTs === undefined ? {} : { threadTs: input.threadTs }),
    });
  }

  /**
   * The message event Slack delivers for any stored message, the app's own included (message.channels subscribers
   * get those too; the app must ignore its own posts). Fails when there is no such message.
   */
  messageEventFor(input: { readonly channel: string; readonly ts: string }): EventEnvelope {
    const channel = this.ws.channel(input.channel);
    const message = channel ? this.ws.message(channel.id, input.ts) : undefined;
    if (!channel || !message) throw new SimulatorError(`no message ${input.ts} in ${input.channel}`);
    const {
      reply_count: _count,
      reply_users: _users,
      reply_users_count: _usersCount,
      latest_reply: _latest,
      ...fields
    } = structuredClone(message);
    const event: SlackEvent = {
      ...fields,
      type: 'message',
      user: message.user ?? this.ws.config.botUserId,
      text: message.text,
      ts: message.ts,
      channel: channel.id,
      event_ts: message.ts,
      channel_type: channelTypeOf(channel),
    };
    if (message.files) event.subtype = 'file_share';
    return this.envelope(event, channel);
  }

  /** The person opens the app's Home (or Messages) tab; the event carries their current Home view, if any. */
  appHomeOpened(input: AppHomeOpenedInput): EventEnvelope<AppHomeOpenedEvent> {
    const user = this.person(input.user);
    if (this.ws.isExternal(user)) {
      throw new SimulatorError(`${user.id} is from another organisation: the app's Home is only in its own workspace`);
    }
    const view = this.ws.homeView(user.id);
    const event: AppHomeOpenedEvent = {
      type: 'app_home_opened',
      user: user.id,
      channel: this.ws.dmChannelOf(user.id),
      tab: input.tab ?? 'home',
      event_ts: this.ws.ids.ts(),
      ...(view === undefined ? {} : { view }),
    };
    return this.envelope(event, null);
  }

  private envelope<E extends SlackObject & { type: string }>(
    event: E,
    channel: ChannelRecord | null,
  ): EventEnvelope<E> {
    const { teamId, appId, botUserId, verificationToken } = this.ws.config;
    const eventChannel = channel?.id ?? (typeof event.channel === 'string' ? event.channel : '');
    return {
      token: verificationToken,
      team_id: teamId,
      context_team_id: teamId,
      context_enterprise_id: null,
      api_app_id: appId,
      event,
      type: 'event_callback',
      event_id: this.ws.ids.eventId(),
      event_time: Math.floor(this.ws.nowMs() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: channel?.isExtShared ?? false,
      event_context: `4-${Buffer.from(JSON.stringify({ event_type: event.type, channel: eventChannel })).toString('base64')}`,
    };
  }

  // ───────────────────────────── messages ─────────────────────────────

  private shownMessage(user: FakeSlackUser, target: MessageTarget) {
    const channel = this.place(user, target.channel);
    const message = this.ws.message(channel.id, target.messageTs);
    if (message) return { channel, blocks: message.blocks ?? [], message, ephemeral: null };
    const ephemeral = this.ws.ephemeral(channel.id, target.messageTs, user.id);
    if (ephemeral) return { channel, blocks: ephemeral.blocks ?? [], message: null, ephemeral };
    throw new SimulatorError(`no message ${target.messageTs} in ${channel.id} visible to ${user.id}`);
  }

  private pick(refs: ElementRef[], target: { actionId: string; blockId?: string }, what: string, where: string) {
    const matching = refs.filter(
      (ref) => ref.actionId === target.actionId && (target.blockId === undefined || ref.blockId === target.blockId),
    );
    if (matching.length === 0) {
      const shown = refs.map((ref) => `${ref.type} ${ref.blockId}/${ref.actionId}`).join(', ') || 'none';
      throw new SimulatorError(`${where} shows no ${what} with action_id ${target.actionId} (it shows: ${shown})`);
    }
    if (matching.length > 1) {
      throw new SimulatorError(
        `${where}: action_id ${target.actionId} appears in blocks ${matching.map((ref) => ref.blockId).join(', ')}; pass blockId`,
      );
    }
    return matching[0] as ElementRef;
  }

  private messagePayload(
    user: FakeSlackUser,
    shown: ReturnType<UserSimulator['shownMessage']>,
    ref: ElementRef,
    state: SlackObject | null,
  ): BlockActionsPayload {
    const { channel, message, ephemeral } = shown;
    const messageTs = (message?.ts ?? ephemeral?.ts) as string;
    const threadTs = message ? (message.thread_ts !== message.ts ? message.thread_ts : undefined) : ephemeral?.threadTs;
    const selections = this.ws.selectionsOf(channel.id, messageTs, user.id);
    const container: SlackObject = {
      type: 'message',
      message_ts: messageTs,
      channel_id: channel.id,
      is_ephemeral: ephemeral !== null,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    };
    const payload: BlockActionsPayload = {
      type: 'block_actions',
      user: this.payloadUser(user),
      api_app_id: this.ws.config.appId,
      token: this.ws.config.verificationToken,
      container,
      trigger_id: this.ws.issueTrigger({ user: user.id }),
      team: this.team(user),
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel.id, name: channel.name },
      // Slack sends the whole message for a normal message, nothing for an ephemeral one.
      ...(message ? { message: structuredClone(message) } : {}),
      state: { values: this.ws.messageState(shown.blocks, selections) },
      response_url: this.ws.newResponseUrl({
        channel: channel.id,
        user: user.id,
        messageTs,
        ephemeral: ephemeral !== null,
      }),
      actions: [blockAction(ref, state, this.ws.ids.ts())],
    };
    return payload;
  }

  /** A click on a button the app's message shows. Fails when the message shows no such button. */
  clickButton(input: ClickButtonInput): BlockActionsPayload {
    const user = this.person(input.user);
    const shown = this.shownMessage(user, input);
    const buttons = interactiveElements(shown.blocks).filter(
      (ref) => ref.type === 'button' && (input.value === undefined || ref.element.value === input.value),
    );
    const ref = this.pick(buttons, input, 'button', `message ${input.messageTs}`);
    return this.messagePayload(user, shown, ref, null);
  }

  /**
   * The `message_action` payload Slack sends when a person picks one of the app's message shortcuts on a message
   * (api.slack.com/reference/interaction-payloads/shortcuts): it works in any channel the person can see, whether or
   * not the bot is in it.
   */
  messageShortcut(input: MessageShortcutInput): SlackObject {
    const user = this.person(input.user);
    const channel = this.place(user, input.channel);
    const message = this.ws.message(channel.id, input.messageTs);
    if (!message) throw new SimulatorError(`no message ${input.messageTs} in ${channel.id}`);
    return {
      type: 'message_action',
      token: this.ws.config.verificationToken,
      action_ts: this.ws.ids.ts(),
      team: this.team(user),
      user: this.payloadUser(user),
      channel: { id: channel.id, name: channel.name },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: input.callbackId,
      trigger_id: this.ws.issueTrigger({ user: user.id }),
      response_url: this.ws.newResponseUrl({
        channel: channel.id,
        user: user.id,
        messageTs: input.messageTs,
        ephemeral: false,
      }),
      message_ts: input.messageTs,
      message: structuredClone(message),
    };
  }

  /**
   * The fields Slack posts for a slash command (docs.slack.dev/interactivity/implementing-slash-commands), all strings,
   * form-encoded (postToApp kind 'command'). Its response_url takes ephemeral or in_channel answers, 5 times in
   * 30 minutes, and there is no message to replace; its trigger_id opens a modal within 3 s.
   */
  slashCommand(input: SlashCommandInput): Record<string, string> {
    const user = this.person(input.user);
    const channel = this.place(user, input.channel);
    if (!/^\/[a-z0-9_-]{1,31}$/.test(input.command)) throw new SimulatorError(`not a slash command: ${input.command}`);
    const team = this.team(user);
    return {
      token: this.ws.config.verificationToken,
      team_id: team.id,
      team_domain: team.domain,
      channel_id: channel.id,
      channel_name: channel.name,
      user_id: user.id,
      user_name: user.name,
      command: input.command,
      text: input.text ?? '',
      api_app_id: this.ws.config.appId,
      is_enterprise_install: 'false',
      response_url: this.ws.newResponseUrl({ channel: channel.id, user: user.id, messageTs: null, ephemeral: true }),
      trigger_id: this.ws.issueTrigger({ user: user.id }),
    };
  }

  /** A choice in a message's select, overflow menu, radio buttons, checkboxes, date picker… */
  selectOption(input: SelectOptionInput): BlockActionsPayload {
    const user = this.person(input.user);
    const shown = this.shownMessage(user, input);
    const elements = interactiveElements(shown.blocks).filter((ref) => ref.type !== 'button');
    const where = `message ${input.messageTs}`;
    const ref = this.pick(elements, input, 'menu or input', where);
    const state = stateFromInput(ref.element, input.value, `${where} ${ref.actionId}`, {
      isUser: (id) => this.ws.user(id) !== undefined,
    });
    if (isStateful(ref.type)) {
      const messageTs = (shown.message?.ts ?? shown.ephemeral?.ts) as string;
      const selections = this.ws.selectionsOf(shown.channel.id, messageTs, user.id);
      const block = selections.get(ref.blockId) ?? new Map<string, SlackObject>();
      block.set(ref.actionId, state);
      selections.set(ref.blockId, block);
    }
    return this.messagePayload(user, shown, ref, state);
  }

  // ───────────────────────────── modals ─────────────────────────────

  /** The view the person sees: open, on top of its stack, and theirs. */
  private visibleView(user: FakeSlackUser, viewId: string): ViewRecord {
    const record = this.ws.viewRecord(viewId);
    if (!record?.open) throw new SimulatorError(`view ${viewId} is not open`);
    if (record.user !== undefined && record.user !== user.id) {
      throw new SimulatorError(`view ${viewId} was opened for ${record.user}, not ${user.id}`);
    }
    const stack = this.ws.stackOf(viewId);
    if (stack.at(-1) !== viewId) {
      throw new SimulatorError(`view ${viewId} is covered by pushed view ${stack.at(-1)}`);
    }
    return record;
  }

  private viewPayload(user: FakeSlackUser, record: ViewRecord, ref: ElementRef, state: SlackObject | null) {
    const payload: BlockActionsPayload = {
      type: 'block_actions',
      user: this.payloadUser(user),
      api_app_id: this.ws.config.appId,
      token: this.ws.config.verificationToken,
      container: { type: 'view', view_id: record.view.id },
      trigger_id: this.ws.issueTrigger({ user: user.id, viewId: record.view.id }),
      team: this.team(user),
      enterprise: null,
      is_enterprise_install: false,
      view: this.ws.viewForPayload(record.view.id),
      actions: [blockAction(ref, state, this.ws.ids.ts())],
    };
    return payload;
  }

  clickButtonInView(input: ClickInViewInput): BlockActionsPayload {
    const user = this.person(input.user);
    const record = this.visibleView(user, input.viewId);
    const buttons = interactiveElements(record.view.blocks).filter(
      (ref) => ref.type === 'button' && (input.value === undefined || ref.element.value === input.value),
    );
    const ref = this.pick(buttons, input, 'button', `view ${input.viewId}`);
    return this.viewPayload(user, record, ref, null);
  }

  /**
   * A choice (or typed text) in a modal. The view's state is updated. Returns the block_actions payload, or null
   * when Slack sends none: an element of an input block without `dispatch_action: true` only changes state.
   */
  selectInView(input: SelectInViewInput): BlockActionsPayload | null {
    const user = this.person(input.user);
    const record = this.visibleView(user, input.viewId);
    const elements = interactiveElements(record.view.blocks).filter((ref) => ref.type !== 'button');
    const where = `view ${input.viewId}`;
    const ref = this.pick(elements, input, 'menu or input', where);
    const state = stateFromInput(ref.element, input.value, `${where} ${ref.actionId}`, {
      isUser: (id) => this.ws.user(id) !== undefined,
    });
    if (isStateful(ref.type)) this.ws.enter(record, ref.blockId, ref.actionId, state);
    if (ref.place === 'input' && ref.block.dispatch_action !== true) return null;
    return this.viewPayload(user, record, ref, state);
  }

  /**
   * What an external_select sends to the options load URL while the person types. Its `view.state` is empty: Slack's
   * block_suggestion does not see values chosen in the same unsubmitted view (docs/slack-platform.md §1).
   */
  suggestOptions(input: SuggestOptionsInput): BlockSuggestionPayload {
    const user = this.person(input.user);
    const record = this.visibleView(user, input.viewId);
    const selects = interactiveElements(record.view.blocks).filter(
      (ref) => ref.type === 'external_select' || ref.type === 'multi_external_select',
    );
    const ref = this.pick(selects, input, 'external select', `view ${input.viewId}`);
    const minimum = typeof ref.element.min_query_length === 'number' ? ref.element.min_query_length : 3;
    if (input.value.length < minimum) {
      throw new SimulatorError(`Slack asks for options only after ${minimum} characters are typed`);
    }
    return {
      type: 'block_suggestion',
      user: this.payloadUser(user),
      container: { type: 'view', view_id: record.view.id },
      api_app_id: this.ws.config.appId,
      token: this.ws.config.verificationToken,
      action_id: ref.actionId,
      block_id: ref.blockId,
      value: input.value,
      team: this.team(user),
      view: { ...this.ws.viewForPayload(record.view.id), state: { values: {} } },
    };
  }

  /**
   * The person fills `values` and presses Submit. Fails (as Slack's client would refuse) when the view has no
   * submit button, a value is not among an element's options, or a required input is empty.
   */
  submitView(input: SubmitViewInput): ViewSubmissionPayload {
    const user = this.person(input.user);
    const record = this.visibleView(user, input.viewId);
    if (record.view.submit === null) throw new SimulatorError(`view ${input.viewId} has no submit button`);
    const refs = interactiveElements(record.view.blocks).filter((ref) => isStateful(ref.type));
    for (const [name, value] of Object.entries(input.values ?? {})) {
      const [blockId, actionId] = name.includes('/') ? (name.split('/', 2) as [string, string]) : [undefined, name];
      const ref = this.pick(
        refs,
        { actionId, ...(blockId === undefined ? {} : { blockId }) },
        'input',
        `view ${input.viewId}`,
      );
      const state = stateFromInput(ref.element, value, `view ${input.viewId} ${ref.actionId}`, {
        isUser: (id) => this.ws.user(id) !== undefined,
      });
      this.ws.enter(record, ref.blockId, ref.actionId, state);
    }
    for (const ref of refs) {
      if (ref.place !== 'input' || ref.block.optional === true) continue;
      const state = record.entered.get(ref.blockId)?.get(ref.actionId) ?? initialState(ref.element);
      if (!hasValue(state)) {
        const label = isRecord(ref.block.label) ? String(ref.block.label.text) : ref.blockId;
        throw new SimulatorError(`required input "${label}" (${ref.blockId}/${ref.actionId}) is empty`);
      }
    }
    return {
      type: 'view_submission',
      team: this.team(user),
      user: this.payloadUser(user),
      api_app_id: this.ws.config.appId,
      token: this.ws.config.verificationToken,
      trigger_id: this.ws.issueTrigger({ user: user.id, viewId: record.view.id }),
      view: this.ws.viewForPayload(record.view.id),
      response_urls: [],
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  /**
   * The person closes the modal (X / Cancel). The view closes (the whole stack with clear_on_close). Returns the
   * view_closed payload, or null when the view did not ask for notify_on_close (Slack then sends nothing).
   */
  closeView(input: CloseViewInput): ViewClosedPayload | null {
    const user = this.person(input.user);
    const record = this.visibleView(user, input.viewId);
    const wholeStack = record.view.clear_on_close;
    const payload: ViewClosedPayload | null = record.view.notify_on_close
      ? {
          type: 'view_closed',
          team: this.team(user),
          user: this.payloadUser(user),
          api_app_id: this.ws.config.appId,
          token: this.ws.config.verificationToken,
          view: this.ws.viewForPayload(record.view.id),
          is_cleared: wholeStack,
          enterprise: null,
          is_enterprise_install: false,
        }
      : null;
    this.ws.closeView(record.view.id, wholeStack);
    return payload;
  }

  /**
   * Applies the app's answer to a view_submission (the HTTP body of its ack) as Slack would: close the view, show
   * field errors, update, push, or clear. Throws when Slack would show the person a generic failure instead.
   */
  applyViewResponse(viewId: string, ack: unknown): ViewResponseOutcome {
    const record = this.ws.viewRecord(viewId);
    if (!record?.open) throw new SimulatorError(`view ${viewId} is not open`);
    let body: unknown = ack;
    if (typeof ack === 'string') {
      if (ack.trim() === '') body = {};
      else {
        try {
          body = JSON.parse(ack);
        } catch {
          throw new SimulatorError(`the app answered the view_submission with non-JSON: ${ack.slice(0, 200)}`);
        }
      }
    }
    if (body === undefined || body === null) body = {};
    if (!isRecord(body)) throw new SimulatorError('the app answered the view_submission with a non-object');
    const action = body.response_action;
    if (action === undefined) {
      this.ws.closeView(viewId, false);
      return { kind: 'closed', viewId };
    }
    switch (action) {
      case 'errors':
        return { kind: 'errors', errors: this.checkedErrors(record, body.errors) };
      case 'update': {
        const view = this.checkedView(body.view, viewId);
        return { kind: 'updated', view: this.ws.updateView(record, view) };
      }
      case 'push': {
        const view = this.checkedView(body.view);
        try {
          return { kind: 'pushed', view: this.ws.pushView(view, viewId) };
        } catch (error) {
          throw new SimulatorError(`response_action push refused: ${(error as ApiError).error}`);
        }
      }
      case 'clear':
        this.ws.closeView(viewId, true);
        return { kind: 'cleared' };
      default:
        throw new SimulatorError(`unknown response_action ${JSON.stringify(action)}`);
    }
  }

  private checkedErrors(record: ViewRecord, errors: unknown): Record<string, string> {
    if (!isRecord(errors) || Object.keys(errors).length === 0) {
      throw new SimulatorError('response_action errors needs a non-empty errors object');
    }
    const inputBlocks = new Set(
      record.view.blocks.filter((block) => block.type === 'input').map((block) => String(block.block_id)),
    );
    const checked: Record<string, string> = {};
    for (const [blockId, message] of Object.entries(errors)) {
      if (!inputBlocks.has(blockId)) {
        throw new SimulatorError(
          `response_action errors names ${blockId}, which is not an input block of the view (${[...inputBlocks].join(', ')})`,
        );
      }
      if (typeof message !== 'string' || message === '') throw new SimulatorError(`error for ${blockId} must be text`);
      checked[blockId] = message;
    }
    return checked;
  }

  private checkedView(raw: unknown, updatingViewId?: string): SlackObject {
    try {
      return this.ws.checkView(raw, updatingViewId);
    } catch (error) {
      if (error instanceof ApiError) {
        throw new SimulatorError(`Slack would refuse the view: ${error.error} ${error.messages.join(' ')}`);
      }
      throw error;
    }
  }
}
