import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { z } from 'zod';
import { serveParent } from './ipc.js';

/**
 * The baseline: the smallest Bolt app that does what a mention needs (ack, then post one message in the thread),
 * plus ack-only action and view handlers, on its own HTTPReceiver in its own process, against the same fake Slack.
 */

const Env = z.object({
  SLACK_BOT_TOKEN: z.string(),
  SLACK_SIGNING_SECRET: z.string(),
  SLACK_API_URL: z.string(),
  BOT_ID: z.string(),
  BOT_USER_ID: z.string(),
  PORT: z.coerce.number().int().default(0),
});
const env = Env.parse(process.env);

const app = new App({
  token: env.SLACK_BOT_TOKEN,
  signingSecret: env.SLACK_SIGNING_SECRET,
  botId: env.BOT_ID,
  botUserId: env.BOT_USER_ID,
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: env.SLACK_API_URL, retryConfig: { retries: 0 } },
});

let inFlight = 0;
let lastSettled = performance.now();
app.event('app_mention', async ({ event, say }) => {
  inFlight += 1;
  try {
    await say({ text: 'hi', thread_ts: event.ts });
  } finally {
    inFlight -= 1;
    lastSettled = performance.now();
  }
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
app.view(/.*/, async ({ ack }) => {
  await ack();
});

const server = await app.start({ port: env.PORT, host: '127.0.0.1' });
const { port } = server.address() as AddressInfo;

// Idle: nothing in flight and nothing settled for 50 ms (an acked event reaches the listener a moment later).
const idle = async (timeoutMs: number): Promise<boolean> => {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (inFlight === 0 && performance.now() - lastSettled > 50) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
};

let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (async () => {
    await idle(5_000);
    await app.stop();
  })();
  return stopping;
};
process.once('SIGTERM', () => void stop().finally(() => process.exit(0)));

serveParent(async (request) => {
  switch (request.kind) {
    case 'rss':
      return process.memoryUsage().rss;
    case 'idle':
      return idle(request.timeoutMs);
    case 'seed-links':
      throw new Error('the bare Bolt app has no store');
    case 'engine-memory':
      return 0;
    case 'stop':
      await stop();
      return true;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return user + system;
    }
    case 'clock':
      return Number(process.hrtime.bigint() / 1000n);
  }
});
process.send?.({ kind: 'ready', url: `http://127.0.0.1:${port}` });
