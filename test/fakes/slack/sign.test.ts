import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSlackDelivery, postToApp, signSlackRequest } from './sign.js';

const SECRET = 'fake-signing-secret';

describe('signSlackRequest', () => {
  it('signs so that Bolt’s own verifier accepts it', () => {
    const body = JSON.stringify({ type: 'event_callback', event: { type: 'app_mention' } });
    const now = 1_772_442_000;
    const headers = signSlackRequest(SECRET, body, now);
    expect(headers['x-slack-request-timestamp']).toBe(String(now));
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: {
          'x-slack-signature': headers['x-slack-signature'],
          'x-slack-request-timestamp': now,
        },
        nowMilliseconds: now * 1000,
      }),
    ).not.toThrow();
  });

  it('is refused by Bolt for another secret, another body or a stale timestamp', () => {
    const body = 'payload=%7B%7D';
    const now = 1_772_442_000;
    const verify = (headers: ReturnType<typeof signSlackRequest>, checkedBody: string, nowSeconds: number) => () =>
      verifySlackRequest({
        signingSecret: SECRET,
        body: checkedBody,
        headers: {
          'x-slack-signature': headers['x-slack-signature'],
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
        nowMilliseconds: nowSeconds * 1000,
      });
    expect(verify(signSlackRequest('other-secret', body, now), body, now)).toThrow(/signature mismatch/);
    expect(verify(signSlackRequest(SECRET, body, now), `${body}x`, now)).toThrow(/signature mismatch/);
    expect(verify(signSlackRequest(SECRET, body, now - 301), body, now)).toThrow(/stale/);
  });
});

describe('encodeSlackDelivery', () => {
  it('sends events as JSON and interactions/options as a payload form, as Slack does', () => {
    const payload = { type: 'block_actions', text: 'a & b = c?' };
    expect(encodeSlackDelivery(payload, 'event')).toEqual({
      body: JSON.stringify(payload),
      contentType: 'application/json',
    });
    for (const kind of ['interaction', 'options'] as const) {
      const encoded = encodeSlackDelivery(payload, kind);
      expect(encoded.contentType).toBe('application/x-www-form-urlencoded');
      expect(JSON.parse(new URLSearchParams(encoded.body).get('payload') ?? '')).toEqual(payload);
    }
  });
});

describe('postToApp', () => {
  let server: Server;
  let url: string;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"response_action":"clear"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts the signed body with retry headers and returns the answer', async () => {
    const response = await postToApp(
      url,
      SECRET,
      { type: 'view_submission' },
      {
        kind: 'interaction',
        retryNum: 1,
        retryReason: 'http_timeout',
        timestampSeconds: 1_772_442_000,
      },
    );
    expect(response).toMatchObject({ status: 200, json: { response_action: 'clear' } });
    expect(response.elapsedMs).toBeGreaterThanOrEqual(0);
    const last = received.at(-1);
    expect(last?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
      'x-slack-request-timestamp': '1772442000',
      'x-slack-signature': signSlackRequest(SECRET, last?.body ?? '', 1_772_442_000)['x-slack-signature'],
    });
  });

  it('lets a test send a forged signature', async () => {
    await postToApp(url, SECRET, { type: 'event_callback' }, { kind: 'event', signature: 'v0=forged' });
    expect(received.at(-1)?.headers['x-slack-signature']).toBe('v0=forged');
  });
});
