import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
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

/**
 * How the embedded engine starts: PGlite's own parameters, and smaller shared buffers. Its shared buffers live in this process's WebAssembly memory, which
 * never shrinks: the stock 128 MB would fill as the tables are read and stay. The service's working set (a thread's
 * link, a card) is small, and pages beyond the buffers still come from the operating system's file cache.
 */
const startParams = (): string[] => [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

const runFile = promisify(execFile);

/**
 * Creates the database cluster in `dir` in a short-lived child process, when there is none yet. PGlite's initdb
 * runs a second WebAssembly instance whose memory (about 600 MB) a process never gets back; done in the service's
 * own process it would stay for the process's lifetime. The cluster is made beside `dir` and renamed into place, so
 * a process stopped half-way leaves no half-made cluster behind.
 */
export async function ensurePgliteCluster(dir: string): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  const present = await readdir(dir).catch(() => []);
  if (present.length > 0) {
    throw new Error(`Could not create the embedded database in ${dir}: it holds other files (${present[0]}…)`);
  }
  await mkdir(dirname(dir), { recursive: true });
  const building = `${dir}.initializing-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  // The CommonJS entry by absolute path: the child needs no loader and no particular working directory.
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = `const { PGlite } = require(${JSON.stringify(pglite)});
PGlite.create(${JSON.stringify(building)})
  .then((db) => db.close())
  .catch((error) => { console.error(String(error && error.message || error)); process.exit(1); });`;
  try {
    await runFile(process.execPath, ['-e', script], { timeout: 120_000, maxBuffer: 1024 * 1024 });
    await rename(building, dir);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    const detail = (error as { stderr?: unknown }).stderr;
    throw new Error(
      `Could not create the embedded database in ${dir}: ${typeof detail === 'string' && detail.trim() ? detail.trim() : String(error)}`,
      { cause: error },
    );
  }
}

/** Opens (creating when needed) the embedded database and applies pending migrations. */
export async function openPgliteStore(options: PgliteStoreOptions): Promise<PgliteTicketStore> {
  let db: PGlite;
  if (options.dataDir === 'memory') {
    db = await PGlite.create({ startParams: startParams() });
  } else {
    const dir = join(options.dataDir, 'pglite');
    await ensurePgliteCluster(dir);
    db = await PGlite.create(dir, { startParams: startParams() });
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
