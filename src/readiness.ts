import { isDomainError } from './domain/errors.js';
import type { HelpdeskApi } from './domain/helpdesk.js';
import type { Clock, PortalClient, TicketStore } from './domain/ports.js';

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Portals: the HelpDesk API it speaks (docs/duplocloud-api.md §0), when known. */
  readonly api?: HelpdeskApi;
  /** Why it failed: an error code and a short message, never a token. */
  readonly reason?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
}

/**
 * `all`: the database and every portal token (the contract of /readyz). `database`: the database alone, for a load
 * balancer's readiness probe: every replica shares the same portal tokens, so one revoked token must not take all
 * of them out of service (people would then get no answer at all instead of one that names the portal).
 */
export type ReadinessScope = 'all' | 'database';

export interface Readiness {
  check(scope?: ReadinessScope): Promise<ReadinessReport>;
}

interface CachedCheck {
  readonly result: ReadinessCheck;
  readonly until: number;
}

/**
 * /readyz: the database answers, and every portal's HelpDesk is detected again and answers with its token. Portal
 * results are cached
 * briefly so a probe every few seconds does not become load on the portals; failures are cached for less time so
 * recovery shows quickly. Concurrent probes share one round of checks.
 */
export function createReadiness({
  store,
  portals,
  clock,
  okForMs = 30_000,
  failedForMs = 5_000,
}: {
  store: Pick<TicketStore, 'ping'>;
  portals: readonly Pick<PortalClient, 'name' | 'check' | 'knownHelpdesk'>[];
  clock: Clock;
  okForMs?: number;
  failedForMs?: number;
}): Readiness {
  const cache = new Map<string, CachedCheck>();
  let inFlight: Promise<ReadinessReport> | null = null;

  const describe = (error: unknown): string =>
    isDomainError(error) ? `${error.code}: ${error.message}` : 'unexpected error (see logs)';

  const checkPortal = async (
    portal: Pick<PortalClient, 'name' | 'check' | 'knownHelpdesk'>,
  ): Promise<ReadinessCheck> => {
    const now = clock.now().getTime();
    const cached = cache.get(portal.name);
    if (cached && cached.until > now) return cached.result;
    let result: ReadinessCheck;
    try {
      result = { name: `portal:${portal.name}`, ok: true, api: await portal.check() };
    } catch (error) {
      const api = portal.knownHelpdesk();
      result = { name: `portal:${portal.name}`, ok: false, ...(api ? { api } : {}), reason: describe(error) };
    }
    cache.set(portal.name, { result, until: now + (result.ok ? okForMs : failedForMs) });
    return result;
  };

  const checkStore = async (): Promise<ReadinessCheck> => {
    try {
      await store.ping();
      return { name: 'database', ok: true };
    } catch (error) {
      return { name: 'database', ok: false, reason: describe(error) };
    }
  };

  const run = async (): Promise<ReadinessReport> => {
    const checks = await Promise.all([checkStore(), ...portals.map(checkPortal)]);
    return { ready: checks.every((check) => check.ok), checks };
  };

  return {
    async check(scope = 'all') {
      if (scope === 'database') {
        const database = await checkStore();
        return { ready: database.ok, checks: [database] };
      }
      inFlight ??= run().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}
