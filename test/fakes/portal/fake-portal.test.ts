import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakePortal, startFakePortal } from './fake-portal.js';
import { IMPERSONATABLE_USERS_KEY } from './model.js';
import {
  defaultPortalSeed,
  defaultWorkspaceSeed,
  SeedAgents,
  SeedTenants,
  SeedUsers,
  SeedWorkspaceAgents,
  SeedWorkspaces,
} from './seed.js';
import { type ApiOptions, type ApiResult, call } from './test-client.js';

/** What both generations share: start-up, tokens, the portal's admin API (§2), detection probes (§0), plumbing. */

const CREATED_AT = new Date('2025-11-25T13:30:15Z');

let portal: FakePortal;

const api = (method: string, path: string, options: ApiOptions = {}): Promise<ApiResult> =>
  call(portal, method, path, options);

const dev = SeedTenants.dev;
const k8s = { agentName: SeedAgents.kubernetes.name, instanceId: SeedAgents.kubernetes.instanceId };

const createBody = (overrides: Record<string, unknown> = {}) => ({
  title: 'web is down',
  assignee: k8s,
  process_message: false,
  defaultAgentPermissions: ['dev-deployer'],
  source: 1,
  imAppDetails: { channelId: 'C1', threadId: '1732541415.000100' },
  ...overrides,
});

const createDevTicket = (overrides: Record<string, unknown> = {}): Promise<ApiResult> =>
  api('POST', `/v1/aiservicedesk/tickets/${dev.id}`, { json: createBody(overrides) });

beforeEach(async () => {
  portal = await startFakePortal({ clock: { now: () => CREATED_AT } });
});

afterEach(async () => {
  await portal.close();
});

describe('startFakePortal', () => {
  it('serves Gen A by default on 127.0.0.1 with an ephemeral port, the root url without a trailing slash', () => {
    expect(portal.api).toBe('tenant');
    expect(portal.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(portal.url).not.toMatch(/:0$/);
    expect(portal.adminUser).toBe(SeedUsers.admin);
    expect(portal.tokens.get(portal.adminToken)).toBe(SeedUsers.admin);
    expect(portal.tenants.size).toBe(3);
    expect(portal.workspaces.size).toBe(0);
  });

  it('serves Gen B with api: workspace and the default workspace seed', async () => {
    const gb = await startFakePortal({ api: 'workspace' });
    try {
      expect(gb.api).toBe('workspace');
      expect(gb.adminApi).toBe(true);
      expect(gb.tenants.size).toBe(0);
      expect([...gb.workspaces.values()].map((workspace) => workspace.name)).toEqual(['platform', 'data']);
      expect(gb.agents.map((agent) => [agent.name, agent.streaming])).toEqual([
        ['generic-agent', false],
        ['k8s-agent', true],
      ]);
      expect(() => gb.addTenant({ name: 'qa' })).toThrow(/no tenants/);
      expect(() => portal.addWorkspace({ name: 'qa' })).toThrow(/no workspaces/);
    } finally {
      await gb.close();
    }
  });

  it('uses a given admin token and a given seed without mutating it', async () => {
    const seed = defaultPortalSeed();
    const other = await startFakePortal({ seed, adminToken: 'fixed-token' });
    try {
      other.setTenantSetting(SeedTenants.dev.id, IMPERSONATABLE_USERS_KEY, undefined);
      const response = await fetch(`${other.url}/admin/GetUserRoleInfo`, {
        headers: { authorization: 'Bearer fixed-token' },
      });
      expect(response.status).toBe(200);
      expect(seed.tenants[0]?.settings?.[IMPERSONATABLE_USERS_KEY]).toBe('dev-deployer;dev-reader');
    } finally {
      await other.close();
    }
  });

  it('refuses a seed whose admin user is not a user, and a seed of the other generation', async () => {
    await expect(startFakePortal({ seed: { ...defaultPortalSeed(), adminUser: 'ghost@acme.io' } })).rejects.toThrow(
      /adminUser/,
    );
    await expect(
      startFakePortal({ api: 'workspace', seed: { ...defaultWorkspaceSeed(), adminUser: 'ghost@acme.io' } }),
    ).rejects.toThrow(/adminUser/);
    await expect(
      // biome-ignore lint/suspicious/noExplicitAny: a caller mixing up the seeds, as plain JS could
      startFakePortal({ api: 'workspace', seed: defaultPortalSeed() as any }),
    ).rejects.toThrow(/WorkspacePortalSeed/);
    // biome-ignore lint/suspicious/noExplicitAny: as above
    await expect(startFakePortal({ seed: defaultWorkspaceSeed() as any })).rejects.toThrow(/PortalSeed/);
  });
});

describe('detection probes (§0): each generation answers only its own', () => {
  it('Gen A: admin/tenants/agents is a JSON array; admin/data/workspaces is 404', async () => {
    const gbProbe = await api('GET', '/v1/aiservicedesk/admin/data/workspaces');
    expect(gbProbe.status).toBe(404);
    expect(gbProbe.json).toEqual({ Message: 'Resource not found' });
    const gaProbe = await api('GET', '/v1/aiservicedesk/admin/tenants/agents');
    expect(gaProbe.status).toBe(200);
    expect(Array.isArray(gaProbe.json)).toBe(true);
  });

  it('Gen B: admin/data/workspaces has success and data.items; admin/tenants/agents is 404', async () => {
    const gb = await startFakePortal({ api: 'workspace' });
    try {
      const gbProbe = await call(gb, 'GET', '/v1/aiservicedesk/admin/data/workspaces');
      expect(gbProbe.status).toBe(200);
      expect(gbProbe.json.success).toBe(true);
      expect(Array.isArray(gbProbe.json.data.items)).toBe(true);
      const gaProbe = await call(gb, 'GET', '/v1/aiservicedesk/admin/tenants/agents');
      expect(gaProbe.status).toBe(404);
      expect(gaProbe.json).toEqual({ success: false, message: 'Resource not found' });
    } finally {
      await gb.close();
    }
  });

  it('a bad token is 401 on both probes of both generations', async () => {
    const gb = await startFakePortal({ api: 'workspace' });
    try {
      for (const each of [portal, gb]) {
        for (const path of ['/v1/aiservicedesk/admin/data/workspaces', '/v1/aiservicedesk/admin/tenants/agents']) {
          expect((await call(each, 'GET', path, { token: 'wrong' })).status, `${each.api} ${path}`).toBe(401);
        }
      }
    } finally {
      await gb.close();
    }
  });
});

describe('authentication and authorization', () => {
  it('answers 401 with a text body for a missing, unknown, revoked or non-bearer token, on any path', async () => {
    const aliceToken = portal.issueToken(SeedUsers.alice);
    portal.revokeToken(aliceToken);
    const attempts = [
      await api('GET', '/admin/GetUserRoleInfo', { token: null }),
      await api('GET', '/admin/GetUserRoleInfo', { token: 'not-a-token' }),
      await api('GET', '/admin/GetUserRoleInfo', { token: aliceToken }),
      await api('GET', `/v1/aiservicedesk/tickets/${dev.id}/dev-1`, { token: null }),
      await api('GET', '/no/such/route', { token: null }),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(401);
      expect(attempt.text).toBe('Unauthorized');
    }
    const basic = await fetch(`${portal.url}/admin/GetUserRoleInfo`, {
      headers: { authorization: `Basic ${portal.adminToken}` },
    });
    expect(basic.status).toBe(401);
  });

  it('answers 403 {"Message":"Forbidden"} to a non-admin token on admin endpoints', async () => {
    const alice = portal.issueToken(SeedUsers.alice);
    const forbidden = [
      await api('GET', '/admin/GetAllUserRoles', { token: alice }),
      await api('GET', `/v3/admin/user/${encodeURIComponent(SeedUsers.bob)}/tenantAccess`, { token: alice }),
      await api('POST', `/v3/admin/tenant/${dev.id}/metadata`, { token: alice, json: { Key: 'k', Value: 'v' } }),
    ];
    for (const response of forbidden) {
      expect(response.status).toBe(403);
      expect(response.json).toEqual({ Message: 'Forbidden' });
    }
  });

  it('answers 403 to a user reading or using a tenant they cannot access', async () => {
    const bob = portal.issueToken(SeedUsers.bob);
    const staging = SeedTenants.staging.id;
    expect((await api('GET', `/v3/admin/tenant/${staging}`, { token: bob })).status).toBe(403);
    expect((await api('GET', `/v3/admin/tenant/${staging}/metadata`, { token: bob })).status).toBe(403);
    const create = await api('POST', `/v1/aiservicedesk/tickets/${staging}`, {
      token: bob,
      json: createBody({ defaultAgentPermissions: ['staging-deployer'] }),
    });
    expect(create.status).toBe(403);
    expect(portal.tickets()).toHaveLength(0);
    expect((await api('GET', `/v3/admin/tenant/${dev.id}`, { token: bob })).status).toBe(200);
  });
});

describe('users and tenants (§2)', () => {
  it('GetUserRoleInfo returns the token owner', async () => {
    expect((await api('GET', '/admin/GetUserRoleInfo')).json).toEqual({
      Username: 'admin@acme.io',
      Roles: ['Administrator'],
      IsReadOnly: false,
    });
    const bob = portal.issueToken(SeedUsers.bob);
    expect((await api('GET', '/admin/GetUserRoleInfo', { token: bob })).json).toEqual({
      Username: 'bob@acme.io',
      Roles: ['User'],
      IsReadOnly: false,
    });
  });

  it('GetAllUserRoles lists every user with Username, Roles and IsReadOnly', async () => {
    portal.addUser({ username: 'dave@acme.io', isReadOnly: true });
    const response = await api('GET', '/admin/GetAllUserRoles');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(
      response.json.map((user: { Username: string; Roles: string[]; IsReadOnly: boolean }) => [
        user.Username,
        user.Roles,
        user.IsReadOnly,
      ]),
    ).toEqual([
      ['admin@acme.io', ['Administrator'], false],
      ['alice@acme.io', ['User'], false],
      ['bob@acme.io', ['User'], false],
      ['carol@acme.io', ['User'], false],
      ['dave@acme.io', ['User'], true],
    ]);
  });

  it('GetTenantsForUser gives an admin every tenant and a user their own, PascalCase with Metadata', async () => {
    const all = await api('GET', '/admin/GetTenantsForUser');
    expect(all.json).toEqual([
      {
        TenantId: dev.id,
        AccountName: 'dev',
        PlanID: 'default',
        InfraOwner: 'default',
        Metadata: [{ Key: IMPERSONATABLE_USERS_KEY, Value: 'dev-deployer;dev-reader' }],
      },
      {
        TenantId: SeedTenants.staging.id,
        AccountName: 'staging',
        PlanID: 'default',
        InfraOwner: 'default',
        Metadata: [{ Key: IMPERSONATABLE_USERS_KEY, Value: 'staging-deployer' }],
      },
      { TenantId: SeedTenants.prod.id, AccountName: 'prod', PlanID: 'prod', InfraOwner: 'prod', Metadata: [] },
    ]);
    const names = async (username: string) =>
      (await api('GET', '/admin/GetTenantsForUser', { token: portal.issueToken(username) })).json.map(
        (tenant: { AccountName: string }) => tenant.AccountName,
      );
    expect(await names(SeedUsers.alice)).toEqual(['dev', 'staging']);
    expect(await names(SeedUsers.bob)).toEqual(['dev']);
    expect(await names(SeedUsers.carol)).toEqual(['prod']);
  });

  it('tenantAccess lists explicit grants with their policy, by URL-encoded username', async () => {
    const access = (username: string) => api('GET', `/v3/admin/user/${encodeURIComponent(username)}/tenantAccess`);
    expect((await access('alice@acme.io')).json).toEqual([
      { TenantId: dev.id, AccountName: 'dev', Policy: { IsReadOnly: false } },
      { TenantId: SeedTenants.staging.id, AccountName: 'staging', Policy: { IsReadOnly: false } },
    ]);
    expect((await access('BOB@acme.io')).json).toEqual([
      { TenantId: dev.id, AccountName: 'dev', Policy: { IsReadOnly: true } },
    ]);
    expect((await access('admin@acme.io')).json).toEqual([]);
    const unknown = await access('nobody@acme.io');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ Message: 'User not found' });
    expect(portal.callsTo('GET', /tenantAccess$/)[0]?.path).toBe('/v3/admin/user/alice%40acme.io/tenantAccess');
  });

  it('grantAccess and revokeAccess change what the next request sees', async () => {
    portal.grantAccess(SeedUsers.bob, SeedTenants.prod.id, { readOnly: false });
    portal.revokeAccess(SeedUsers.bob, dev.id);
    expect((await api('GET', `/v3/admin/user/${SeedUsers.bob}/tenantAccess`)).json).toEqual([
      { TenantId: SeedTenants.prod.id, AccountName: 'prod', Policy: { IsReadOnly: false } },
    ]);
  });

  it('gets one tenant, 404 {"Message"} for an unknown one', async () => {
    expect((await api('GET', `/v3/admin/tenant/${SeedTenants.prod.id}`)).json).toEqual({
      TenantId: SeedTenants.prod.id,
      AccountName: 'prod',
      PlanID: 'prod',
      InfraOwner: 'prod',
      Metadata: [],
    });
    const missing = await api('GET', '/v3/admin/tenant/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ Message: 'Tenant not found' });
  });

  it('serves tenant settings as metadata and follows setTenantSetting, POST and DELETE', async () => {
    const metadata = (tenantId: string) => api('GET', `/v3/admin/tenant/${tenantId}/metadata`);
    expect((await metadata(dev.id)).json).toEqual([
      { Key: IMPERSONATABLE_USERS_KEY, Value: 'dev-deployer;dev-reader' },
    ]);
    expect((await metadata(SeedTenants.prod.id)).json).toEqual([]);
    expect((await metadata('nope')).status).toBe(404);

    portal.setTenantSetting(SeedTenants.prod.id, IMPERSONATABLE_USERS_KEY, ' prod-admin ; ;prod-admin');
    expect((await metadata(SeedTenants.prod.id)).json).toEqual([
      { Key: IMPERSONATABLE_USERS_KEY, Value: ' prod-admin ; ;prod-admin' },
    ]);
    portal.setTenantSetting(SeedTenants.prod.id, IMPERSONATABLE_USERS_KEY, undefined);
    expect((await metadata(SeedTenants.prod.id)).json).toEqual([]);

    const posted = await api('POST', `/v3/admin/tenant/${dev.id}/metadata`, { json: { Key: 'team', Value: 'web' } });
    expect(posted.json).toEqual({ Key: 'team', Value: 'web' });
    expect((await metadata(dev.id)).json).toContainEqual({ Key: 'team', Value: 'web' });
    expect((await api('DELETE', `/v3/admin/tenant/${dev.id}/metadata/team`)).status).toBe(204);
    expect((await api('DELETE', `/v3/admin/tenant/${dev.id}/metadata/team`)).status).toBe(404);
  });

  it('answers 404 to an unknown path and 405 to a wrong method', async () => {
    expect((await api('GET', '/api/admin/GetUserRoleInfo')).status).toBe(404);
    expect((await api('DELETE', '/admin/GetUserRoleInfo')).status).toBe(405);
  });
});

describe('the admin API on a Gen B portal', () => {
  it('serves only GetUserRoleInfo and GetAllUserRoles, and nothing under /admin when adminApi is off', async () => {
    const gb = await startFakePortal({ api: 'workspace' });
    try {
      expect((await call(gb, 'GET', '/admin/GetUserRoleInfo')).json).toEqual({
        Username: SeedUsers.admin,
        Roles: ['Administrator'],
        IsReadOnly: false,
      });
      const users = await call(gb, 'GET', '/admin/GetAllUserRoles');
      expect(
        users.json.map((user: { Username: string; IsReadOnly: boolean }) => [user.Username, user.IsReadOnly]),
      ).toEqual([
        [SeedUsers.admin, false],
        [SeedUsers.alice, false],
        [SeedUsers.bob, true],
      ]);
      const alice = gb.issueToken(SeedUsers.alice);
      expect((await call(gb, 'GET', '/admin/GetAllUserRoles', { token: alice })).json).toEqual({
        Message: 'Forbidden',
      });
      // The rest of the portal's admin API is not there: Gen B has no tenants.
      for (const path of ['/admin/GetTenantsForUser', `/v3/admin/user/${SeedUsers.alice}/tenantAccess`]) {
        const response = await call(gb, 'GET', path);
        expect(response.status, path).toBe(404);
        expect(response.json, path).toEqual({ Message: 'Resource not found' });
      }

      gb.adminApi = false;
      for (const path of ['/admin/GetUserRoleInfo', '/admin/GetAllUserRoles']) {
        expect((await call(gb, 'GET', path)).status, path).toBe(404);
      }
      // A bad token is still 401 first.
      expect((await call(gb, 'GET', '/admin/GetUserRoleInfo', { token: 'wrong' })).status).toBe(401);
      // The HelpDesk itself keeps working.
      expect((await call(gb, 'GET', '/v1/aiservicedesk/admin/data/workspaces')).status).toBe(200);
    } finally {
      await gb.close();
    }
  });

  it('starts with the admin API off when the seed says adminApi: false', async () => {
    const gb = await startFakePortal({ api: 'workspace', seed: { ...defaultWorkspaceSeed(), adminApi: false } });
    try {
      expect(gb.adminApi).toBe(false);
      expect((await call(gb, 'GET', '/admin/GetUserRoleInfo')).status).toBe(404);
    } finally {
      await gb.close();
    }
  });
});

describe('agent script', () => {
  it('replaces the agent, sees the ticket, message, space and agent, and may fall back to the default', async () => {
    const seen: string[] = [];
    portal.setAgentScript(({ api: generation, ticket, message, space, tenant, agent, decisions, defaultReply }) => {
      seen.push(
        `${generation}/${space.name}/${tenant?.id}/${agent.name}/${ticket.name}/${message.content}/${decisions.length}`,
      );
      if (message.content === 'default please') return undefined;
      if (message.content === 'wrap') return { content: `wrapped: ${defaultReply().content}` };
      return {
        content: 'custom',
        data: { cmds: [{ command: 'helm list', execute: false }], url_configs: [{ url: 'https://x' }] },
      };
    });
    const created = await createDevTicket({ content: 'anything', process_message: true });
    expect(created.json.message).toEqual({
      role: 'assistant',
      content: 'custom',
      data: {
        cmds: [{ command: 'helm list', execute: false }],
        executed_cmds: [],
        tool_calls: [],
        executed_tool_calls: [],
        approvals: [],
        executed_approvals: [],
        url_configs: [{ url: 'https://x' }],
      },
    });
    const name = created.json.ticket.name as string;
    const send = (body: Record<string, unknown>) =>
      api('POST', `/v1/aiservicedesk/tickets/${dev.id}/${name}/sendmessage`, { json: body });
    expect((await send({ content: 'default please' })).json.content).toContain('default please');
    expect((await send({ content: 'wrap' })).json.content).toMatch(/^wrapped: You asked: "wrap"/);
    const echo = await send({ content: '', data: { cmds: [{ command: 'helm list', execute: true }] } });
    expect(echo.json.content).toBe('custom');
    expect(seen).toEqual([
      `tenant/dev/${dev.id}/kubernetes-agent/${name}/anything/0`,
      `tenant/dev/${dev.id}/kubernetes-agent/${name}/default please/0`,
      `tenant/dev/${dev.id}/kubernetes-agent/${name}/wrap/0`,
      `tenant/dev/${dev.id}/kubernetes-agent/${name}//1`,
    ]);

    portal.resetAgentScript();
    expect((await send({ content: 'restart the pods' })).json.data.cmds).toHaveLength(2);
  });

  it('turns a throwing script into a 500 {"Message"}', async () => {
    portal.setAgentScript(() => {
      throw new Error('model overloaded');
    });
    const response = await createDevTicket({ process_message: true });
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ Message: 'Agent failed: model overloaded' });
  });
});

describe('fault injection and latency', () => {
  it('answers an injected status once by default, then behaves normally', async () => {
    const fault = portal.inject({ path: /GetUserRoleInfo/, status: 500 });
    const first = await api('GET', '/admin/GetUserRoleInfo');
    expect(first.status).toBe(500);
    expect(first.json).toEqual({ Message: 'Injected fault' });
    expect((await api('GET', '/admin/GetUserRoleInfo')).status).toBe(200);
    expect(fault.hits).toBe(1);
    expect(fault.remaining).toBe(0);
    expect(portal.calls.map((each) => [each.status, each.fault])).toEqual([
      [500, true],
      [200, false],
    ]);
  });

  it('answers an injected error in the Gen B envelope on a Gen B HelpDesk path', async () => {
    const gb = await startFakePortal({ api: 'workspace' });
    try {
      gb.inject({ path: /\/workspaces$/, status: 503 });
      const response = await call(gb, 'GET', '/v1/aiservicedesk/admin/data/workspaces');
      expect(response.status).toBe(503);
      expect(response.json).toEqual({ success: false, message: 'Injected fault' });
    } finally {
      await gb.close();
    }
  });

  it('honours times, Infinity, method and clearFaults', async () => {
    portal.inject({ path: /tenants\/agents/, status: 503, times: 2 });
    const statuses = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await api('GET', '/v1/aiservicedesk/admin/tenants/agents')).status);
    }
    expect(statuses).toEqual([503, 503, 200]);

    portal.inject({ method: 'POST', path: /\/tickets\//, status: 502, times: Number.POSITIVE_INFINITY });
    expect((await createDevTicket()).status).toBe(502);
    expect((await createDevTicket()).status).toBe(502);
    expect((await api('GET', `/v1/aiservicedesk/tickets/${dev.id}/dev-1`)).status).toBe(404);
    portal.clearFaults();
    expect((await createDevTicket()).status).toBe(200);
  });

  it('sends a raw malformed body with status 200', async () => {
    portal.inject({ path: /GetTenantsForUser/, body: '{"TenantId": [' });
    const response = await api('GET', '/admin/GetTenantsForUser');
    expect(response.status).toBe(200);
    expect(response.text).toBe('{"TenantId": [');
    expect(response.contentType).toMatch(/^application\/json/);
  });

  it('delays a request and then handles it normally, recording the handling time', async () => {
    portal.inject({ path: /GetUserRoleInfo/, delayMs: 120 });
    const started = performance.now();
    const response = await api('GET', '/admin/GetUserRoleInfo');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(response.json.Username).toBe(SeedUsers.admin);
    expect(portal.calls[0]?.durationMs).toBeGreaterThanOrEqual(110);
    expect(portal.calls[0]?.status).toBe(200);
  });

  it('drops the connection without answering', async () => {
    portal.inject({ path: /GetUserRoleInfo/, dropConnection: true });
    await expect(api('GET', '/admin/GetUserRoleInfo')).rejects.toThrow();
    expect(portal.calls[0]).toMatchObject({ status: 0, fault: true });
    expect((await api('GET', '/admin/GetUserRoleInfo')).status).toBe(200);
  });

  it('ignores dropAfterEvents on an answer that is not a stream', async () => {
    portal.inject({ path: /GetUserRoleInfo/, dropAfterEvents: 0 });
    const response = await api('GET', '/admin/GetUserRoleInfo');
    expect(response.status).toBe(200);
    expect(portal.calls[0]).toMatchObject({ status: 200, fault: true });
    expect(portal.calls[0]?.streamedEvents).toBeUndefined();
  });

  it('applies a global latency to every request until set back to 0', async () => {
    portal.setLatency(80);
    await api('GET', '/admin/GetUserRoleInfo');
    await createDevTicket();
    portal.setLatency(0);
    await api('GET', '/admin/GetUserRoleInfo');
    const durations = portal.calls.map((each) => each.durationMs);
    expect(durations[0]).toBeGreaterThanOrEqual(75);
    expect(durations[1]).toBeGreaterThanOrEqual(75);
    expect(durations[2]).toBeLessThan(75);
  });

  it('closes promptly while a delayed request is pending', async () => {
    portal.inject({ path: /GetUserRoleInfo/, delayMs: 60_000 });
    const pending = api('GET', '/admin/GetUserRoleInfo').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await portal.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('call recording', () => {
  it('records the X-Correlation-Id header, and no other header', async () => {
    await api('GET', '/admin/GetUserRoleInfo', { correlationId: 'Ev0CORRELATE' });
    await api('GET', '/admin/GetUserRoleInfo');
    expect(portal.calls.map((each) => each.correlationId)).toEqual(['Ev0CORRELATE', null]);
    expect(JSON.stringify(portal.calls)).not.toContain(portal.adminToken);
  });

  it('records every request in order with parsed body, query, user and status, never the token', async () => {
    const aliceToken = portal.issueToken(SeedUsers.alice, 'alice-secret-token-123');
    await api('GET', '/admin/GetUserRoleInfo?verbose=1', { token: aliceToken });
    await api('GET', '/admin/GetAllUserRoles', { token: aliceToken });
    await api('GET', '/admin/GetUserRoleInfo', { token: 'wrong-token-456' });
    await createDevTicket();
    await api('POST', `/v1/aiservicedesk/tickets/${dev.id}`, { raw: '{oops' });

    expect(portal.calls.map((each) => [each.seq, each.method, each.path, each.status, each.user])).toEqual([
      [1, 'GET', '/admin/GetUserRoleInfo', 200, SeedUsers.alice],
      [2, 'GET', '/admin/GetAllUserRoles', 403, SeedUsers.alice],
      [3, 'GET', '/admin/GetUserRoleInfo', 401, null],
      [4, 'POST', `/v1/aiservicedesk/tickets/${dev.id}`, 200, SeedUsers.admin],
      [5, 'POST', `/v1/aiservicedesk/tickets/${dev.id}`, 400, SeedUsers.admin],
    ]);
    expect(portal.calls.map((each) => each.authorized)).toEqual([true, true, false, true, true]);
    expect(portal.calls[0]?.query).toEqual({ verbose: '1' });
    expect(portal.calls[0]?.body).toBeUndefined();
    expect(portal.calls[3]?.body).toEqual(createBody());
    expect(portal.calls[4]?.body).toBe('{oops');
    expect(portal.calls[0]?.at).toBeInstanceOf(Date);

    const recorded = JSON.stringify(portal.calls);
    expect(recorded).not.toContain('alice-secret-token-123');
    expect(recorded).not.toContain('wrong-token-456');
    expect(recorded).not.toContain(portal.adminToken);
    expect(recorded.toLowerCase()).not.toContain('bearer');

    expect(portal.callsTo('post', /^\/v1\/aiservicedesk\/tickets\//).map((each) => each.seq)).toEqual([4, 5]);
    // Twice with a /g regex: its lastIndex must not make the second call miss.
    const global = /GetUserRoleInfo/g;
    expect(portal.callsTo('GET', global)).toHaveLength(2);
    expect(portal.callsTo('GET', global)).toHaveLength(2);
    portal.resetCalls();
    expect(portal.calls).toHaveLength(0);
  });

  it('records a Gen B query with filters[name] as one key', async () => {
    const gb = await startFakePortal({ api: 'workspace' });
    try {
      await call(gb, 'GET', `/v1/aiservicedesk/admin/data/workspaces?filters[name]=${SeedWorkspaces.data.name}`);
      expect(gb.calls[0]?.query).toEqual({ 'filters[name]': 'data' });
      expect(gb.agents.map((agent) => agent.id)).toContain(SeedWorkspaceAgents.k8s.id);
    } finally {
      await gb.close();
    }
  });
});
