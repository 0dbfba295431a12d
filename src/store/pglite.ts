import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { TicketStore } from '../domain/ports.js';
import { migrate } from './migrate.js';
import { type SqlExecutor, type SqlParam, storableParams } from './sql-executor.js';
import { createSqlTicketStore } from './sql-ticket-store.js';
import { toStoreError } from './store-errors.js';

export interface PgliteStoreOptions {
  /** The service's DATA_DIR (the database lives in `<dataDir>/pglite`), or 'memory' for a throwaway database. */
  readonly dataDir: string;
}

export type PgliteTicketStore = TicketStore & { readonly executor: SqlExecutor };

const engine = 'pglite';

const guard = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw toStoreError(error, engine);
  }
};

// Inside a transaction: statements go to `tx`; a nested transaction joins the open one.
const transactionExecutor = (tx: Transaction): SqlExecutor => {
  const executor: SqlExecutor = {
    query: (sql, params) => guard(async () => (await tx.query<Record<string, unknown>>(sql, mutable(params))).rows),
    exec: (sql) => guard(async () => void (await tx.exec(sql))),
    transaction: (fn) => fn(executor),
  };
  return executor;
};

const mutable = (params: readonly SqlParam[] | undefined): SqlParam[] => storableParams(params);

/**
 * PGlite is one connection in this process. It already runs `query`, `exec` and `transaction` one at a time
 * behind its own mutex, so a transaction never interleaves with another caller's statements; calling `db.query`
 * (not `tx.query`) inside a transaction would wait on that mutex forever, which is why the transaction hands out
 * its own executor.
 */
export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    query: (sql, params) => guard(async () => (await db.query<Record<string, unknown>>(sql, mutable(params))).rows),
    exec: (sql) => guard(async () => void (await db.exec(sql))),
    transaction: (fn) => guard(() => db.transaction((tx) => fn(transactionExecutor(tx)))),
  };
}

/** Opens (creating when needed) the embedded database and applies pending migrations. */
export async function openPgliteStore(options: PgliteStoreOptions): Promise<PgliteTicketStore> {
  let db: PGlite;
  if (options.dataDir === 'memory') {
    db = await PGlite.create();
  } else {
    const dir = join(options.dataDir, 'pglite');
    await mkdir(dir, { recursive: true });
    db = await PGlite.create(dir);
  }
  const executor = pgliteExecutor(db);
  try {
    await migrate(executor);
  } catch (error) {
    await db.close();
    throw error;
  }
  const store = createSqlTicketStore(executor, { close: () => (db.closed ? Promise.resolve() : db.close()) });
  return { ...store, executor };
}
