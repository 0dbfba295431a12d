import { wellFormed } from '../well-formed.js';

/** Values the store binds as query parameters. JSON goes in as a string and is cast in SQL (`$1::jsonb`). */
export type SqlParam = string | number | boolean | Date | null;

export type SqlRow = Readonly<Record<string, unknown>>;

// A NUL character, or its JSON escape not itself escaped (an even run of backslashes before it).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const nulCharacters = /\u0000|(?<!\\)((?:\\\\)*)\\u0000/g;

// A surrogate's JSON escape not itself escaped: a high one with its low one after it (group 2, kept), or one alone.
// JSON.stringify writes a lone surrogate as such an escape, and jsonb refuses it.
const surrogateEscapes = /(?<!\\)((?:\\\\)*)\\u(?:(d[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2})|d[89a-f][0-9a-f]{2})/gi;

/**
 * PostgreSQL's text and jsonb cannot hold U+0000 (`invalid byte sequence for encoding "UTF8": 0x00`, `unsupported
 * Unicode escape sequence`) nor an unpaired UTF-16 surrogate (jsonb: `invalid input syntax for type json`), and Slack
 * payloads and agent answers are untrusted text. Before binding, every string is made well-formed (wellFormed: a lone
 * surrogate becomes U+FFFD, and so does its JSON escape) and its NULs are dropped, so a stray character cannot make a
 * statement fail. Like the NUL rule, the escape rule reads every string as possible JSON: a text column holding
 * the six characters `\ud800` keeps them as `\ufffd`.
 */
export const storableParams = (params: readonly SqlParam[] | undefined): SqlParam[] =>
  params ? params.map((param) => (typeof param === 'string' ? storableText(param) : param)) : [];

const storableText = (text: string): string =>
  // Surrogates first: dropping a NUL between two lone ones must not pair them.
  wellFormed(text)
    .replace(surrogateEscapes, (whole, backslashes: string, pair: string | undefined) =>
      pair ? whole : `${backslashes}\\ufffd`,
    )
    .replace(nulCharacters, '$1');

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
