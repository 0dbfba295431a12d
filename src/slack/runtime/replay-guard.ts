/**
 * Refuses a signed Slack request seen before. Slack signs every delivery afresh (a retry carries a new timestamp and
 * so a new signature), so the same signature twice means someone replayed a captured request within the 5-minute
 * window that the timestamp check leaves open.
 *
 * Keys are recorded only for requests whose signature was verified, so a forged request cannot burn the key of a
 * genuine one. Each key is kept in memory (this instance, until the window closes) and, unless the caller says another
 * check covers it (an event's event_id, recorded by every instance), in the store's processed events (every instance
 * on the same database; pruned with them after a day).
 */
export interface ReplayGuard {
  /**
   * true the first time `key` is seen (the request may go on), false for a replay. `durable: false` keeps the key in
   * this instance's memory only (a request another check refuses twice across instances: an event's event_id).
   */
  admit(key: string, requestTimeMs: number, nowMs: number, options?: { readonly durable?: boolean }): Promise<boolean>;
  /** How many keys this instance holds in memory (for tests and metrics). */
  size(): number;
}

export interface ReplayGuardOptions {
  /** Records the key durably: true the first time, as TicketStore.recordEvent does. */
  readonly remember?: (key: string, at: Date) => Promise<boolean>;
  /** Called when `remember` fails: the in-memory check still applies. */
  readonly onStoreError?: (error: unknown) => void;
  /** How long a key must be kept: the signature check's window plus clock skew. */
  readonly windowMs?: number;
}

export const ReplayWindowMs = 6 * 60_000;

export function createReplayGuard({
  remember,
  onStoreError,
  windowMs = ReplayWindowMs,
}: ReplayGuardOptions = {}): ReplayGuard {
  const seen = new Map<string, number>();
  let nextSweep = 0;

  const sweep = (nowMs: number) => {
    if (nowMs < nextSweep) return;
    nextSweep = nowMs + 30_000;
    for (const [key, until] of seen) if (until <= nowMs) seen.delete(key);
  };

  return {
    async admit(key, requestTimeMs, nowMs, { durable = true } = {}) {
      sweep(nowMs);
      const until = seen.get(key);
      if (until !== undefined && until > nowMs) return false;
      // A request can be valid until its own timestamp plus the window, and a timestamp may run slightly ahead.
      seen.set(key, Math.max(requestTimeMs, nowMs) + windowMs);
      if (!remember || !durable) return true;
      try {
        return await remember(`replay:${key}`, new Date(nowMs));
      } catch (error) {
        onStoreError?.(error);
        return true;
      }
    },
    size: () => seen.size,
  };
}
