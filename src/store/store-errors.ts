import { DomainError } from '../domain/errors.js';

// SQLSTATE classes and codes meaning "the database cannot be reached or is going away", not "your SQL is wrong".
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03', '53300', '58030']);
const unavailableNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// node-postgres and PGlite report some connection failures only in words.
const unavailableMessages = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /cannot use a pool after calling end/i,
  /client has encountered a connection error/i,
  /client was closed/i,
  /pglite is closed/i,
];

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

export const isConnectionFailure = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = codeOf(error);
  if (
    code !== undefined &&
    (code.startsWith('08') || unavailableSqlStates.has(code) || unavailableNodeCodes.has(code))
  ) {
    return true;
  }
  return unavailableMessages.some((pattern) => pattern.test(error.message));
};

/** Connection failures become DomainError('store.unavailable'); anything else is returned unchanged. */
export const toStoreError = (error: unknown, engine: string): unknown =>
  isConnectionFailure(error)
    ? new DomainError('store.unavailable', 'The database is not reachable.', { engine }, { cause: error })
    : error;

export const isUniqueViolation = (error: unknown): boolean => codeOf(error) === '23505';
