import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { DomainError } from '../domain/errors.js';
import type { TicketStore } from '../domain/ports.js';
import { migrate } from './migrate.js';
import type { EngineMemory, EngineReply, EngineRequest, EngineSettings, WireError } from './pglite-protocol.js';
import { type SqlExecutor, type SqlParam, type SqlRow, storableParams } from './sql-executor.js';
import { createSqlTicketStore } from './sql-ticket-store.js';
import { toStoreError } from './store-errors.js';

export interface PgliteStoreOptions {
  /** The service's DATA_DIR (the database lives in `<dataDir>/pglite`), or 'memory' for a throwaway database. */
  readonly dataDir: string;
}

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
 * An executor over a PGlite instance in this thread: the migration tests use it on a database they build by hand;
 * the service's engine runs in its worker (startPgliteStore). PGlite is one connection. It already runs `query`, `exec` and `transaction` one at a time
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
 * How the embedded engine starts: PGlite's own parameters, and smaller shared buffers. Its shared buffers live in the
 * engine's WebAssembly memory, which never shrinks: the stock 128 MB would fill as the tables are read and stay. The service's working set (a thread's
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

/** What the service hears about the embedded engine's worker after it first started (it logs them). */
export type EngineEvent =
  | { readonly kind: 'crashed'; readonly error: Error }
  | { readonly kind: 'restarted' }
  | { readonly kind: 'restart-failed'; readonly error: Error };

export interface PgliteEngineOptions extends PgliteStoreOptions {
  readonly onEngineEvent?: (event: EngineEvent) => void;
  /** Wait before restarting a crashed engine; doubles after each failed attempt, up to 5 s. Default 100 ms. */
  readonly restartDelayMs?: number;
}

export type PgliteTicketStore = TicketStore & {
  readonly executor: SqlExecutor;
  /** Settles when the engine has started the first time (cluster created, migrations applied) or could not. */
  readonly ready: Promise<void>;
  /**
   * The engine's own memory (its worker's WebAssembly and JavaScript heaps), a part of the process's RSS. The
   * in-process engine reports its WebAssembly heap only.
   */
  engineMemory(): Promise<EngineMemory>;
  /** Ends the engine's worker as a crash would (tests of recovery); the in-process engine just closes. */
  crashEngine(): Promise<void>;
};

const maxRestartDelayMs = 5_000;

/** A call to an engine that stopped (or is gone from under a transaction): reported as store.unavailable. */
const engineGone = (): Error =>
  Object.assign(new Error('PGlite is closed: the embedded database engine stopped'), { code: '57P01' });

const fromWire = (error: WireError): Error => Object.assign(new Error(error.message), error);

/**
 * The engine's JavaScript is PGlite's glue and the rows it hands back; its heap's young generation needs no more than
 * a few MB, and V8's default reserves several times that in every isolate (about 10-15 MB of RSS measured on Node 24,
 * README "Performance"). The WebAssembly memory is not counted in these limits.
 */
const resourceLimits = { maxYoungGenerationSizeMb: 4 };

/**
 * The worker's entry: the compiled JavaScript beside this file, or (run from source: tests, tsx) the TypeScript one,
 * loaded through tsx, a devDependency.
 */
const spawnEngineWorker = (settings: EngineSettings): Worker => {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./pglite-engine.js', import.meta.url), { workerData: settings, resourceLimits });
  }
  // tsx's ESM API (its CommonJS twin resolves relative to the worker's eval'd script, and fails).
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./pglite-engine.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: settings, resourceLimits });
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts the embedded database (PGlite) in a worker thread and returns its store at once; `ready` says when it is up.
 * Until then `ping` fails with store.unavailable ("starting", so /readyz answers 503) and other calls wait for it.
 * When the worker dies after that, calls in flight fail with store.unavailable, the engine is restarted (100 ms, then
 * doubling up to 5 s between attempts) and calls made meanwhile wait for the attempt under way.
 */
export function startPgliteStore(options: PgliteEngineOptions): PgliteTicketStore {
  const settings: EngineSettings = {
    // 'memory' runs a throwaway database in the worker too (tests of the worker itself).
    dataDir: options.dataDir === 'memory' ? null : join(options.dataDir, 'pglite'),
    startParams: startParams(),
  };
  const baseDelay = options.restartDelayMs ?? 100;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let worker: Worker | undefined;
  // Bumped by every worker: a transaction opened on one worker must not send its statements to the next.
  let generation = 0;
  let up = false;
  let everUp = false;
  // True while an engine is being brought up: a worker dying then fails that attempt, it does not start another.
  let starting = false;
  let closing = false;

  const settleAll = () => {
    for (const call of pending.values()) call.reject(engineGone());
    pending.clear();
  };

  const call = <T>(request: DistributiveOmit<EngineRequest, 'id'>, onGeneration?: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const target = worker;
      if (!target || !up || (onGeneration !== undefined && onGeneration !== generation)) {
        reject(engineGone());
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // Kept alive while a call waits on it, and no longer: an idle engine never holds the process open.
      if (pending.size === 1) target.ref();
      target.postMessage({ ...request, id });
    });

  /** One worker, up to its 'ready' message (rejects when it cannot start). */
  const boot = () =>
    new Promise<void>((resolve, reject) => {
      const spawned = spawnEngineWorker(settings);
      const ownGeneration = ++generation;
      worker = spawned;
      let failure: Error | undefined;
      spawned.on('message', (reply: EngineReply) => {
        if (reply.id === 0) {
          if (reply.ok) {
            up = true;
            resolve();
          } else {
            failure = fromWire(reply.error);
          }
          return;
        }
        const waiting = pending.get(reply.id);
        if (!waiting) return;
        pending.delete(reply.id);
        if (pending.size === 0) spawned.unref();
        if (reply.ok) waiting.resolve(reply.value);
        else waiting.reject(fromWire(reply.error));
      });
      spawned.on('error', (error) => {
        failure ??= error;
      });
      spawned.once('exit', (code) => {
        const error = failure ?? new Error(`the embedded database engine exited (code ${code})`);
        reject(error);
        if (generation !== ownGeneration) return;
        const wasUp = up;
        up = false;
        worker = undefined;
        settleAll();
        if (wasUp && !starting && !closing) {
          options.onEngineEvent?.({ kind: 'crashed', error });
          restart();
        }
      });
    });

  const directExecutor = (onGeneration?: number): SqlExecutor => ({
    query: (sql, params) => call<SqlRow[]>({ op: 'query', sql, params: storableParams(params) }, onGeneration),
    exec: (sql) => call<void>({ op: 'exec', sql }, onGeneration),
    transaction: async (fn) => {
      const gen = generation;
      const tx = await call<number>({ op: 'begin' }, onGeneration);
      const inside: SqlExecutor = {
        query: (sql, params) => call<SqlRow[]>({ op: 'query', sql, params: storableParams(params), tx }, gen),
        exec: (sql) => call<void>({ op: 'exec', sql, tx }, gen),
        transaction: (nested) => nested(inside),
      };
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(inside);
      } catch (error) {
        await call({ op: 'end', tx, commit: false }, gen).catch(() => undefined);
        throw error;
      }
      await call({ op: 'end', tx, commit: true }, gen);
      return result;
    },
  });

  /** Starts a worker and brings its database to the current migrations. */
  const startEngine = async () => {
    starting = true;
    try {
      if (settings.dataDir !== null) await ensurePgliteCluster(settings.dataDir);
      if (closing) throw engineGone();
      await boot();
      try {
        await migrate(guarded(directExecutor(generation)));
      } catch (error) {
        await stopWorker();
        throw error;
      }
      everUp = true;
    } finally {
      starting = false;
    }
  };

  const stopWorker = async () => {
    const target = worker;
    if (!target) return;
    up = false;
    const exited = new Promise((resolve) => target.once('exit', resolve));
    await target.terminate();
    await exited;
  };

  let ready: Promise<void> = startEngine();
  const firstStart = ready;
  ready.catch(() => undefined);

  const restart = () => {
    ready = (async () => {
      let delay = baseDelay;
      for (;;) {
        await sleep(delay);
        if (closing) throw engineGone();
        try {
          await startEngine();
          options.onEngineEvent?.({ kind: 'restarted' });
          return;
        } catch (error) {
          if (closing) throw engineGone();
          options.onEngineEvent?.({ kind: 'restart-failed', error: error as Error });
          delay = Math.min(delay * 2, maxRestartDelayMs);
        }
      }
    })();
    ready.catch(() => undefined);
  };

  /** Waits for the engine when it is (re)starting; a failed start fails the call as store.unavailable. */
  const whenUp = async () => {
    if (up) return;
    if (closing) throw engineGone();
    try {
      await ready;
    } catch (error) {
      throw everUp ? engineGone() : error;
    }
  };

  const guarded = (inner: SqlExecutor): SqlExecutor => ({
    query: (sql, params) => guard(() => inner.query(sql, params)),
    exec: (sql) => guard(() => inner.exec(sql)),
    transaction: (fn) => guard(() => inner.transaction(fn)),
  });

  const executor = guarded({
    query: async (sql, params) => {
      await whenUp();
      return directExecutor().query(sql, params);
    },
    exec: async (sql) => {
      await whenUp();
      return directExecutor().exec(sql);
    },
    transaction: async (fn) => {
      await whenUp();
      return directExecutor().transaction(fn);
    },
  });

  const close = async () => {
    if (closing) return;
    closing = true;
    const target = worker;
    if (target && up) {
      // A clean stop: PGlite closes the cluster; the worker is ended in any case.
      await Promise.race([call({ op: 'close' }).catch(() => undefined), sleep(5_000)]);
    }
    await stopWorker();
    settleAll();
  };

  const store = createSqlTicketStore(executor, { close });
  return {
    ...store,
    async ping() {
      if (!up) {
        const what = closing ? 'closed' : everUp ? 'restarting' : 'starting';
        throw new DomainError('store.unavailable', `The embedded database is ${what}.`, { engine });
      }
      await store.ping();
    },
    executor,
    ready: firstStart,
    engineMemory: () => guard(() => call<EngineMemory>({ op: 'memory' })),
    crashEngine: async () => {
      await worker?.terminate();
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The in-process engine, for throwaway in-memory databases only (tests, the demo). */
async function openInProcessStore(): Promise<PgliteTicketStore> {
  const db = await PGlite.create({ startParams: startParams() });
  const executor = pgliteExecutor(db);
  try {
    await migrate(executor);
  } catch (error) {
    await db.close();
    throw error;
  }
  const close = () => (db.closed ? Promise.resolve() : db.close());
  return {
    ...createSqlTicketStore(executor, { close }),
    executor,
    ready: Promise.resolve(),
    engineMemory: async () => ({ wasmBytes: db.Module.HEAPU8.buffer.byteLength, heapBytes: 0 }),
    crashEngine: close,
  };
}

/**
 * Opens (creating when needed) the embedded database and applies pending migrations; rejects when it cannot start.
 * On disk (production without DATABASE_URL) the engine runs in its worker thread (startPgliteStore). `dataDir:
 * 'memory'` keeps it in this thread: hundreds of tests each start a throwaway database, and a worker (a fresh
 * isolate that compiles PostgreSQL's WebAssembly again every time) costs about twice as long to start.
 */
export async function openPgliteStore(options: PgliteEngineOptions): Promise<PgliteTicketStore> {
  if (options.dataDir === 'memory') return openInProcessStore();
  const store = startPgliteStore(options);
  try {
    await store.ready;
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
