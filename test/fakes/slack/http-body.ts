import type { IncomingMessage } from 'node:http';
import type { SlackObject } from './types.js';

const MAX_BODY_BYTES = 50 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Arguments Slack accepts as JSON strings in form posts (WebClient.serializeBody JSON-encodes every object). */
const JSON_ARGS = new Set([
  'blocks',
  'attachments',
  'view',
  'files',
  'metadata',
  'loading_messages',
  'options',
  'option_groups',
  'chunks',
  'unfurls',
  'prompts',
]);

function decodeJsonArgs(fields: Iterable<[string, string]>): SlackObject {
  const args: SlackObject = {};
  for (const [key, value] of fields) {
    if (JSON_ARGS.has(key)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        args[key] = value; // left as a string: the method answers invalid_blocks_format / invalid_arguments
      }
    } else {
      args[key] = value;
    }
  }
  return args;
}

export type ParsedApiRequest =
  | { readonly ok: true; readonly args: SlackObject; readonly token: string | null }
  | { readonly ok: false; readonly error: string };

/**
 * Parses a Web API call the way Slack does: form-encoded (values are strings, JSON arguments decoded), JSON (token
 * only from the Authorization header), multipart, or a query string. Anything else is `invalid_post_type`.
 */
export async function parseApiRequest(
  headers: IncomingMessage['headers'],
  body: Buffer,
  query: URLSearchParams,
): Promise<ParsedApiRequest> {
  const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? null;
  const fromQuery = decodeJsonArgs(query.entries());

  if (body.length === 0) {
    const { token, ...args } = fromQuery;
    return { ok: true, args, token: bearer ?? (typeof token === 'string' ? token : null) };
  }
  if (contentType === '') return { ok: false, error: 'missing_post_type' };

  let parsed: SlackObject;
  let formToken: string | null = null;
  if (contentType === 'application/x-www-form-urlencoded') {
    parsed = decodeJsonArgs(new URLSearchParams(body.toString('utf8')).entries());
  } else if (contentType === 'application/json') {
    try {
      const json: unknown = JSON.parse(body.toString('utf8'));
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, error: 'invalid_json' };
      parsed = { ...(json as SlackObject) };
    } catch {
      return { ok: false, error: 'invalid_json' };
    }
    // Slack ignores a token inside a JSON body: it must come as a bearer token.
    delete parsed.token;
  } else if (contentType === 'multipart/form-data') {
    const form = await formDataOf(headers, body);
    if (!form) return { ok: false, error: 'invalid_form_data' };
    const fields: Array<[string, string]> = [];
    for (const [key, value] of form.entries()) if (typeof value === 'string') fields.push([key, value]);
    parsed = decodeJsonArgs(fields);
  } else {
    return { ok: false, error: 'invalid_post_type' };
  }
  if (typeof parsed.token === 'string') formToken = parsed.token;
  delete parsed.token;
  return { ok: true, args: { ...fromQuery, ...parsed }, token: bearer ?? formToken };
}

/** Parses a multipart body with the platform's own parser (undici), as a server would. */
export async function formDataOf(headers: IncomingMessage['headers'], body: Buffer): Promise<FormData | null> {
  try {
    const request = new Request('http://fake.local/', {
      method: 'POST',
      headers: { 'content-type': headers['content-type'] ?? '' },
      body,
    });
    return await request.formData();
  } catch {
    return null;
  }
}
