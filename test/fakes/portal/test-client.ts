import type { FakePortal } from './fake-portal.js';

/** A plain HTTP client for the fake portal's own tests: what goes on the wire, nothing interpreted. */

export interface ApiOptions {
  /** Bearer token; default the admin token; null sends no Authorization header. */
  readonly token?: string | null;
  readonly json?: unknown;
  readonly raw?: string;
  readonly contentType?: string;
  readonly accept?: string;
  /** Sent as X-Correlation-Id. */
  readonly correlationId?: string;
}

export interface ApiResult {
  readonly status: number;
  readonly text: string;
  readonly contentType: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON shapes
  readonly json: any;
}

const request = (portal: FakePortal, method: string, path: string, options: ApiOptions): Promise<Response> => {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? portal.adminToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.correlationId !== undefined) headers['x-correlation-id'] = options.correlationId;
  if (options.accept !== undefined) headers.accept = options.accept;
  let body: string | undefined;
  if (options.json !== undefined || options.raw !== undefined) {
    body = options.raw ?? JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  return fetch(`${portal.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
};

/** One request; the body read whole, parsed as JSON when it is JSON. */
export const call = async (
  portal: FakePortal,
  method: string,
  path: string,
  options: ApiOptions = {},
): Promise<ApiResult> => {
  const response = await request(portal, method, path, options);
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, contentType: response.headers.get('content-type'), json };
};

/** An SSE answer read line by line, as the spec says (no library): what arrived, and how it ended. */
export interface SseResult {
  readonly status: number;
  readonly contentType: string | null;
  /** The whole body as received. */
  readonly raw: string;
  /** Comment lines (`:` …), without the colon. */
  readonly comments: string[];
  /** `event:` names, in order, one per dispatched event ('' when none). */
  readonly names: string[];
  /** Each dispatched event's data, parsed as JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON shapes
  readonly events: any[];
  /** The read failed (the connection was cut) before the stream ended. */
  readonly broken: boolean;
}

/** Reads an SSE body with a tiny line reader: `data:` lines gather, a blank line dispatches, `:` is a comment. */
export const readSse = async (response: Response): Promise<SseResult> => {
  let raw = '';
  let broken = false;
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  if (reader) {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        raw += decoder.decode(value, { stream: true });
      }
    } catch {
      broken = true;
    }
  }
  const comments: string[] = [];
  const names: string[] = [];
  const events: unknown[] = [];
  let data: string[] = [];
  let name = '';
  const lines = raw.split(/\r\n|\r|\n/);
  // The text after the last line break is an unfinished line: never dispatched.
  lines.pop();
  for (const line of lines) {
    if (line === '') {
      if (data.length > 0) {
        events.push(JSON.parse(data.join('\n')));
        names.push(name);
      }
      data = [];
      name = '';
    } else if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
    } else {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') name = value;
    }
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    raw,
    comments,
    names,
    events,
    broken,
  };
};

/** POST to a streaming endpoint with `Accept: text/event-stream`; SSE answers are read as SSE, others as JSON. */
export const stream = async (
  portal: FakePortal,
  path: string,
  json: unknown,
  options: Omit<ApiOptions, 'json'> = {},
): Promise<{ sse?: SseResult; error?: ApiResult }> => {
  const response = await request(portal, 'POST', path, { accept: 'text/event-stream', ...options, json });
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return { sse: await readSse(response) };
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { error: { status: response.status, text, contentType: response.headers.get('content-type'), json: parsed } };
};

/**
 * Decodes a §5.3 error body as the adapter will: the JSON string, the `Error ` prefix and the
 * ` in request call to Agent.` suffix removed, one event per line.
 */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON shapes
export const errorBodyEvents = (text: string): any[] => {
  const decoded = JSON.parse(text) as unknown;
  if (typeof decoded !== 'string') throw new Error(`not a JSON string: ${text.slice(0, 80)}`);
  if (!decoded.startsWith('Error ')) throw new Error('no "Error " prefix');
  if (!decoded.endsWith(' in request call to Agent.')) throw new Error('no " in request call to Agent." suffix');
  const body = decoded.slice('Error '.length, -' in request call to Agent.'.length);
  return body.split('\n').map((line) => JSON.parse(line));
};
