import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { z } from 'zod';
import type { ReplayGuard } from './replay-guard.js';

/**
 * What stands in front of Bolt on POST /slack/events: reads the body (bounded), checks the signature and its age in
 * both directions, refuses replays, and answers at once what Bolt would mishandle. Bolt answers a body it cannot
 * classify only after its 3-second timeout (404), and a few shapes (`null`, an `event` that is a string, a `user`
 * that is null) make it throw before it can answer; both are settled here so no payload holds a connection or turns
 * into a 5xx that Slack retries. Everything that passes is handed to Bolt with the body already read.
 */
export type GateVerdict =
  /** Hand the request to Bolt (its `rawBody` is set). */
  | { readonly action: 'forward' }
  /** Answer with this status and no body. */
  | { readonly action: 'reject'; readonly status: 400 | 401 | 413; readonly reason: GateReason }
  /** A verified request we have nothing to do with: acknowledge it (200) so Slack does not retry. */
  | { readonly action: 'ignore'; readonly reason: GateReason };

export type GateReason =
  | 'missing_headers'
  | 'stale'
  | 'from_the_future'
  | 'bad_signature'
  | 'replayed'
  | 'too_large'
  | 'unreadable_body'
  | 'not_an_object'
  | 'unknown_kind'
  | 'malformed_shape';

export interface SlackRequestGate {
  screen(req: IncomingMessage): Promise<GateVerdict>;
}

export interface SlackRequestGateOptions {
  readonly signingSecret: string;
  readonly replays?: ReplayGuard;
  /** Largest body read; Bolt's own default is 4 MB. */
  readonly bodyLimitBytes?: number;
  /** How far a request's timestamp may be from now, either way (Slack: 5 minutes). */
  readonly toleranceMs?: number;
  readonly now?: () => number;
}

export const DefaultBodyLimitBytes = 4 * 1024 * 1024;
const FormContentType = 'application/x-www-form-urlencoded';

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** Slack's v0 signature check, with "now" passed in. */
export function checkSlackSignature(input: {
  readonly signingSecret: string;
  readonly body: Buffer;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly nowMs: number;
  readonly toleranceMs: number;
}): 'ok' | 'missing_headers' | 'stale' | 'from_the_future' | 'bad_signature' {
  const { signature, timestamp } = input;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return 'missing_headers';
  const ageMs = input.nowMs - Number(timestamp) * 1000;
  if (ageMs > input.toleranceMs) return 'stale';
  if (ageMs < -input.toleranceMs) return 'from_the_future';
  const expected = Buffer.from(
    `v0=${createHmac('sha256', input.signingSecret).update(`v0:${timestamp}:`).update(input.body).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad_signature';
}

const PlainObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected an object',
);
const OptionalObject = PlainObject.optional();

/** The fields Bolt reads before any listener runs, per kind of request (bolt-js App.processEvent, buildSource). */
const EventEnvelope = z.object({
  event: z
    .object({
      type: z.string(),
      channel: z.union([z.string(), PlainObject]).optional(),
      item: OptionalObject,
      subteam: OptionalObject,
    })
    .loose(),
  authorizations: z.array(PlainObject).optional(),
});
const Interactive = z.object({
  user: PlainObject,
  channel: OptionalObject,
  view: OptionalObject,
  actions: z.array(PlainObject).optional(),
});
const ViewPayload = Interactive.extend({ view: PlainObject });

const ViewTypes = new Set(['view_submission', 'view_closed']);

/** How Bolt's HTTPReceiver parses a body (HTTPModuleFunctions.parseHTTPRequestBody), without throwing. */
function parseLikeBolt(
  body: Buffer,
  contentType: string | undefined,
): { ok: true; value: unknown; form: boolean } | { ok: false } {
  try {
    const text = body.toString();
    if (contentType === FormContentType) {
      const form = parseQueryString(text);
      const payload = form.payload;
      return { ok: true, value: typeof payload === 'string' ? JSON.parse(payload) : form, form: true };
    }
    return { ok: true, value: JSON.parse(text), form: false };
  } catch {
    return { ok: false };
  }
}

/** Whether Bolt can take this body safely, and whether it is one of the kinds Slack sends to this endpoint. */
export function screenPayload(value: unknown): 'forward' | 'not_an_object' | 'unknown_kind' | 'malformed_shape' {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not_an_object';
  const body = value as Record<string, unknown>;
  if (body.ssl_check === '1' || body.type === 'url_verification') return 'forward';
  if (body.event !== undefined) return EventEnvelope.safeParse(body).success ? 'forward' : 'malformed_shape';
  if (body.command !== undefined) return 'unknown_kind'; // no slash commands in this app
  // The same order of tests as Bolt's getTypeAndConversation: what Bolt would not classify, it would not answer.
  const type = typeof body.type === 'string' ? body.type : undefined;
  const boltKnows =
    body.name !== undefined ||
    type === 'block_suggestion' ||
    body.actions !== undefined ||
    type === 'shortcut' ||
    type === 'message_action' ||
    (type !== undefined && ViewTypes.has(type));
  if (!boltKnows) return 'unknown_kind';
  const shape = type !== undefined && ViewTypes.has(type) ? ViewPayload : Interactive;
  return shape.safeParse(body).success ? 'forward' : 'malformed_shape';
}

export function createSlackRequestGate({
  signingSecret,
  replays,
  bodyLimitBytes = DefaultBodyLimitBytes,
  toleranceMs = 5 * 60_000,
  now = Date.now,
}: SlackRequestGateOptions): SlackRequestGate {
  return {
    async screen(req) {
      let body: Buffer;
      try {
        body = await readBody(req, bodyLimitBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) return { action: 'reject', status: 413, reason: 'too_large' };
        return { action: 'reject', status: 400, reason: 'unreadable_body' };
      }
      // Bolt reads `rawBody` instead of the (now consumed) stream.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
      const contentType = header(req, 'content-type');
      const parsed = parseLikeBolt(body, contentType);

      // Slack's unsigned SSL check: Bolt answers it and strips anything else from the body.
      const sslCheck = parsed.ok && parsed.form && (parsed.value as Record<string, unknown> | null)?.ssl_check === '1';
      if (!sslCheck) {
        const signature = header(req, 'x-slack-signature');
        const timestamp = header(req, 'x-slack-request-timestamp');
        const nowMs = now();
        const verdict = checkSlackSignature({ signingSecret, body, signature, timestamp, nowMs, toleranceMs });
        if (verdict !== 'ok') return { action: 'reject', status: 401, reason: verdict };
        if (replays && signature) {
          // Slack retries events with a new signature; the retry number still tells a retry from its original if a
          // retry ever reused one. Interactions are never retried by Slack, so their signature alone is the key.
          const retry = !parsed.ok || parsed.form ? '' : `#${header(req, 'x-slack-retry-num') ?? '0'}`;
          if (!(await replays.admit(`${signature}${retry}`, Number(timestamp) * 1000, nowMs))) {
            return { action: 'reject', status: 401, reason: 'replayed' };
          }
        }
      }

      if (!parsed.ok) return { action: 'reject', status: 400, reason: 'unreadable_body' };
      const screened = screenPayload(parsed.value);
      if (screened === 'forward') return { action: 'forward' };
      if (screened === 'unknown_kind') return { action: 'ignore', reason: screened };
      return { action: 'reject', status: 400, reason: screened };
    },
  };
}
