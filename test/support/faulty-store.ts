import { DomainError } from '../../src/domain/errors.js';
import type { TicketStore } from '../../src/domain/ports.js';
import { openPgliteStore } from '../../src/store/pglite.js';

type StoreMethod = {
  [K in keyof TicketStore]: TicketStore[K] extends (...args: never[]) => unknown ? K : never;
}[keyof TicketStore];

interface Fault {
  readonly method: StoreMethod;
  remaining: number;
  readonly when: (args: readonly unknown[]) => boolean;
  readonly error: unknown;
}

/** The error a store adapter gives when its database does not answer (store-errors.ts). */
export const storeDown = () => new DomainError('store.unavailable', 'injected: the database is not answering');

/**
 * An embedded PGlite store whose calls can be made to fail, one method at a time, for tests of what the service says
 * when the store fails after a portal accepted something (docs: issue 12 item 5).
 */
export interface FaultyStore {
  readonly store: TicketStore;
  /** The next `times` calls of `method` (those `when` accepts) fail with `error` (default: store.unavailable). */
  fail(
    method: StoreMethod,
    options?: { times?: number; when?: (args: readonly unknown[]) => boolean; error?: unknown },
  ): void;
  /** How many injected failures were not used yet. */
  pending(): number;
  clear(): void;
  close(): Promise<void>;
}

export async function openFaultyStore(): Promise<FaultyStore> {
  const inner = await openPgliteStore({ dataDir: 'memory' });
  const faults: Fault[] = [];
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const fault = faults.find((each) => each.method === key && each.remaining > 0 && each.when(args));
        if (fault) {
          fault.remaining -= 1;
          return Promise.reject(fault.error);
        }
        return value.apply(target, args);
      };
    },
  }) as TicketStore;
  return {
    store,
    fail(method, { times = 1, when = () => true, error = storeDown() } = {}) {
      faults.push({ method, remaining: times, when, error });
    },
    pending: () => faults.reduce((sum, fault) => sum + fault.remaining, 0),
    clear() {
      faults.length = 0;
    },
    close: () => inner.close(),
  };
}
