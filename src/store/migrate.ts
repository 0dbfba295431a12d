import { migrations as allMigrations, type Migration } from './migrations/index.js';
import type { SqlExecutor } from './sql-executor.js';

// An arbitrary, fixed advisory-lock key: every instance starting on one PostgreSQL database queues on it, so only
// the first applies the migrations and the others find them applied. The lock is released when the transaction
// ends. PGlite (one connection) takes it trivially.
const migrationLockKey = 4_216_731_098;

/**
 * Applies, in order and in one transaction, every migration not yet recorded in `schema_migrations`.
 * Returns the names applied now (empty when the database was up to date).
 */
export async function migrate(
  executor: SqlExecutor,
  migrations: readonly Migration[] = allMigrations,
): Promise<string[]> {
  return executor.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${migrationLockKey})`);
    // Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can otherwise fail on PostgreSQL.
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        name       text        PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const rows = await tx.query('SELECT name FROM schema_migrations');
    const applied = new Set(rows.map((row) => String(row.name)));
    const pending = migrations.filter((migration) => !applied.has(migration.name));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration.name]);
    }
    return pending.map((migration) => migration.name);
  });
}
