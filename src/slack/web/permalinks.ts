import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../../logger.js';

export interface Permalinks {
  /** A link to a message (a thread reply's link opens its thread); null when Slack gives none. Never throws. */
  permalink(channelId: string, messageTs: string): Promise<string | null>;
}

const GetPermalink = z.object({ ok: z.literal(true), permalink: z.string().regex(/^https:\/\//) });

/**
 * chat.getPermalink with a small cache: a message's permalink never changes, and the App Home asks for up to 20 at
 * each opening. Only answers are cached; a failure is retried the next time.
 */
export function createPermalinks({
  client,
  logger,
  maxEntries = 1_000,
}: {
  client: Pick<WebClient, 'chat'>;
  logger: Logger;
  maxEntries?: number;
}): Permalinks {
  const cache = new Map<string, string>();
  return {
    async permalink(channelId, messageTs) {
      const key = `${channelId}/${messageTs}`;
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      try {
        const parsed = GetPermalink.safeParse(
          await client.chat.getPermalink({ channel: channelId, message_ts: messageTs }),
        );
        if (!parsed.success) {
          logger.warn({ channelId, messageTs }, 'chat.getPermalink answered without a permalink');
          return null;
        }
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(key, parsed.data.permalink);
        return parsed.data.permalink;
      } catch (error) {
        const slackError = (error as { data?: { error?: unknown } }).data?.error;
        logger.info(
          { channelId, messageTs, slackError: typeof slackError === 'string' ? slackError : undefined },
          'no permalink for a message',
        );
        return null;
      }
    },
  };
}
