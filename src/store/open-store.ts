import type { TicketStore } from '../domain/ports.js';
import { openPgliteStore } from './pglite.js';
import { openPostgresStore } from './postgres.js';

export interface StoreConfig {
  /** PostgreSQL URL; when absent the embedded PGlite database in `dataDir` is used. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
}

/** The store the service runs on: PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR. */
export const openStore = (config: StoreConfig): Promise<TicketStore> =>
  config.databaseUrl === undefined
    ? openPgliteStore({ dataDir: config.dataDir })
    : openPostgresStore({ url: config.databaseUrl });
