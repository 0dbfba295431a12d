import { type WebClient, WebClientEvent } from '@slack/web-api';
import { DomainError } from '../../domain/errors.js';
import type { ThreadRef } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { wellFormed, wellFormedDeep } from '../../well-formed.js';
import type { MessageContent } from '../blocks/message.js';
import { createChannelPacer } from './channel-pacer.js';

/**
 * Everything the service posts into threads goes through here: one place that paces messages per channel to
 * Slack's ~1 message/second (short bursts allowed), makes every text well-formed (a lone surrogate in an agent's
 * answer becomes U+FFFD), turns Slack errors into coded errors, and records metrics.
 */
export interface ThreadPoster {
  post(thread: ThreadRef, content: MessageContent): Promise<string>;
  update(channelId: string, ts: string, content: MessageContent): Promise<void>;
  ephemeral(thread: ThreadRef, userId: string, content: MessageContent): Promise<void>;
  /**
   * Shows "<status>" under the thread (assistant.threads.setStatus), with `loadingMessages` rotating in it when
   * given (1–10 of at most 50 characters, docs/slack-platform.md §8); false when Slack does not allow it here.
   */
  setStatus(thread: ThreadRef, status: string, loadingMessages?: readonly string[]): Promise<boolean>;
  uploadText(
    thread: ThreadRef,
    file: { filename: string; content: string; title: string; initialComment?: string },
  ): Promise<void>;
  /**
   * Starts a message written as it streams (chat.startStream, docs/slack-platform.md §8), paced like a post; in a
   * channel Slack needs the person it answers (`recipient`). Returns the message's ts.
   */
  startStream(thread: ThreadRef, recipient: StreamRecipient, markdownText: string): Promise<string>;
  appendStream(channelId: string, ts: string, markdownText: string): Promise<void>;
  /** Ends a stream; `markdownText`, when given, is its last words. */
  stopStream(channelId: string, ts: string, markdownText?: string): Promise<void>;
}

/** The person a streamed reply answers: Slack shows the stream to the channel on their behalf. */
export interface StreamRecipient {
  readonly userId: string;
  readonly teamId: string;
}

const slackErrorCodes: Record<string, DomainError['code']> = {
  not_in_channel: 'slack.not_in_channel',
  channel_not_found: 'slack.channel_not_found',
  is_archived: 'slack.channel_not_found',
  invalid_blocks: 'slack.invalid_blocks',
  msg_blocks_too_long: 'slack.invalid_blocks',
  msg_too_long: 'slack.invalid_blocks',
  expired_trigger_id: 'slack.expired_trigger',
  ratelimited: 'slack.rate_limited',
};

/** A coded error for a failed Web API call, keeping Slack's error name (never the token) in details. */
export function slackError(method: string, error: unknown): DomainError {
  const data = (error as { data?: { error?: unknown; response_metadata?: { messages?: unknown } } }).data;
  const slackCode = typeof data?.error === 'string' ? data.error : undefined;
  const code = (slackCode && slackErrorCodes[slackCode]) || 'slack.failed';
  const messages = Array.isArray(data?.response_metadata?.messages)
    ? (data.response_metadata.messages as unknown[]).filter((entry) => typeof entry === 'string').join('; ')
    : '';
  return new DomainError(
    code,
    `Slack ${method} failed: ${slackCode ?? (error as Error)?.message ?? 'unknown error'}`,
    {
      method,
      ...(slackCode ? { slackError: slackCode } : {}),
      ...(messages ? { slackMessages: messages.slice(0, 500) } : {}),
    },
    { cause: error },
  );
}

export function createThreadPoster({
  client,
  logger,
  metrics,
  perChannelPerSecond = 1,
  // Two at once (a ticket card and the agent's reply), then one a second: no second ever carries more than three.
  burst = 2,
}: {
  client: WebClient;
  logger: Logger;
  metrics: Metrics;
  perChannelPerSecond?: number;
  burst?: number;
}): ThreadPoster {
  const pacer = createChannelPacer({ perSecond: perChannelPerSecond, burst });

  // A 429 is handled once, by the Web API client's own retry policy (service.ts, WebClientOptions.retryConfig): it
  // waits Retry-After (holding the client's queue meanwhile) and sends the call again. A post waits inside its
  // channel's pacer queue all that time, so later messages to that channel wait too and keep their order. Each
  // refusal is counted and logged here, as the client reports it.
  client.on(WebClientEvent.RATE_LIMITED, (retryAfterSeconds: number, { url }: { url: string }) => {
    const method = url.slice(url.lastIndexOf('/') + 1);
    metrics.slackApiCalls.inc({ method, outcome: 'ratelimited' });
    logger.warn(
      { method, retryAfterMs: retryAfterSeconds * 1000 },
      'Slack rate limited a call; the Web API client retries it after Retry-After',
    );
  });

  const call = async <T>(method: string, work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      metrics.slackApiCalls.inc({ method, outcome: 'ok' });
      return result;
    } catch (error) {
      const coded = slackError(method, error);
      metrics.slackApiCalls.inc({ method, outcome: String(coded.details.slackError ?? coded.code) });
      throw coded;
    }
  };

  return {
    post(thread, given) {
      const content = wellFormedDeep(given);
      return pacer.run(thread.channelId, () =>
        call('chat.postMessage', async () => {
          const result = await client.chat.postMessage({
            channel: thread.channelId,
            thread_ts: thread.threadTs,
            text: content.text,
            blocks: content.blocks,
            unfurl_links: false,
            unfurl_media: false,
          });
          return String(result.ts);
        }),
      );
    },

    async update(channelId, ts, given) {
      const content = wellFormedDeep(given);
      await call('chat.update', () =>
        client.chat.update({ channel: channelId, ts, text: content.text, blocks: content.blocks }),
      );
    },

    async ephemeral(thread, userId, given) {
      const content = wellFormedDeep(given);
      await call('chat.postEphemeral', () =>
        client.chat.postEphemeral({
          channel: thread.channelId,
          thread_ts: thread.threadTs,
          user: userId,
          text: content.text,
          blocks: content.blocks,
        }),
      );
    },

    async setStatus(thread, status, loadingMessages) {
      try {
        await call('assistant.threads.setStatus', () =>
          client.assistant.threads.setStatus({
            channel_id: thread.channelId,
            thread_ts: thread.threadTs,
            status: wellFormed(status),
            ...(loadingMessages && loadingMessages.length > 0
              ? { loading_messages: loadingMessages.map((message) => wellFormed(message)) }
              : {}),
          }),
        );
        return true;
      } catch (error) {
        logger.debug({ err: error }, 'assistant.threads.setStatus not available here; using a placeholder message');
        return false;
      }
    },

    startStream(thread, recipient, markdownText) {
      return pacer.run(thread.channelId, () =>
        call('chat.startStream', async () => {
          const result = await client.chat.startStream({
            channel: thread.channelId,
            thread_ts: thread.threadTs,
            recipient_user_id: recipient.userId,
            recipient_team_id: recipient.teamId,
            markdown_text: wellFormed(markdownText),
          });
          return String(result.ts);
        }),
      );
    },

    async appendStream(channelId, ts, markdownText) {
      await call('chat.appendStream', () =>
        client.chat.appendStream({ channel: channelId, ts, markdown_text: wellFormed(markdownText) }),
      );
    },

    async stopStream(channelId, ts, markdownText) {
      await call('chat.stopStream', () =>
        client.chat.stopStream({
          channel: channelId,
          ts,
          ...(markdownText ? { markdown_text: wellFormed(markdownText) } : {}),
        }),
      );
    },

    async uploadText(thread, given) {
      const file = wellFormedDeep(given);
      await pacer.run(thread.channelId, () =>
        call('files.uploadV2', () =>
          client.filesUploadV2({
            channel_id: thread.channelId,
            thread_ts: thread.threadTs,
            filename: file.filename,
            title: file.title,
            content: file.content,
            ...(file.initialComment ? { initial_comment: file.initialComment } : {}),
          }),
        ),
      );
    },
  };
}
