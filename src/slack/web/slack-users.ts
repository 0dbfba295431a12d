import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Clock } from '../../domain/ports.js';
import { slackError } from './thread-poster.js';

export interface SlackUser {
  readonly id: string;
  readonly teamId: string | null;
  /** The user's email, when Slack shares it (needs users:read.email; external Slack Connect users: usually none). */
  readonly email: string | null;
  readonly displayName: string;
  readonly isBot: boolean;
}

export interface SlackUserDirectory {
  get(userId: string): Promise<SlackUser>;
}

const UsersInfo = z.object({
  ok: z.literal(true),
  user: z.object({
    id: z.string(),
    team_id: z.string().optional(),
    name: z.string().optional(),
    real_name: z.string().optional(),
    is_bot: z.boolean().optional(),
    deleted: z.boolean().optional(),
    profile: z
      .object({
        email: z.string().optional(),
        display_name: z.string().optional(),
        real_name: z.string().optional(),
      })
      .optional(),
  }),
});

/** users.info with a TTL cache: emails rarely change and the method is rate limited (Tier 4). */
export function createSlackUserDirectory({
  client,
  clock,
  ttlMs = 10 * 60_000,
}: {
  client: WebClient;
  clock: Clock;
  ttlMs?: number;
}): SlackUserDirectory {
  const cache = new Map<string, { user: SlackUser; until: number }>();
  const pending = new Map<string, Promise<SlackUser>>();

  const load = async (userId: string): Promise<SlackUser> => {
    let answer: unknown;
    try {
      answer = await client.users.info({ user: userId });
    } catch (error) {
      // user_not_found (a tampered payload), rate limits, outages: a coded error the listeners can put into words.
      throw slackError('users.info', error);
    }
    const parsed = UsersInfo.parse(answer);
    const raw = parsed.user;
    const email = raw.profile?.email?.trim() || null;
    const user: SlackUser = {
      id: raw.id,
      teamId: raw.team_id ?? null,
      email: raw.deleted ? null : email,
      displayName: raw.profile?.display_name || raw.real_name || raw.profile?.real_name || raw.name || raw.id,
      isBot: raw.is_bot ?? false,
    };
    cache.set(userId, { user, until: clock.now().getTime() + ttlMs });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value as string);
    return user;
  };

  return {
    get(userId) {
      const hit = cache.get(userId);
      if (hit && hit.until > clock.now().getTime()) return Promise.resolve(hit.user);
      let inFlight = pending.get(userId);
      if (!inFlight) {
        inFlight = load(userId).finally(() => pending.delete(userId));
        pending.set(userId, inFlight);
      }
      return inFlight;
    },
  };
}
