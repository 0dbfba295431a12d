import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakePortal, startFakePortal } from './fake-portal.js';
import { IMPERSONATABLE_USERS_KEY } from './model.js';
import { ACTIONABLE_WORDS, isActionable, plausibleOutput } from './scripted-agent.js';
import { defaultPortalSeed, SeedAgents, SeedTenants, SeedUsers } from './seed.js';

const CREATED_AT = new Date('2025-11-25T13:30:15Z');

interface ApiOptions {
  /** Bearer token; default the admin token; null sends no Authorization header. */
  readonly token?: string | null;
  readonly json?: unknown;
  readonly raw?: string;
  readonly contentType?: string;
  /** Sent as X-Correlation-Id. */
  readonly correlationId?: string;
}

interface ApiResult {
  readonly status: number;
  readonly text: string;
  readonly contentType: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON shapes
  readonly json: any;
}

let portal: FakePortal;
let now: Date;

const api = async (method: string, path: string, options: ApiOptions = {}): Promise<ApiResult> => {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? portal.adminToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.correlationId !== undefined) headers['x-correlation-id'] = options.correlationId;
  let body: string | undefined;
  if (options.json !== undefined || options.raw !== undefined) {
    body = options.raw ?? JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${portal.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, contentType: response.headers.get('content-type'), json };
};

const dev = SeedTenants.dev;
const k8s = { agentName: SeedAgents.kubernetes.name, instanceId: SeedAgents.kubernetes.instanceId };
const context = (identity: string) => ({ impersonate_user: identity, source: 'slack', slack_channel_id: 'C1' });

const createBody = (overrides: Record<string, unknown> = {}) => ({
  title: 'web is down',
  assignee: k8s,
  content: 'The web pods keep crashing in dev',
  process_message: true,
  Origin: 'slack',
  impersonateUser: 'dev-deployer',
  platform_context: context('dev-deployer'),
  ...overrides,
});

const createDevTicket = async (overrides: Record<string, unknown> = {}): Promise<ApiResult> =>
  api('POST', `/v1/aiservicedesk/tickets/${dev.id}`, { json: createBody(overrides) });

const sendPath = (ticketName: string, tenantId: string = dev.id) =>
  `/v1/aiservicedesk/tickets/${tenantId}/${ticketName}/sendmessage`;

const send = (ticketName: string, body: Record<string, unknown>, tenantId: string = dev.id) =>
  api('POST', sendPath(ticketName, tenantId), { json: { platform_context: context('dev-deployer'), ...body } });

const emptyData = {
  cmds: [],
  executed_cmds: [],
  tool_calls: [],
  executed_tool_calls: [],
  approvals: [],
  executed_approvals: [],
  url_configs: [],
};

beforeEach(async () => {
  now = CREATED_AT;
  portal = await startFakePortal({ clock: { now: () => now } });
});

afterEach(async () => {
  await portal.close();
});

describe('startFakePortal', () => {
  it('listens on 127.0.0.1 with an ephemeral port and gives the root url without a trailing slash', () => {
    expect(portal.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(portal.url).not.toMatch(/:0$/);
    expect(portal.adminUser).toBe(SeedUsers.admin);
    expect(portal.tokens.get(portal.adminToken)).toBe(SeedUsers.admin);
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

  it('refuses a seed whose admin user is not a user', async () => {
    await expect(startFakePortal({ seed: { ...defaultPortalSeed(), adminUser: 'ghost@acme.io' } })).rejects.toThrow(
      /adminUser/,
    );
  });
});

describe('authentication and authorization', () => {
  it('answers 401 with a text body for a missing, unknown, revoked or non-bearer token', async () => {
    const aliceToken = portal.issueToken(SeedUsers.alice);
    portal.revokeToken(aliceToken);
    const attempts = [
      await api('GET', '/admin/GetUserRoleInfo', { token: null }),
      await api('GET', '/admin/GetUserRoleInfo', { token: 'not-a-token' }),
      await api('GET', '/admin/GetUserRoleInfo', { token: aliceToken }),
      await api('GET', `/v1/aiservicedesk/tickets/${dev.id}/dev-1`, { token: null }),
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
      json: createBody({ impersonateUser: 'staging-deployer' }),
    });
    expect(create.status).toBe(403);
    expect(portal.tickets()).toHaveLength(0);
    expect((await api('GET', `/v3/admin/tenant/${dev.id}`, { token: bob })).status).toBe(200);
  });
});

describe('users and tenants', () => {
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

describe('agents listing', () => {
  it('lists agents in the wire envelope, omitting absent instanceId and allowedTenants', async () => {
    portal.addAgent({ id: 'a9', name: 'bare-agent' });
    const alice = portal.issueToken(SeedUsers.alice);
    expect((await api('GET', '/v1/aiservicedesk/admin/data/aiagents', { token: alice })).json).toEqual({
      success: true,
      data: {
        items: [
          { id: 'agent-k8s', name: 'kubernetes-agent', instanceId: 'k8s-1' },
          { id: 'agent-cost', name: 'cost-agent', instanceId: 'cost-1', allowedTenants: [SeedTenants.prod.id] },
          { id: 'a9', name: 'bare-agent' },
        ],
      },
    });
  });
});

describe('create ticket', () => {
  it('creates <tenant>-<yyMMddHHmmss> and returns the first reply with two proposed commands', async () => {
    const response = await createDevTicket();
    expect(response.status).toBe(200);
    expect(response.json.ticket).toEqual({
      name: 'dev-251125133015',
      title: 'web is down',
      status: 'open',
      assignee: k8s,
    });
    expect(response.json.message.role).toBe('assistant');
    expect(response.json.message.content).toContain('The web pods keep crashing in dev');
    expect(response.json.message.data).toEqual({
      ...emptyData,
      cmds: [
        { command: 'kubectl get pods -n duploservices-dev', execute: false },
        { command: 'kubectl rollout restart deployment/web -n duploservices-dev', execute: false },
      ],
    });

    const ticket = portal.ticket('dev-251125133015');
    expect(ticket).toMatchObject({
      tenantId: dev.id,
      origin: 'slack',
      identity: 'dev-deployer',
      createdBy: SeedUsers.admin,
      createdAt: CREATED_AT,
    });
    expect(ticket?.messages.map((message) => [message.role, message.identity])).toEqual([
      ['user', 'dev-deployer'],
      ['assistant', undefined],
    ]);
    expect(ticket?.messages[0]?.platform_context).toEqual(context('dev-deployer'));
    expect(ticket?.commands.map((command) => command.state)).toEqual(['proposed', 'proposed']);
    expect(portal.tickets(dev.id)).toHaveLength(1);
    expect(portal.tickets(SeedTenants.prod.id)).toHaveLength(0);
  });

  it('returns message null and no agent reply when process_message is not true', async () => {
    const response = await createDevTicket({ process_message: false });
    expect(response.json.message).toBeNull();
    expect(portal.ticket(response.json.ticket.name)?.messages.map((message) => message.role)).toEqual(['user']);
  });

  it('makes names unique by bumping a second on collision, from the injected clock', async () => {
    const names = [];
    for (let index = 0; index < 3; index += 1) names.push((await createDevTicket()).json.ticket.name);
    now = new Date('2026-01-02T03:04:05Z');
    names.push((await createDevTicket()).json.ticket.name);
    expect(names).toEqual(['dev-251125133015', 'dev-251125133016', 'dev-251125133017', 'dev-260102030405']);
  });

  it('answers a text-only reply to a non-actionable request', async () => {
    const response = await createDevTicket({ content: 'What is our monthly budget?' });
    expect(response.json.message.content).toContain('What is our monthly budget?');
    expect(response.json.message.data).toEqual(emptyData);
  });

  it('rejects malformed JSON, missing fields and a non-JSON content type with 400/415 {"Message"}', async () => {
    const path = `/v1/aiservicedesk/tickets/${dev.id}`;
    const malformed = await api('POST', path, { raw: '{"title": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ Message: 'Malformed JSON body' });

    const noTitle = await api('POST', path, { json: createBody({ title: undefined }) });
    expect(noTitle.status).toBe(400);
    expect(noTitle.json.Message).toMatch(/title/);

    const noIdentity = await api('POST', path, { json: createBody({ impersonateUser: undefined }) });
    expect(noIdentity.status).toBe(400);
    expect(noIdentity.json.Message).toMatch(/impersonateUser/);

    const badAssignee = await api('POST', path, { json: createBody({ assignee: { agentName: 'kubernetes-agent' } }) });
    expect(badAssignee.status).toBe(400);
    expect(badAssignee.json.Message).toMatch(/assignee\.instanceId/);

    const empty = await api('POST', path, { raw: '' });
    expect(empty.status).toBe(400);

    const text = await api('POST', path, { raw: JSON.stringify(createBody()), contentType: 'text/plain' });
    expect(text.status).toBe(415);
    expect(portal.tickets()).toHaveLength(0);
  });

  it('rejects an unknown agent and an agent not allowed in the tenant', async () => {
    const unknown = await createDevTicket({ assignee: { agentName: 'kubernetes-agent', instanceId: 'k8s-9' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.Message).toMatch(/Unknown agent/);
    const costInDev = await createDevTicket({ assignee: { agentName: 'cost-agent', instanceId: 'cost-1' } });
    expect(costInDev.status).toBe(400);
    expect(costInDev.json.Message).toMatch(/not allowed/);
    expect(costInDev.json.Message).not.toMatch(/not found/i);
  });

  it('accepts an agent listed without instanceId by its id', async () => {
    portal.addAgent({ id: 'bare-1', name: 'bare-agent' });
    const response = await createDevTicket({ assignee: { agentName: 'bare-agent', instanceId: 'bare-1' } });
    expect(response.status).toBe(200);
  });

  it('answers 404 for an unknown tenant', async () => {
    const response = await api('POST', '/v1/aiservicedesk/tickets/0b0b0b0b-0000-0000-0000-000000000000', {
      json: createBody(),
    });
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ Message: 'Tenant not found' });
  });

  it('refuses an identity that is not in the tenant list, case-insensitively accepting one that is', async () => {
    const refused = await createDevTicket({ impersonateUser: 'staging-deployer' });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ Message: 'Impersonation not allowed' });
    const prod = await api('POST', `/v1/aiservicedesk/tickets/${SeedTenants.prod.id}`, {
      json: createBody({ impersonateUser: 'anyone', assignee: k8s }),
    });
    expect(prod.status).toBe(403);
    expect(portal.tickets()).toHaveLength(0);
    expect((await createDevTicket({ impersonateUser: 'DEV-Reader' })).status).toBe(200);
  });
});

describe('send message and the approval protocol', () => {
  let ticketName: string;
  const getPods = 'kubectl get pods -n duploservices-dev';
  const restart = 'kubectl rollout restart deployment/web -n duploservices-dev';

  beforeEach(async () => {
    ticketName = (await createDevTicket()).json.ticket.name;
  });

  it('answers a plain message: text only, or two commands when actionable', async () => {
    const plain = await send(ticketName, { content: 'thanks, what is the weather?' });
    expect(plain.status).toBe(200);
    expect(plain.json).toEqual({
      role: 'assistant',
      content: expect.stringContaining('thanks, what is the weather?'),
      data: emptyData,
    });
    const actionable = await send(ticketName, { content: 'show me the logs' });
    expect(actionable.json.data.cmds).toEqual([
      { command: getPods, execute: false },
      { command: restart, execute: false },
    ]);
  });

  it('runs exactly the approved commands and reports rejections with reasons', async () => {
    portal.setCommandOutput(getPods, 'web-1   1/1   Running');
    const response = await send(ticketName, {
      content: '',
      data: {
        cmds: [
          { command: getPods, execute: true },
          { command: restart, execute: false, rejection_reason: 'not during business hours' },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.json.data).toEqual({
      ...emptyData,
      executed_cmds: [{ command: getPods, output: 'web-1   1/1   Running' }],
    });
    expect(response.json.content).toContain('Ran 1 command, rejected 1.');
    expect(response.json.content).toContain('not during business hours');

    const ticket = portal.ticket(ticketName);
    expect(ticket?.commands).toEqual([
      { command: getPods, state: 'approved', output: 'web-1   1/1   Running' },
      { command: restart, state: 'rejected', rejectionReason: 'not during business hours' },
    ]);
    const echo = ticket?.messages.at(-2);
    expect(echo?.role).toBe('user');
    expect(echo?.data.cmds).toHaveLength(2);
    expect(echo?.platform_context).toEqual(context('dev-deployer'));
  });

  it('gives plausible deterministic output when none was set, for every approved command', async () => {
    const response = await send(ticketName, {
      content: '',
      data: {
        cmds: [
          { command: restart, execute: true },
          { command: getPods, execute: true },
        ],
      },
    });
    expect(response.json.data.executed_cmds).toEqual([
      { command: restart, output: 'deployment.apps/web restarted' },
      { command: getPods, output: plausibleOutput(getPods) },
    ]);
    expect(response.json.data.cmds).toEqual([]);
    expect(response.json.content).toContain('Ran 2 commands, rejected 0.');
  });

  it('leaves an ignored (omitted) command proposed and answerable later', async () => {
    await send(ticketName, { content: '', data: { cmds: [{ command: getPods, execute: true }] } });
    expect(portal.ticket(ticketName)?.commands.map((command) => command.state)).toEqual(['approved', 'proposed']);
    const later = await send(ticketName, { content: '', data: { cmds: [{ command: restart, execute: true }] } });
    expect(later.json.data.executed_cmds).toEqual([{ command: restart, output: 'deployment.apps/web restarted' }]);
  });

  it('rejects an unknown command, a command echoed twice and one already answered, changing nothing', async () => {
    const unknown = await send(ticketName, {
      content: '',
      data: {
        cmds: [
          { command: getPods, execute: true },
          { command: 'rm -rf /', execute: true },
        ],
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ Message: 'Unknown command' });

    const twice = await send(ticketName, {
      content: '',
      data: {
        cmds: [
          { command: getPods, execute: true },
          { command: getPods, execute: false },
        ],
      },
    });
    expect(twice.status).toBe(400);
    expect(twice.json).toEqual({ Message: 'Command echoed twice' });
    expect(portal.ticket(ticketName)?.commands.map((command) => command.state)).toEqual(['proposed', 'proposed']);
    expect(portal.ticket(ticketName)?.messages).toHaveLength(2);

    expect(
      (await send(ticketName, { content: '', data: { cmds: [{ command: getPods, execute: true }] } })).status,
    ).toBe(200);
    const again = await send(ticketName, { content: '', data: { cmds: [{ command: getPods, execute: true }] } });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ Message: 'Command already answered' });
  });

  it('checks the identity against the tenant list at the time of each message', async () => {
    portal.setTenantSetting(dev.id, IMPERSONATABLE_USERS_KEY, 'dev-reader');
    const refused = await send(ticketName, { content: 'restart it' });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ Message: 'Impersonation not allowed' });
    const allowed = await send(ticketName, {
      content: 'restart it',
      platform_context: context('dev-reader'),
    });
    expect(allowed.status).toBe(200);
    expect(portal.ticket(ticketName)?.messages.at(-2)?.identity).toBe('dev-reader');
  });

  it('validates the sendmessage body', async () => {
    const noContext = await api('POST', sendPath(ticketName), { json: { content: 'hi' } });
    expect(noContext.status).toBe(400);
    expect(noContext.json.Message).toMatch(/platform_context/);
    const badCmd = await send(ticketName, { content: '', data: { cmds: [{ command: getPods }] } });
    expect(badCmd.status).toBe(400);
    expect(badCmd.json.Message).toMatch(/data\.cmds\.0\.execute/);
    const noContent = await api('POST', sendPath(ticketName), { json: { platform_context: context('dev-deployer') } });
    expect(noContent.status).toBe(400);
    const malformed = await api('POST', sendPath(ticketName), { raw: 'not json' });
    expect(malformed.json).toEqual({ Message: 'Malformed JSON body' });
  });

  it('answers 404 for an unknown ticket or a ticket of another tenant', async () => {
    const unknown = await send('dev-000000000000', { content: 'hi' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ Message: 'Ticket not found' });
    const wrongTenant = await api('POST', sendPath(ticketName, SeedTenants.staging.id), {
      json: { content: 'hi', platform_context: context('staging-deployer') },
    });
    expect(wrongTenant.status).toBe(404);
  });
});

describe('get ticket and reassign', () => {
  it('gets a ticket and reassigns it to another allowed agent', async () => {
    const prodId = SeedTenants.prod.id;
    portal.setTenantSetting(prodId, IMPERSONATABLE_USERS_KEY, 'prod-admin');
    const created = await api('POST', `/v1/aiservicedesk/tickets/${prodId}`, {
      json: createBody({ impersonateUser: 'prod-admin' }),
    });
    const name = created.json.ticket.name as string;
    expect(name).toBe('prod-251125133015');
    const path = `/v1/aiservicedesk/tickets/${prodId}/${name}`;
    expect((await api('GET', path)).json).toEqual({ name, title: 'web is down', status: 'open', assignee: k8s });

    const cost = { agentName: 'cost-agent', instanceId: 'cost-1' };
    const reassigned = await api('PUT', `${path}/assignee`, { json: cost });
    expect(reassigned.status).toBe(200);
    expect(reassigned.json).toEqual({ name, title: 'web is down', status: 'open', assignee: cost });
    expect(portal.ticket(name)?.assignee).toEqual(cost);
    expect((await api('GET', path)).json.assignee).toEqual(cost);
  });

  it('rejects reassigning to an unknown agent or with a bad body, and 404s unknown tickets', async () => {
    const name = (await createDevTicket()).json.ticket.name as string;
    const path = `/v1/aiservicedesk/tickets/${dev.id}/${name}/assignee`;
    expect((await api('PUT', path, { json: { agentName: 'cost-agent', instanceId: 'cost-1' } })).status).toBe(400);
    expect((await api('PUT', path, { json: { agentName: 'x' } })).status).toBe(400);
    expect(portal.ticket(name)?.assignee).toEqual(k8s);
    expect((await api('GET', `/v1/aiservicedesk/tickets/${dev.id}/dev-1`)).status).toBe(404);
    expect((await api('PUT', `/v1/aiservicedesk/tickets/${dev.id}/dev-1/assignee`, { json: k8s })).status).toBe(404);
  });

  it('builds the web URL of a ticket', () => {
    expect(portal.ticketUrl(dev.id, 'dev-251125133015')).toBe(
      `${portal.url}/app/ai/service-desk/${dev.id}/tickets/chat/dev-251125133015`,
    );
  });
});

describe('agent script', () => {
  it('replaces the agent, sees the ticket, message and tenant, and may fall back to the default', async () => {
    const seen: string[] = [];
    portal.setAgentScript(({ ticket, message, tenant, decisions, defaultReply }) => {
      seen.push(`${tenant.name}/${ticket.name}/${message.content}/${decisions.length}`);
      if (message.content === 'default please') return undefined;
      if (message.content === 'wrap') return { content: `wrapped: ${defaultReply().content}` };
      return {
        content: 'custom',
        data: { cmds: [{ command: 'helm list', execute: false }], url_configs: [{ url: 'https://x' }] },
      };
    });
    const created = await createDevTicket({ content: 'anything' });
    expect(created.json.message).toEqual({
      role: 'assistant',
      content: 'custom',
      data: { ...emptyData, cmds: [{ command: 'helm list', execute: false }], url_configs: [{ url: 'https://x' }] },
    });
    const name = created.json.ticket.name as string;
    const fallback = await send(name, { content: 'default please' });
    expect(fallback.json.content).toContain('default please');
    expect((await send(name, { content: 'wrap' })).json.content).toMatch(/^wrapped: You asked: "wrap"/);
    const echo = await send(name, { content: '', data: { cmds: [{ command: 'helm list', execute: true }] } });
    expect(echo.json.content).toBe('custom');
    expect(seen).toEqual([
      `dev/${name}/anything/0`,
      `dev/${name}/default please/0`,
      `dev/${name}/wrap/0`,
      `dev/${name}//1`,
    ]);

    portal.resetAgentScript();
    expect((await send(name, { content: 'restart the pods' })).json.data.cmds).toHaveLength(2);
  });

  it('turns a throwing script into a 500 {"Message"}', async () => {
    portal.setAgentScript(() => {
      throw new Error('model overloaded');
    });
    const response = await createDevTicket();
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ Message: 'Agent failed: model overloaded' });
  });

  it('uses a simple documented rule for actionable messages', () => {
    expect(ACTIONABLE_WORDS).toContain('kubectl');
    for (const text of ['web pods crash', 'Deployment failed', 'CrashLoopBackOff', 'check the logging', 'site DOWN']) {
      expect(isActionable(text), text).toBe(true);
    }
    for (const text of ['what is our budget?', 'hello', 'update the uptime report']) {
      expect(isActionable(text), text).toBe(false);
    }
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
    expect(portal.calls.map((call) => [call.status, call.fault])).toEqual([
      [500, true],
      [200, false],
    ]);
  });

  it('honours times, Infinity, method and clearFaults', async () => {
    portal.inject({ path: /aiagents/, status: 503, times: 2 });
    const statuses = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await api('GET', '/v1/aiservicedesk/admin/data/aiagents')).status);
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

  it('applies a global latency to every request until set back to 0', async () => {
    portal.setLatency(80);
    await api('GET', '/admin/GetUserRoleInfo');
    await createDevTicket();
    portal.setLatency(0);
    await api('GET', '/admin/GetUserRoleInfo');
    const durations = portal.calls.map((call) => call.durationMs);
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
    expect(portal.calls.map((call) => call.correlationId)).toEqual(['Ev0CORRELATE', null]);
    expect(JSON.stringify(portal.calls)).not.toContain(portal.adminToken);
  });

  it('records every request in order with parsed body, query, user and status, never the token', async () => {
    const aliceToken = portal.issueToken(SeedUsers.alice, 'alice-secret-token-123');
    await api('GET', '/admin/GetUserRoleInfo?verbose=1', { token: aliceToken });
    await api('GET', '/admin/GetAllUserRoles', { token: aliceToken });
    await api('GET', '/admin/GetUserRoleInfo', { token: 'wrong-token-456' });
    await createDevTicket();
    await api('POST', `/v1/aiservicedesk/tickets/${dev.id}`, { raw: '{oops' });

    expect(portal.calls.map((call) => [call.seq, call.method, call.path, call.status, call.user])).toEqual([
      [1, 'GET', '/admin/GetUserRoleInfo', 200, SeedUsers.alice],
      [2, 'GET', '/admin/GetAllUserRoles', 403, SeedUsers.alice],
      [3, 'GET', '/admin/GetUserRoleInfo', 401, null],
      [4, 'POST', `/v1/aiservicedesk/tickets/${dev.id}`, 200, SeedUsers.admin],
      [5, 'POST', `/v1/aiservicedesk/tickets/${dev.id}`, 400, SeedUsers.admin],
    ]);
    expect(portal.calls.map((call) => call.authorized)).toEqual([true, true, false, true, true]);
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

    expect(portal.callsTo('post', /^\/v1\/aiservicedesk\/tickets\//).map((call) => call.seq)).toEqual([4, 5]);
    // Twice with a /g regex: its lastIndex must not make the second call miss.
    const global = /GetUserRoleInfo/g;
    expect(portal.callsTo('GET', global)).toHaveLength(2);
    expect(portal.callsTo('GET', global)).toHaveLength(2);
    portal.resetCalls();
    expect(portal.calls).toHaveLength(0);
  });
});
