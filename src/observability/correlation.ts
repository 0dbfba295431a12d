import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/**
 * A correlation id follows one Slack request through everything it causes: its log lines, and the portal calls it
 * makes (as an `X-Correlation-Id` header). It travels in AsyncLocalStorage rather than as a parameter, so the domain
 * stays unaware of it: the Slack middleware sets it, adapters (portal client, logs) read it.
 */
const storage = new AsyncLocalStorage<string>();

/** The header portal calls carry. */
export const CorrelationHeader = 'X-Correlation-Id';

/** What an id may look like: it goes into headers and logs, so only a short, plain token is accepted. */
const SafeId = /^[A-Za-z0-9._:-]{1,64}$/;

/** A fresh id: 12 hex characters, enough to tell requests apart in a day of logs. */
export const newCorrelationId = (): string => randomBytes(6).toString('hex');

/** `candidate` when it is a safe id (e.g. a Slack event_id), else a fresh one. */
export const correlationIdFrom = (candidate: unknown): string =>
  typeof candidate === 'string' && SafeId.test(candidate) ? candidate : newCorrelationId();

/** Runs `fn` (and every async continuation it starts) with `id` as the current correlation id. */
export function runWithCorrelation<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The correlation id of the work in progress; undefined outside any Slack request (start-up, timers). */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}
