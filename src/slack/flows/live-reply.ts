import { isDomainError } from '../../domain/errors.js';
import {
  type AgentEvent,
  type AgentMessage,
  type ExecutedCommand,
  emptyMessageData,
  eventsOfReply,
  type MessageData,
} from '../../domain/messages.js';
import type { AgentEventListener } from '../../domain/ports.js';
import { createStreamedText, type StreamedText } from '../../domain/streamed-text.js';
import type { TicketLink } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { buildAgentReply } from '../blocks/agent-reply.js';
import { buildProgressPlaceholder } from '../blocks/notice.js';
import { streamMarkdown } from '../text/stream-markdown.js';
import type { StreamRecipient } from '../web/thread-poster.js';
import { type AfterSendFailure, inTheHelpDesk } from './after-send.js';
import { postOutputs, postProposals } from './command-cards.js';
import type { SlackDeps } from './deps.js';

/**
 * One agent turn shown in its thread as it happens (issue 13), from the events the portal tells (a unary reply is
 * told as a short turn, so there is one path):
 * - `intermittent_update`: the thread status shows what the agent is doing (coalesced, at most once a second);
 * - `text_delta`: the text is streamed into a message (chat.startStream on the first settled text, appendStream in
 *   batches that share Slack's per-minute budget, docs/slack-platform.md §8); only settled, redacted text is
 *   streamed (domain/streamed-text.ts), neutralised like any mrkdwn (text/stream-markdown.ts); when the text ends,
 *   the stream is stopped and the message replaced by the formatted reply a posted answer gets;
 * - `commands` (and tool calls, approvals): the command card is posted as soon as they arrive, after the text
 *   before them;
 * - `executed_commands`: each output is posted as it comes (redacted, long ones as files);
 * - `done`: everything is final; `error` or a turn that stops short: the text so far stays, and the caller says
 *   what failed.
 * Where Slack will not stream (refused, a placeholder instead of a status line, streaming switched off, its
 * budget spent), the text is posted once when it ends. Nothing here throws: what Slack or the store refused is
 * returned as after-send failures.
 */
export interface LiveReply {
  /** The agent answering. */
  readonly agentName: string;
  /** Told each event of the turn; returns at once (the portal's stream is never held up by Slack). */
  readonly onEvent: AgentEventListener;
  /** The turn ended with `reply`: waits until all of it is shown and returns what could not be. */
  finish(reply: AgentMessage): Promise<AfterSendFailure[]>;
  /**
   * The turn failed. What was shown stays (the text so far is made final, never posted again); `shown` says
   * whether anything of the answer reached the thread.
   */
  fail(error: unknown): Promise<{ readonly shown: boolean; readonly failures: AfterSendFailure[] }>;
}

export interface LiveReplyInput {
  readonly link: TicketLink;
  /** The person the turn answers: Slack streams into a channel on their behalf. */
  readonly recipient: StreamRecipient;
  /**
   * What the caller shows while the agent works, once shown: a placeholder message to put the first text in (where
   * the thread has no status line), or the status line, which the turn clears when it ends.
   */
  readonly progress?: Promise<{ readonly placeholderTs: string | null } | null>;
}

/** Slack refusals that mean this conversation cannot stream (another may). */
const ConversationRefusals = new Set(['channel_type_not_supported', 'not_allowed', 'restricted_action']);
/** Slack refusals that mean this app cannot stream here at all. */
const WorkspaceRefusals = new Set([
  'unknown_method',
  'method_deprecated',
  'missing_scope',
  'not_allowed_token_type',
  'feature_not_enabled',
  'team_not_enabled',
  'invalid_arguments',
  'missing_recipient_team_id',
  'missing_recipient_user_id',
]);
/** Slack says the message no longer streams (it expired, or was deleted): the rest shows when the text ends. */
const StreamGone = new Set([
  'message_not_in_streaming_state',
  'message_not_found',
  'msg_too_long',
  'streaming_state_conflict',
]);

const slackCodeOf = (error: unknown): string =>
  isDomainError(error) ? String(error.details.slackError ?? error.code) : 'unknown';

type Proposals = Pick<MessageData, 'cmds' | 'tool_calls' | 'approvals'>;

/** One message of text: streamed while it is written, made final when something else (or the end) comes. */
interface Segment {
  readonly text: StreamedText;
  /** The message, once Slack has one (a stream, or the placeholder). */
  ts: string | null;
  /** 'streaming': appended to; 'held': shown only when it ends; 'stopped': a stream ended early, final at the end. */
  mode: 'waiting' | 'streaming' | 'held' | 'stopped';
  startedAt: number;
  lastAppendAt: number;
  /** Settled text not yet appended, neutralised. */
  pending: string;
  streamedChars: number;
  closeBudget: () => void;
  renewTimer: ReturnType<typeof setInterval> | null;
}

export function openLiveReply(deps: SlackDeps, log: Logger, input: LiveReplyInput): LiveReply {
  const { link, recipient } = input;
  const { thread } = link;
  const live = deps.live;
  const options = live.options;
  const now = () => Date.now();
  const failures: AfterSendFailure[] = [];
  const queue: AgentEvent[] = [];
  let wake: (() => void) | null = null;
  let told = 0;
  let ended: { readonly failed: boolean } | null = null;
  let placeholderTs: string | null = null;
  /** Progress goes into a placeholder message (the thread has no status line). */
  let usesPlaceholder = false;
  let segment: Segment | null = null;
  let proposals: Proposals = { cmds: [], tool_calls: [], approvals: [] };
  let outputsShown = 0;
  let anythingShown = false;
  /** The turn had text, outputs or proposals (shown or not): a turn with none says the agent sent no text. */
  let hadContent = false;
  let statusShown = false;
  const status = createStatus();

  const onEvent: AgentEventListener = (event) => {
    if (ended) return;
    told += 1;
    queue.push(event);
    wake?.();
  };

  const end = (failed: boolean) => {
    if (!ended) ended = { failed };
    wake?.();
  };

  // The turn's loop, after every earlier turn of this thread was shown.
  const shown = live.inTurn(thread, async () => {
    try {
      const progress = await input.progress;
      placeholderTs = progress?.placeholderTs ?? null;
      usesPlaceholder = placeholderTs !== null;
      statusShown = progress !== undefined && progress !== null && !usesPlaceholder;
      await loop();
    } catch (error) {
      log.error({ err: error }, 'showing the agent’s turn failed');
    } finally {
      await status.settle();
      if (statusShown) await deps.poster.setStatus(thread, '').catch(() => false);
    }
  });

  async function loop(): Promise<void> {
    for (;;) {
      while (queue.length > 0) {
        const event = queue.shift() as AgentEvent;
        await handle(event);
        if (event.type === 'done' || event.type === 'error') {
          queue.length = 0;
          ended ??= { failed: event.type === 'error' };
        }
      }
      if (ended) break;
      // Events told one after another without I/O between them (a unary reply told as a turn) all arrive before
      // this: such a turn is posted once, never streamed.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (queue.length > 0 || ended) continue;
      // Idle: the events so far are handled. Show settled text now, or when the stream may append next.
      const waitMs = await flushText(false);
      await new Promise<void>((resolve) => {
        wake = resolve;
        const timer = waitMs === null ? null : setTimeout(resolve, waitMs);
        timer?.unref?.();
        if (queue.length > 0 || ended) resolve();
      }).finally(() => {
        wake = null;
      });
    }
    await closeProposals();
    await closeSegment();
    if (!ended?.failed && !hadContent) await postText('');
  }

  async function handle(event: AgentEvent): Promise<void> {
    if (
      (event.type === 'text_delta' && event.text !== '') ||
      (event.type === 'commands' && event.commands.length > 0) ||
      ((event.type === 'tool_calls' || event.type === 'approvals') && event.items.length > 0) ||
      (event.type === 'executed_commands' && event.executed.length > 0)
    ) {
      hadContent = true;
    }
    switch (event.type) {
      case 'text_delta':
        if (event.text === '') return;
        await closeProposals();
        segment ??= newSegment();
        segment.text.append(event.text);
        return;
      case 'intermittent_update':
        statusShown = status.show(event.text) || statusShown;
        return;
      case 'commands':
        proposals = { ...proposals, cmds: [...proposals.cmds, ...event.commands] };
        return;
      case 'tool_calls':
      case 'approvals':
        proposals = { ...proposals, [event.type]: [...proposals[event.type], ...event.items] };
        return;
      case 'executed_commands':
        await closeProposals();
        await closeSegment();
        await showOutputs(event.executed);
        return;
      default:
        return;
    }
  }

  function newSegment(): Segment {
    return {
      text: createStreamedText(deps.redactor),
      ts: null,
      mode: 'waiting',
      startedAt: now(),
      lastAppendAt: 0,
      pending: '',
      streamedChars: 0,
      closeBudget: () => undefined,
      renewTimer: null,
    };
  }

  const canStream = (): boolean =>
    options.streaming && placeholderTs === null && !live.refused(thread) && recipient.userId !== '';

  /**
   * Streams what settled of the current text. Returns when to try again (ms), or null when nothing waits. With
   * `last`, nothing is started: the text is about to be made final anyway.
   */
  async function flushText(last: boolean): Promise<number | null> {
    const current = segment;
    if (!current || current.mode === 'held' || current.mode === 'stopped') return null;
    const fresh = current.text.settle();
    if (current.text.withdrawn) {
      log.warn({ channelId: thread.channelId }, 'streamed text turned out to hold a secret; replacing it now');
      await withdraw(current);
      return null;
    }
    current.pending += streamMarkdown(fresh);
    if (current.pending === '' || last) return null;
    if (current.mode === 'waiting') {
      if (!canStream()) {
        current.mode = 'held';
        return null;
      }
      await startStream(current);
      return null;
    }
    const interval = live.budget.appendIntervalMs();
    const dueIn = current.lastAppendAt + interval - now();
    if (dueIn > 0) return dueIn;
    if (now() - current.startedAt > options.maxStreamAgeMs) {
      await stopEarly(current, 'the stream is about to expire');
      return null;
    }
    if (current.streamedChars + current.pending.length > options.maxStreamChars) {
      await stopEarly(current, 'the streamed text reached Slack’s limit');
      return null;
    }
    if (!(await live.budget.take('chat.appendStream', 0))) return Math.max(interval / 2, 250);
    const text = current.pending;
    current.pending = '';
    current.lastAppendAt = now();
    try {
      await deps.poster.appendStream(thread.channelId, current.ts as string, text);
      current.streamedChars += text.length;
    } catch (error) {
      const code = slackCodeOf(error);
      log.warn(
        { err: error, slackError: code },
        'Slack refused an append to a streamed reply; the rest shows at the end',
      );
      current.mode = 'stopped';
      if (!StreamGone.has(code)) await stopStream(current);
    }
    return null;
  }

  async function startStream(current: Segment): Promise<void> {
    if (!(await live.budget.take('chat.startStream', 1_000))) {
      log.info(
        { channelId: thread.channelId },
        'the streaming budget is spent this minute; the reply shows when it ends',
      );
      current.mode = 'held';
      return;
    }
    const text = current.pending;
    try {
      current.ts = await deps.poster.startStream(thread, recipient, text);
    } catch (error) {
      const code = slackCodeOf(error);
      if (ConversationRefusals.has(code)) live.refuse(thread, 'conversation');
      else if (WorkspaceRefusals.has(code)) live.refuse(thread, 'workspace');
      log.warn({ err: error, slackError: code }, 'Slack would not stream the reply here; it is posted when it ends');
      deps.metrics.streamedReplies.inc({ outcome: 'refused' });
      current.mode = 'held';
      return;
    }
    current.pending = '';
    current.mode = 'streaming';
    current.startedAt = now();
    current.lastAppendAt = now();
    current.streamedChars = text.length;
    current.closeBudget = live.budget.open();
    anythingShown = true;
    deps.metrics.streamedReplies.inc({ outcome: 'started' });
    const ts = current.ts;
    await deps.streams
      .opened({ thread, messageTs: ts, agentName: link.agentName, owner: options.instanceId })
      .catch((error: unknown) => log.warn({ err: error }, 'could not record an open stream'));
    current.renewTimer = setInterval(() => {
      void deps.streams.stillWriting(thread.channelId, ts).catch(() => undefined);
    }, options.renewEveryMs);
    current.renewTimer.unref?.();
  }

  /** Ends the stream (its text stays); the whole text replaces it when the segment ends. */
  async function stopStream(current: Segment): Promise<void> {
    if (current.renewTimer) clearInterval(current.renewTimer);
    current.renewTimer = null;
    current.closeBudget();
    if (!current.ts) return;
    // A stop may wait for the budget: a message left streaming cannot be updated.
    await live.budget.take('chat.stopStream', 60_000);
    try {
      await deps.poster.stopStream(thread.channelId, current.ts);
    } catch (error) {
      const code = slackCodeOf(error);
      if (!StreamGone.has(code)) log.warn({ err: error, slackError: code }, 'could not stop a streamed reply');
    }
    await deps.streams.closed(thread.channelId, current.ts).catch(() => undefined);
  }

  async function stopEarly(current: Segment, why: string): Promise<void> {
    log.info({ channelId: thread.channelId, why }, 'streaming stopped early; the rest of the reply shows when it ends');
    current.mode = 'stopped';
    deps.metrics.streamedReplies.inc({ outcome: 'stopped_early' });
    await stopStream(current);
  }

  /** Text already streamed turned out to hold a secret (a later piece changed its redaction): replace it at once. */
  async function withdraw(current: Segment): Promise<void> {
    const wasStreaming = current.mode === 'streaming';
    deps.metrics.streamedReplies.inc({ outcome: 'withdrawn' });
    current.mode = 'held';
    if (!wasStreaming || !current.ts) return;
    await stopStream(current);
    current.mode = 'stopped';
    await showFinal(current, current.text.whole());
  }

  /** Makes the current text final: the formatted reply replaces the stream (or is posted). */
  async function closeSegment(): Promise<void> {
    const current = segment;
    segment = null;
    if (!current) return;
    await flushText(true);
    const whole = current.text.whole();
    if (current.mode === 'streaming') {
      await stopStream(current);
      deps.metrics.streamedReplies.inc({ outcome: 'final' });
    }
    if (whole.trim() === '' && !current.ts) return;
    await showFinal(current, whole);
  }

  async function showFinal(current: Segment, whole: string): Promise<void> {
    const post = buildAgentReply(link.agentName, whole, { trustedHosts: trustedHostsFor(deps, link) });
    const message = post.kind === 'message' ? post.message : post.summary;
    const readIt = `Read it on the ticket ${inTheHelpDesk(deps, link)}.`;
    let answered = false;
    try {
      if (current.ts) await deps.poster.update(thread.channelId, current.ts, message);
      else if (placeholderTs) {
        const placeholder = placeholderTs;
        placeholderTs = null;
        await status.settle();
        await deps.poster.update(thread.channelId, placeholder, message);
        current.ts = placeholder;
      } else current.ts = await deps.poster.post(thread, message);
      answered = true;
      anythingShown = true;
      if (post.kind === 'file') {
        await deps.poster.uploadText(thread, {
          filename: post.filename,
          title: `Reply from ${link.agentName}`,
          content: post.content,
        });
      }
    } catch (error) {
      failures.push({
        what: answered ? 'the file with the agent’s whole answer' : AgentAnswerWords,
        failed: 'shown',
        error,
        advice: readIt,
      });
    }
  }

  /** A reply with no text at all (and nothing else shown): say so, as a posted reply does. */
  async function postText(text: string): Promise<void> {
    const current = newSegment();
    current.text.append(text);
    await showFinal(current, current.text.whole());
  }

  async function closeProposals(): Promise<void> {
    if (proposals.cmds.length + proposals.tool_calls.length + proposals.approvals.length === 0) return;
    const proposed = proposals;
    proposals = { cmds: [], tool_calls: [], approvals: [] };
    await closeSegment();
    const reply: AgentMessage = { role: 'assistant', content: '', data: { ...emptyMessageData(), ...proposed } };
    const refused = await postProposals(deps, link, reply);
    failures.push(...refused);
    if (refused.length === 0) anythingShown = true;
  }

  async function showOutputs(executed: readonly ExecutedCommand[]): Promise<void> {
    if (executed.length === 0) return;
    try {
      await postOutputs(deps, link, executed, outputsShown);
      anythingShown = true;
    } catch (error) {
      failures.push({
        what: 'some command outputs',
        failed: 'shown',
        error,
        advice: `Read them on the ticket ${inTheHelpDesk(deps, link)}.`,
      });
    } finally {
      outputsShown += executed.length;
    }
  }

  /**
   * The agent's latest progress update, at most once per `statusEveryMs`: in the thread status line, or in the
   * placeholder message where the thread has none (until the answer takes the placeholder's place).
   */
  function createStatus() {
    let latest: string | null = null;
    let lastAt = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let sending: Promise<unknown> = Promise.resolve();
    let available = true;
    const recent: string[] = [];
    const send = () => {
      timer = null;
      if (latest === null || !available) return;
      const words = latest;
      latest = null;
      lastAt = now();
      sending = sending.then(async () => {
        if (usesPlaceholder) {
          if (placeholderTs === null) return;
          await deps.poster
            .update(thread.channelId, placeholderTs, buildProgressPlaceholder(link.agentName, words))
            .catch((error: unknown) => log.debug({ err: error }, 'could not show progress in the placeholder'));
          return;
        }
        available = await deps.poster.setStatus(thread, words, recent.slice(-10));
      });
    };
    return {
      /** Shows an update; true when a status line is (being) shown. */
      show(text: string): boolean {
        if (!available || (usesPlaceholder && placeholderTs === null)) return false;
        const words = statusWords(deps.redactor.redact(text).text);
        if (words === '') return false;
        latest = words;
        const brief = Array.from(words).slice(0, 50).join('');
        if (recent.at(-1) !== brief) recent.push(brief);
        if (recent.length > 10) recent.shift();
        if (timer) return !usesPlaceholder;
        const dueIn = lastAt + options.statusEveryMs * (usesPlaceholder ? 2 : 1) - now();
        if (dueIn <= 0) send();
        else {
          timer = setTimeout(send, dueIn);
          timer.unref?.();
        }
        return !usesPlaceholder;
      },
      /** Stops showing updates; waits for one being shown. */
      async settle(): Promise<void> {
        if (timer) clearTimeout(timer);
        timer = null;
        latest = null;
        await sending.catch(() => undefined);
      },
    };
  }

  // A turn its caller never ended (a bug, or a failure between the send and the answer) must not hold up the
  // thread's later turns for ever.
  const abandon = setTimeout(() => {
    if (!ended) log.warn({ channelId: thread.channelId }, 'a live reply was never finished; closing it');
    end(true);
  }, options.abandonAfterMs);
  abandon.unref?.();
  void shown.then(() => clearTimeout(abandon));

  return {
    agentName: link.agentName,
    onEvent,

    async finish(reply) {
      if (told === 0) for (const event of eventsOfReply(reply)) onEvent(event);
      end(false);
      await shown;
      return failures;
    },

    async fail(error) {
      log.debug({ code: isDomainError(error) ? error.code : 'unknown' }, 'the agent’s turn failed; closing it');
      end(true);
      await shown;
      return { shown: anythingShown, failures };
    },
  };
}

/**
 * Hosts whose links in an agent's answer may show by their label alone: the thread's own portal (where the ticket
 * is). Every other link shows its target (blocks/agent-reply.ts).
 */
export function trustedHostsFor(
  deps: Pick<SlackDeps, 'tickets'>,
  link: Pick<TicketLink, 'portal' | 'spaceId' | 'ticketName'>,
): string[] {
  try {
    return [new URL(deps.tickets.ticketUrl(link)).host];
  } catch {
    return [];
  }
}

/** The status line: one line of the agent's progress, short. */
export function statusWords(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  return chars.length <= 100 ? line : `${chars.slice(0, 99).join('')}…`;
}

/** What the live reply calls the agent's answer when Slack did not take it. */
export const AgentAnswerWords = 'the agent’s answer';
