import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ThreadRef } from '../../domain/thread-link.js';
import { slackError } from './thread-poster.js';

export interface HistoryMessage {
  readonly ts: string;
  readonly userId: string | null;
  readonly isBot: boolean;
  readonly text: string;
  readonly files: readonly string[];
}

export interface ThreadHistory {
  /** Every message of the thread, parent first, across all pages. */
  read(thread: ThreadRef): Promise<HistoryMessage[]>;
}

const RepliesPage = z.object({
  messages: z
    .array(
      z
        .object({
          ts: z.string(),
          user: z.string().optional(),
          bot_id: z.string().optional(),
          subtype: z.string().optional(),
          text: z.string().optional(),
          files: z.array(z.object({ name: z.string().optional(), title: z.string().optional() }).loose()).optional(),
        })
        .loose(),
    )
    .default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).loose().optional(),
});

/**
 * conversations.replies, all pages. It runs on its own WebClient: under Slack's 2025 limits history reads can be
 * rate limited to 1/minute, and a 429 pauses a client's whole queue, which must never hold up views.open or acks.
 */
export function createThreadHistory(client: WebClient, { maxPages = 50 }: { maxPages?: number } = {}): ThreadHistory {
  return {
    async read(thread) {
      const seen = new Map<string, HistoryMessage>();
      let cursor: string | undefined;
      for (let page = 0; page < maxPages; page += 1) {
        let raw: unknown;
        try {
          raw = await client.conversations.replies({
            channel: thread.channelId,
            ts: thread.threadTs,
            limit: 200,
            ...(cursor ? { cursor } : {}),
          });
        } catch (error) {
          throw slackError('conversations.replies', error);
        }
        const parsed = RepliesPage.parse(raw);
        for (const message of parsed.messages) {
          seen.set(message.ts, {
            ts: message.ts,
            userId: message.user ?? null,
            isBot: !!message.bot_id || message.subtype === 'bot_message',
            text: message.text ?? '',
            files: (message.files ?? []).map((file) => file.title ?? file.name ?? 'file'),
          });
        }
        cursor = parsed.response_metadata?.next_cursor || undefined;
        if (!parsed.has_more || !cursor) break;
      }
      return [...seen.values()].sort((a, b) => Number(a.ts) - Number(b.ts));
    },
  };
}
