import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { z } from 'zod';
import { SlashCommand } from '../blocks/ids.js';
import type { ReplayGuard } from './replay-guard.js';

/**
 * What stands in front of Bolt on POST /slack/events, and the only thing that checks Slack's signature (Bolt's own
 * check is off: see app.ts). In this order, so that a request not from Slack costs no more than reading a bounded
 * body and one HMAC: refuses a body whose Content-Length is over the limit before reading it; reads the body, giving up
 * as soon as it passes the limit or its deadline; checks the signature and its age in both directions on the raw
 * bytes; refuses replays; and only then parses the body and answers at once what Bolt would mishandle. Bolt answers
 * a body it cannot classify only after its 3-second timeout (404), and a few shapes (`null`, an `event` that is a
 * string, a `user` that is null) make it throw before it can answer; both are settled here so no payload holds a
 * connection or turns into a 5xx that Slack retries. Everything that passes is marked (see `passedGate`) and handed
 * to Bolt with the body already read.
 */
export type GateVerdict =
  /** Hand the request to Bolt (its `rawBody` is set). */
  | { readonly action: 'forward' }
  /**
   * Answer with this status and no body. `unread`: the body was not read to its end (too large, too slow, cut off),
   * so the answer must close the connection.
   */
  | {
      readonly action: 'reject';
      readonly status: 400 | 401 | 408 | 413;
      readonly reason: GateReason;
      readonly unread?: true;
    }
  /** A request we have nothing to do with: acknowledge it (200) so Slack does not retry. */
  | { readonly action: 'ignore'; readonly reason: GateReason };

export type GateReason =
  | 'missing_headers'
  | 'stale'
  | 'from_the_future'
  | 'bad_signature'
  | 'replayed'
  | 'too_large'
  | 'body_timeout'
  | 'unreadable_body'
  | 'ssl_check'
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
  /**
   * How long the whole body may take to arrive, from when the gate starts reading it. Slack sends its few kilobytes
   * at once and wants an answer within 3 s; a client that trickles its body is cut off (408) after this. A body still
   * coming at `MinBodyBytesPerSecond` or more (a large one on a busy machine) gets up to twice as long.
   */
  readonly bodyDeadlineMs?: number;
  /** How far a request's timestamp may be from now, either way (Slack: 5 minutes). */
  readonly toleranceMs?: number;
  readonly now?: () => number;
}

export const DefaultBodyLimitBytes = 4 * 1024 * 1024;
export const DefaultBodyDeadlineMs = 5_000;
/** What a body must average to be given more time at its deadline: far beyond a trickle, far below any network. */
export const MinBodyBytesPerSecond = 64 * 1024;
const FormContentType = 'application/x-www-form-urlencoded';
/** Slack's SSL check (`ssl_check=1&token=…`) is a few dozen bytes; nothing longer is looked at without a signature. */
const SslCheckMaxBytes = 256;

class BodyTooLarge extends Error {}
class BodyTooSlow extends Error {}
class BodyUnreadable extends Error {}

/**
 * The requests that passed a gate, and only those (Bolt's listener takes nothing else: app.ts), each with the payload
 * the gate parsed, so that nothing before Bolt parses the body a second time.
 */
const passed = new WeakMap<object, unknown>();

/** Whether a gate said 'forward' for this request: its signature, age and replay checks passed. */
export function passedGate(req: object): boolean {
  return passed.has(req);
}

/** The payload the gate parsed for a request it forwarded (undefined for any other request). */
export function gatedPayload(req: object): unknown {
  return passed.get(req);
}

/**
 * The body, read whole, or an error as soon as it passes `limit` (by its Content-Length, before a byte is read, or
 * while reading) or `deadlineMs`. On an error the stream is left paused with whatever was not read: the caller's
 * answer closes the connection.
 */
function readBody(req: IncomingMessage, limit: number, deadlineMs: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new BodyTooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) {
        req.pause();
        chunks.length = 0;
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size > limit) settle(new BodyTooLarge());
      else chunks.push(buffer);
    };
    const started = performance.now();
    const onEnd = () => settle();
    const onError = () => settle(new BodyUnreadable());
    const onClose = () => settle(new BodyUnreadable());
    // When the deadline fires, bytes that arrived while the event loop was busy may not have been read yet: timers
    // run before I/O in each turn of the loop, so the check waits for the I/O of this turn (setImmediate). A body
    // arriving steadily is checked again a little later, up to twice the deadline.
    const check = () =>
      setImmediate(() => {
        const elapsedMs = performance.now() - started;
        const steady = size >= (elapsedMs / 1000) * MinBodyBytesPerSecond;
        if (steady && elapsedMs < 2 * deadlineMs) timer = setTimeout(check, Math.min(500, 2 * deadlineMs - elapsedMs));
        else settle(new BodyTooSlow());
      });
    let timer = setTimeout(check, deadlineMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Slack's unsigned SSL check, recognised on the raw bytes of a tiny form body (`ssl_check=1` among its fields),
 * without parsing anything else.
 */
function isSslCheck(body: Buffer, contentType: string | undefined): boolean {
  return (
    contentType === FormContentType &&
    body.length <= SslCheckMaxBytes &&
    body.toString('latin1').split('&').includes('ssl_check=1')
  );
}

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
const SlashCommandShape = z
  .object({ command: z.string(), team_id: z.string(), channel_id: z.string(), user_id: z.string() })
  .loose();

/** How Bolt's HTTPReceiver parses a body (HTTPModuleFunctions.parseHTTPRequestBody), without throwing. */
/** An Events API callback with the event_id the app de-duplicates on (runtime/app.ts, `firstDelivery`). */
const hasEventId = (payload: unknown): boolean => {
  if (typeof payload !== 'object' || payload === null) return false;
  const { type, event_id: eventId } = payload as { type?: unknown; event_id?: unknown };
  return type === 'event_callback' && typeof eventId === 'string' && eventId.length > 0;
};

function parseLikeBolt(body: Buffer, contentType: string | undefined): { ok: true; value: unknown } | { ok: false } {
  try {
    const text = body.toString();
    if (contentType === FormContentType) {
      const form = parseQueryString(text);
      const payload = form.payload;
      return { ok: true, value: typeof payload === 'string' ? JSON.parse(payload) : form };
    }
    return { ok: true, value: JSON.parse(text) };
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
  // A slash command (form fields, docs/slack-platform.md §1): Bolt routes it by `command`; its listener parses the rest.
  // One Bolt has no listener for would wait out Bolt's 3-second timeout, so only ours goes on.
  if (body.command !== undefined) {
    if (!SlashCommandShape.safeParse(body).success) return 'malformed_shape';
    return body.command === SlashCommand.Helpdesk ? 'forward' : 'unknown_kind';
  }
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
  bodyDeadlineMs = DefaultBodyDeadlineMs,
  toleranceMs = 5 * 60_000,
  now = Date.now,
}: SlackRequestGateOptions): SlackRequestGate {
  return {
    async screen(req) {
      let body: Buffer;
      try {
        body = await readBody(req, bodyLimitBytes, bodyDeadlineMs);
      } catch (error) {
        if (error instanceof BodyTooLarge) return { action: 'reject', status: 413, reason: 'too_large', unread: true };
        if (error instanceof BodyTooSlow)
          return { action: 'reject', status: 408, reason: 'body_timeout', unread: true };
        return { action: 'reject', status: 400, reason: 'unreadable_body', unread: true };
      }
      const contentType = header(req, 'content-type');

      // Authentication first, on the raw bytes: nothing below (parsing, screening, the store) runs for a request
      // that Slack did not sign.
      const signature = header(req, 'x-slack-signature');
      const timestamp = header(req, 'x-slack-request-timestamp');
      const nowMs = now();
      const verdict = checkSlackSignature({ signingSecret, body, signature, timestamp, nowMs, toleranceMs });
      if (verdict !== 'ok') {
        // Slack's SSL check is the one request it does not sign; answered here, so Bolt only ever sees signed ones.
        if (isSslCheck(body, contentType)) return { action: 'ignore', reason: 'ssl_check' };
        return { action: 'reject', status: 401, reason: verdict };
      }
      const parsed = parseLikeBolt(body, contentType);
      if (!parsed.ok) return { action: 'reject', status: 400, reason: 'unreadable_body' };
      const form = contentType === FormContentType;
      if (replays && signature) {
        // Slack retries events with a new signature; the retry number still tells a retry from its original if a
        // retry ever reused one. Interactions (forms) are never retried by Slack, so their signature alone is the key.
        // The retry number is not signed: Slack retries an event at most 3 times (docs/slack-platform.md §2), so any
        // other value shares one key, and a captured request gets through the gate at most five times, not once per
        // number an attacker writes (the event_id check behind the gate stops those few).
        const retryNum = header(req, 'x-slack-retry-num');
        const retry = form ? '' : `#${retryNum === undefined ? '0' : /^[1-3]$/.test(retryNum) ? retryNum : 'other'}`;
        // An Events API callback carries its event_id, which the app records before any listener runs (every
        // instance on the same database refuses it twice): its key is kept in this instance's memory only, so no
        // database write stands between Slack and the ack. Every other request is kept in the store too.
        const durable = !hasEventId(parsed.value);
        if (!(await replays.admit(`${signature}${retry}`, Number(timestamp) * 1000, nowMs, { durable }))) {
          return { action: 'reject', status: 401, reason: 'replayed' };
        }
      }

      const screened = screenPayload(parsed.value);
      if (screened === 'unknown_kind') return { action: 'ignore', reason: screened };
      if (screened !== 'forward') return { action: 'reject', status: 400, reason: screened };
      // Bolt reads `rawBody` instead of the (now consumed) stream.
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
      passed.set(req, parsed.value);
      return { action: 'forward' };
    },
  };
}
