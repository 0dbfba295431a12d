import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { createMetrics } from '../../metrics.js';
import { createWorkTracker } from '../../work-tracker.js';
import { createSlackApp } from './app.js';
import { createSlackRequestGate } from './request-gate.js';

const Secret = 'app-test-signing-secret';

function signedMention() {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event_id: 'EvAPPTEST',
    event_time: 1,
    event: { type: 'app_mention', channel: 'C1', user: 'U1', text: 'hi', ts: '1.1', event_ts: '1.1' },
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', Secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const headers = {
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
  return { body, headers };
}

describe("Bolt's HTTP listener", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  const listen = async (listener: Parameters<typeof createServer>[1]) => {
    server = createServer(listener);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  };

  const runtime = () => {
    const logger = createLogger({
      level: 'silent',
      destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
    });
    return createSlackApp(
      { mode: 'http', botToken: 'xoxb-test', signingSecret: Secret, apiUrl: 'http://127.0.0.1:9/api/' },
      { logger, metrics: createMetrics(), work: createWorkTracker(), firstDelivery: async () => true },
    );
  };

  it('refuses a request that did not pass the gate, even one correctly signed: Bolt checks no signature', async () => {
    const { httpListener } = runtime();
    if (!httpListener) throw new Error('no listener in http mode');
    const url = await listen(httpListener);
    const response = await fetch(url, { method: 'POST', ...signedMention() });
    expect(response.status).toBe(401);
  });

  it('takes a request the gate forwarded', async () => {
    const { httpListener } = runtime();
    if (!httpListener) throw new Error('no listener in http mode');
    const gate = createSlackRequestGate({ signingSecret: Secret });
    const url = await listen(async (req, res) => {
      const verdict = await gate.screen(req);
      if (verdict.action === 'forward') httpListener(req, res);
      else {
        res.writeHead(418);
        res.end();
      }
    });
    const response = await fetch(url, { method: 'POST', ...signedMention() });
    expect(response.status).toBe(200);
  });
});
