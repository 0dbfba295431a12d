import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReplayGuard } from './replay-guard.js';
import { createSlackRequestGate, passedGate } from './request-gate.js';

const Secret = 'gate-test-secret';
const nowSeconds = () => Math.floor(Date.now() / 1000);
const require = createRequire(import.meta.url);
/** The builtin modules' shared objects: patching one (then syncing) changes what every importer calls. */
const crypto = require('node:crypto') as typeof import('node:crypto');
const querystring = require('node:querystring') as typeof import('node:querystring');

const sign = (body: string, timestamp = nowSeconds(), secret = Secret) => ({
  'x-slack-request-timestamp': String(timestamp),
  'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
});

/** A request the gate can read: headers, and a body pushed now, later, or never. */
function request(headers: Record<string, string>, body?: string | Buffer) {
  // No high-water mark: everything written waits in the stream until someone reads it.
  const stream = new PassThrough({ highWaterMark: 1 << 30 });
  let written = 0;
  const write = (chunk: string) => {
    written += Buffer.byteLength(chunk);
    stream.write(chunk);
  };
  const req = Object.assign(stream, { headers: { ...headers } }) as unknown as IncomingMessage;
  if (body !== undefined) stream.end(body);
  /** What the reader took out of the stream so far. */
  const bytesRead = () => written - stream.readableLength;
  return { req, stream, write, bytesRead };
}

const event = JSON.stringify({
  type: 'event_callback',
  event_id: 'Ev1',
  event: { type: 'app_mention', channel: 'C1', user: 'U1', text: 'hi', ts: '1.1' },
});
/** A megabyte of nesting: costly to parse (about 0.2 s), and never signed by Slack. */
const nested = `${'['.repeat(512 * 1024)}${']'.repeat(512 * 1024)}`;

describe('the request gate', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('forwards a signed event, with its raw body, and marks it as having passed', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret });
    const { req } = request({ 'content-type': 'application/json', ...sign(event) }, event);
    expect(await gate.screen(req)).toEqual({ action: 'forward' });
    expect((req as IncomingMessage & { rawBody?: Buffer }).rawBody?.toString()).toBe(event);
    expect(passedGate(req)).toBe(true);
  });

  it('forwards our signed slash command (form fields, no payload=), acks another, refuses a field written twice', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret });
    const fields = { command: '/helpdesk', text: 'status', team_id: 'T1', channel_id: 'C1', user_id: 'U1' };
    const body = new URLSearchParams(fields).toString();
    const { req } = request({ 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body);
    expect(await gate.screen(req)).toEqual({ action: 'forward' });
    expect(passedGate(req)).toBe(true);

    const other = body.replace('helpdesk', 'other');
    const unknown = request({ 'content-type': 'application/x-www-form-urlencoded', ...sign(other) }, other);
    expect(await gate.screen(unknown.req)).toEqual({ action: 'ignore', reason: 'unknown_kind' });

    const twice = `${body}&user_id=U2`;
    const second = request({ 'content-type': 'application/x-www-form-urlencoded', ...sign(twice) }, twice);
    expect(await gate.screen(second.req)).toMatchObject({ action: 'reject', status: 400, reason: 'malformed_shape' });
    expect(passedGate(second.req)).toBe(false);
  });

  it('refuses unsigned bodies, however costly, before parsing them at all', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret });
    const jsonParse = vi.spyOn(JSON, 'parse');
    const originalQs = querystring.parse;
    const qsParse = vi.fn(originalQs);
    querystring.parse = qsParse as typeof querystring.parse;
    syncBuiltinESMExports();
    try {
      const form = new URLSearchParams({ payload: nested }).toString();
      const cases = [
        request({ 'content-type': 'application/json' }, nested),
        request({ 'content-type': 'application/json', ...sign(nested, nowSeconds(), 'another-secret') }, nested),
        request({ 'content-type': 'application/json', ...sign(nested, nowSeconds() - 600) }, nested),
        request({ 'content-type': 'application/x-www-form-urlencoded' }, form),
        request({ 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=00' }, form),
      ];
      const verdicts = await Promise.all(cases.map(({ req }) => gate.screen(req)));
      expect(verdicts.map((verdict) => verdict.action === 'reject' && verdict.status)).toEqual([
        401, 401, 401, 401, 401,
      ]);
      expect(cases.some(({ req }) => passedGate(req))).toBe(false);
      expect(jsonParse).not.toHaveBeenCalled();
      expect(qsParse).not.toHaveBeenCalled();
    } finally {
      querystring.parse = originalQs;
      syncBuiltinESMExports();
    }
  });

  it('computes one HMAC per request', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret });
    const original = crypto.createHmac;
    let keyed = 0;
    crypto.createHmac = ((...args: Parameters<typeof original>) => {
      if (args[1] === Secret) keyed += 1;
      return original(...args);
    }) as typeof original;
    syncBuiltinESMExports();
    try {
      const { req } = request({ 'content-type': 'application/json', ...sign(event) }, event);
      expect(keyed).toBe(1); // the test's own signature
      expect(await gate.screen(req)).toEqual({ action: 'forward' });
      expect(keyed).toBe(2);
    } finally {
      crypto.createHmac = original;
      syncBuiltinESMExports();
    }
  });

  it("answers Slack's unsigned SSL check itself, and nothing larger that claims to be one", async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(await gate.screen(request(form, 'ssl_check=1&token=abc').req)).toEqual({
      action: 'ignore',
      reason: 'ssl_check',
    });
    const smuggled = request(form, `ssl_check=1&payload=${encodeURIComponent(JSON.stringify({ type: 'x' }))}`);
    expect(await gate.screen(smuggled.req)).toMatchObject({ action: 'ignore', reason: 'ssl_check' });
    expect(passedGate(smuggled.req)).toBe(false);
    const long = request(form, `ssl_check=1&pad=${'x'.repeat(300)}`);
    expect(await gate.screen(long.req)).toMatchObject({ action: 'reject', status: 401 });
  });

  it('refuses a body whose Content-Length is over the limit without reading a byte of it', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret, bodyLimitBytes: 1024 });
    const { req, write, bytesRead } = request({ 'content-type': 'application/json', 'content-length': '1025' });
    write('x'.repeat(1025));
    expect(await gate.screen(req)).toEqual({ action: 'reject', status: 413, reason: 'too_large', unread: true });
    expect(bytesRead()).toBe(0);
  });

  it('stops reading as soon as a body without a Content-Length passes the limit', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret, bodyLimitBytes: 1024 });
    const { req, write, bytesRead } = request({ 'content-type': 'application/json' });
    const verdict = gate.screen(req);
    for (let chunk = 0; chunk < 100; chunk += 1) write('x'.repeat(1000));
    expect(await verdict).toMatchObject({ action: 'reject', status: 413, unread: true });
    expect(bytesRead()).toBeLessThan(100_000);
    expect(req.readableFlowing).toBe(false);
  });

  it('gives up on a body that trickles in past the deadline', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret, bodyDeadlineMs: 200 });
    const { req, stream } = request({ 'content-type': 'application/json', 'content-length': '100' });
    const trickle = setInterval(() => stream.write('x'), 50);
    const started = performance.now();
    try {
      expect(await gate.screen(req)).toEqual({
        action: 'reject',
        status: 408,
        reason: 'body_timeout',
        unread: true,
      });
    } finally {
      clearInterval(trickle);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('gives a body that keeps arriving steadily more time, up to twice the deadline', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret, bodyDeadlineMs: 300 });
    const { req, write, stream } = request({ 'content-type': 'application/json' });
    // 32 KB every 50 ms (640 KB/s), ending 100 ms past the deadline.
    const started = performance.now();
    const steady = setInterval(() => {
      write('x'.repeat(32 * 1024));
      if (performance.now() - started >= 400) {
        clearInterval(steady);
        stream.end();
      }
    }, 50);
    try {
      // Unsigned, so refused once read: what matters is that it was read to its end.
      expect(await gate.screen(req)).toMatchObject({ action: 'reject', status: 401 });
    } finally {
      clearInterval(steady);
    }
  });

  it('cuts off even a steady body at twice the deadline', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret, bodyDeadlineMs: 100 });
    const { req, write } = request({ 'content-type': 'application/json', 'content-length': String(4 * 1024 * 1024) });
    const steady = setInterval(() => write('x'.repeat(16 * 1024)), 20);
    const started = performance.now();
    try {
      expect(await gate.screen(req)).toMatchObject({ action: 'reject', status: 408, reason: 'body_timeout' });
    } finally {
      clearInterval(steady);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('says a body cut off mid-way is unreadable', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret });
    const { req, stream } = request({ 'content-type': 'application/json', 'content-length': '100' });
    stream.write('{"a":');
    const verdict = gate.screen(req);
    stream.destroy();
    expect(await verdict).toMatchObject({ action: 'reject', status: 400, reason: 'unreadable_body' });
  });

  it('lets a captured event through at most five times, whatever retry number a replay writes', async () => {
    const gate = createSlackRequestGate({ signingSecret: Secret, replays: createReplayGuard() });
    const headers = { 'content-type': 'application/json', ...sign(event) };
    const verdicts: string[] = [];
    for (const retryNum of [undefined, '1', '2', '3', '4', '5', '01', '1 ', '99', '-1', '1', '3', undefined]) {
      const { req } = request(
        { ...headers, ...(retryNum === undefined ? {} : { 'x-slack-retry-num': retryNum }) },
        event,
      );
      const verdict = await gate.screen(req);
      verdicts.push(
        verdict.action === 'forward' ? 'forward' : `${verdict.action}:${'reason' in verdict ? verdict.reason : ''}`,
      );
    }
    // The original, Slack's three retry numbers, and one shared key for every other value; then only refusals.
    expect(verdicts.filter((verdict) => verdict === 'forward')).toHaveLength(5);
    expect(verdicts.slice(5)).toEqual(Array(8).fill('reject:replayed'));
  });

  it('keeps an event’s key in memory only (its event_id is recorded behind the gate), and every other key durably', async () => {
    const durable: string[] = [];
    const gate = createSlackRequestGate({
      signingSecret: Secret,
      replays: createReplayGuard({
        remember: async (key) => {
          durable.push(key);
          return true;
        },
      }),
    });
    const withEventId = request({ 'content-type': 'application/json', ...sign(event) }, event);
    expect(await gate.screen(withEventId.req)).toEqual({ action: 'forward' });
    expect(durable).toEqual([]);
    const noEventId = JSON.stringify({ ...JSON.parse(event), event_id: undefined });
    const withoutEventId = request({ 'content-type': 'application/json', ...sign(noEventId) }, noEventId);
    await gate.screen(withoutEventId.req);
    const form = querystring.stringify({ payload: JSON.stringify({ type: 'block_actions', actions: [] }) });
    const click = request({ 'content-type': 'application/x-www-form-urlencoded', ...sign(form) }, form);
    await gate.screen(click.req);
    expect(durable).toHaveLength(2);
  });

  describe('second adversarial review (issue 12)', () => {
    it('refuses an unsigned url_verification: the challenge is answered only for Slack', async () => {
      const gate = createSlackRequestGate({ signingSecret: Secret });
      const body = JSON.stringify({ type: 'url_verification', challenge: 'c', token: 't' });
      const { req } = request({ 'content-type': 'application/json' }, body);
      expect(await gate.screen(req)).toMatchObject({ action: 'reject', status: 401, reason: 'missing_headers' });
    });

    it('refuses a correctly signed request whose timestamp is six minutes old, or one in a number format', async () => {
      const gate = createSlackRequestGate({ signingSecret: Secret });
      const stale = request({ 'content-type': 'application/json', ...sign(event, nowSeconds() - 360) }, event);
      expect(await gate.screen(stale.req)).toMatchObject({ action: 'reject', reason: 'stale' });
      const { 'x-slack-request-timestamp': _timestamp, ...signed } = sign(event);
      for (const timestamp of [`${nowSeconds()}.0`, `+${nowSeconds()}`, `${nowSeconds()}e0`]) {
        const odd = request(
          { 'content-type': 'application/json', ...signed, 'x-slack-request-timestamp': timestamp },
          event,
        );
        expect(await gate.screen(odd.req)).toMatchObject({ action: 'reject', status: 401 });
      }
    });

    it('refuses a Content-Length over the limit however it is written, before reading', async () => {
      const gate = createSlackRequestGate({ signingSecret: Secret, bodyLimitBytes: 1024 });
      for (const length of ['0x500', '2e3', ' 1025 ']) {
        const { req, write, bytesRead } = request({ 'content-type': 'application/json', 'content-length': length });
        write('x'.repeat(1100));
        expect(await gate.screen(req)).toMatchObject({ action: 'reject', status: 413 });
        expect(bytesRead()).toBe(0);
      }
    });

    it('answers a signed form whose payload is a megabyte of nesting at once, without handing it to Bolt', async () => {
      const gate = createSlackRequestGate({ signingSecret: Secret });
      const body = `payload=${encodeURIComponent(nested)}`;
      const { req } = request({ 'content-type': 'application/x-www-form-urlencoded', ...sign(body) }, body);
      const started = performance.now();
      expect(await gate.screen(req)).toMatchObject({ action: 'reject', status: 400, reason: 'not_an_object' });
      expect(performance.now() - started).toBeLessThan(2000);
      expect(passedGate(req)).toBe(false);
    });
  });
});
