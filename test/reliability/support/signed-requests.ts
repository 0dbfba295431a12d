import { signSlackRequest } from '../../fakes/slack/index.js';

export interface RawResponse {
  readonly status: number;
  readonly body: string;
  readonly elapsedMs: number;
}

export interface RawRequest {
  readonly body: string;
  readonly contentType: string;
  /** Signing time in seconds; default now. */
  readonly timestampSeconds?: number;
  /** Headers to send instead of the computed ones (undefined removes one). */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly retryNum?: number;
  /** Give up (status 0) after this long; default 15 s. */
  readonly timeoutMs?: number;
}

/** Posts an already encoded body to the app, signed like Slack signs it unless the test overrides the headers. */
export async function postRaw(url: string, secret: string, request: RawRequest): Promise<RawResponse> {
  const signed = signSlackRequest(secret, request.body, request.timestampSeconds);
  const headers: Record<string, string> = {
    'content-type': request.contentType,
    'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
    'x-slack-signature': signed['x-slack-signature'],
    ...(request.retryNum === undefined ? {} : { 'x-slack-retry-num': String(request.retryNum) }),
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
    });
    const body = await response.text();
    return { status: response.status, body, elapsedMs: performance.now() - started };
  } catch (error) {
    // No answer at all (hang, reset): status 0, so the caller can report which request it was, and why (fetch's
    // own message is only "fetch failed"; the socket's error is its cause).
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why = [(error as Error).message, cause?.code, cause?.message].filter((part) => typeof part === 'string');
    return { status: 0, body: why.join(': '), elapsedMs: performance.now() - started };
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function inPool<T>(items: Iterable<T>, concurrency: number, work: (item: T) => Promise<void>) {
  const iterator = items[Symbol.iterator]();
  const runners = Array.from({ length: concurrency }, async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await work(next.value);
  });
  await Promise.all(runners);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
