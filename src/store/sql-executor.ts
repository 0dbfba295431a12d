/** Values the store binds as query parameters. JSON goes in as a string and is cast in SQL (`$1::jsonb`). */
export type SqlParam = string | number | boolean | Date | null;

export type SqlRow = Readonly<Record<string, unknown>>;

/**
 * The little the store needs from a database engine, so every query is written once for PGlite and PostgreSQL.
 * Adapters turn connection failures into DomainError('store.unavailable') and pass other database errors through
 * (they carry the SQLSTATE in `code`).
 */
export interface SqlExecutor {
  /** One statement, with `$1`-style parameters. */
  query(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws.
   * Inside, use only `tx`. A nested call runs in the same transaction.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
