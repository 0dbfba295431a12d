import { DomainError } from './errors.js';
import type { Clock } from './ports.js';

/**
 * Abuse limits: how many relays and ticket creations one person, and one thread, may start in a short time, so one
 * user (or one runaway thread) cannot flood a portal or its agents. Token buckets: `capacity` at once, refilled at
 * `perMinute`. The buckets live in this process's memory, so the limits are per service instance: N instances
 * allow up to N times as much in the worst case, which is still a bound.
 */
export interface RateRule {
  readonly capacity: number;
  readonly perMinute: number;
}

export type LimitedAction = 'relay' | 'ticket';

export interface RateLimits {
  readonly relayPerPerson: RateRule;
  readonly relayPerThread: RateRule;
  readonly ticketPerPerson: RateRule;
  readonly ticketPerThread: RateRule;
}

export const DefaultRateLimits: RateLimits = {
  relayPerPerson: { capacity: 20, perMinute: 10 },
  relayPerThread: { capacity: 40, perMinute: 20 },
  ticketPerPerson: { capacity: 20, perMinute: 2 },
  ticketPerThread: { capacity: 6, perMinute: 1 },
};

export interface RateLimiter {
  /** Takes one unit for the person and the thread, or throws DomainError('limit.exceeded') and takes nothing. */
  take(action: LimitedAction, who: { readonly person: string; readonly thread: string }): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Details a limit.exceeded error carries, for the words the person reads. */
export interface LimitDetails {
  readonly action: LimitedAction;
  readonly scope: 'person' | 'thread';
  readonly capacity: number;
  readonly perMinute: number;
  readonly retryAfterSeconds: number;
}

const MaxBuckets = 50_000;

export function createRateLimiter({
  clock,
  limits = DefaultRateLimits,
}: {
  clock: Clock;
  limits?: RateLimits;
}): RateLimiter {
  const buckets = new Map<string, Bucket>();

  const level = (key: string, rule: RateRule, now: number): Bucket => {
    const bucket = buckets.get(key) ?? { tokens: rule.capacity, at: now };
    const refilled = Math.min(rule.capacity, bucket.tokens + ((now - bucket.at) / 60_000) * rule.perMinute);
    return { tokens: refilled, at: now };
  };

  // A full bucket is the same as none: dropping those keeps the map as small as the set of recent actors.
  let nextSweep = 0;
  const forgetIdle = (now: number) => {
    if (buckets.size < MaxBuckets || now < nextSweep) return;
    nextSweep = now + 10_000;
    for (const key of buckets.keys()) {
      const rule = ruleOfKey(key);
      if (!rule || level(key, rule, now).tokens >= rule.capacity) buckets.delete(key);
    }
  };

  const rules: Record<string, RateRule> = {
    'relay:person': limits.relayPerPerson,
    'relay:thread': limits.relayPerThread,
    'ticket:person': limits.ticketPerPerson,
    'ticket:thread': limits.ticketPerThread,
  };
  const ruleOfKey = (key: string): RateRule | undefined => rules[key.split('|', 1)[0] ?? ''];

  return {
    take(action, who) {
      const now = clock.now().getTime();
      forgetIdle(now);
      const checks = (['person', 'thread'] as const).map((scope) => {
        const rule = rules[`${action}:${scope}`] as RateRule;
        const key = `${action}:${scope}|${scope === 'person' ? who.person : who.thread}`;
        return { scope, rule, key, bucket: level(key, rule, now) };
      });
      const short = checks.find((check) => check.bucket.tokens < 1);
      if (short) {
        const missing = 1 - short.bucket.tokens;
        const details: LimitDetails = {
          action,
          scope: short.scope,
          capacity: short.rule.capacity,
          perMinute: short.rule.perMinute,
          retryAfterSeconds: Math.max(1, Math.ceil((missing / short.rule.perMinute) * 60)),
        };
        throw new DomainError('limit.exceeded', `Too many ${action}s for this ${short.scope}`, { ...details });
      }
      for (const check of checks) buckets.set(check.key, { tokens: check.bucket.tokens - 1, at: now });
    },
  };
}
