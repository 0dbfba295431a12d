import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type Method } from 'axios';
import type { z } from 'zod';
import type { PortalConfig } from '../config.js';
import { DomainError } from '../domain/errors.js';
import { CorrelationHeader, currentCorrelationId } from '../observability/correlation.js';
import { wellFormedDeep } from '../well-formed.js';
import {
  badResponse,
  type PortalCallContext,
  schemaError,
  statusError,
  timeoutError,
  toPortalError,
} from './portal-errors.js';

export type PortalOperation =
  | 'detect'
  | 'check'
  | 'findUser'
  | 'userSpaces'
  | 'listSpaces'
  | 'permissionChoices'
  | 'listAgents'
  | 'getAgent'
  | 'createTicket'
  | 'sendMessage'
  | 'getTicket'
  | 'reassignAgent'
  | 'setTicketStatus';

export interface PortalCallObservation {
  readonly portal: string;
  readonly operation: PortalOperation;
  /** 'ok', or the DomainError code the call failed with. */
  readonly outcome: string;
  readonly seconds: number;
  /** The Slack request that caused the call (also sent to the portal as X-Correlation-Id), when there was one. */
  readonly correlationId?: string;
}

export interface PortalHttpOptions {
  /** Per-request timeout for quick calls (reads, reassign). Default 10 s. */
  readonly timeoutMs?: number;
  /** Time limit for calls an agent answers (sending a message, a whole stream). Default 120 s. */
  readonly agentTimeoutMs?: number;
  /** Extra attempts for an idempotent GET that found the portal unavailable or timed out. Default 2. */
  readonly getRetries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 200 ms. */
  readonly retryBaseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); injectable so tests can pin delays. */
  readonly random?: () => number;
  /** Called once per operation (not per attempt), e.g. to feed metrics. Never gets a token. */
  readonly observe?: (call: PortalCallObservation) => void;
}

export interface PortalRequest {
  readonly method: Method;
  readonly path: string;
  readonly body?: unknown;
  /** Default: the quick timeout. */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The raw answer to a request that did not fail at the transport level. */
export interface PortalAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * One portal's HTTP plumbing, shared by the adapters of both HelpDesk generations: the bearer token, timeouts,
 * well-formed request bodies (a lone surrogate becomes U+FFFD), retries of idempotent GETs, coded errors (docs/duplocloud-api.md §1), a correlation id per Slack request, and one
 * observation per operation.
 */
export interface PortalHttp {
  readonly portal: string;
  readonly host: string;
  readonly agentTimeoutMs: number;
  /** Runs one operation, reporting its outcome and duration once; errors leave as portal DomainErrors. */
  operation<T>(name: PortalOperation, run: (context: PortalCallContext) => Promise<T>): Promise<T>;
  /** One exchange, any status: for calls that read an error body (probes, streaming agents' replies). */
  answer(context: PortalCallContext, request: PortalRequest): Promise<PortalAnswer>;
  /** A 2xx exchange (else a coded error), body as text. POST/PUT are never retried. */
  exchange(context: PortalCallContext, request: PortalRequest): Promise<PortalAnswer>;
  /** A 2xx exchange whose JSON body is parsed with `schema`. */
  call<S extends z.ZodType>(context: PortalCallContext, request: PortalRequest, schema: S): Promise<z.output<S>>;
  get<S extends z.ZodType>(context: PortalCallContext, path: string, schema: S): Promise<z.output<S>>;
  /**
   * A request whose answer is read as it arrives (server-sent events), whatever its status: the caller reads an
   * error body itself. `signal` bounds the whole exchange. Never retried.
   */
  stream(
    context: PortalCallContext,
    request: PortalRequest & { readonly signal: AbortSignal },
  ): Promise<{ readonly status: number; readonly body: Readable }>;
}

const DefaultTimeoutMs = 10_000;
const DefaultAgentTimeoutMs = 120_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function parseJson(context: PortalCallContext, answer: PortalAnswer): unknown {
  try {
    return JSON.parse(answer.body);
  } catch {
    throw badResponse(context, answer.body.trim() === '' ? 'empty body' : 'not JSON', answer.status);
  }
}

export function parseWith<S extends z.ZodType>(
  context: PortalCallContext,
  schema: S,
  json: unknown,
  status?: number,
): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw schemaError(context, parsed.error, status);
  return parsed.data;
}

export function createPortalHttp(config: PortalConfig, options: PortalHttpOptions = {}): PortalHttp {
  const timeoutMs = options.timeoutMs ?? DefaultTimeoutMs;
  const agentTimeoutMs = options.agentTimeoutMs ?? DefaultAgentTimeoutMs;
  const getRetries = Math.max(0, options.getRetries ?? 2);
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const secrets = [config.token];

  const http: AxiosInstance = axios.create({
    baseURL: config.host,
    headers: {
      Authorization: `Bearer ${config.token}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    // We parse bodies ourselves: a 2xx that is not JSON must become portal.bad_response, not a string.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    // Timeouts come back as ETIMEDOUT rather than the ambiguous ECONNABORTED.
    transitional: { clarifyTimeoutError: true },
    maxRedirects: 0,
    validateStatus: () => true,
  });

  const headersFor = (request: PortalRequest): Record<string, string> => {
    const correlationId = currentCorrelationId();
    return { ...(correlationId ? { [CorrelationHeader]: correlationId } : {}), ...request.headers };
  };

  async function answer(context: PortalCallContext, request: PortalRequest): Promise<PortalAnswer> {
    try {
      const response = await http.request({
        method: request.method,
        url: request.path,
        timeout: request.timeoutMs ?? timeoutMs,
        headers: headersFor(request),
        ...(request.body !== undefined ? { data: wellFormedDeep(request.body) } : {}),
      });
      return { status: response.status, body: typeof response.data === 'string' ? response.data : '' };
    } catch (error) {
      throw toPortalError(error, context);
    }
  }

  async function exchange(context: PortalCallContext, request: PortalRequest): Promise<PortalAnswer> {
    const result = await answer(context, request);
    if (result.status < 200 || result.status >= 300) throw statusError(context, result.status, result.body);
    return result;
  }

  /** GETs are idempotent: retry them, with backoff and jitter, when the portal is down or slow. Never on a 4xx. */
  async function withRetries<T>(context: PortalCallContext, method: Method, attempt: () => Promise<T>): Promise<T> {
    const retries = method === 'GET' ? getRetries : 0;
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        const retryable = error instanceof DomainError && ['portal.unavailable', 'portal.timeout'].includes(error.code);
        if (!retryable || retry >= retries) throw toPortalError(error, context);
        const step = retryBaseDelayMs * 2 ** retry;
        await sleep(Math.round(step / 2 + (random() * step) / 2));
      }
    }
  }

  const call: PortalHttp['call'] = (context, request, schema) =>
    withRetries(context, request.method, async () => {
      const result = await exchange(context, request);
      return parseWith(context, schema, parseJson(context, result), result.status);
    });

  return {
    portal: config.name,
    host: config.host,
    agentTimeoutMs,

    async operation(name, run) {
      const context: PortalCallContext = { portal: config.name, operation: name, secrets };
      const started = performance.now();
      let outcome = 'ok';
      try {
        return await run(context);
      } catch (error) {
        const failure = toPortalError(error, context);
        outcome = failure.code;
        throw failure;
      } finally {
        const correlationId = currentCorrelationId();
        options.observe?.({
          portal: config.name,
          operation: name,
          outcome,
          seconds: (performance.now() - started) / 1000,
          ...(correlationId ? { correlationId } : {}),
        });
      }
    },

    answer: (context, request) => withRetries(context, request.method, () => answer(context, request)),
    exchange: (context, request) => withRetries(context, request.method, () => exchange(context, request)),
    call,
    get: (context, path, schema) => call(context, { method: 'GET', path }, schema),

    async stream(context, request) {
      try {
        const response = await http.request<Readable>({
          method: request.method,
          url: request.path,
          // The whole exchange is bounded by `signal`; this only bounds a silent connection (keep-alives reset it).
          timeout: request.timeoutMs ?? agentTimeoutMs,
          headers: headersFor(request),
          responseType: 'stream',
          signal: request.signal,
          ...(request.body !== undefined ? { data: wellFormedDeep(request.body) } : {}),
        });
        return { status: response.status, body: response.data };
      } catch (error) {
        // The time limit ran out before the answer's headers came: axios reports a cancelled request (ERR_CANCELED).
        if (request.signal.aborted) throw timeoutError(context);
        throw toPortalError(error, context);
      }
    },
  };
}
