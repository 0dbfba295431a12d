import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakePortal, startFakePortal } from './fake-portal.js';
import { IMPERSONATABLE_USERS_KEY } from './model.js';
import { plausibleOutput } from './scripted-agent.js';
import { SeedTenants, SeedUsers } from './seed.js';
import { type ApiOptions, type ApiResult, call, errorBodyEvents } from './test-client.js';

/** Gen A, the tenant-scoped HelpDesk: docs/duplocloud-api.md §3. */

const CREATED_AT = new Date('2025-11-25T13:30:15Z');

let portal: FakePortal;
let now: Date;

const api = (method: string, path: string, options: ApiOptions = {}): Promise<ApiResult> =>
  call(portal, method, path, options);

const dev = SeedTenants.dev;
const staging = SeedTenants.staging;
const prod = SeedTenants.prod;
/** The kubernetes agent's full record, as every tenant lists it. */
const k8sRecord = {
  agentName: 'kubernetes-agent',
  instanceId: 'k8s-1',
  friendlyName: 'Kubernetes Agent',
  agentHostTenantId: dev.id,
};
const costRecord = { agentName: 'cost-agent', instanceId: 'cost-1', agentHostTenantId: dev.id };

const TICKETS = '/v1/aiservicedesk/tickets';

/** The body the service sends (§3.2). */
const createBody = (overrides: Record<string, unknown> = {}) => ({
  title: 'web is down',
  assignee: k8sRecord,
  process_message: false,
  defaultAgentPermissions: ['dev-deployer'],
  source: 1,
  imAppDetails: { channelId: 'C0123', threadId: '1732541415.000100' },
  ...overrides,
});

const create = (overrides: Record<string, unknown> = {}, tenantId: string = dev.id, options: ApiOptions = {}) =>
  api('POST', `${TICKETS}/${tenantId}`, { ...options, json: createBody(overrides) });

const without = (key: string) => {
  const body: Record<string, unknown> = createBody();
  delete body[key];
  return body;
};

const sendPath = (ticketName: string, tenantId: string = dev.id) => `${TICKETS}/${tenantId}/${ticketName}/sendmessage`;

/** The message the service sends (§3.4, §8). */
const send = (ticketName: string, body: Record<string, unknown>, tenantId: string = dev.id) =>
  api('POST', sendPath(ticketName, tenantId), {
    json: { role: 'user', platform_context: {}, user: { id: 'U012AB3CD', name: 'alice@acme.io' }, ...body },
  });

const emptyData = {
  cmds: [],
  executed_cmds: [],
  tool_calls: [],
  executed_tool_calls: [],
  approvals: [],
  executed_approvals: [],
  url_configs: [],
};

const getPods = 'kubectl get pods -n duploservices-dev';
const restart = 'kubectl rollout restart deployment/web -n duploservices-dev';

/** Messages that must fail for every body: the 400 names the field. */
const expect400 = (response: ApiResult, field: RegExp) => {
  expect(response.status).toBe(400);
  expect(Object.keys(response.json)).toEqual(['Message']);
  expect(response.json.Message).toMatch(field);
};

beforeEach(async () => {
  now = CREATED_AT;
  portal = await startFakePortal({ clock: { now: () => now } });
});

afterEach(async () => {
  await portal.close();
});

describe('GET /v1/aiservicedesk/admin/tenants/agents (§3.1)', () => {
  it('lists every tenant with its agentInstances records, [] for a tenant without agents', async () => {
    const qa = portal.addTenant({ id: '0d0d0d0d-1111-4222-8333-444455556666', name: 'qa' });
    const k8s = portal.agents.find((agent) => agent.name === 'kubernetes-agent');
    if (!k8s) throw new Error('no kubernetes agent');
    k8s.allowedTenants = [dev.id, staging.id, prod.id];
    const response = await api('GET', '/v1/aiservicedesk/admin/tenants/agents');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.json).toEqual([
      { tenantId: dev.id, tenantName: 'dev', agentInstances: [k8sRecord] },
      { tenantId: staging.id, tenantName: 'staging', agentInstances: [k8sRecord] },
      { tenantId: prod.id, tenantName: 'prod', agentInstances: [k8sRecord, costRecord] },
      { tenantId: qa.id, tenantName: 'qa', agentInstances: [] },
    ]);
    // friendlyName is absent, not null, when the agent has none.
    expect(response.json[2].agentInstances[1]).not.toHaveProperty('friendlyName');
  });

  it('lists only the tenants a non-admin token may use', async () => {
    const alice = portal.issueToken(SeedUsers.alice);
    const response = await api('GET', '/v1/aiservicedesk/admin/tenants/agents', { token: alice });
    expect(response.json.map((entry: { tenantName: string }) => entry.tenantName)).toEqual(['dev', 'staging']);
  });

  it('uses instanceId ?? id, and hosts an agent in its first tenant, else the portal first tenant', async () => {
    portal.addAgent({ id: 'bare-1', name: 'bare-agent', allowedTenants: [staging.id, prod.id] });
    portal.addAgent({ id: 'every-1', name: 'every-agent' });
    const response = await api('GET', '/v1/aiservicedesk/admin/tenants/agents');
    const prodAgents = response.json[2].agentInstances;
    expect(prodAgents).toContainEqual({ agentName: 'bare-agent', instanceId: 'bare-1', agentHostTenantId: staging.id });
    expect(prodAgents).toContainEqual({ agentName: 'every-agent', instanceId: 'every-1', agentHostTenantId: dev.id });
  });

  it('follows addAgent and removeAgent', async () => {
    portal.removeAgent('kubernetes-agent');
    const response = await api('GET', '/v1/aiservicedesk/admin/tenants/agents');
    expect(response.json[0].agentInstances).toEqual([]);
    expect(response.json[2].agentInstances).toEqual([costRecord]);
  });
});

describe('POST /v1/aiservicedesk/tickets/{tenantId} (§3.2)', () => {
  it('creates <tenant>-<yyMMddHHmmss> from the body the service sends and answers {ticket, message: null}', async () => {
    const response = await create({
      historic_messages: [
        { content: 'alice: the site is slow', data: {} },
        { content: 'bob: since 9am', data: { duplo_url: 'https://x' }, message_mode: 1 },
      ],
    });
    expect(response.status).toBe(200);
    expect(Object.keys(response.json).sort()).toEqual(['message', 'ticket']);
    expect(response.json.message).toBeNull();
    expect(response.json.ticket).toEqual({
      name: 'dev-251125133015',
      title: 'web is down',
      tenantId: dev.id,
      assignee: k8sRecord,
      createTime: CREATED_AT.toISOString(),
      lastModified: CREATED_AT.toISOString(),
      priority: 'Medium',
      metaData: {},
      messagesMetaData: [],
      defaultAgentPermissions: ['dev-deployer'],
      source: 1,
      imAppDetails: { channelId: 'C0123', threadId: '1732541415.000100' },
    });
    expect(response.json.ticket).not.toHaveProperty('status');

    const ticket = portal.ticket('dev-251125133015');
    expect(ticket).toMatchObject({
      api: 'tenant',
      spaceId: dev.id,
      assignee: k8sRecord,
      permissions: ['dev-deployer'],
      source: 1,
      imAppDetails: { channelId: 'C0123', threadId: '1732541415.000100' },
      contextUpdates: 0,
      createdBy: SeedUsers.admin,
      createdAt: CREATED_AT,
      messages: [],
      commands: [],
    });
    expect(ticket).not.toHaveProperty('id');
    expect(ticket).not.toHaveProperty('status');
    expect(ticket?.historicMessages.map((message) => [message.role, message.content, message.data])).toEqual([
      ['user', 'alice: the site is slow', {}],
      ['user', 'bob: since 9am', { duplo_url: 'https://x' }],
    ]);
    expect(ticket?.historicMessages[1]?.messageMode).toBe(1);
    expect(portal.tickets(dev.id)).toHaveLength(1);
    expect(portal.tickets(prod.id)).toHaveLength(0);
  });

  it('accepts the minimal body: title and assignee {agentName, instanceId}', async () => {
    const response = await api('POST', `${TICKETS}/${dev.id}`, {
      json: { title: 'x', assignee: { agentName: 'kubernetes-agent', instanceId: 'k8s-1' } },
    });
    expect(response.status).toBe(200);
    // The ticket carries the agent's full record, whatever the body held.
    expect(response.json.ticket.assignee).toEqual(k8sRecord);
    const ticket = portal.ticket(response.json.ticket.name);
    expect(ticket).not.toHaveProperty('permissions');
    expect(ticket).not.toHaveProperty('source');
    expect(ticket).not.toHaveProperty('imAppDetails');
    expect(response.json.ticket).not.toHaveProperty('defaultAgentPermissions');
    expect(response.json.ticket).not.toHaveProperty('imAppDetails');
  });

  it('records imAppDetails sent as null, and Origin', async () => {
    const response = await create({ imAppDetails: null, Origin: 'slack' });
    expect(response.status).toBe(200);
    expect(response.json.ticket.imAppDetails).toBeNull();
    expect(portal.ticket(response.json.ticket.name)).toMatchObject({ imAppDetails: null, origin: 'slack' });
  });

  it('processes content like a first message when process_message is true', async () => {
    const response = await create({ process_message: true, content: 'The web pods keep crashing in dev' });
    expect(response.status).toBe(200);
    expect(response.json.message).toEqual({
      role: 'assistant',
      content: expect.stringContaining('The web pods keep crashing in dev'),
      data: {
        ...emptyData,
        cmds: [
          { command: getPods, execute: false },
          { command: restart, execute: false },
        ],
      },
    });
    const ticket = portal.ticket(response.json.ticket.name);
    expect(ticket?.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(ticket?.commands.map((command) => command.state)).toEqual(['proposed', 'proposed']);
    expect(response.json.ticket.messagesMetaData).toEqual([
      { role: 'user', timeStamp: CREATED_AT.toISOString() },
      { role: 'assistant', timeStamp: CREATED_AT.toISOString() },
    ]);
  });

  it('records content without an answer when process_message is not true', async () => {
    const response = await create({ content: 'just so you know' });
    expect(response.json.message).toBeNull();
    expect(portal.ticket(response.json.ticket.name)?.messages.map((message) => message.content)).toEqual([
      'just so you know',
    ]);
  });

  it('makes names unique per tenant by bumping a second, from the injected clock', async () => {
    const names = [];
    for (let index = 0; index < 3; index += 1) names.push((await create()).json.ticket.name);
    names.push((await create({ defaultAgentPermissions: ['staging-deployer'] }, staging.id)).json.ticket.name);
    now = new Date('2026-01-02T03:04:05Z');
    names.push((await create()).json.ticket.name);
    expect(names).toEqual([
      'dev-251125133015',
      'dev-251125133016',
      'dev-251125133017',
      'staging-251125133015',
      'dev-260102030405',
    ]);
  });

  it('creates with a given name (a move, §3.7), 400 when that tenant already has it', async () => {
    const first = await create({ name: 'session-42' });
    expect(first.status).toBe(200);
    expect(first.json.ticket.name).toBe('session-42');
    const again = await create({ name: 'session-42', title: 'other' });
    expect400(again, /session-42 already exists/);
    // Another tenant may have the same name: a moved ticket.
    const moved = await create({ name: 'session-42', defaultAgentPermissions: ['staging-deployer'] }, staging.id);
    expect(moved.status).toBe(200);
    expect(portal.tickets().map((ticket) => [ticket.spaceId, ticket.name, ticket.title])).toEqual([
      [dev.id, 'session-42', 'web is down'],
      [staging.id, 'session-42', 'web is down'],
    ]);
    expect(portal.ticket('session-42')?.spaceId).toBe(staging.id);
    expect(portal.ticket('session-42', dev.id)?.spaceId).toBe(dev.id);
    expect400(await create({ name: 'a/b' }), /name/);
    expect400(await create({ name: '' }), /name/);
  });

  it('refuses an identity not in helpdesk-impersonatable-users (403), matching case-insensitively', async () => {
    const refused = await create({ defaultAgentPermissions: ['staging-deployer'] });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ Message: 'Impersonation not allowed' });
    const oneBad = await create({ defaultAgentPermissions: ['dev-deployer', 'root'] });
    expect(oneBad.status).toBe(403);
    const prodAny = await create({ defaultAgentPermissions: ['anyone'], assignee: costRecord }, prod.id);
    expect(prodAny.status).toBe(403);
    expect(portal.tickets()).toHaveLength(0);
    expect((await create({ defaultAgentPermissions: ['DEV-Reader'] })).status).toBe(200);
    // The list is read at each create.
    portal.setTenantSetting(dev.id, IMPERSONATABLE_USERS_KEY, 'dev-reader');
    expect((await create({ defaultAgentPermissions: ['dev-deployer'] })).status).toBe(403);
    // No permissions at all is allowed: nothing requires an identity.
    expect((await create({ defaultAgentPermissions: undefined })).status).toBe(200);
  });

  it('refuses an agent not listed for the tenant, and a record whose host tenant is wrong', async () => {
    expect400(await create({ assignee: { ...k8sRecord, instanceId: 'k8s-9' } }), /not listed for tenant dev/);
    expect400(await create({ assignee: { ...k8sRecord, agentName: 'Kubernetes-Agent' } }), /not listed/);
    expect400(await create({ assignee: costRecord }), /cost-agent \(cost-1\) is not listed for tenant dev/);
    expect400(await create({ assignee: { ...k8sRecord, agentHostTenantId: prod.id } }), /hosted in/);
    // Without agentHostTenantId and friendlyName the record still names the agent.
    expect((await create({ assignee: { agentName: 'kubernetes-agent', instanceId: 'k8s-1' } })).status).toBe(200);
    // An agent listed without instanceId is known by its id.
    portal.addAgent({ id: 'bare-1', name: 'bare-agent' });
    expect((await create({ assignee: { agentName: 'bare-agent', instanceId: 'bare-1' } })).status).toBe(200);
  });

  it('refuses missing and mistyped fields with 400 {"Message"} naming the field, creating nothing', async () => {
    expect400(await api('POST', `${TICKETS}/${dev.id}`, { json: without('title') }), /^Invalid request body: title/);
    expect400(await create({ title: '   ' }), /title: must not be empty/);
    expect400(await api('POST', `${TICKETS}/${dev.id}`, { json: without('assignee') }), /assignee/);
    expect400(await create({ assignee: { agentName: 'kubernetes-agent' } }), /assignee\.instanceId/);
    expect400(await create({ assignee: { ...k8sRecord, friendlyName: 3 } }), /assignee\.friendlyName/);
    expect400(await create({ defaultAgentPermissions: 'dev-deployer' }), /defaultAgentPermissions/);
    expect400(await create({ defaultAgentPermissions: [''] }), /defaultAgentPermissions\.0/);
    expect400(await create({ source: 2 }), /source: must be 0 \(None\) or 1 \(Slack\)/);
    expect400(await create({ source: '1' }), /source/);
    expect400(await create({ imAppDetails: { channelId: 'C1' } }), /imAppDetails\.threadId/);
    expect400(await create({ imAppDetails: { channelId: 5, threadId: 't' } }), /imAppDetails\.channelId/);
    expect400(await create({ imAppDetails: 'C1/t' }), /imAppDetails/);
    expect400(await create({ process_message: 'false' }), /process_message/);
    expect400(await create({ historic_messages: { content: 'x' } }), /historic_messages/);
    expect400(await create({ historic_messages: [{ data: {} }] }), /historic_messages\.0\.content/);
    expect400(await create({ historic_messages: [{ content: 'x', data: 'y' }] }), /historic_messages\.0\.data/);
    expect400(await create({ historic_messages: [{ content: 'x', message_mode: '1' }] }), /message_mode/);
    expect400(await create({ historic_messages: [{ content: 'x', message_mode: 1.5 }] }), /message_mode/);
    expect400(await create({ content: 7 }), /content/);
    expect(portal.tickets()).toHaveLength(0);
  });

  it('refuses the old dialect: impersonateUser, platform_context.impersonate_user or .duplo_token', async () => {
    expect400(await create({ impersonateUser: 'dev-deployer' }), /impersonateUser: is not part of the contract/);
    expect400(
      await create({ platform_context: { impersonate_user: 'dev-deployer' } }),
      /platform_context\.impersonate_user/,
    );
    expect400(await create({ platform_context: { duplo_token: portal.adminToken } }), /platform_context\.duplo_token/);
    expect400(
      await create({ historic_messages: [{ content: 'x', platform_context: { duplo_token: 't' } }] }),
      /duplo_token/,
    );
    expect(portal.tickets()).toHaveLength(0);
    // Any other platform_context is fine.
    expect((await create({ platform_context: { source: 'slack' } })).status).toBe(200);
  });

  it('answers malformed JSON, an empty body and a non-JSON content type with 400/415', async () => {
    const path = `${TICKETS}/${dev.id}`;
    const malformed = await api('POST', path, { raw: '{"title": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ Message: 'Malformed JSON body' });
    expect((await api('POST', path, { raw: '' })).status).toBe(400);
    expect((await api('POST', path, { raw: JSON.stringify(createBody()), contentType: 'text/plain' })).status).toBe(
      415,
    );
    expect(portal.tickets()).toHaveLength(0);
  });

  it('answers 404 for an unknown tenant, a workspace id included', async () => {
    for (const tenantId of ['0b0b0b0b-0000-0000-0000-000000000000', '66a0f3a1b2c3d4e5f6a70301']) {
      const response = await create({}, tenantId);
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ Message: 'Tenant not found' });
    }
  });
});

describe('GET /v1/aiservicedesk/tickets/{tenantId}/{name} (§3.3)', () => {
  it('gets the ticket (body.name === name), matching the tenant id case-insensitively', async () => {
    const name = (await create()).json.ticket.name as string;
    now = new Date('2025-11-25T14:00:00Z');
    await send(name, { content: 'hello' });
    const response = await api('GET', `${TICKETS}/${dev.id.toUpperCase()}/${name}`);
    expect(response.status).toBe(200);
    expect(response.json.name).toBe(name);
    expect(response.json.tenantId).toBe(dev.id);
    expect(response.json.createTime).toBe(CREATED_AT.toISOString());
    expect(response.json.lastModified).toBe('2025-11-25T14:00:00.000Z');
    expect(response.json.messagesMetaData).toHaveLength(2);
    expect(response.json).not.toHaveProperty('status');
  });

  it('answers 404 {"Message"} for an unknown ticket and for a ticket of another tenant', async () => {
    const name = (await create()).json.ticket.name as string;
    const unknown = await api('GET', `${TICKETS}/${dev.id}/dev-000000000000`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ Message: 'Ticket not found' });
    expect((await api('GET', `${TICKETS}/${staging.id}/${name}`)).status).toBe(404);
  });
});

describe('POST …/{name}/sendmessage (§3.4) and the approval protocol (§6)', () => {
  let ticketName: string;

  beforeEach(async () => {
    ticketName = (await create()).json.ticket.name;
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

  it('records the message as received: user, platform_context, data; requires no identity', async () => {
    await send(ticketName, { content: 'hello', data: { tool_calls: [] } });
    const bare = await api('POST', sendPath(ticketName), { json: { content: 'bare' } });
    expect(bare.status).toBe(200);
    const [first, , second] = portal.ticket(ticketName)?.messages ?? [];
    expect(first).toMatchObject({
      role: 'user',
      content: 'hello',
      data: { tool_calls: [] },
      platform_context: {},
      user: { id: 'U012AB3CD', name: 'alice@acme.io' },
      at: CREATED_AT,
    });
    expect(second).toMatchObject({ role: 'user', content: 'bare', data: {} });
    expect(second).not.toHaveProperty('user');
    expect(second).not.toHaveProperty('platform_context');
  });

  it('keeps extra fields of user (an email) as received', async () => {
    await send(ticketName, { content: 'hi', user: { id: 'U1', name: 'Alice', email: 'alice@acme.io' } });
    expect(portal.ticket(ticketName)?.messages[0]?.user).toEqual({ id: 'U1', name: 'Alice', email: 'alice@acme.io' });
  });

  it('validates the body: content, role, user, data, platform_context', async () => {
    expect400(await api('POST', sendPath(ticketName), { json: { role: 'user' } }), /content: is required/);
    expect400(await send(ticketName, { content: 5 }), /content/);
    expect400(await send(ticketName, { content: 'hi', role: 'assistant' }), /role: must be "user"/);
    expect400(await send(ticketName, { content: 'hi', user: 'alice' }), /user/);
    expect400(await send(ticketName, { content: 'hi', user: { id: 'U1' } }), /user\.name/);
    expect400(await send(ticketName, { content: 'hi', user: { id: 7, name: 'A' } }), /user\.id/);
    expect400(await send(ticketName, { content: 'hi', platform_context: 'x' }), /platform_context/);
    expect400(
      await send(ticketName, { content: 'hi', platform_context: { impersonate_user: 'dev-deployer' } }),
      /platform_context\.impersonate_user/,
    );
    expect400(
      await send(ticketName, { content: '', data: { cmds: [{ command: getPods }] } }),
      /data\.cmds\.0\.execute/,
    );
    expect400(await send(ticketName, { content: '', data: { cmds: 'all' } }), /data\.cmds/);
    const malformed = await api('POST', sendPath(ticketName), { raw: 'not json' });
    expect(malformed.json).toEqual({ Message: 'Malformed JSON body' });
    expect(portal.ticket(ticketName)?.messages).toHaveLength(0);
  });

  it('runs exactly the approved commands and reports rejections with reasons', async () => {
    await send(ticketName, { content: 'restart the pods' });
    portal.setCommandOutput(getPods, 'web-1   1/1   Running');
    const response = await send(ticketName, {
      content: 'I approve 1 command and reject 1 command.',
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
    expect(portal.ticket(ticketName)?.commands).toEqual([
      { command: getPods, state: 'approved', output: 'web-1   1/1   Running' },
      { command: restart, state: 'rejected', rejectionReason: 'not during business hours' },
    ]);
  });

  it('gives plausible deterministic output when none was set, and leaves an ignored command proposed', async () => {
    await send(ticketName, { content: 'restart the pods' });
    const first = await send(ticketName, { content: '', data: { cmds: [{ command: getPods, execute: true }] } });
    expect(first.json.data.executed_cmds).toEqual([{ command: getPods, output: plausibleOutput(getPods) }]);
    expect(portal.ticket(ticketName)?.commands.map((command) => command.state)).toEqual(['approved', 'proposed']);
    const later = await send(ticketName, { content: '', data: { cmds: [{ command: restart, execute: true }] } });
    expect(later.json.data.executed_cmds).toEqual([{ command: restart, output: 'deployment.apps/web restarted' }]);
  });

  it('rejects an unknown command, a command echoed twice and one already answered, changing nothing', async () => {
    await send(ticketName, { content: 'restart the pods' });
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
    expect(twice.json).toEqual({ Message: 'Command echoed twice' });
    expect(portal.ticket(ticketName)?.commands.map((command) => command.state)).toEqual(['proposed', 'proposed']);
    expect(portal.ticket(ticketName)?.messages).toHaveLength(2);
    await send(ticketName, { content: '', data: { cmds: [{ command: getPods, execute: true }] } });
    const again = await send(ticketName, { content: '', data: { cmds: [{ command: getPods, execute: true }] } });
    expect(again.json).toEqual({ Message: 'Command already answered' });
  });

  it('requires the agent uid back in the echo when the agent gave one', async () => {
    portal.setAgentScript(({ decisions }) =>
      decisions.length > 0
        ? undefined
        : { content: 'ok?', data: { cmds: [{ command: 'helm list', execute: false, uid: 'c-1' }] } },
    );
    const proposal = await send(ticketName, { content: 'list releases' });
    expect(proposal.json.data.cmds).toEqual([{ command: 'helm list', execute: false, uid: 'c-1' }]);
    expect(portal.ticket(ticketName)?.commands).toEqual([{ command: 'helm list', uid: 'c-1', state: 'proposed' }]);
    const noUid = await send(ticketName, { content: '', data: { cmds: [{ command: 'helm list', execute: true }] } });
    expect(noUid.json).toEqual({ Message: 'Command uid mismatch' });
    const wrongUid = await send(ticketName, {
      content: '',
      data: { cmds: [{ command: 'helm list', execute: true, uid: 'c-2' }] },
    });
    expect(wrongUid.status).toBe(400);
    const right = await send(ticketName, {
      content: 'I approve 1 command.',
      data: { cmds: [{ command: 'helm list', execute: true, uid: 'c-1' }] },
    });
    expect(right.status).toBe(200);
    expect(right.json.data.executed_cmds).toEqual([{ command: 'helm list', output: plausibleOutput('helm list') }]);
  });

  it('does not check identities on a message: they were fixed at creation', async () => {
    portal.setTenantSetting(dev.id, IMPERSONATABLE_USERS_KEY, undefined);
    expect((await send(ticketName, { content: 'still works' })).status).toBe(200);
  });

  it('answers a failing agent with 500 {"Message": <its words>}, recording no reply', async () => {
    portal.setAgentScript(() => ({ error: 'Agent quota exceeded' }));
    const response = await send(ticketName, { content: 'hi' });
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ Message: 'Agent quota exceeded' });
    expect(portal.ticket(ticketName)?.messages.map((message) => message.role)).toEqual(['user']);
  });

  it('answers 404 for an unknown ticket or a ticket of another tenant, and only on the lower-case path', async () => {
    const unknown = await send('dev-000000000000', { content: 'hi' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ Message: 'Ticket not found' });
    expect((await send(ticketName, { content: 'hi' }, staging.id)).status).toBe(404);
    const camel = await api('POST', `${TICKETS}/${dev.id}/${ticketName}/sendMessage`, { json: { content: 'hi' } });
    expect(camel.status).toBe(404);
    expect(portal.ticket(ticketName)?.messages).toHaveLength(0);
  });
});

describe('a streaming agent on sendmessage (§3.5, §5.3)', () => {
  let ticketName: string;

  beforeEach(async () => {
    const agent = portal.agents.find((candidate) => candidate.name === 'kubernetes-agent');
    if (!agent) throw new Error('no kubernetes agent');
    agent.streaming = true;
    ticketName = (await create()).json.ticket.name;
  });

  it('answers 500 with a JSON-encoded string: "Error " + one event per line + " in request call to Agent."', async () => {
    portal.setStreamPacing({ deltaChars: 40 });
    const response = await send(ticketName, { content: 'restart the pods' });
    expect(response.status).toBe(500);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(typeof response.json).toBe('string');
    expect(response.json).toMatch(/^Error \{"type":"intermittent_update"/);
    expect(response.json).toMatch(/\{"type":"done","stop_reason":"end_turn"\} in request call to Agent\.$/);
    const events = errorBodyEvents(response.text);
    expect(events.map((event) => event.type)).toEqual([
      'intermittent_update',
      ...events.filter((event) => event.type === 'text_delta').map(() => 'text_delta'),
      'commands',
      'done',
    ]);
    const text = events
      .filter((event) => event.type === 'text_delta')
      .map((event) => event.text)
      .join('');
    const recorded = portal.ticket(ticketName)?.messages.at(-1);
    expect(recorded?.role).toBe('assistant');
    expect(text).toBe(recorded?.content);
    expect(events.filter((event) => event.type === 'text_delta').length).toBeGreaterThan(2);
    expect(events.find((event) => event.type === 'commands')).toEqual({
      type: 'commands',
      commands: [
        { command: getPods, execute: false },
        { command: restart, execute: false },
      ],
    });
    // The agent did answer: its proposals can be approved.
    expect(portal.ticket(ticketName)?.commands.map((command) => command.state)).toEqual(['proposed', 'proposed']);
  });

  it('puts a script’s raw events in the body verbatim (a secret split across two text_deltas)', async () => {
    const raw = [
      { type: 'text_delta', text: 'The password is hunter' },
      { type: 'text_delta', text: '2, rotate it.' },
      { type: 'done', stop_reason: 'end_turn' },
    ];
    portal.setAgentScript(() => ({ events: raw }));
    const response = await send(ticketName, { content: 'what is it?' });
    expect(response.status).toBe(500);
    expect(response.json).toBe(
      `Error ${raw.map((event) => JSON.stringify(event)).join('\n')} in request call to Agent.`,
    );
    expect(portal.ticket(ticketName)?.messages.at(-1)?.content).toBe('The password is hunter2, rotate it.');
  });

  it('puts an error event in the body when the agent fails, and records no reply', async () => {
    portal.setAgentScript(() => ({ error: 'model overloaded' }));
    const response = await send(ticketName, { content: 'hi' });
    expect(response.status).toBe(500);
    expect(errorBodyEvents(response.text)).toEqual([
      { type: 'intermittent_update', text: 'Thinking…', content: 'Thinking…' },
      { type: 'error', error: 'model overloaded' },
    ]);
    expect(portal.ticket(ticketName)?.messages.map((message) => message.role)).toEqual(['user']);
  });

  it('answers a create with process_message true the same way, the ticket created', async () => {
    const response = await create({ process_message: true, content: 'hello' });
    expect(response.status).toBe(500);
    const events = errorBodyEvents(response.text);
    expect(events.at(-1)).toEqual({ type: 'done', stop_reason: 'end_turn' });
    expect(portal.tickets(dev.id)).toHaveLength(2);
  });

  it('has no streaming route on Gen A', async () => {
    const response = await api('POST', `${TICKETS}/${dev.id}/${ticketName}/sendMessageStreaming`, {
      json: { content: 'hi' },
      accept: 'text/event-stream',
    });
    expect(response.status).toBe(404);
  });
});

describe('PUT …/{name}/assignee (§3.6)', () => {
  it('reassigns to another agent listed for the tenant, from its full record; the reply is empty', async () => {
    const name = (await create({ assignee: costRecord, defaultAgentPermissions: undefined }, prod.id)).json.ticket
      .name as string;
    const response = await api('PUT', `${TICKETS}/${prod.id}/${name}/assignee`, { json: k8sRecord });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(portal.ticket(name)?.assignee).toEqual(k8sRecord);
    expect((await api('GET', `${TICKETS}/${prod.id}/${name}`)).json.assignee).toEqual(k8sRecord);
  });

  it('refuses an agent not listed for the tenant or a bad body, and 404s unknown tickets', async () => {
    const name = (await create()).json.ticket.name as string;
    const path = `${TICKETS}/${dev.id}/${name}/assignee`;
    expect400(await api('PUT', path, { json: costRecord }), /not listed for tenant dev/);
    expect400(await api('PUT', path, { json: { agentName: 'kubernetes-agent' } }), /instanceId/);
    expect400(await api('PUT', path, { json: { ...k8sRecord, agentHostTenantId: staging.id } }), /hosted in/);
    expect((await api('PUT', path, { raw: '' })).status).toBe(400);
    expect(portal.ticket(name)?.assignee).toEqual(k8sRecord);
    expect((await api('PUT', `${TICKETS}/${dev.id}/dev-1/assignee`, { json: k8sRecord })).status).toBe(404);
  });
});

describe('PUT …/{name}/contextUpdated (§3.7)', () => {
  it('counts calls per ticket, with no body in or out', async () => {
    const name = (await create()).json.ticket.name as string;
    const other = (await create()).json.ticket.name as string;
    now = new Date('2025-11-26T08:00:00Z');
    const path = `${TICKETS}/${dev.id}/${name}/contextUpdated`;
    const first = await api('PUT', path);
    expect(first.status).toBe(200);
    expect(first.text).toBe('');
    await api('PUT', path);
    expect(portal.ticket(name)?.contextUpdates).toBe(2);
    expect(portal.ticket(other)?.contextUpdates).toBe(0);
    expect(portal.ticket(name)?.lastModified).toEqual(now);
  });

  it('answers 404 when the tenant has no such ticket (then the client creates it there)', async () => {
    const name = (await create()).json.ticket.name as string;
    const missing = await api('PUT', `${TICKETS}/${staging.id}/${name}/contextUpdated`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ Message: 'Ticket not found' });
    expect((await api('PUT', `${TICKETS}/${dev.id}/nope/contextUpdated`)).status).toBe(404);
    expect((await api('POST', `${TICKETS}/${dev.id}/${name}/contextUpdated`)).status).toBe(405);
  });
});

describe('Gen B routes on a Gen A portal', () => {
  it('answers 404 to every /admin/data and workspace route', async () => {
    for (const path of [
      '/v1/aiservicedesk/admin/data/workspaces',
      '/v1/aiservicedesk/admin/data/aiagents',
      `/v1/aiservicedesk/user/data/workspaces/${dev.id}/agents`,
      '/v1/aiservicedesk/extensions/sdk-version',
    ]) {
      const response = await api('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.json, path).toEqual({ Message: 'Resource not found' });
    }
  });

  it('builds the web URL of a ticket (§3.8)', () => {
    expect(portal.ticketUrl(dev.id, 'dev-251125133015')).toBe(
      `${portal.url}/app/ai/service-desk/${dev.id}/tickets/chat/dev-251125133015`,
    );
  });
});
