import { createServer } from 'node:net';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakePortal, startFakePortal } from '../../test/fakes/portal/index.js';
import { blockNetworkButLoopback, expectNoSecret, failure, portalConfig } from '../../test/support/portal-testing.js';
import { detectHelpdesk, Probes } from './helpdesk-detection.js';
import { createPortalHttp, type PortalHttpOptions } from './portal-http.js';

/**
 * Which HelpDesk a portal speaks (docs/duplocloud-api.md §0): both probes at once, the workspace envelope first,
 * then the tenant array; otherwise a coded failure that says why.
 */

const HOST = 'https://acme.duplo.test';
const TOKEN = 'duplo-tok-SECRET-0123456789';

const detect = (host = HOST, token = TOKEN, options: PortalHttpOptions = {}) => {
  const http = createPortalHttp(portalConfig({ name: 'acme', host, token }), {
    sleep: async () => undefined,
    ...options,
  });
  return http.operation('detect', (context) => detectHelpdesk(http, context));
};

const envelope = { success: true, data: { items: [{ id: '66a0f3a1b2c3d4e5f6a70301', name: 'platform' }] } };
const tenants = [{ tenantId: 't1', tenantName: 'dev', agentInstances: [] }];

/** Both probes, each with its answer: [status, body]. */
const answer = (workspace: [number, unknown], tenant: [number, unknown]) => {
  const workspaceProbe = nock(HOST)
    .get(Probes.workspace)
    .reply(workspace[0], workspace[1] as nock.Body);
  const tenantProbe = nock(HOST)
    .get(Probes.tenant)
    .reply(tenant[0], tenant[1] as nock.Body);
  return () => expect([workspaceProbe.isDone(), tenantProbe.isDone()]).toEqual([true, true]);
};

blockNetworkButLoopback();

describe('detectHelpdesk', () => {
  it('asks the two paths of §0', () => {
    expect(Probes).toEqual({
      workspace: '/v1/aiservicedesk/admin/data/workspaces',
      tenant: '/v1/aiservicedesk/admin/tenants/agents',
    });
  });

  it('says workspace for the {success, data:{items}} envelope, and trusts it over a tenant array', async () => {
    const bothAsked = answer([200, envelope], [200, tenants]);
    await expect(detect()).resolves.toBe('workspace');
    bothAsked();
  });

  it('says workspace for an envelope with success:false or no items yet', async () => {
    answer([200, { success: false, data: { items: [] } }], [404, '']);
    await expect(detect()).resolves.toBe('workspace');
  });

  it('says tenant for a bare array, even an empty one', async () => {
    const bothAsked = answer([404, { Message: 'Resource not found' }], [200, []]);
    await expect(detect()).resolves.toBe('tenant');
    bothAsked();
  });

  it.each([
    ['a bare list', [{ id: 'w', name: 'n' }]],
    ['data without items', { success: true, data: [] }],
    ['no success flag', { data: { items: [] } }],
    ['items that are not a list', { success: true, data: { items: null } }],
  ])('does not take %s for the workspace envelope', async (_case, body) => {
    answer([200, body], [200, tenants]);
    await expect(detect()).resolves.toBe('tenant');
  });

  it('names both answers when the portal speaks neither (both 404): portal.undetected', async () => {
    answer([404, { Message: 'Resource not found' }], [404, '']);
    const error = await failure(detect());
    expect(error.code).toBe('portal.undetected');
    expect(error.message).toBe(
      'Portal "acme" answers neither HelpDesk probe (workspaces: HTTP 404, tenants/agents: HTTP 404)',
    );
    expect(error.details).toEqual({ portal: 'acme', operation: 'detect' });
  });

  it('names an answer that is 2xx but neither shape: an HTML page, an object', async () => {
    answer([200, '<html>login</html>'], [200, { tenants: [] }]);
    const error = await failure(detect());
    expect(error.code).toBe('portal.undetected');
    expect(error.message).toBe(
      'Portal "acme" answers neither HelpDesk probe (workspaces: an unexpected body, tenants/agents: an unexpected body)',
    );
  });

  it('is portal.unauthorized when both probes refuse the token', async () => {
    answer([401, 'Unauthorized'], [401, { Message: `Bad token ${TOKEN}` }]);
    const error = await failure(detect());
    expect(error.code).toBe('portal.unauthorized');
    expect(error.message).toMatch(/^Portal "acme": detect failed: HTTP 401/);
    expectNoSecret(TOKEN, error);
  });

  it('is portal.forbidden when both probes forbid it', async () => {
    answer([403, ''], [403, '']);
    expect((await failure(detect())).code).toBe('portal.forbidden');
  });

  it('is undetected, naming both, when the probes disagree on why (401 and 404)', async () => {
    answer([401, ''], [404, '']);
    const error = await failure(detect());
    expect(error.code).toBe('portal.undetected');
    expect(error.message).toContain('(workspaces: HTTP 401, tenants/agents: HTTP 404)');
  });

  it('is portal.unavailable when a probe finds the portal down (5xx) and the other finds nothing', async () => {
    answer([404, ''], [503, '']);
    expect((await failure(detect())).code).toBe('portal.unavailable');
  });

  it('is portal.timeout when the portal does not answer in time, after retrying the probes', async () => {
    let asked = 0;
    nock(HOST)
      .get(Probes.workspace)
      .times(2)
      .delay(300)
      .reply(() => {
        asked++;
        return [200, envelope];
      });
    nock(HOST)
      .get(Probes.tenant)
      .times(2)
      .delay(300)
      .reply(() => {
        asked++;
        return [200, tenants];
      });
    const error = await failure(detect(HOST, TOKEN, { timeoutMs: 30, getRetries: 1 }));
    expect(error.code).toBe('portal.timeout');
    expect(asked).toBe(4);
  });

  describe('a portal that refuses connections', () => {
    let closedPort = 0;

    beforeAll(async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      closedPort = typeof address === 'object' && address ? address.port : 0;
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    });

    it('is portal.unavailable (it may speak either)', async () => {
      const error = await failure(detect(`http://127.0.0.1:${closedPort}`));
      expect(error.code).toBe('portal.unavailable');
      expect(error.details).toMatchObject({ errorCode: 'ECONNREFUSED' });
    });
  });
});

describe('against the fake portal of each generation', () => {
  let portal: FakePortal | undefined;

  afterEach(async () => {
    await portal?.close();
    portal = undefined;
  });

  it.each(['tenant', 'workspace'] as const)('detects %s, each probe asked once', async (api) => {
    portal = api === 'tenant' ? await startFakePortal() : await startFakePortal({ api: 'workspace' });
    await expect(detect(portal.url, portal.adminToken)).resolves.toBe(api);
    expect(portal.calls.map((call) => [call.method, call.path]).sort()).toEqual([
      ['GET', Probes.workspace],
      ['GET', Probes.tenant],
    ]);
    // The other generation's probe is an unknown route there: 404.
    const other = api === 'tenant' ? Probes.workspace : Probes.tenant;
    expect(portal.calls.find((call) => call.path === other)?.status).toBe(404);
  });

  it.each(['tenant', 'workspace'] as const)('is portal.unauthorized for a bad token on %s', async (api) => {
    portal = api === 'tenant' ? await startFakePortal() : await startFakePortal({ api: 'workspace' });
    expect((await failure(detect(portal.url, 'not-a-token'))).code).toBe('portal.unauthorized');
  });
});
