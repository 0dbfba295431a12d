import { ConfigError, loadStoreConfig } from '../config.js';
import type { StoreConfig } from '../store/open-store.js';

export type StoreConfigResult =
  | { readonly ok: true; readonly config: StoreConfig }
  | { readonly ok: false; readonly error: string };

/**
 * Where the service keeps its data, read by src/config.ts's own rules (DATABASE_URL, else DATA_DIR): the export needs
 * the database alone, not the Slack tokens and portals the service's whole configuration requires.
 */
export function readStoreConfig(env: Readonly<Record<string, string | undefined>>): StoreConfigResult {
  try {
    return { ok: true, config: loadStoreConfig({ ...env }) };
  } catch (error) {
    // ConfigError names the variable and never echoes its value (a database URL holds a password).
    if (error instanceof ConfigError) return { ok: false, error: error.message };
    throw error;
  }
}
