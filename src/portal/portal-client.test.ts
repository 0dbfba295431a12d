import { afterEach, describe, expect, it } from 'vitest';
import { type FakePortal, SeedTenants, SeedWorkspaces, startFakePortal } from '../../test/fakes/portal/index.js';
import {
  blockNetworkButLoopback,
  expectNoSecret,
  failure,
  noSettings,
  portalConfig,
  recordingClient,
} from '../../test/support/portal-testing.js';
import type { PortalConfig } from '../config.js';
import type { HelpdeskApi } from '../domain/helpdesk.js';
import { Probes } from './helpdesk-detection.js';
import type { PortalClientOptions } from './portal-client.js';
import type { PortalCallObservation } from './portal-http.js';

/**
 * The portal client (docs/duplocloud-api.md §0): the configured generation, or the detected one, cached; detected
 * again on every readiness check and after a listing of its generation answered 404; a failed detection remembered
 * for a while; each call handed to the adapter of the generation.
 */

const dev = SeedTenants.dev;
const platform = SeedWorkspaces.platform;

let portals: FakePortal[] = [];
let clock = 0;

const start = async (api: HelpdeskApi, port?: number): Promise<FakePortal> => {
  const portal =
    api === 'tenant'
      ? await startFakePortal({ ...(port ? { port } : {}) })
      : await startFakePortal({ api: 'workspace', ...(port ? { port } : {}) });
  portals.push(portal);
  return portal;
};

const setup = (portal: FakePortal, options: PortalClientOptions = {}, extra: Partial<PortalConfig> = {}) =>
  recordingClient(portalConfig({ name: 'acme', host: portal.url, token: portal.adminToken, ...extra }), {
    now: () => clock,
    ...options,
  });

/** How many detections ran (each asks both probes; the probe paths are also each generation's listing). */
const detectRuns = (observed: readonly PortalCallObservation[]) =>
  observed.filter((call) => call.operation === 'detect').length;

blockNetworkButLoopback();

afterEach(async () => {
  await Promise.all(portals.map((portal) => portal.close()));
  portals = [];
  clock = 1_000_000;
});

describe('a configured generation', () => {
  it.each(['tenant', 'workspace'] as const)('skips the probes (%s)', async (api) => {
    const portal = await start(api);
    const { client, observed, detections } = setup(portal, {}, { api });
    expect(client.knownHelpdesk()).toBe(api);
    await expect(client.helpdesk()).resolves.toBe(api);
    await expect(client.check()).resolves.toBe(api);
    await client.listSpaces();
    expect(detectRuns(observed)).toBe(0);
    expect(portal.calls.map((call) => call.path)).not.toContain(api === 'tenant' ? Probes.workspace : Probes.tenant);
    // Said once, when the client is made, so the log names every portal's HelpDesk.
    expect(detections).toEqual([{ portal: 'acme', api, how: 'configured', ms: 0, changed: false }]);
  });

  it('goes to the configured adapter even when the portal speaks the other one', async () => {
    const portal = await start('workspace');
    const { client, observed } = setup(portal, {}, { api: 'tenant' });
    expect((await failure(client.listAgents(platform.id))).code).toBe('portal.not_found');
    // A configured portal is never re-probed, not even after its listing answered 404.
    await failure(client.listAgents(platform.id));
    expect(detectRuns(observed)).toBe(0);
    expect(portal.calls.map((call) => call.path)).toEqual([Probes.tenant, Probes.tenant]);
  });
});

describe('detection', () => {
  it.each(['tenant', 'workspace'] as const)('detects %s on first use, once, and caches it', async (api) => {
    const portal = await start(api);
    const { client, detections, observed } = setup(portal);
    expect(client.knownHelpdesk()).toBeNull();
    await expect(client.helpdesk()).resolves.toBe(api);
    await expect(client.helpdesk()).resolves.toBe(api);
    expect(client.knownHelpdesk()).toBe(api);
    expect(detectRuns(observed)).toBe(1);
    expect(detections).toEqual([{ portal: 'acme', api, how: 'detected', ms: expect.any(Number), changed: false }]);
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['detect', 'ok']]);
  });

  it('shares one detection among callers that ask at once, and hands calls to that adapter', async () => {
    const portal = await start('tenant');
    const { client, observed, detections } = setup(portal);
    const [agents, spaces] = await Promise.all([client.listAgents(dev.id), client.listSpaces(), client.helpdesk()]);
    expect(agents.map((agent) => agent.name)).toEqual(['kubernetes-agent']);
    expect(spaces.map((space) => space.name)).toEqual(['dev', 'prod', 'staging']);
    expect(detectRuns(observed)).toBe(1);
    expect(detections).toHaveLength(1);
  });

  it('says why a portal answers neither probe, without the token, and fails its calls with that', async () => {
    const portal = await start('tenant');
    portal.inject({ path: /^\/v1\/aiservicedesk\/admin\//, status: 404, times: Number.POSITIVE_INFINITY });
    const { client, detections, observed } = setup(portal);
    const error = await failure(client.listSpaces());
    expect(error.code).toBe('portal.undetected');
    expect(detections).toEqual([
      {
        portal: 'acme',
        api: null,
        how: 'detected',
        ms: expect.any(Number),
        reason:
          'portal.undetected: Portal "acme" answers neither HelpDesk probe (workspaces: HTTP 404, tenants/agents: HTTP 404)',
        changed: false,
      },
    ]);
    // The detection is the one operation observed: the call never reached an adapter.
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['detect', 'portal.undetected']]);
    expect(client.knownHelpdesk()).toBeNull();
  });

  it('reports a bad token as portal.unauthorized, never the token', async () => {
    const portal = await start('workspace');
    const { client, detections } = setup(portal, {}, { token: 'duplo-tok-SECRET-0123456789' });
    expect((await failure(client.helpdesk())).code).toBe('portal.unauthorized');
    expect(detections[0]?.reason).toMatch(/^portal\.unauthorized: /);
    expectNoSecret('duplo-tok-SECRET-0123456789', detections);
  });

  it('asks a failed portal again only after retryDetectionAfterMs', async () => {
    const portal = await start('tenant');
    const fault = portal.inject({
      path: /^\/v1\/aiservicedesk\/admin\//,
      status: 404,
      times: Number.POSITIVE_INFINITY,
    });
    const { client, observed, detections } = setup(portal, { retryDetectionAfterMs: 10_000 });
    const first = await failure(client.helpdesk());
    expect(first.code).toBe('portal.undetected');
    clock += 9_999;
    expect(await failure(client.listAgents(dev.id))).toBe(first);
    expect(detectRuns(observed)).toBe(1);
    portal.clearFaults();
    clock += 1;
    await expect(client.helpdesk()).resolves.toBe('tenant');
    expect(detectRuns(observed)).toBe(2);
    expect(fault.hits).toBe(2);
    expect(detections.map((item) => [item.api, item.changed])).toEqual([
      [null, false],
      ['tenant', false],
    ]);
  });

  it('remembers a failure for 5 s by default', async () => {
    const portal = await start('tenant');
    portal.inject({ path: /^\/v1\/aiservicedesk\/admin\//, status: 404, times: 2 });
    const { client } = setup(portal);
    await failure(client.helpdesk());
    clock += 4_999;
    await failure(client.helpdesk());
    clock += 1;
    await expect(client.helpdesk()).resolves.toBe('tenant');
  });

  it('says portal.unavailable when the portal cannot be reached', async () => {
    const portal = await start('tenant');
    const { client, detections } = setup(portal, { getRetries: 0 });
    await portal.close();
    expect((await failure(client.helpdesk())).code).toBe('portal.unavailable');
    expect(detections[0]?.reason).toMatch(/^portal\.unavailable: .*ECONNREFUSED/);
  });
});

describe('detected again', () => {
  it('on every readiness check, which also checks the token there', async () => {
    const portal = await start('tenant');
    const { client, observed, detections } = setup(portal);
    await expect(client.check()).resolves.toBe('tenant');
    await expect(client.check()).resolves.toBe('tenant');
    expect(detectRuns(observed)).toBe(2);
    expect(portal.callsTo('GET', /GetUserRoleInfo$/)).toHaveLength(2);
    expect(detections.map((item) => [item.api, item.changed])).toEqual([
      ['tenant', false],
      ['tenant', false],
    ]);
  });

  it('on a readiness check even inside the retry window of a failure', async () => {
    const portal = await start('workspace');
    portal.inject({ path: /^\/v1\/aiservicedesk\/admin\//, status: 404, times: 2 });
    const { client } = setup(portal);
    await failure(client.helpdesk());
    await expect(client.check()).resolves.toBe('workspace');
  });

  it('after a 404 from the listing of the generation it speaks: the next call probes, and it is the same', async () => {
    const portal = await start('tenant');
    const { client, observed, detections } = setup(portal);
    await client.helpdesk();
    portal.inject({ path: /\/tenants\/agents$/, status: 404 });
    expect((await failure(client.listAgents(dev.id))).code).toBe('portal.not_found');
    expect(detectRuns(observed)).toBe(1);
    await expect(client.listAgents(dev.id)).resolves.toHaveLength(1);
    expect(detectRuns(observed)).toBe(2);
    expect(detections.map((item) => [item.api, item.changed])).toEqual([
      ['tenant', false],
      ['tenant', false],
    ]);
  });

  it('after a 404 from the workspace listing', async () => {
    const portal = await start('workspace');
    const { client, observed } = setup(portal);
    await client.helpdesk();
    portal.inject({ path: new RegExp(`^${Probes.workspace}$`), status: 404 });
    expect((await failure(client.listSpaces())).code).toBe('portal.not_found');
    await client.listSpaces();
    expect(detectRuns(observed)).toBe(2);
  });

  it('remembers a failed re-detection for retryDetectionAfterMs too', async () => {
    const portal = await start('tenant');
    const { client, observed, detections } = setup(portal);
    await client.helpdesk();
    portal.inject({ path: /^\/v1\/aiservicedesk\/admin\//, status: 404, times: 4 });
    expect((await failure(client.listAgents(dev.id))).code).toBe('portal.not_found');
    const failed = await failure(client.listAgents(dev.id));
    expect(failed.code).toBe('portal.undetected');
    clock += 4_999;
    expect(await failure(client.listSpaces())).toBe(failed);
    expect(detectRuns(observed)).toBe(2);
    clock += 1;
    await expect(client.listAgents(dev.id)).resolves.toHaveLength(1);
    expect(detections.map((item) => item.api)).toEqual(['tenant', null, 'tenant']);
  });

  it('not after a 404 from anything else (an unknown ticket)', async () => {
    const portal = await start('tenant');
    const { client, observed } = setup(portal);
    await client.helpdesk();
    expect((await failure(client.getTicket(dev.id, 'dev-000000000000'))).code).toBe('portal.not_found');
    await client.listSpaces();
    expect(detectRuns(observed)).toBe(1);
  });

  it('sees an upgraded portal: the old listing answers 404, the next call detects the new generation', async () => {
    const old = await start('tenant');
    const { client, detections } = setup(old);
    await expect(client.listAgents(dev.id)).resolves.toHaveLength(1);
    const port = Number(new URL(old.url).port);
    await old.close();
    const upgraded = await start('workspace', port);
    // Same host, same token: the upgrade keeps the portal's address and its service user.
    upgraded.issueToken(upgraded.adminUser, old.adminToken);

    expect((await failure(client.listAgents(dev.id))).code).toBe('portal.not_found');
    expect(client.knownHelpdesk()).toBe('tenant');
    await expect(client.listSpaces()).resolves.toEqual([
      { id: SeedWorkspaces.data.id, name: 'data' },
      { id: platform.id, name: 'platform' },
    ]);
    expect(client.knownHelpdesk()).toBe('workspace');
    expect(detections.map((item) => [item.api, item.changed])).toEqual([
      ['tenant', false],
      ['workspace', true],
    ]);
  });
});

describe('what it is', () => {
  it('carries its name, host and settings, and links tickets the same way on both generations', async () => {
    const settings = { ...noSettings, approvers: ['alice@acme.io'], spaceLabel: 'Project' };
    const { client } = recordingClient(
      portalConfig({ name: 'acme', host: 'https://acme.duplo.test', token: 't', settings }),
    );
    expect(client.name).toBe('acme');
    expect(client.host).toBe('https://acme.duplo.test');
    expect(client.settings).toBe(settings);
    expect(client.ticketUrl(dev.id, 'dev-251125133015')).toBe(
      `https://acme.duplo.test/app/ai/service-desk/${dev.id}/tickets/chat/dev-251125133015`,
    );
    expect(client.ticketUrl(platform.id, 'PLATFORM-1')).toBe(
      `https://acme.duplo.test/app/ai/service-desk/${platform.id}/tickets/chat/PLATFORM-1`,
    );
    expect(client.ticketUrl('a b', 'x/y?z')).toBe(
      'https://acme.duplo.test/app/ai/service-desk/a%20b/tickets/chat/x%2Fy%3Fz',
    );
  });
});
