import { z } from 'zod';
import type { StoreConfig } from '../store/open-store.js';

/**
 * Where the service keeps its data, read as src/config.ts reads it (the same DATABASE_URL and DATA_DIR rules): the
 * export needs the database alone, not the Slack tokens and portals the service's whole configuration requires.
 */
const StoreEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
});

export type StoreConfigResult =
  | { readonly ok: true; readonly config: StoreConfig }
  | { readonly ok: false; readonly error: string };

export function readStoreConfig(env: Readonly<Record<string, string | undefined>>): StoreConfigResult {
  const blank = (value: string | undefined) => (value === '' ? undefined : value);
  const parsed = StoreEnv.safeParse({ DATABASE_URL: blank(env.DATABASE_URL), DATA_DIR: blank(env.DATA_DIR) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // The value is never echoed: a database URL holds a password.
    return { ok: false, error: `${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'is not valid'}` };
  }
  const { DATABASE_URL: databaseUrl, DATA_DIR: dataDir } = parsed.data;
  return { ok: true, config: { ...(databaseUrl ? { databaseUrl } : {}), dataDir } };
}
