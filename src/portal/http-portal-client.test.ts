import { createServer } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PortalConfig } from '../config.js';
import { DomainError } from '../domain/errors.js';
import type { PlatformContext } from '../domain/messages.js';
import type { PortalClient } from '../domain/ports.js';
import { runWithCorrelation } from '../observability/correlation.js';
import {
  createHttpPortalClient,
  type HttpPortalClientOptions,
  type PortalCallObservation,
  type PortalOperation,
} from './http-portal-client.js';

const HOST = 'https://acme.duplo.test';
const TOKEN = 'duplo-tok-SECRET-0123456789';
const config: PortalConfig = { name: 'acme', host: HOST, token: TOKEN };

const TENANT_DEV = '11111111-1111-1111-1111-111111111111';
const TENANT_PROD = '22222222-2222-2222-2222-222222222222';
const TENANT_QA = '33333333-3333-3333-3333-333333333333';

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** Every test starts from a client with a fake sleep, recorded delays and recorded observations. */
function setup(options: HttpPortalClientOptions = {}, portal: PortalConfig = config) {
  const sleeps: number[] = [];
  const observed: PortalCallObservation[] = [];
  const client = createHttpPortalClient(portal, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    observe: (call) => observed.push(call),
    ...options,
  });
  return { client, sleeps, observed };
}

/** A nock reply that records what the client sent. */
const recordInto = (seen: SeenRequest[], status: number, reply: unknown = '') =>
  function (this: nock.ReplyFnContext, uri: string, body: nock.Body): [number, string | object] {
    seen.push({
      method: this.req.method,
      path: uri,
      headers: this.req.headers,
      body: typeof body === 'string' && body !== '' ? JSON.parse(body) : body,
    });
    return [status, typeof reply === 'string' ? reply : (reply as object)];
  };

const portal = () => nock(HOST);

const expectBearer = (request: SeenRequest | undefined) => {
  expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(request?.headers.accept).toContain('application/json');
};

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected the call to fail');
}

const expectNoToken = (...values: unknown[]) => {
  for (const value of values) {
    const text = value instanceof Error ? `${value.message} ${JSON.stringify(value)}` : JSON.stringify(value);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('tok-SECRET');
  }
};

const platformContext: PlatformContext = {
  impersonate_user: 'alice@acme.io',
  source: 'slack',
  slack_team_id: 'T1',
  slack_channel_id: 'C1',
  slack_thread_ts: '1700000000.000100',
  slack_user_id: 'U1',
};

const emptyData = {
  cmds: [],
  executed_cmds: [],
  tool_calls: [],
  executed_tool_calls: [],
  approvals: [],
  executed_approvals: [],
  url_configs: [],
};

const tenant = (id: string, name: string) => ({
  TenantId: id,
  AccountName: name,
  PlanID: 'default',
  InfraOwner: 'default',
  Metadata: [{ Key: 'k', Value: 'v' }],
});

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

describe('checkToken', () => {
  it('reads GetUserRoleInfo with the bearer token', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get('/admin/GetUserRoleInfo')
      .reply(recordInto(seen, 200, { Username: 'svc@acme.io', Roles: ['Administrator'], IsReadOnly: false, X: 1 }));
    const { client, observed } = setup();

    await expect(client.checkToken()).resolves.toEqual({ username: 'svc@acme.io', isAdmin: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    expectBearer(seen[0]);
    expect(observed).toEqual([{ portal: 'acme', operation: 'checkToken', outcome: 'ok', seconds: expect.any(Number) }]);
  });

  it('reports a non-admin token', async () => {
    portal()
      .get('/admin/GetUserRoleInfo')
      .reply(200, { Username: 'bob', Roles: ['User'], IsReadOnly: false });
    await expect(setup().client.checkToken()).resolves.toEqual({ username: 'bob', isAdmin: false });
  });

  it('maps 401 to portal.unauthorized without retrying and without the token anywhere', async () => {
    const scope = portal().get('/admin/GetUserRoleInfo').reply(401, 'Unauthorized');
    portal().get('/admin/GetUserRoleInfo').reply(200, { Username: 'svc', Roles: [], IsReadOnly: false });
    const { client, sleeps, observed } = setup();

    const error = await failure(client.checkToken());
    expect(error.code).toBe('portal.unauthorized');
    expect(error.message).toBe('Portal "acme": check token failed: HTTP 401');
    expect(error.details).toEqual({ portal: 'acme', operation: 'checkToken', status: 401 });
    expect(scope.isDone()).toBe(true);
    expect(nock.pendingMocks()).toHaveLength(1); // the second reply was never asked for
    expect(sleeps).toEqual([]);
    expect(observed.map((call) => call.outcome)).toEqual(['portal.unauthorized']);
    expectNoToken(error, observed);
  });
});

describe('userAccess', () => {
  const users = [
    { Username: 'Admin@Acme.io', Roles: ['administrator'], IsReadOnly: false, Extra: true },
    { Username: 'auditor@acme.io', Roles: ['Administrator'], IsReadOnly: true },
    { Username: 'Bob.Smith+ops@acme.io', Roles: ['User'], IsReadOnly: false },
    { Username: 'reader@acme.io', Roles: ['User'], IsReadOnly: true },
  ];
  const allTenants = [tenant(TENANT_PROD, 'prod'), tenant(TENANT_DEV, 'dev'), tenant(TENANT_QA, 'qa')];

  it('gives an administrator every tenant from GetTenantsForUser, sorted by name', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get('/admin/GetAllUserRoles')
      .reply(recordInto(seen, 200, users));
    portal()
      .get('/admin/GetTenantsForUser')
      .reply(recordInto(seen, 200, allTenants));
    const { client, observed } = setup();

    const access = await client.userAccess('admin@acme.IO');
    expect(access).toEqual({
      user: { username: 'Admin@Acme.io', roles: ['administrator'], isAdmin: true, readOnly: false },
      tenants: [
        { id: TENANT_DEV, name: 'dev', readOnly: false },
        { id: TENANT_PROD, name: 'prod', readOnly: false },
        { id: TENANT_QA, name: 'qa', readOnly: false },
      ],
    });
    expect(seen.map((request) => request.path)).toEqual(['/admin/GetAllUserRoles', '/admin/GetTenantsForUser']);
    for (const request of seen) expectBearer(request);
    expect(observed).toHaveLength(1);
    expect(observed[0]?.operation).toBe('userAccess');
  });

  it('makes a read-only administrator read-only in every tenant', async () => {
    portal().get('/admin/GetAllUserRoles').reply(200, users);
    portal().get('/admin/GetTenantsForUser').reply(200, allTenants);
    const access = await setup().client.userAccess('auditor@acme.io');
    expect(access?.user.readOnly).toBe(true);
    expect(access?.tenants.map((item) => item.readOnly)).toEqual([true, true, true]);
  });

  it("uses tenantAccess for a non-admin, by the portal's exact username, URL-encoded", async () => {
    const seen: SeenRequest[] = [];
    portal().get('/admin/GetAllUserRoles').reply(200, users);
    portal()
      .get('/v3/admin/user/Bob.Smith%2Bops%40acme.io/tenantAccess')
      .reply(
        recordInto(seen, 200, [
          { TenantId: TENANT_QA, AccountName: 'qa', Policy: { IsReadOnly: true }, Extra: 1 },
          { TenantId: TENANT_DEV, AccountName: 'dev', Policy: { IsReadOnly: false } },
        ]),
      );

    const access = await setup().client.userAccess('bob.smith+OPS@acme.io');
    expect(seen[0]?.path).toBe('/v3/admin/user/Bob.Smith%2Bops%40acme.io/tenantAccess');
    expectBearer(seen[0]);
    expect(access).toEqual({
      user: { username: 'Bob.Smith+ops@acme.io', roles: ['User'], isAdmin: false, readOnly: false },
      tenants: [
        { id: TENANT_DEV, name: 'dev', readOnly: false },
        { id: TENANT_QA, name: 'qa', readOnly: true },
      ],
    });
  });

  it('makes a read-only user read-only everywhere, whatever the tenant policy says', async () => {
    portal().get('/admin/GetAllUserRoles').reply(200, users);
    portal()
      .get('/v3/admin/user/reader%40acme.io/tenantAccess')
      .reply(200, [{ TenantId: TENANT_DEV, AccountName: 'dev', Policy: { IsReadOnly: false } }]);
    const access = await setup().client.userAccess('reader@acme.io');
    expect(access?.tenants).toEqual([{ id: TENANT_DEV, name: 'dev', readOnly: true }]);
  });

  it('returns null for an unknown user without asking for tenants', async () => {
    portal().get('/admin/GetAllUserRoles').reply(200, users);
    await expect(setup().client.userAccess('nobody@acme.io')).resolves.toBeNull();
    await expect(setup().client.userAccess('  ')).resolves.toBeNull();
  });

  it('treats a 404 from tenantAccess as a user with no tenants', async () => {
    portal().get('/admin/GetAllUserRoles').reply(200, users);
    portal().get('/v3/admin/user/reader%40acme.io/tenantAccess').reply(404, { Message: 'Not found' });
    const { client, observed, sleeps } = setup();
    const access = await client.userAccess('reader@acme.io');
    expect(access?.tenants).toEqual([]);
    expect(access?.user.username).toBe('reader@acme.io');
    expect(observed[0]?.outcome).toBe('ok');
    expect(sleeps).toEqual([]);
  });

  it('fails with portal.forbidden when the token is not an admin', async () => {
    portal().get('/admin/GetAllUserRoles').reply(403, { Message: 'Forbidden' });
    const error = await failure(setup().client.userAccess('bob@acme.io'));
    expect(error.code).toBe('portal.forbidden');
    expect(error.message).toBe('Portal "acme": user access failed: HTTP 403 (Forbidden)');
    expect(error.details).toEqual({ portal: 'acme', operation: 'userAccess', status: 403 });
  });

  it('fails with portal.bad_response when a user has no read-only flag', async () => {
    portal()
      .get('/admin/GetAllUserRoles')
      .reply(200, [{ Username: 'bob@acme.io', Roles: ['User'] }]);
    const error = await failure(setup().client.userAccess('bob@acme.io'));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": user access failed: unexpected response (0.IsReadOnly: invalid_type)');
  });
});

describe('getTenant', () => {
  it('reads one tenant by encoded id', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get(`/v3/admin/tenant/${TENANT_DEV}`)
      .reply(recordInto(seen, 200, tenant(TENANT_DEV, 'dev')));
    await expect(setup().client.getTenant(TENANT_DEV)).resolves.toEqual({ id: TENANT_DEV, name: 'dev' });
    expectBearer(seen[0]);
  });

  it('encodes the id as one path segment', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get('/v3/admin/tenant/a%2F..%2Fb%3Fx')
      .reply(recordInto(seen, 200, tenant('a/../b?x', 'odd')));
    await expect(setup().client.getTenant('a/../b?x')).resolves.toEqual({ id: 'a/../b?x', name: 'odd' });
    expect(seen[0]?.path).toBe('/v3/admin/tenant/a%2F..%2Fb%3Fx');
  });

  it('maps 404 to portal.not_found and does not retry it', async () => {
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(404, '');
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(200, tenant(TENANT_DEV, 'dev'));
    const { client, sleeps } = setup();
    const error = await failure(client.getTenant(TENANT_DEV));
    expect(error.code).toBe('portal.not_found');
    expect(sleeps).toEqual([]);
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it('maps a legacy 400 "not found" to portal.not_found', async () => {
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(400, 'Tenant 1111 not found');
    const error = await failure(setup().client.getTenant(TENANT_DEV));
    expect(error.code).toBe('portal.not_found');
    expect(error.message).toBe('Portal "acme": get tenant failed: HTTP 400');
  });

  it('retries a 500 twice with growing, jittered delays, then fails as portal.unavailable', async () => {
    let attempts = 0;
    portal()
      .get(`/v3/admin/tenant/${TENANT_DEV}`)
      .times(3)
      .reply(() => {
        attempts++;
        return [500, { Message: 'boom' }];
      });
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(200, tenant(TENANT_DEV, 'dev'));
    const { client, sleeps, observed } = setup();

    const error = await failure(client.getTenant(TENANT_DEV));
    expect(error.code).toBe('portal.unavailable');
    expect(error.message).toBe('Portal "acme": get tenant failed: HTTP 500 (boom)');
    expect(attempts).toBe(3);
    expect(sleeps).toEqual([150, 300]); // base 200 then 400, each half fixed and half jitter (random 0.5)
    expect(nock.pendingMocks()).toHaveLength(1);
    expect(observed).toEqual([
      { portal: 'acme', operation: 'getTenant', outcome: 'portal.unavailable', seconds: expect.any(Number) },
    ]);
  });

  it('succeeds when a retry finds the portal back', async () => {
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(503, 'Service Unavailable');
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(200, tenant(TENANT_DEV, 'dev'));
    const { client, sleeps, observed } = setup({ retryBaseDelayMs: 1000, random: () => 0 });
    await expect(client.getTenant(TENANT_DEV)).resolves.toEqual({ id: TENANT_DEV, name: 'dev' });
    expect(sleeps).toEqual([500]);
    expect(observed.map((call) => call.outcome)).toEqual(['ok']);
  });

  it('honours getRetries: 0', async () => {
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(502, '');
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(200, tenant(TENANT_DEV, 'dev'));
    const { client, sleeps } = setup({ getRetries: 0 });
    expect((await failure(client.getTenant(TENANT_DEV))).code).toBe('portal.unavailable');
    expect(sleeps).toEqual([]);
  });

  it('times out a slow GET, retries it, then fails as portal.timeout', async () => {
    let attempts = 0;
    portal()
      .get(`/v3/admin/tenant/${TENANT_DEV}`)
      .times(2)
      .delay(300)
      .reply(() => {
        attempts++;
        return [200, tenant(TENANT_DEV, 'dev')];
      });
    const { client, sleeps, observed } = setup({ timeoutMs: 30, getRetries: 1 });
    const error = await failure(client.getTenant(TENANT_DEV));
    expect(error.code).toBe('portal.timeout');
    expect(error.message).toBe('Portal "acme": get tenant failed: no answer in time');
    expect(sleeps).toHaveLength(1);
    expect(attempts).toBe(2);
    expect(observed[0]?.outcome).toBe('portal.timeout');
    expectNoToken(error, observed);
  });

  it('maps malformed JSON to portal.bad_response without retrying or quoting it', async () => {
    portal()
      .get(`/v3/admin/tenant/${TENANT_DEV}`)
      .reply(200, '{"TenantId": "1111", "AccountName": ', { 'Content-Type': 'application/json' });
    const { client, sleeps } = setup();
    const error = await failure(client.getTenant(TENANT_DEV));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": get tenant failed: unexpected response (not JSON)');
    expect(error.details).toEqual({ portal: 'acme', operation: 'getTenant', status: 200 });
    expect(sleeps).toEqual([]);
  });

  it('maps a schema-invalid body to portal.bad_response naming the field, not its value', async () => {
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(200, { TenantId: 42, AccountName: 'dev-secret-name' });
    const error = await failure(setup().client.getTenant(TENANT_DEV));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": get tenant failed: unexpected response (TenantId: invalid_type)');
    expect(error.message).not.toContain('dev-secret-name');
  });

  it('maps an HTML login page (2xx, not JSON) to portal.bad_response', async () => {
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).reply(200, '<html>login</html>', { 'Content-Type': 'text/html' });
    expect((await failure(setup().client.getTenant(TENANT_DEV))).code).toBe('portal.bad_response');
  });
});

describe('a portal that refuses connections', () => {
  let closedPort = 0;

  beforeAll(async () => {
    // Bind an ephemeral loopback port, then free it: connecting to it is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    closedPort = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  it('is portal.unavailable after the GET retries', async () => {
    const { client, sleeps, observed } = setup({}, { ...config, host: `http://127.0.0.1:${closedPort}` });
    const error = await failure(client.impersonatableUsers(TENANT_DEV));
    expect(error.code).toBe('portal.unavailable');
    expect(error.message).toBe('Portal "acme": impersonatable users failed: cannot reach the portal (ECONNREFUSED)');
    expect(error.details).toMatchObject({ portal: 'acme', operation: 'impersonatableUsers' });
    expect(sleeps).toHaveLength(2);
    expect(observed[0]?.outcome).toBe('portal.unavailable');
    expectNoToken(error, observed);
  });

  it('is portal.unavailable at once for a POST', async () => {
    const { client, sleeps } = setup({}, { ...config, host: `http://127.0.0.1:${closedPort}` });
    const error = await failure(
      client.sendMessage({ tenantId: TENANT_DEV, ticketName: 'dev-1', content: 'hi', platformContext }),
    );
    expect(error.code).toBe('portal.unavailable');
    expect(sleeps).toEqual([]);
  });
});

describe('impersonatableUsers', () => {
  it("parses the tenant's helpdesk-impersonatable-users", async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get(`/v3/admin/tenant/${TENANT_DEV}/metadata`)
      .reply(
        recordInto(seen, 200, [
          { Key: 'other', Value: 'x' },
          { Key: 'helpdesk-impersonatable-users', Value: ' alice@acme.io; bob ;;Alice@acme.io; ' },
        ]),
      );
    await expect(setup().client.impersonatableUsers(TENANT_DEV)).resolves.toEqual(['alice@acme.io', 'bob']);
    expectBearer(seen[0]);
  });

  it('is [] when the key is absent or its value null', async () => {
    portal()
      .get(`/v3/admin/tenant/${TENANT_DEV}/metadata`)
      .reply(200, [{ Key: 'other', Value: 'x' }]);
    portal()
      .get(`/v3/admin/tenant/${TENANT_QA}/metadata`)
      .reply(200, [{ Key: 'helpdesk-impersonatable-users', Value: null }]);
    const { client } = setup();
    await expect(client.impersonatableUsers(TENANT_DEV)).resolves.toEqual([]);
    await expect(client.impersonatableUsers(TENANT_QA)).resolves.toEqual([]);
  });

  it('maps an unknown tenant (404) to portal.not_found', async () => {
    portal().get(`/v3/admin/tenant/${TENANT_DEV}/metadata`).reply(404, { Message: 'Tenant not found' });
    expect((await failure(setup().client.impersonatableUsers(TENANT_DEV))).code).toBe('portal.not_found');
  });
});

describe('listAgents', () => {
  const listing = {
    success: true,
    data: {
      items: [
        { id: 'a1', name: 'k8s-agent', instanceId: 'inst-1', allowedTenants: [TENANT_DEV], extra: 'x' },
        { id: 'a2', name: 'aws-agent' },
        { id: 'a3', name: 'prod-agent', instanceId: 'inst-3', allowedTenants: [TENANT_PROD.toUpperCase()] },
        { id: 'a4', name: 'no-tenants', instanceId: 'inst-4', allowedTenants: [] },
      ],
    },
  };

  it('lists every agent from the portal; a missing instanceId becomes the id', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get('/v1/aiservicedesk/admin/data/aiagents')
      .reply(recordInto(seen, 200, listing));
    await expect(setup().client.listAgents()).resolves.toEqual([
      { name: 'k8s-agent', instanceId: 'inst-1', allowedTenants: [TENANT_DEV] },
      { name: 'aws-agent', instanceId: 'a2' },
      { name: 'prod-agent', instanceId: 'inst-3', allowedTenants: [TENANT_PROD.toUpperCase()] },
      { name: 'no-tenants', instanceId: 'inst-4', allowedTenants: [] },
    ]);
    expectBearer(seen[0]);
  });

  it('keeps only agents allowed in the tenant (no allowedTenants = every tenant)', async () => {
    portal().get('/v1/aiservicedesk/admin/data/aiagents').times(2).reply(200, listing);
    const { client } = setup();
    expect((await client.listAgents(TENANT_DEV)).map((agent) => agent.name)).toEqual(['k8s-agent', 'aws-agent']);
    expect((await client.listAgents(TENANT_PROD)).map((agent) => agent.name)).toEqual(['aws-agent', 'prod-agent']);
  });

  it('uses configured agents without calling the portal, and never filters them', async () => {
    const { client, observed } = setup(
      {},
      {
        ...config,
        agents: [
          { name: 'ops', instanceId: 'ops-1' },
          { name: 'sec', instanceId: 'sec-1' },
        ],
      },
    );
    const expected = [
      { name: 'ops', instanceId: 'ops-1' },
      { name: 'sec', instanceId: 'sec-1' },
    ];
    await expect(client.listAgents()).resolves.toEqual(expected);
    await expect(client.listAgents(TENANT_DEV)).resolves.toEqual(expected);
    expect(observed.map((call) => call.outcome)).toEqual(['ok', 'ok']);
  });

  it('treats success:false or a missing items list as portal.bad_response', async () => {
    portal()
      .get('/v1/aiservicedesk/admin/data/aiagents')
      .reply(200, { success: false, data: { items: [] } });
    portal().get('/v1/aiservicedesk/admin/data/aiagents').reply(200, { success: true, data: null });
    const { client } = setup();
    expect((await failure(client.listAgents())).code).toBe('portal.bad_response');
    expect((await failure(client.listAgents())).message).toBe(
      'Portal "acme": list agents failed: unexpected response (data: invalid_type)',
    );
  });
});

describe('createTicket', () => {
  const input = {
    tenantId: TENANT_DEV,
    title: 'Pods crash-looping',
    content: 'Why are my pods restarting?',
    agent: { name: 'k8s-agent', instanceId: 'inst-1' },
    identity: 'alice@acme.io',
    platformContext,
  };
  const path = `/v1/aiservicedesk/tickets/${TENANT_DEV}`;

  it('POSTs the ticket with process_message, Origin, identity and platform context', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .post(path)
      .reply(
        recordInto(seen, 200, {
          ticket: {
            name: 'dev-251125133015',
            title: input.title,
            status: 'open',
            assignee: { agentName: 'k8s-agent', instanceId: 'inst-1' },
          },
          message: {
            role: 'assistant',
            content: 'Let me look.',
            data: { cmds: [{ command: 'kubectl get pods -n dev', execute: false }] },
          },
        }),
      );
    const { client, observed } = setup();

    const created = await client.createTicket(input);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.path).toBe(path);
    expectBearer(seen[0]);
    expect(seen[0]?.headers['content-type']).toContain('application/json');
    expect(seen[0]?.body).toEqual({
      title: 'Pods crash-looping',
      assignee: { agentName: 'k8s-agent', instanceId: 'inst-1' },
      content: 'Why are my pods restarting?',
      process_message: true,
      Origin: 'slack',
      impersonateUser: 'alice@acme.io',
      platform_context: platformContext,
    });
    expect(created).toEqual({
      ticketName: 'dev-251125133015',
      firstReply: {
        role: 'assistant',
        content: 'Let me look.',
        data: { ...emptyData, cmds: [{ command: 'kubectl get pods -n dev', execute: false }] },
      },
    });
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['createTicket', 'ok']]);
  });

  it('returns firstReply null when the portal sends no message', async () => {
    portal()
      .post(path)
      .reply(200, { ticket: { name: 'dev-1' }, message: null });
    portal()
      .post(path)
      .reply(200, { ticket: { name: 'dev-2' } });
    const { client } = setup();
    await expect(client.createTicket(input)).resolves.toEqual({ ticketName: 'dev-1', firstReply: null });
    await expect(client.createTicket(input)).resolves.toEqual({ ticketName: 'dev-2', firstReply: null });
  });

  it('never retries a POST that failed with 500', async () => {
    portal().post(path).reply(500, { Message: 'Internal error' });
    portal()
      .post(path)
      .reply(200, { ticket: { name: 'dev-1' } });
    const { client, sleeps, observed } = setup();
    const error = await failure(client.createTicket(input));
    expect(error.code).toBe('portal.unavailable');
    expect(error.message).toBe('Portal "acme": create ticket failed: HTTP 500 (Internal error)');
    expect(error.details).toEqual({ portal: 'acme', operation: 'createTicket', status: 500 });
    expect(sleeps).toEqual([]);
    expect(nock.pendingMocks()).toHaveLength(1);
    expect(observed[0]?.outcome).toBe('portal.unavailable');
  });

  it('maps 422 to portal.rejected with a short excerpt', async () => {
    portal().post(path).reply(422, { Message: 'Agent k8s-agent is not allowed in tenant dev' });
    const error = await failure(setup().client.createTicket(input));
    expect(error.code).toBe('portal.rejected');
    expect(error.message).toBe(
      'Portal "acme": create ticket failed: HTTP 422 (Agent k8s-agent is not allowed in tenant dev)',
    );
  });

  it('times out with agentTimeoutMs, not timeoutMs, and does not retry', async () => {
    portal()
      .post(path)
      .delay(100)
      .reply(200, { ticket: { name: 'dev-1' } });
    const { client, sleeps } = setup({ timeoutMs: 10, agentTimeoutMs: 2000 });
    await expect(client.createTicket(input)).resolves.toMatchObject({ ticketName: 'dev-1' });

    portal()
      .post(path)
      .delay(300)
      .reply(200, { ticket: { name: 'dev-2' } });
    const slow = setup({ agentTimeoutMs: 30 });
    expect((await failure(slow.client.createTicket(input))).code).toBe('portal.timeout');
    expect(sleeps).toEqual([]);
    expect(slow.sleeps).toEqual([]);
  });
});

describe('sendMessage', () => {
  const path = `/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-251125133015/sendmessage`;

  it('POSTs content, full data (missing arrays as []) and platform context, and maps the reply', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .post(path)
      .reply(
        recordInto(seen, 200, {
          role: 'assistant',
          content: 'Done.',
          data: { executed_cmds: [{ command: 'kubectl get pods -n dev', output: 'pod-a Running' }] },
        }),
      );
    const reply = await setup().client.sendMessage({
      tenantId: TENANT_DEV,
      ticketName: 'dev-251125133015',
      content: '',
      data: {
        cmds: [
          { command: 'kubectl get pods -n dev', execute: true },
          { command: 'kubectl delete ns dev', execute: false, rejection_reason: 'too risky' },
        ],
      },
      platformContext,
    });
    expect(seen[0]?.path).toBe(path);
    expect(seen[0]?.method).toBe('POST');
    expectBearer(seen[0]);
    expect(seen[0]?.body).toEqual({
      content: '',
      data: {
        ...emptyData,
        cmds: [
          { command: 'kubectl get pods -n dev', execute: true },
          { command: 'kubectl delete ns dev', execute: false, rejection_reason: 'too risky' },
        ],
      },
      platform_context: platformContext,
    });
    expect(reply).toEqual({
      role: 'assistant',
      content: 'Done.',
      data: { ...emptyData, executed_cmds: [{ command: 'kubectl get pods -n dev', output: 'pod-a Running' }] },
    });
  });

  it('sends empty data arrays when no data is given and encodes the ticket name', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .post(`/v1/aiservicedesk/tickets/${TENANT_DEV}/weird%20name%2F1/sendmessage`)
      .reply(recordInto(seen, 200, { role: 'assistant', content: 'ok' }));
    await setup().client.sendMessage({
      tenantId: TENANT_DEV,
      ticketName: 'weird name/1',
      content: 'hello',
      platformContext,
    });
    expect(seen[0]?.body).toEqual({ content: 'hello', data: emptyData, platform_context: platformContext });
  });

  it('maps a reply without a role to portal.bad_response', async () => {
    portal().post(path).reply(200, { content: 'hi' });
    const error = await failure(
      setup().client.sendMessage({
        tenantId: TENANT_DEV,
        ticketName: 'dev-251125133015',
        content: 'x',
        platformContext,
      }),
    );
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": send message failed: unexpected response (role: invalid_value)');
  });

  it('maps an empty 200 to portal.bad_response', async () => {
    portal().post(path).reply(200, '');
    const error = await failure(
      setup().client.sendMessage({
        tenantId: TENANT_DEV,
        ticketName: 'dev-251125133015',
        content: 'x',
        platformContext,
      }),
    );
    expect(error.message).toBe('Portal "acme": send message failed: unexpected response (empty body)');
  });
});

describe('getTicket', () => {
  it('reads the ticket and its assignee', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get(`/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1`)
      .reply(
        recordInto(seen, 200, {
          name: 'dev-1',
          title: 'Pods',
          status: 'open',
          assignee: { agentName: 'k8s-agent', instanceId: 'inst-1' },
          created_at: 'x',
        }),
      );
    await expect(setup().client.getTicket(TENANT_DEV, 'dev-1')).resolves.toEqual({
      name: 'dev-1',
      title: 'Pods',
      status: 'open',
      agentName: 'k8s-agent',
      instanceId: 'inst-1',
    });
    expect(seen[0]?.method).toBe('GET');
    expectBearer(seen[0]);
  });

  it('gives null agent fields for an unassigned ticket', async () => {
    portal()
      .get(`/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1`)
      .reply(200, { name: 'dev-1', title: 'Pods', status: 'open', assignee: null });
    await expect(setup().client.getTicket(TENANT_DEV, 'dev-1')).resolves.toMatchObject({
      agentName: null,
      instanceId: null,
    });
  });

  it('maps 404 to portal.not_found', async () => {
    portal().get(`/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-9`).reply(404, { Message: 'Ticket not found' });
    const error = await failure(setup().client.getTicket(TENANT_DEV, 'dev-9'));
    expect(error.code).toBe('portal.not_found');
    expect(error.message).toBe('Portal "acme": get ticket failed: HTTP 404 (Ticket not found)');
  });
});

describe('reassignAgent', () => {
  const path = `/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1/assignee`;
  const agent = { name: 'aws-agent', instanceId: 'inst-2' };

  it('PUTs the new assignee and accepts an empty 204', async () => {
    const seen: SeenRequest[] = [];
    portal().put(path).reply(recordInto(seen, 204));
    await expect(setup().client.reassignAgent(TENANT_DEV, 'dev-1', agent)).resolves.toBeUndefined();
    expect(seen[0]?.method).toBe('PUT');
    expect(seen[0]?.path).toBe(path);
    expectBearer(seen[0]);
    expect(seen[0]?.headers['content-type']).toContain('application/json');
    expect(seen[0]?.body).toEqual({ agentName: 'aws-agent', instanceId: 'inst-2' });
  });

  it('accepts a 200 with the ticket (or anything) as the body', async () => {
    portal()
      .put(path)
      .reply(200, { name: 'dev-1', assignee: { agentName: 'aws-agent' } });
    portal().put(path).reply(200, 'OK');
    const { client } = setup();
    await expect(client.reassignAgent(TENANT_DEV, 'dev-1', agent)).resolves.toBeUndefined();
    await expect(client.reassignAgent(TENANT_DEV, 'dev-1', agent)).resolves.toBeUndefined();
  });

  it('never retries a PUT', async () => {
    portal().put(path).reply(503, '');
    portal().put(path).reply(204);
    const { client, sleeps } = setup();
    expect((await failure(client.reassignAgent(TENANT_DEV, 'dev-1', agent))).code).toBe('portal.unavailable');
    expect(sleeps).toEqual([]);
    expect(nock.pendingMocks()).toHaveLength(1);
  });
});

describe('ticketUrl', () => {
  it('links the web HelpDesk with encoded segments', () => {
    const client: PortalClient = setup().client;
    expect(client.ticketUrl(TENANT_DEV, 'dev-251125133015')).toBe(
      `${HOST}/app/ai/service-desk/${TENANT_DEV}/tickets/chat/dev-251125133015`,
    );
    expect(client.ticketUrl('a b', 'x/y?z')).toBe(`${HOST}/app/ai/service-desk/a%20b/tickets/chat/x%2Fy%3Fz`);
    expect(client.name).toBe('acme');
    expect(client.host).toBe(HOST);
  });
});

describe('failure mapping, every call', () => {
  const agent = { name: 'aws-agent', instanceId: 'inst-2' };
  const adminUsers = [{ Username: 'admin@acme.io', Roles: ['Administrator'], IsReadOnly: false }];

  interface Call {
    readonly operation: PortalOperation;
    /** How the message names the operation. */
    readonly words: string;
    readonly method: 'GET' | 'POST' | 'PUT';
    /** The request that fails. */
    readonly path: string;
    /** Replies the call needs before it reaches the failing request. */
    readonly before?: () => void;
    readonly run: (client: PortalClient) => Promise<unknown>;
    /** Reassigning reads nothing from the reply, so no 2xx body can be malformed for it. */
    readonly ignoresBody?: boolean;
  }

  const calls: Call[] = [
    {
      operation: 'checkToken',
      words: 'check token',
      method: 'GET',
      path: '/admin/GetUserRoleInfo',
      run: (client) => client.checkToken(),
    },
    {
      operation: 'userAccess',
      words: 'user access',
      method: 'GET',
      path: '/admin/GetAllUserRoles',
      run: (client) => client.userAccess('admin@acme.io'),
    },
    {
      operation: 'userAccess',
      words: 'user access',
      method: 'GET',
      path: '/admin/GetTenantsForUser',
      before: () => portal().get('/admin/GetAllUserRoles').reply(200, adminUsers),
      run: (client) => client.userAccess('admin@acme.io'),
    },
    {
      operation: 'getTenant',
      words: 'get tenant',
      method: 'GET',
      path: `/v3/admin/tenant/${TENANT_DEV}`,
      run: (client) => client.getTenant(TENANT_DEV),
    },
    {
      operation: 'impersonatableUsers',
      words: 'impersonatable users',
      method: 'GET',
      path: `/v3/admin/tenant/${TENANT_DEV}/metadata`,
      run: (client) => client.impersonatableUsers(TENANT_DEV),
    },
    {
      operation: 'listAgents',
      words: 'list agents',
      method: 'GET',
      path: '/v1/aiservicedesk/admin/data/aiagents',
      run: (client) => client.listAgents(TENANT_DEV),
    },
    {
      operation: 'createTicket',
      words: 'create ticket',
      method: 'POST',
      path: `/v1/aiservicedesk/tickets/${TENANT_DEV}`,
      run: (client) =>
        client.createTicket({ tenantId: TENANT_DEV, title: 't', content: 'c', agent, identity: 'x', platformContext }),
    },
    {
      operation: 'sendMessage',
      words: 'send message',
      method: 'POST',
      path: `/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1/sendmessage`,
      run: (client) => client.sendMessage({ tenantId: TENANT_DEV, ticketName: 'dev-1', content: 'c', platformContext }),
    },
    {
      operation: 'getTicket',
      words: 'get ticket',
      method: 'GET',
      path: `/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1`,
      run: (client) => client.getTicket(TENANT_DEV, 'dev-1'),
    },
    {
      operation: 'reassignAgent',
      words: 'reassign agent',
      method: 'PUT',
      path: `/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1/assignee`,
      run: (client) => client.reassignAgent(TENANT_DEV, 'dev-1', agent),
      ignoresBody: true,
    },
  ];

  interface Failure {
    readonly name: string;
    readonly code: string;
    /** What the message says after `<operation> failed: `. */
    readonly reason: RegExp;
    /** Whether an idempotent GET tries again (the portal was down or slow), with the fake sleep: no waiting. */
    readonly retried: boolean;
    readonly reply: (interceptor: nock.Interceptor, count: () => void) => void;
  }

  const status =
    (code: number, body: string | object): Failure['reply'] =>
    (interceptor, count) =>
      interceptor.reply(() => {
        count();
        return [code, body];
      });

  const failures: Failure[] = [
    {
      name: '401',
      code: 'portal.unauthorized',
      reason: /^HTTP 401$/,
      retried: false,
      reply: status(401, 'Unauthorized'),
    },
    {
      name: '403',
      code: 'portal.forbidden',
      reason: /^HTTP 403 \(Forbidden\)$/,
      retried: false,
      reply: status(403, { Message: 'Forbidden' }),
    },
    { name: '404', code: 'portal.not_found', reason: /^HTTP 404$/, retried: false, reply: status(404, '') },
    {
      name: '500',
      code: 'portal.unavailable',
      reason: /^HTTP 500 \(boom\)$/,
      retried: true,
      reply: status(500, { Message: 'boom' }),
    },
    {
      name: 'timeout',
      code: 'portal.timeout',
      reason: /^no answer in time$/,
      retried: true,
      // Far longer than the 30 ms the client is given below; nock answers after it gave up.
      reply: (interceptor, count) =>
        interceptor.delay(400).reply(() => {
          count();
          return [200, {}];
        }),
    },
    {
      name: 'malformed body',
      code: 'portal.bad_response',
      reason: /^unexpected response \(not JSON\)$/,
      retried: false,
      reply: status(200, '{"Username": "svc@acme.io", "Roles": '),
    },
  ];

  describe.each(calls.map((call) => [`${call.operation} (${call.method} ${call.path})`, call] as const))(
    '%s',
    (_name, call) => {
      it.each(failures.map((failure) => [failure.name, failure] as const))('%s', async (_failure, mode) => {
        call.before?.();
        let attempts = 0;
        mode.reply(portal().intercept(call.path, call.method).times(5), () => attempts++);
        // Only the timeout case needs a short timeout; the others get room for a busy machine to answer in.
        const timeoutMs = mode.name === 'timeout' ? 30 : 5_000;
        const { client, sleeps, observed } = setup({ timeoutMs, agentTimeoutMs: timeoutMs });

        if (call.ignoresBody && mode.name === 'malformed body') {
          await expect(call.run(client)).resolves.toBeUndefined();
          expect(observed.map((item) => item.outcome)).toEqual(['ok']);
          return;
        }
        const error = await failure(call.run(client));
        expect(error.code).toBe(mode.code);
        const prefix = `Portal "acme": ${call.words} failed: `;
        expect(error.message.startsWith(prefix)).toBe(true);
        expect(error.message.slice(prefix.length)).toMatch(mode.reason);
        expect(error.details).toMatchObject({ portal: 'acme', operation: call.operation });
        const tries = mode.retried && call.method === 'GET' ? 3 : 1;
        expect(attempts).toBe(tries);
        expect(sleeps).toHaveLength(tries - 1);
        expect(observed).toEqual([
          { portal: 'acme', operation: call.operation, outcome: mode.code, seconds: expect.any(Number) },
        ]);
        expectNoToken(error, observed);
      });
    },
  );
});

describe('the token', () => {
  it('appears in no error message, detail or observation, even when the portal echoes it', async () => {
    const echo = { Message: `Token ${TOKEN} is not valid for this action` };
    portal().get('/admin/GetUserRoleInfo').reply(401, `Unauthorized ${TOKEN}`);
    portal().get('/admin/GetAllUserRoles').reply(403, echo);
    portal().get(`/v3/admin/tenant/${TENANT_DEV}`).times(3).reply(500, echo);
    portal().get(`/v3/admin/tenant/${TENANT_DEV}/metadata`).reply(400, echo);
    portal()
      .get('/v1/aiservicedesk/admin/data/aiagents')
      .reply(200, { data: { items: [{ id: TOKEN }] } });
    portal().post(`/v1/aiservicedesk/tickets/${TENANT_DEV}`).reply(422, echo);
    portal().post(`/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1/sendmessage`).reply(200, `not json ${TOKEN}`);
    portal().get(`/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1`).reply(200, { name: TOKEN, status: 5 });
    portal().put(`/v1/aiservicedesk/tickets/${TENANT_DEV}/dev-1/assignee`).reply(409, echo);
    const { client, observed } = setup();
    const agent = { name: 'a', instanceId: 'i' };

    const errors = await Promise.all([
      failure(client.checkToken()),
      failure(client.userAccess('bob@acme.io')),
      failure(client.getTenant(TENANT_DEV)),
      failure(client.impersonatableUsers(TENANT_DEV)),
      failure(client.listAgents()),
      failure(
        client.createTicket({ tenantId: TENANT_DEV, title: 't', content: 'c', agent, identity: 'x', platformContext }),
      ),
      failure(client.sendMessage({ tenantId: TENANT_DEV, ticketName: 'dev-1', content: 'c', platformContext })),
      failure(client.getTicket(TENANT_DEV, 'dev-1')),
      failure(client.reassignAgent(TENANT_DEV, 'dev-1', agent)),
    ]);
    expect(errors.map((error) => error.code)).toEqual([
      'portal.unauthorized',
      'portal.forbidden',
      'portal.unavailable',
      'portal.rejected',
      'portal.bad_response',
      'portal.rejected',
      'portal.bad_response',
      'portal.bad_response',
      'portal.rejected',
    ]);
    expect(observed).toHaveLength(9);
    expect(errors[1]?.message).toContain('[redacted]');
    for (const error of errors) {
      expectNoToken(error, error.details);
      expect(error.cause).toBeUndefined();
    }
    expectNoToken(observed);
  });
});

describe('correlation', () => {
  it("sends the Slack request's correlation id as X-Correlation-Id and reports it, on every attempt", async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get('/admin/GetUserRoleInfo')
      .reply(recordInto(seen, 503, 'busy'));
    portal()
      .get('/admin/GetUserRoleInfo')
      .reply(recordInto(seen, 200, { Username: 'svc@acme.io', Roles: ['Administrator'], IsReadOnly: false }));
    const { client, observed } = setup();
    await runWithCorrelation('Ev0CORRELATE', () => client.checkToken());
    expect(seen.map((request) => request.headers['x-correlation-id'])).toEqual(['Ev0CORRELATE', 'Ev0CORRELATE']);
    expectBearer(seen[1]);
    expect(observed).toEqual([expect.objectContaining({ operation: 'checkToken', correlationId: 'Ev0CORRELATE' })]);
  });

  it('sends no correlation header outside a Slack request (readiness probes, start-up)', async () => {
    const seen: SeenRequest[] = [];
    portal()
      .get('/admin/GetUserRoleInfo')
      .reply(recordInto(seen, 200, { Username: 'svc@acme.io', Roles: ['Administrator'], IsReadOnly: false }));
    const { client, observed } = setup();
    await client.checkToken();
    expect(seen[0]?.headers).not.toHaveProperty('x-correlation-id');
    expect(observed[0]).not.toHaveProperty('correlationId');
  });
});
