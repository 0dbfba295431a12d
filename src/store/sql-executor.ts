/** Values the store binds as query parameters. JSON goes in as a string and is cast in SQL (`$1::jsonb`). */
export type SqlParam = string | number | boolean | Date | null;

export type SqlRow = Readonly<Record<string, unknown>>;

// A NUL character, or its JSON escape not itself escaped (an even run of backslashes before it).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const nulCharacters = /\u0000|(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * PostgreSQL's text and jsonb cannot hold U+0000 (`invalid byte sequence for encoding "UTF8": 0x00`, `unsupported
 * Unicode escape sequence`), and Slack payloads are untrusted text: NULs are dropped before binding, so a stray one
 * cannot make a statement fail.
 */
export const storableParams = (params: readonly SqlParam[] | undefined): SqlParam[] =>
  params ? params.map((param) => (typeof param === 'string' ? param.replace(nulCharacters, '$1') : param)) : [];

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
