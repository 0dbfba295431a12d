import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { EngineReply, EngineRequest, EngineSettings, WireError } from './pglite-protocol.js';

/**
 * The embedded PostgreSQL (PGlite, WebAssembly) in its own worker thread, so its CPU time is not spent on the thread
 * that acknowledges Slack (docs/architecture.md, "Storage"). The main thread's side is src/store/pglite.ts; the
 * messages are in src/store/pglite-protocol.ts.
 *
 * PGlite is one connection and runs one statement at a time behind its own mutex. A transaction holds that mutex from
 * `begin` to `end`: statements naming the transaction run inside it, any other statement waits its turn.
 */

const port = parentPort;
if (!port) throw new Error('pglite-engine runs in a worker thread');
const settings = workerData as EngineSettings;

const wireError = (error: unknown): WireError => {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, severity, detail } = error as { code?: unknown; severity?: unknown; detail?: unknown };
  return {
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof severity === 'string' ? { severity } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
  };
};

const send = (reply: EngineReply) => port.postMessage(reply);

interface OpenTransaction {
  readonly tx: Transaction;
  readonly finish: (commit: boolean) => void;
  readonly done: Promise<void>;
}

/** Thrown into PGlite's transaction callback to make it roll back; never reported as a failure. */
const rollback = Symbol('rollback');

const main = async () => {
  const db = await PGlite.create(settings.dataDir ?? undefined, { startParams: [...settings.startParams] });
  const transactions = new Map<number, OpenTransaction>();
  let nextTransaction = 1;

  const begin = (id: number) => {
    const txId = nextTransaction++;
    let opened = false;
    const done = db
      .transaction(
        (tx) =>
          new Promise<void>((resolve, reject) => {
            opened = true;
            transactions.set(txId, {
              tx,
              finish: (commit) => (commit ? resolve() : reject(rollback)),
              done,
            });
            send({ id, ok: true, value: txId });
          }),
      )
      .catch((error: unknown) => {
        if (error === rollback) return;
        // BEGIN itself failed: nobody holds the transaction yet, so its caller hears it here.
        if (!opened) send({ id, ok: false, error: wireError(error) });
        else throw error;
      });
  };

  const handle = async (request: EngineRequest): Promise<unknown> => {
    switch (request.op) {
      case 'query': {
        const on = request.tx === undefined ? db : transactionOf(request.tx).tx;
        return (await on.query<Record<string, unknown>>(request.sql, [...request.params])).rows;
      }
      case 'exec': {
        const on = request.tx === undefined ? db : transactionOf(request.tx).tx;
        await on.exec(request.sql);
        return null;
      }
      case 'end': {
        const open = transactionOf(request.tx);
        transactions.delete(request.tx);
        open.finish(request.commit);
        await open.done;
        return null;
      }
      case 'memory':
        return {
          wasmBytes: db.Module.HEAPU8.buffer.byteLength,
          heapBytes: getHeapStatistics().total_heap_size,
        };
      case 'close':
        await db.close();
        return null;
      case 'begin':
        throw new Error('begin is answered when the transaction opens');
    }
  };

  const transactionOf = (txId: number): OpenTransaction => {
    const open = transactions.get(txId);
    if (!open) throw Object.assign(new Error('PGlite is closed: the transaction is no longer open'), { code: '08003' });
    return open;
  };

  port.on('message', (request: EngineRequest) => {
    if (request.op === 'begin') return begin(request.id);
    handle(request).then(
      (value) => send({ id: request.id, ok: true, value }),
      (error: unknown) => send({ id: request.id, ok: false, error: wireError(error) }),
    );
  });
  send({ id: 0, ok: true, value: 'ready' });
};

main().catch((error: unknown) => {
  send({ id: 0, ok: false, error: wireError(error) });
  // Let the message go out before the thread ends.
  setImmediate(() => process.exit(1));
});
