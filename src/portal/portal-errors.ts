import { isAxiosError } from 'axios';
import type { z } from 'zod';
import { DomainError, type ErrorCode } from '../domain/errors.js';

/** Which call failed: goes into the message and the error details. Never holds a token. */
export interface PortalCallContext {
  readonly portal: string;
  /** The client operation, e.g. `createTicket`. */
  readonly operation: string;
  /** Strings that must never appear in a message (the portal token); replaced if a portal echoes them. */
  readonly secrets?: readonly string[];
}

const MaxExcerpt = 200;

/** Node and axios codes for a portal we could not reach or that hung up on us. */
const UnavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_NETWORK',
  'ERR_SOCKET_CLOSED',
  'UND_ERR_SOCKET',
]);

const TimeoutCodes = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** `createTicket` → `create ticket`, the words a message uses. */
const operationWords = (operation: string): string => operation.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** Replaces each secret (the portal token) wherever a portal echoed it. */
export const scrubSecrets = (text: string, secrets: readonly string[] = []): string =>
  secrets.reduce((result, secret) => (secret ? result.split(secret).join('[redacted]') : result), text);

function failure(
  code: ErrorCode,
  context: PortalCallContext,
  reason: string,
  extra: Record<string, string | number | boolean> = {},
): DomainError {
  const message = `Portal "${context.portal}": ${operationWords(context.operation)} failed: ${reason}`;
  return new DomainError(code, scrubSecrets(message, context.secrets), {
    portal: context.portal,
    operation: context.operation,
    ...extra,
  });
}

const bodyText = (data: unknown): string => {
  if (typeof data === 'string') return data;
  if (data === undefined || data === null) return '';
  try {
    return JSON.stringify(data);
  } catch {
    return '';
  }
};

/** A short, single-line excerpt of the body's `Message` field (JSON bodies only); never the body itself. */
export function messageExcerpt(data: unknown, secrets: readonly string[] = []): string | undefined {
  let body: unknown = data;
  if (typeof data === 'string') {
    try {
      body = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const message = (body as Record<string, unknown>).Message ?? (body as Record<string, unknown>).message;
  if (typeof message !== 'string') return undefined;
  // Redact before cutting, so a cut can never leave part of a token behind.
  const line = scrubSecrets(message, secrets).replace(/\s+/g, ' ').trim();
  if (line === '') return undefined;
  return line.length > MaxExcerpt ? `${line.slice(0, MaxExcerpt - 1)}…` : line;
}

/** Maps an HTTP status (and its body) to our code. Legacy portal APIs answer 400 "... not found" for missing things. */
export function codeForStatus(status: number, body: unknown): ErrorCode {
  if (status === 401) return 'portal.unauthorized';
  if (status === 403) return 'portal.forbidden';
  if (status === 404) return 'portal.not_found';
  if (status === 400 && /not found/i.test(bodyText(body))) return 'portal.not_found';
  if (status >= 400 && status < 500) return 'portal.rejected';
  if (status >= 500) return 'portal.unavailable';
  return 'portal.bad_response';
}

export function statusError(context: PortalCallContext, status: number, body: unknown): DomainError {
  const excerpt = messageExcerpt(body, context.secrets);
  return failure(codeForStatus(status, body), context, `HTTP ${status}${excerpt ? ` (${excerpt})` : ''}`, { status });
}

/** The call's own time limit (an AbortSignal) ran out before the portal answered: a timeout, not a cancellation. */
export function timeoutError(context: PortalCallContext, errorCode = 'ETIMEDOUT'): DomainError {
  return failure('portal.timeout', context, 'no answer in time', { errorCode });
}

/** A 2xx reply that is not JSON or not the shape we rely on. Names where it broke, never what it held. */
export function badResponse(context: PortalCallContext, reason: string, status?: number): DomainError {
  return failure('portal.bad_response', context, `unexpected response (${reason})`, status ? { status } : {});
}

export function schemaError(context: PortalCallContext, error: z.ZodError, status?: number): DomainError {
  const issue = error.issues[0];
  // Path and issue code only: zod messages are safe by default, but a path and a code are enough to debug.
  const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
  return badResponse(context, `${where}: ${issue?.code ?? 'invalid'}`, status);
}

const codeOf = (value: unknown): string | undefined => {
  const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code !== '' ? code : undefined;
};

/**
 * Any failure of a portal call → DomainError. The axios error is not kept as `cause`: its config carries the
 * Authorization header, and a logger walking causes would print it.
 */
export function toPortalError(error: unknown, context: PortalCallContext): DomainError {
  if (error instanceof DomainError) return error;
  if (isAxiosError(error) && error.response) {
    return statusError(context, error.response.status, error.response.data);
  }
  // axios puts its own code on the error and the socket's on `cause`; either may be the telling one.
  const codes = [codeOf(error), codeOf((error as { cause?: unknown } | null)?.cause)].filter(
    (code): code is string => code !== undefined,
  );
  const timeout = codes.find((code) => TimeoutCodes.has(code));
  if (timeout) return failure('portal.timeout', context, 'no answer in time', { errorCode: timeout });
  const unreachable = codes.find((code) => UnavailableCodes.has(code));
  if (unreachable) {
    return failure('portal.unavailable', context, `cannot reach the portal (${unreachable})`, {
      errorCode: unreachable,
    });
  }
  const first = codes[0];
  return failure('portal.unknown', context, first ? `request failed (${first})` : 'request failed');
}
