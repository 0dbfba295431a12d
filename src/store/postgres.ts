import pg from 'pg';
import type { TicketStore } from '../domain/ports.js';
import { migrate } from './migrate.js';
import { type SqlExecutor, type SqlParam, storableParams } from './sql-executor.js';
import { createSqlTicketStore } from './sql-ticket-store.js';
import { isConnectionFailure, toStoreError } from './store-errors.js';

export interface PostgresStoreOptions {
  /** postgresql:// URL. Libpq-style `?options=-c search_path=...` is honoured (tests use it for a private schema). */
  readonly url: string;
  /** Connections in the pool; default 10. */
  readonly poolSize?: number;
}

export type PostgresTicketStore = TicketStore & { readonly executor: SqlExecutor };

const engine = 'postgres';

const guard = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw toStoreError(error, engine);
  }
};

type Queryable = Pick<pg.PoolClient, 'query'>;

const run = async (on: Queryable, sql: string, params?: readonly SqlParam[]) =>
  (await on.query<Record<string, unknown>>(sql, storableParams(params))).rows;

const clientExecutor = (client: pg.PoolClient): SqlExecutor => {
  const executor: SqlExecutor = {
    query: (sql, params) => guard(() => run(client, sql, params)),
    exec: (sql) => guard(async () => void (await client.query(sql))),
    transaction: (fn) => fn(executor),
  };
  return executor;
};

/** Statements on the pool; a transaction holds one client from BEGIN to COMMIT or ROLLBACK. */
export function postgresExecutor(pool: pg.Pool): SqlExecutor {
  return {
    query: (sql, params) => guard(() => run(pool, sql, params)),
    exec: (sql) => guard(async () => void (await pool.query(sql))),
    transaction: (fn) =>
      guard(async () => {
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          const result = await fn(clientExecutor(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            broken = rollbackError instanceof Error ? rollbackError : new Error('ROLLBACK failed');
          }
          if (isConnectionFailure(error) && broken === undefined) broken = error as Error;
          throw error;
        } finally {
          // A client whose connection failed is destroyed rather than handed to the next caller.
          client.release(broken);
        }
      }),
  };
}

/** Connects a pool, applies pending migrations (safely when several instances start together) and returns the store. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresTicketStore> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle client losing its connection emits 'error' on the pool; without a listener that would crash the process.
  // The next query on the pool reports the failure as store.unavailable instead.
  pool.on('error', () => {});
  const executor = postgresExecutor(pool);
  try {
    await migrate(executor);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await pool.end();
  };
  return { ...createSqlTicketStore(executor, { close }), executor };
}
