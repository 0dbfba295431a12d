import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Clock } from '../../domain/ports.js';
import type { Logger } from '../../logger.js';
import { isDirectMessageChannel } from '../parse/message-event.js';

/** Whether the bot is in a channel: `unknown` when Slack would not say (the bot never fails closed on Slack's word). */
export type Membership = 'member' | 'not_member' | 'unknown';

export interface ChannelMembership {
  /** Never throws. */
  check(channelId: string): Promise<Membership>;
}

const ConversationsInfo = z.object({ ok: z.literal(true), channel: z.object({ is_member: z.boolean().optional() }) });

/**
 * conversations.info's `is_member`, cached briefly (a member stays one; a channel the bot is not in is asked again
 * soon, so an invitation shows quickly). A ticket is created only in a thread the bot can post in: the message
 * shortcut can be used in any channel, and a ticket whose thread cannot show it would be a silent half-success.
 * A private channel the bot is not in answers `channel_not_found`, which means the same.
 */
export function createChannelMembership({
  client,
  clock,
  logger,
  memberForMs = 5 * 60_000,
  notMemberForMs = 10_000,
}: {
  client: Pick<WebClient, 'conversations'>;
  clock: Clock;
  logger: Logger;
  memberForMs?: number;
  notMemberForMs?: number;
}): ChannelMembership {
  const cache = new Map<string, { readonly membership: Membership; readonly until: number }>();
  return {
    async check(channelId) {
      // A DM is never asked about: conversations.info on an im needs im:read, which the app does not ask for. The
      // app's own DM with a person always takes its posts; in someone else's DM a post fails and is reported then.
      if (isDirectMessageChannel(channelId)) return 'unknown';
      const now = clock.now().getTime();
      const cached = cache.get(channelId);
      if (cached && cached.until > now) return cached.membership;
      let membership: Membership;
      try {
        const parsed = ConversationsInfo.safeParse(await client.conversations.info({ channel: channelId }));
        membership = !parsed.success ? 'unknown' : parsed.data.channel.is_member === false ? 'not_member' : 'member';
      } catch (error) {
        const code = (error as { data?: { error?: unknown } }).data?.error;
        if (code === 'channel_not_found') membership = 'not_member';
        else {
          logger.info(
            { channelId, slackError: typeof code === 'string' ? code : undefined },
            'channel membership unknown',
          );
          return 'unknown';
        }
      }
      if (cache.size > 5_000) cache.clear();
      cache.set(channelId, { membership, until: now + (membership === 'member' ? memberForMs : notMemberForMs) });
      return membership;
    },
  };
}
