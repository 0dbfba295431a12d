import { validateMessageContent } from './block-kit-validator.js';
import { decodeCursor, encodeCursor } from './ids.js';
import { appendStream, checkNotStreaming, startStream, stopStream } from './streaming.js';
import type { SlackMessage, SlackObject } from './types.js';
import { ApiError, type Workspace } from './workspace.js';

/** One Web API method: arguments in, the `ok:true` body's other fields out, or an ApiError thrown. */
export type MethodHandler = (ws: Workspace, args: SlackObject) => SlackObject;

const str = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
};

const bool = (value: unknown): boolean => value === true || value === 'true' || value === '1' || value === 1;

function required(args: SlackObject, name: string): string {
  const value = str(args[name]);
  if (value === undefined || value === '') {
    throw new ApiError('invalid_arguments', [`[ERROR] missing required field: ${name} [json-pointer:/${name}]`]);
  }
  return value;
}

function int(args: SlackObject, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number)) {
    throw new ApiError('invalid_arguments', [`[ERROR] must be an integer [json-pointer:/${name}]`]);
  }
  return number;
}

/** text/blocks as stored: blocks JSON-decoded already; a string left here is a blocks value Slack could not parse. */
function content(args: SlackObject): { text: string; blocks?: unknown[] } {
  const blocks = Array.isArray(args.blocks) ? args.blocks : undefined;
  return { text: str(args.text) ?? '', ...(blocks ? { blocks } : {}) };
}

const authTest: MethodHandler = (ws) => ({
  url: `https://${ws.config.teamDomain}.slack.com/`,
  team: ws.config.teamName,
  user: ws.config.botName,
  team_id: ws.config.teamId,
  user_id: ws.config.botUserId,
  bot_id: ws.config.botId,
  is_enterprise_install: false,
});

const postMessage: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel);
  ws.checkContent({ text: args.text, blocks: args.blocks, attachments: args.attachments });
  const threadTs = args.thread_ts === undefined || args.thread_ts === '' ? undefined : args.thread_ts;
  const parent = threadTs === undefined ? undefined : ws.threadParent(channel.id, threadTs);
  const extra: SlackObject = {};
  if (parent && bool(args.reply_broadcast)) extra.subtype = 'thread_broadcast';
  const message = ws.postBotMessage(channel.id, {
    ...content(args),
    ...(parent ? { threadTs: parent.ts } : {}),
    extra,
  });
  return { channel: channel.id, ts: message.ts, message };
};

const update: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel);
  const ts = str(args.ts);
  const existing = ts === undefined ? undefined : ws.message(channel.id, ts);
  if (!existing || ts === undefined || existing.subtype === 'tombstone') throw new ApiError('message_not_found');
  if (existing.bot_id !== ws.config.botId) throw new ApiError('cant_update_message');
  checkNotStreaming(ws, channel.id, ts);
  // Absent text or blocks keep the old ones; `blocks: []` removes them (chat.update docs).
  const text = args.text === undefined ? existing.text : args.text;
  const blocks = args.blocks === undefined ? existing.blocks : args.blocks;
  const check = validateMessageContent({ text, blocks, attachments: args.attachments });
  // A file message may stay without text: its files are its content.
  const hasFiles = (existing.files?.length ?? 0) > 0;
  if (!check.ok && !(check.error === 'no_text' && hasFiles)) throw new ApiError(check.error, check.messages);
  const updated = ws.updateBotMessage(channel.id, ts, {
    text: str(text) ?? '',
    ...(Array.isArray(blocks) ? { blocks } : {}),
  });
  return { channel: channel.id, ts, text: updated.text, message: updated };
};

const postEphemeral: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel);
  const userId = str(args.user);
  const user = userId === undefined ? undefined : ws.user(userId);
  if (!user || userId === undefined) throw new ApiError('user_not_found');
  if (!ws.isMember(channel, userId)) throw new ApiError('user_not_in_channel');
  ws.checkContent({ text: args.text, blocks: args.blocks, attachments: args.attachments });
  const threadTs = args.thread_ts === undefined || args.thread_ts === '' ? undefined : args.thread_ts;
  const parent = threadTs === undefined ? undefined : ws.threadParent(channel.id, threadTs);
  const message = ws.postEphemeral(channel.id, userId, {
    ...content(args),
    ...(parent ? { threadTs: parent.ts } : {}),
  });
  return { message_ts: message.ts };
};

const deleteMessage: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel);
  const ts = str(args.ts);
  const existing = ts === undefined ? undefined : ws.message(channel.id, ts);
  if (!existing || ts === undefined || existing.subtype === 'tombstone') throw new ApiError('message_not_found');
  if (existing.bot_id !== ws.config.botId) throw new ApiError('cant_delete_message');
  ws.deleteMessage(channel.id, ts);
  return { channel: channel.id, ts };
};

const getPermalink: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel);
  const ts = str(args.message_ts);
  const message = ts === undefined ? undefined : ws.message(channel.id, ts);
  if (!message || ts === undefined) throw new ApiError('message_not_found');
  const base = `https://${ws.config.teamDomain}.slack.com/archives/${channel.id}/p${ts.replace('.', '')}`;
  const isReply = message.thread_ts !== undefined && message.thread_ts !== message.ts;
  return {
    channel: channel.id,
    permalink: isReply ? `${base}?thread_ts=${message.thread_ts}&cid=${channel.id}` : base,
  };
};

const replies: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel);
  const ts = required(args, 'ts');
  ws.countHistoryCall();
  const target = ws.message(channel.id, ts);
  if (!target) throw new ApiError('thread_not_found');
  const parentTs = target.thread_ts ?? target.ts;
  const [parent, ...allReplies] = ws.thread(channel.id, parentTs);
  if (!parent) throw new ApiError('thread_not_found');

  const cap = ws.config.historyLimit ?? 999;
  const defaultLimit = ws.config.historyLimit ?? 100;
  const asked = int(args, 'limit');
  const limit = asked === undefined || asked <= 0 ? defaultLimit : Math.min(asked, cap);

  const oldest = str(args.oldest);
  const latest = str(args.latest);
  const inclusive = bool(args.inclusive);
  const inRange = (message: SlackMessage) => {
    const value = Number(message.ts);
    if (oldest !== undefined && (inclusive ? value < Number(oldest) : value <= Number(oldest))) return false;
    if (latest !== undefined && (inclusive ? value > Number(latest) : value >= Number(latest))) return false;
    return true;
  };
  const candidates = allReplies.filter(inRange);

  const cursor = str(args.cursor);
  let page: SlackMessage[];
  let rest: SlackMessage[];
  if (cursor === undefined || cursor === '') {
    // The first page counts the parent within the limit.
    page = [parent, ...candidates.slice(0, Math.max(0, limit - 1))];
    rest = candidates.slice(Math.max(0, limit - 1));
  } else {
    const from = decodeCursor(cursor);
    if (from === null) throw new ApiError('invalid_cursor');
    const start = candidates.findIndex((message) => Number(message.ts) >= Number(from));
    const remaining = start < 0 ? [] : candidates.slice(start);
    const chunk = remaining.slice(0, limit);
    // Slack repeats the parent at the top of later pages; callers must de-duplicate by ts.
    page = ws.config.repliesParentOnEveryPage ? [parent, ...chunk] : chunk;
    rest = remaining.slice(limit);
  }
  const next = rest[0];
  return {
    messages: structuredClone(page),
    has_more: next !== undefined,
    ...(next === undefined ? {} : { response_metadata: { next_cursor: encodeCursor(next.ts) } }),
  };
};

const conversationsInfo: MethodHandler = (ws, args) => {
  const id = str(args.channel);
  const channel = id === undefined ? undefined : ws.channel(id);
  // A DM is read with im:read, which the app does not ask for (manifest.yml): Slack answers missing_scope.
  if (channel?.imUser) throw new ApiError('missing_scope');
  if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new ApiError('channel_not_found');
  return {
    channel: {
      id: channel.id,
      name: channel.name,
      name_normalized: channel.name,
      is_channel: !channel.isPrivate,
      is_group: channel.isPrivate,
      is_im: false,
      is_mpim: false,
      is_private: channel.isPrivate,
      is_archived: false,
      is_general: false,
      is_shared: channel.isExtShared,
      is_ext_shared: channel.isExtShared,
      is_org_shared: false,
      is_pending_ext_shared: false,
      is_member: channel.botIsMember,
      context_team_id: ws.config.teamId,
      created: channel.created,
      creator: '',
      unlinked: 0,
      ...(channel.members === null ? {} : { num_members: channel.members.size + (channel.botIsMember ? 1 : 0) }),
    },
  };
};

const usersInfo: MethodHandler = (ws, args) => {
  const id = str(args.user);
  if (id === ws.config.botUserId) {
    return {
      user: {
        id,
        team_id: ws.config.teamId,
        name: ws.config.botName,
        deleted: false,
        real_name: ws.config.botName,
        is_bot: true,
        is_app_user: false,
        updated: 0,
        profile: { real_name: ws.config.botName, display_name: '', bot_id: ws.config.botId, team: ws.config.teamId },
      },
    };
  }
  const user = id === undefined ? undefined : ws.user(id);
  if (!user) throw new ApiError('user_not_found');
  const team = ws.teamOf(user);
  const realName = user.realName ?? user.name;
  const images = {
    image_24: `https://fake-slack.example/avatars/${user.id}_24.png`,
    image_48: `https://fake-slack.example/avatars/${user.id}_48.png`,
    image_72: `https://fake-slack.example/avatars/${user.id}_72.png`,
  };
  if (ws.isExternal(user)) {
    // Slack Connect: another organisation's member shows name and photo only.
    return {
      user: {
        id: user.id,
        team_id: team,
        name: user.name,
        deleted: false,
        real_name: realName,
        is_bot: user.isBot === true,
        is_stranger: false,
        profile: { real_name: realName, display_name: user.name, team, ...images },
      },
    };
  }
  return {
    user: {
      id: user.id,
      team_id: team,
      name: user.name,
      deleted: false,
      color: '9f69e7',
      real_name: realName,
      tz: 'Europe/London',
      tz_label: 'Greenwich Mean Time',
      tz_offset: 0,
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: user.isBot === true,
      is_app_user: false,
      updated: 1_700_000_000,
      is_email_confirmed: user.email !== undefined,
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: user.name,
        display_name_normalized: user.name,
        team,
        ...(user.email === undefined ? {} : { email: user.email }),
        ...images,
      },
    },
  };
};

const viewsOpen: MethodHandler = (ws, args) => {
  const view = ws.checkView(args.view);
  const trigger = ws.consumeTrigger(args.trigger_id ?? args.interactivity_pointer);
  return { view: ws.openView(view, trigger.user) };
};

const viewsUpdate: MethodHandler = (ws, args) => {
  const record = ws.findView({ viewId: args.view_id, externalId: args.external_id });
  const hash = str(args.hash);
  if (hash !== undefined && hash !== '' && hash !== record.view.hash) throw new ApiError('hash_conflict');
  const input = ws.checkView(args.view, record.view.id);
  return { view: ws.updateView(record, input) };
};

const viewsPush: MethodHandler = (ws, args) => {
  const view = ws.checkView(args.view);
  const trigger = ws.consumeTrigger(args.trigger_id ?? args.interactivity_pointer);
  if (trigger.viewId === undefined) {
    throw new ApiError('invalid_arguments', [
      '[ERROR] fake Slack: trigger_id did not come from an interaction in an open modal [json-pointer:/trigger_id]',
    ]);
  }
  const stack = ws.stackOf(trigger.viewId);
  return { view: ws.pushView(view, stack.at(-1) ?? trigger.viewId) };
};

const viewsPublish: MethodHandler = (ws, args) => ({ view: ws.publishHome(args.user_id, args.view, str(args.hash)) });

/**
 * `loading_messages`: 1 to 10 strings of 1 to 50 characters, rotated while the status shows (Slack's schema for
 * assistant.threads.setStatus: minItems 1, maxItems 10, items minLength 1, maxLength 50).
 */
function loadingMessages(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const pointer = '/loading_messages';
  const fail = (message: string, at = pointer) => {
    throw new ApiError('invalid_arguments', [`[ERROR] ${message} [json-pointer:${at}]`]);
  };
  if (!Array.isArray(value)) return fail('must be an array');
  if (value.length > 10) fail('no more than 10 items allowed');
  if (value.length < 1) fail('must provide at least 1 items');
  value.forEach((item, index) => {
    if (typeof item !== 'string') fail('must be a string', `${pointer}/${index}`);
    else if (item.length < 1) fail('must be more than 0 characters', `${pointer}/${index}`);
    else if (item.length > 50) fail('must be less than 51 characters', `${pointer}/${index}`);
  });
  return value as string[];
}

const setStatus: MethodHandler = (ws, args) => {
  const channel = ws.botChannel(args.channel_id);
  const threadTs = required(args, 'thread_ts');
  if (args.status === undefined) {
    throw new ApiError('invalid_arguments', ['[ERROR] missing required field: status [json-pointer:/status]']);
  }
  const loading = loadingMessages(args.loading_messages);
  ws.setStatus(channel.id, threadTs, str(args.status) ?? '', loading);
  return {};
};

/**
 * The assistant thread a setSuggestedPrompts / setTitle call names: the app's DM with the person, and a thread the
 * person opened in the assistant pane. Elsewhere Slack answers `channel_not_found` (a conversation that is not an
 * assistant DM) or `invalid_thread_ts` ("Thread not found"), the errors the methods document
 * (docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts, …setTitle); which of the two Slack
 * picks for a plain DM thread is not documented [inf].
 */
function assistantThreadOf(ws: Workspace, args: SlackObject) {
  const channel = ws.botChannel(args.channel_id);
  if (!channel.imUser) throw new ApiError('channel_not_found');
  const threadTs = required(args, 'thread_ts');
  const thread = ws.assistantThread(channel.id, threadTs);
  if (!thread) throw new ApiError('invalid_thread_ts');
  return thread;
}

/** Up to four prompts, each with a non-empty `title` and `message` (the method page: "up to four suggested prompts"). */
const setSuggestedPrompts: MethodHandler = (ws, args) => {
  const thread = assistantThreadOf(ws, args);
  const fail = (message: string, at: string) => {
    throw new ApiError('invalid_arguments', [`[ERROR] ${message} [json-pointer:${at}]`]);
  };
  const prompts = args.prompts;
  if (prompts === undefined) fail('missing required field: prompts', '/prompts');
  if (!Array.isArray(prompts)) return fail('must be an array', '/prompts');
  if (prompts.length < 1) fail('must provide at least 1 items', '/prompts');
  if (prompts.length > 4) fail('no more than 4 items allowed', '/prompts');
  const read = prompts.map((prompt, index) => {
    const entry = (typeof prompt === 'object' && prompt !== null ? prompt : {}) as SlackObject;
    for (const field of ['title', 'message']) {
      if (typeof entry[field] !== 'string' || entry[field] === '') {
        fail(`missing required field: ${field}`, `/prompts/${index}/${field}`);
      }
    }
    return { title: String(entry.title), message: String(entry.message) };
  });
  if (args.title !== undefined && typeof args.title !== 'string') fail('must be a string', '/title');
  thread.prompts = read;
  thread.promptsTitle = str(args.title) ?? null;
  return {};
};

const setTitle: MethodHandler = (ws, args) => {
  const thread = assistantThreadOf(ws, args);
  thread.title = required(args, 'title');
  return {};
};

const getUploadUrl: MethodHandler = (ws, args) => {
  const filename = required(args, 'filename');
  const length = int(args, 'length');
  if (length === undefined || length < 1) {
    throw new ApiError('invalid_arguments', ['[ERROR] length must be a positive integer [json-pointer:/length]']);
  }
  const altText = str(args.alt_txt);
  if (altText !== undefined && altText.length > 1000) {
    throw new ApiError('invalid_arguments', ['[ERROR] must be less than 1001 characters [json-pointer:/alt_txt]']);
  }
  const { uploadUrl, fileId } = ws.startUpload(filename, length, altText);
  return { upload_url: uploadUrl, file_id: fileId };
};

const completeUpload: MethodHandler = (ws, args) => {
  const files = args.files;
  if (!Array.isArray(files) || files.length === 0) {
    throw new ApiError('invalid_arguments', ['[ERROR] files must be a non-empty JSON array [json-pointer:/files]']);
  }
  const records = files.map((entry, index) => {
    const id = typeof entry === 'object' && entry !== null ? (entry as SlackObject).id : undefined;
    const record = typeof id === 'string' ? ws.upload(id) : undefined;
    if (!record || record.bytes === null || record.completed) throw new ApiError('file_not_found');
    const title = (entry as SlackObject).title;
    if (title !== undefined && typeof title !== 'string') {
      throw new ApiError('invalid_arguments', [`[ERROR] must be a string [json-pointer:/files/${index}/title]`]);
    }
    return { record, title };
  });
  const channelId = str(args.channel_id) ?? str(args.channels);
  const threadTs = str(args.thread_ts);
  if (threadTs !== undefined && channelId === undefined) {
    throw new ApiError('invalid_arguments', ['[ERROR] thread_ts needs channel_id [json-pointer:/thread_ts]']);
  }
  const channel =
    channelId === undefined
      ? undefined
      : ws.botChannel(channelId, { notFound: 'invalid_channel', notMember: 'posting_to_channel_denied' });
  const parent = channel && threadTs !== undefined ? ws.threadParent(channel.id, threadTs) : undefined;
  const initialComment = str(args.initial_comment);
  if (initialComment !== undefined && initialComment.length > 40_000) throw new ApiError('msg_too_long');
  if (args.blocks !== undefined) ws.checkContent({ blocks: args.blocks, text: initialComment });
  for (const { record, title } of records) record.title = title ?? record.filename;
  ws.completeUpload(
    records.map(({ record }) => record),
    {
      text: initialComment ?? '',
      ...(channel ? { channel } : {}),
      ...(parent ? { threadTs: parent.ts } : {}),
      ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
    },
  );
  return { files: records.map(({ record }) => ({ id: record.id, title: record.title })) };
};

export const METHODS: Readonly<Record<string, MethodHandler>> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': deleteMessage,
  'chat.getPermalink': getPermalink,
  'conversations.replies': replies,
  'conversations.info': conversationsInfo,
  'users.info': usersInfo,
  'views.open': viewsOpen,
  'views.update': viewsUpdate,
  'views.push': viewsPush,
  'views.publish': viewsPublish,
  'chat.startStream': startStream,
  'chat.appendStream': appendStream,
  'chat.stopStream': stopStream,
  'assistant.threads.setStatus': setStatus,
  'assistant.threads.setSuggestedPrompts': setSuggestedPrompts,
  'assistant.threads.setTitle': setTitle,
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
