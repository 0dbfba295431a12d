import type { TicketStore } from '../domain/ports.js';
import { type EngineEvent, openPgliteStore, startPgliteStore } from './pglite.js';
import { openPostgresStore } from './postgres.js';

export type { EngineEvent } from './pglite.js';

export interface StoreConfig {
  /** PostgreSQL URL; when absent the embedded PGlite database in `dataDir` is used. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
}

export interface StoreHooks {
  /** The embedded engine crashed, came back, or could not come back (the service logs these). */
  readonly onEngineEvent?: (event: EngineEvent) => void;
}

/** The store the service runs on: PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR. */
export const openStore = (config: StoreConfig, hooks: StoreHooks = {}): Promise<TicketStore> =>
  config.databaseUrl === undefined
    ? openPgliteStore({ dataDir: config.dataDir, ...hooks })
    : openPostgresStore({ url: config.databaseUrl });

export interface StartingStore {
  readonly store: TicketStore;
  /** Settles when the store can be used; until then its `ping` fails with store.unavailable ("starting"). */
  readonly ready: Promise<void>;
}

/**
 * Like openStore, but the embedded database on disk is handed back while it starts (creating its cluster takes
 * seconds on a first start): the service listens meanwhile, and /readyz answers 503 until `ready`.
 */
export async function startStore(config: StoreConfig, hooks: StoreHooks = {}): Promise<StartingStore> {
  if (config.databaseUrl === undefined && config.dataDir !== 'memory') {
    const store = startPgliteStore({ dataDir: config.dataDir, ...hooks });
    return { store, ready: store.ready };
  }
  return { store: await openStore(config, hooks), ready: Promise.resolve() };
}
