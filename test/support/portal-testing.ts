import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { PortalConfig } from '../../src/config.js';
import { DomainError } from '../../src/domain/errors.js';
import type { PortalSettings } from '../../src/domain/ports.js';
import type { ThreadRef } from '../../src/domain/thread-link.js';
import { createPortalClient, type DetectionObservation, type PortalClientOptions } from '../../src/portal/index.js';
import type { PortalCallObservation } from '../../src/portal/portal-http.js';

/** Helpers shared by the portal adapter's unit tests (src/portal/*.test.ts) and its contract test. */

export const noSettings: PortalSettings = {
  approvers: [],
  allowedScopeIds: null,
  defaultSpace: null,
  defaultAgent: null,
  spaceLabel: null,
};

export const portalConfig = (config: Omit<PortalConfig, 'settings'> & { settings?: PortalSettings }): PortalConfig => ({
  settings: noSettings,
  ...config,
});

/**
 * A portal client with a fake sleep (the delays it asked for are recorded, nothing waits), a fixed jitter and
 * every observation recorded.
 */
export function recordingClient(config: PortalConfig, options: PortalClientOptions = {}) {
  const sleeps: number[] = [];
  const observed: PortalCallObservation[] = [];
  const detections: DetectionObservation[] = [];
  const client = createPortalClient(config, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    observe: (call) => observed.push(call),
    onDetection: (observation) => detections.push(observation),
    ...options,
  });
  return { client, sleeps, observed, detections };
}

/** The DomainError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected the call to fail');
}

/** Neither the token nor a recognisable piece of it appears in any of the values (errors included). */
export const expectNoSecret = (secret: string, ...values: unknown[]) => {
  for (const value of values) {
    const text = value instanceof Error ? `${value.message} ${JSON.stringify(value)}` : JSON.stringify(value);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(0, 12));
  }
};

export const thread: ThreadRef = { teamId: 'T0TEAM', channelId: 'C0CHANNEL', threadTs: '1732541415.000100' };

export const sender = { slackUserId: 'U012AB3CD', name: 'alice@acme.io' } as const;

/** Only loopback (the fake portal) may be reached for real; everything else must be a nock interceptor. */
export function blockNetworkButLoopback(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
}
