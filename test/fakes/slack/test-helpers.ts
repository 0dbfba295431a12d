import { type Logger, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { Clock } from '../../../src/domain/ports.js';
import type { FakeSlack } from './fake-slack.js';

/** Keeps WebClient quiet in tests (it logs Slack's [ERROR] messages and missing-text warnings). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export function clientFor(fake: FakeSlack, options: WebClientOptions = {}, token = fake.botToken): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger,
    ...options,
  });
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start = '2026-03-02T09:00:00Z') {
    this.current = Date.parse(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** The Slack error code of a rejected WebClient call. */
export async function slackError(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await call;
  } catch (error) {
    const data = (error as { data?: { error?: string; response_metadata?: { messages?: string[] } } }).data;
    if (data?.error !== undefined) return { error: data.error, messages: data.response_metadata?.messages ?? [] };
    throw error;
  }
  throw new Error('expected the call to fail');
}
