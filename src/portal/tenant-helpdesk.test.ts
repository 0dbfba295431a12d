import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakePortal,
  IMPERSONATABLE_USERS_KEY,
  SeedAgents,
  SeedTenants,
  SeedUsers,
  startFakePortal,
} from '../../test/fakes/portal/index.js';
import {
  blockNetworkButLoopback,
  expectNoSecret,
  failure,
  portalConfig,
  recordingClient,
  sender,
  thread,
} from '../../test/support/portal-testing.js';
import type { PortalConfig } from '../config.js';
import type { Agent, Permission, PortalUser } from '../domain/helpdesk.js';
import { emptyMessageData } from '../domain/messages.js';
import type { NewTicket, PortalClient } from '../domain/ports.js';
import { runWithCorrelation } from '../observability/correlation.js';
import type { PortalClientOptions } from './portal-client.js';
import type { PortalOperation } from './portal-http.js';
import { TenantAgentsSchema, TenantCreateReplySchema, TenantTicketSchema } from './tenant-helpdesk.js';

/**
 * The tenant-scoped HelpDesk adapter (Gen A, docs/duplocloud-api.md §2–§3) against the fake portal of that
 * generation, through a portal client configured with `api: tenant` (no probes): what each call asks, what it makes
 * of the answers, and the error code of every way each call can fail.
 */

const CREATED_AT = new Date('2025-11-25T13:30:15Z');
const dev = SeedTenants.dev;
const prod = SeedTenants.prod;
const staging = SeedTenants.staging;
const TICKETS = '/v1/aiservicedesk/tickets';

const k8s: Agent = {
  id: SeedAgents.kubernetes.instanceId,
  name: SeedAgents.kubernetes.name,
  label: SeedAgents.kubernetes.friendlyName,
  hostSpaceId: dev.id,
};
const cost: Agent = {
  id: SeedAgents.cost.instanceId,
  name: SeedAgents.cost.name,
  label: 'cost-agent',
  hostSpaceId: dev.id,
};
const deployer: Permission = { id: 'dev-deployer', name: 'dev-deployer' };
const getPods = 'kubectl get pods -n duploservices-dev';
const restart = 'kubectl rollout restart deployment/web -n duploservices-dev';

const admin: PortalUser = { username: SeedUsers.admin, roles: ['Administrator'], isAdmin: true, readOnly: false };
const alice: PortalUser = { username: SeedUsers.alice, roles: ['User'], isAdmin: false, readOnly: false };

let portal: FakePortal;

const config = (extra: Partial<PortalConfig> = {}): PortalConfig =>
  portalConfig({ name: 'acme', host: portal.url, token: portal.adminToken, api: 'tenant', ...extra });

const setup = (options: PortalClientOptions = {}, extra: Partial<PortalConfig> = {}) =>
  recordingClient(config(extra), options);

const newTicket = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  spaceId: dev.id,
  title: 'web is down',
  agent: k8s,
  permissions: [deployer],
  thread,
  history: [],
  ...overrides,
});

const createdBodies = () => portal.callsTo('POST', /^\/v1\/aiservicedesk\/tickets\/[^/]+$/).map((call) => call.body);

blockNetworkButLoopback();

beforeEach(async () => {
  portal = await startFakePortal({ clock: { now: () => CREATED_AT } });
});

afterEach(async () => {
  await portal.close();
});

describe('check', () => {
  it("reads GetUserRoleInfo with the portal's token", async () => {
    const { client, observed, detections } = setup();
    await expect(client.check()).resolves.toBe('tenant');
    expect(portal.calls.map((call) => [call.method, call.path, call.user])).toEqual([
      ['GET', '/admin/GetUserRoleInfo', SeedUsers.admin],
    ]);
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['check', 'ok']]);
    expect(detections.map((detection) => detection.how)).toEqual(['configured']);
  });

  it('maps a bad or revoked token to portal.unauthorized', async () => {
    const bad = recordingClient({ ...config(), token: 'not-a-token' });
    expect((await failure(bad.client.check())).code).toBe('portal.unauthorized');
    const token = portal.issueToken(SeedUsers.alice);
    portal.revokeToken(token);
    expect((await failure(recordingClient({ ...config(), token }).client.check())).code).toBe('portal.unauthorized');
  });
});

describe('findUser', () => {
  it('finds a portal user by username, case-insensitively, with roles and flags', async () => {
    const { client } = setup();
    await expect(client.findUser('ADMIN@acme.io')).resolves.toEqual(admin);
    await expect(client.findUser(' alice@ACME.io ')).resolves.toEqual(alice);
    portal.addUser({ username: 'dave@acme.io', isReadOnly: true });
    await expect(client.findUser('dave@acme.io')).resolves.toEqual({
      username: 'dave@acme.io',
      roles: ['User'],
      isAdmin: false,
      readOnly: true,
    });
    expect(portal.callsTo('GET', /GetAllUserRoles$/)).toHaveLength(3);
  });

  it('prefers the exact spelling when two users differ only in case', async () => {
    portal.addUser({ username: 'Erin@acme.io' });
    portal.users.set('erin@acme.io-2', {
      username: 'erin@acme.io',
      roles: ['Administrator'],
      isReadOnly: false,
      access: new Map(),
    });
    await expect(setup().client.findUser('erin@acme.io')).resolves.toMatchObject({ username: 'erin@acme.io' });
  });

  it('is null for an unknown user, and for a blank name without asking', async () => {
    const { client } = setup();
    await expect(client.findUser('nobody@acme.io')).resolves.toBeNull();
    await expect(client.findUser('   ')).resolves.toBeNull();
    expect(portal.calls).toHaveLength(1);
  });

  it('fails with portal.bad_response, naming the field, when a user has no read-only flag', async () => {
    portal.inject({ path: /GetAllUserRoles$/, body: JSON.stringify([{ Username: 'bob@acme.io', Roles: ['User'] }]) });
    const error = await failure(setup().client.findUser('bob@acme.io'));
    expect(error.code).toBe('portal.bad_response');
    expect(error.message).toBe('Portal "acme": find user failed: unexpected response (0.IsReadOnly: invalid_type)');
  });

  it('maps a non-admin service token to portal.forbidden', async () => {
    const token = portal.issueToken(SeedUsers.alice);
    expect((await failure(recordingClient({ ...config(), token }).client.findUser(SeedUsers.bob))).code).toBe(
      'portal.forbidden',
    );
  });
});

describe('userSpaces', () => {
  it("gives an administrator every tenant (the service token's own list), sorted by name", async () => {
    await expect(setup().client.userSpaces(admin)).resolves.toEqual([
      { id: dev.id, name: 'dev', readOnly: false },
      { id: prod.id, name: 'prod', readOnly: false },
      { id: staging.id, name: 'staging', readOnly: false },
    ]);
    expect(portal.calls.map((call) => call.path)).toEqual(['/admin/GetTenantsForUser']);
  });

  it('makes a read-only administrator read-only in every tenant', async () => {
    const spaces = await setup().client.userSpaces({ ...admin, readOnly: true });
    expect(spaces.map((space) => space.readOnly)).toEqual([true, true, true]);
  });

  it("gives a user their grants with each tenant's policy, by their encoded username", async () => {
    const { client } = setup();
    await expect(client.userSpaces(alice)).resolves.toEqual([
      { id: dev.id, name: 'dev', readOnly: false },
      { id: staging.id, name: 'staging', readOnly: false },
    ]);
    await expect(client.userSpaces({ ...alice, username: SeedUsers.bob })).resolves.toEqual([
      { id: dev.id, name: 'dev', readOnly: true },
    ]);
    expect(portal.calls.map((call) => call.path)).toEqual([
      '/v3/admin/user/alice%40acme.io/tenantAccess',
      '/v3/admin/user/bob%40acme.io/tenantAccess',
    ]);
  });

  it("asks by the portal's exact username, encoded as one path segment", async () => {
    portal.addUser({ username: 'Bob.Smith+ops@acme.io', access: [{ tenantId: prod.id, readOnly: false }] });
    const { client } = setup();
    const user = await client.findUser('bob.smith+OPS@acme.io');
    expect(user?.username).toBe('Bob.Smith+ops@acme.io');
    await expect(client.userSpaces(user as PortalUser)).resolves.toEqual([
      { id: prod.id, name: 'prod', readOnly: false },
    ]);
    expect(portal.calls.at(-1)?.path).toBe('/v3/admin/user/Bob.Smith%2Bops%40acme.io/tenantAccess');
  });

  it('makes a globally read-only user read-only in every tenant, whatever the policy says', async () => {
    portal.addUser({ username: 'dave@acme.io', isReadOnly: true, access: [{ tenantId: dev.id, readOnly: false }] });
    const spaces = await setup().client.userSpaces({ ...alice, username: 'dave@acme.io', readOnly: true });
    expect(spaces).toEqual([{ id: dev.id, name: 'dev', readOnly: true }]);
  });

  it('is empty for a user without grants, or without a tenant access record (404)', async () => {
    portal.addUser({ username: 'erin@acme.io' });
    const { client, observed } = setup();
    await expect(client.userSpaces({ ...alice, username: 'erin@acme.io' })).resolves.toEqual([]);
    await expect(client.userSpaces({ ...alice, username: 'gone@acme.io' })).resolves.toEqual([]);
    expect(portal.calls.map((call) => call.status)).toEqual([200, 404]);
    expect(observed.map((call) => call.outcome)).toEqual(['ok', 'ok']);
  });
});

describe('listSpaces', () => {
  it('lists every tenant the token sees, sorted by name', async () => {
    await expect(setup().client.listSpaces()).resolves.toEqual([
      { id: dev.id, name: 'dev' },
      { id: prod.id, name: 'prod' },
      { id: staging.id, name: 'staging' },
    ]);
  });
});

describe('permissionChoices', () => {
  it("offers the tenant's helpdesk-impersonatable-users as identities, following live changes", async () => {
    const { client } = setup();
    await expect(client.permissionChoices(dev.id)).resolves.toEqual([
      { id: 'dev-deployer', name: 'dev-deployer' },
      { id: 'dev-reader', name: 'dev-reader' },
    ]);
    await expect(client.permissionChoices(prod.id)).resolves.toEqual([]);
    portal.setTenantSetting(prod.id, IMPERSONATABLE_USERS_KEY, ' prod-admin ; ;PROD-ADMIN;auditor;');
    await expect(client.permissionChoices(prod.id)).resolves.toEqual([
      { id: 'prod-admin', name: 'prod-admin' },
      { id: 'auditor', name: 'auditor' },
    ]);
    portal.setTenantSetting(prod.id, IMPERSONATABLE_USERS_KEY, '');
    await expect(client.permissionChoices(prod.id)).resolves.toEqual([]);
    expect(portal.calls[0]?.path).toBe(`/v3/admin/tenant/${dev.id}/metadata`);
  });

  it('is portal.not_found for an unknown tenant', async () => {
    expect((await failure(setup().client.permissionChoices('0b0b0b0b-0000-0000-0000-000000000000'))).code).toBe(
      'portal.not_found',
    );
  });
});

describe('listAgents', () => {
  it("lists the tenant's agentInstances: friendly name as label, host tenant carried", async () => {
    const { client } = setup();
    await expect(client.listAgents(dev.id)).resolves.toEqual([k8s]);
    await expect(client.listAgents(prod.id.toUpperCase())).resolves.toEqual([k8s, cost]);
    expect(portal.calls.map((call) => call.path)).toEqual([
      '/v1/aiservicedesk/admin/tenants/agents',
      '/v1/aiservicedesk/admin/tenants/agents',
    ]);
  });

  it('gives no agents to a tenant the listing has no entry for', async () => {
    await expect(setup().client.listAgents('0b0b0b0b-0000-0000-0000-000000000000')).resolves.toEqual([]);
  });

  it('uses configured agents without calling the portal, and never filters them', async () => {
    const agents = [
      { name: 'ops', instanceId: 'ops-1' },
      { name: 'sec', instanceId: 'sec-1' },
    ];
    const { client, observed } = setup({}, { agents });
    const expected = [
      { id: 'ops-1', name: 'ops', label: 'ops' },
      { id: 'sec-1', name: 'sec', label: 'sec' },
    ];
    await expect(client.listAgents(dev.id)).resolves.toEqual(expected);
    await expect(client.listAgents(prod.id)).resolves.toEqual(expected);
    expect(portal.calls).toEqual([]);
    expect(observed.map((call) => call.outcome)).toEqual(['ok', 'ok']);
  });
});

describe('createTicket', () => {
  it('creates the ticket without processing a message, and says the history went with it', async () => {
    const { client, observed } = setup();
    await expect(
      client.createTicket(newTicket({ history: ['bob: web is down', 'alice: since 9:00'] })),
    ).resolves.toEqual({ ticketName: 'dev-251125133015', historyIncluded: true, resumed: false });
    const ticket = portal.ticket('dev-251125133015');
    expect(ticket).toMatchObject({ spaceId: dev.id, permissions: ['dev-deployer'], source: 1, messages: [] });
    expect(ticket?.historicMessages.map((message) => message.content)).toEqual([
      'bob: web is down',
      'alice: since 9:00',
    ]);
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['createTicket', 'ok']]);
  });

  it('leaves historic_messages out when there is no history, and friendlyName when the label is the name', async () => {
    await setup().client.createTicket(newTicket({ spaceId: prod.id, agent: cost, permissions: [] }));
    const [body] = createdBodies() as Record<string, unknown>[];
    expect(body).not.toHaveProperty('historic_messages');
    expect(body?.assignee).toEqual({ agentName: 'cost-agent', instanceId: 'cost-1', agentHostTenantId: dev.id });
    expect(body?.defaultAgentPermissions).toEqual([]);
  });

  it('maps refusals: identity not allowed → forbidden, agent not listed → rejected, unknown tenant → not_found', async () => {
    const { client } = setup();
    const staged = await failure(
      client.createTicket(newTicket({ permissions: [{ id: 'staging-deployer', name: 's' }] })),
    );
    expect(staged.code).toBe('portal.forbidden');
    expect((await failure(client.createTicket(newTicket({ agent: cost })))).code).toBe('portal.rejected');
    const nowhere = await failure(client.createTicket(newTicket({ spaceId: '0b0b0b0b-0000-0000-0000-000000000000' })));
    expect(nowhere.code).toBe('portal.not_found');
    expect(portal.tickets()).toHaveLength(0);
  });

  describe('a move keeps the name (§3.7)', () => {
    /** A ticket `name` that already lives in staging. */
    const existingInStaging = async (client: PortalClient) => {
      portal.setTenantSetting(staging.id, IMPERSONATABLE_USERS_KEY, 'staging-deployer');
      const { ticketName } = await client.createTicket(
        newTicket({ spaceId: staging.id, permissions: [{ id: 'staging-deployer', name: 'staging-deployer' }] }),
      );
      portal.resetCalls();
      return ticketName;
    };

    it('creates the ticket with its name in a tenant that has no ticket of that name', async () => {
      const { client } = setup();
      const { ticketName } = await client.createTicket(newTicket());
      portal.resetCalls();
      const moved = await client.createTicket(
        newTicket({
          spaceId: staging.id,
          permissions: [{ id: 'staging-deployer', name: 'staging-deployer' }],
          previous: { name: ticketName, mayResume: false },
        }),
      );
      expect(moved).toEqual({ ticketName, historyIncluded: true, resumed: false });
      expect(portal.calls.map((call) => [call.method, call.path, call.status])).toEqual([
        ['GET', `${TICKETS}/${staging.id}/${ticketName}`, 404],
        ['POST', `${TICKETS}/${staging.id}`, 200],
      ]);
      expect(createdBodies()[0]).toMatchObject({ name: ticketName });
      expect(portal.ticket(ticketName, staging.id)).toBeDefined();
    });

    it('resumes the thread’s own ticket there with contextUpdated, creating nothing', async () => {
      const { client } = setup();
      const name = await existingInStaging(client);
      const moved = await client.createTicket(newTicket({ spaceId: staging.id, previous: { name, mayResume: true } }));
      expect(moved).toEqual({ ticketName: name, historyIncluded: false, resumed: true });
      expect(portal.calls.map((call) => [call.method, call.path, call.body])).toEqual([
        ['GET', `${TICKETS}/${staging.id}/${name}`, undefined],
        ['PUT', `${TICKETS}/${staging.id}/${name}/contextUpdated`, undefined],
      ]);
      expect(portal.ticket(name, staging.id)?.contextUpdates).toBe(1);
      expect(portal.tickets(staging.id)).toHaveLength(1);
    });

    it('never writes to an unrelated ticket of that name: a new one with a portal-chosen name', async () => {
      const { client } = setup();
      const name = await existingInStaging(client);
      portal.setTenantSetting(staging.id, IMPERSONATABLE_USERS_KEY, 'staging-deployer');
      const moved = await client.createTicket(
        newTicket({
          spaceId: staging.id,
          permissions: [{ id: 'staging-deployer', name: 'staging-deployer' }],
          previous: { name, mayResume: false },
        }),
      );
      expect(moved.resumed).toBe(false);
      expect(moved.ticketName).not.toBe(name);
      expect(createdBodies()[0]).not.toHaveProperty('name');
      expect(portal.ticket(name, staging.id)?.contextUpdates).toBe(0);
      expect(portal.callsTo('PUT', /contextUpdated$/)).toEqual([]);
    });

    it('fails, creating nothing, when the lookup fails for another reason than not found', async () => {
      portal.inject({ method: 'GET', path: /\/tickets\/[^/]+\/[^/]+$/, status: 403 });
      const { client, observed } = setup();
      const error = await failure(client.createTicket(newTicket({ previous: { name: 'dev-1', mayResume: true } })));
      expect(error.code).toBe('portal.forbidden');
      expect(createdBodies()).toEqual([]);
      expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['createTicket', 'portal.forbidden']]);
    });
  });
});

describe('sendMessage', () => {
  const send = (client: PortalClient, ticketName: string, content: string, data = {}) =>
    client.sendMessage({ spaceId: dev.id, ticketName, agentId: k8s.id, content, data, sender });

  it("relays a message and maps the agent's reply with its proposed commands", async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    const reply = await send(client, ticketName, 'The web pods keep crashing');
    expect(reply).toEqual({
      role: 'assistant',
      content: expect.stringContaining('The web pods keep crashing'),
      data: {
        ...emptyMessageData(),
        cmds: [
          { command: getPods, execute: false },
          { command: restart, execute: false },
        ],
      },
    });
    expect(portal.callsTo('POST', /\/sendmessage$/)[0]?.path).toBe(`${TICKETS}/${dev.id}/${ticketName}/sendmessage`);
  });

  it('encodes the ticket name as one path segment', async () => {
    const { client } = setup();
    expect((await failure(send(client, 'weird name/1', 'hi'))).code).toBe('portal.not_found');
    expect(portal.calls.at(-1)?.path).toBe(`${TICKETS}/${dev.id}/weird%20name%2F1/sendmessage`);
  });

  it("carries the Slack request's correlation id on each of its requests", async () => {
    const { client, observed } = setup();
    await runWithCorrelation('Ev0CORRELATE', async () => {
      const { ticketName } = await client.createTicket(newTicket({ previous: { name: 'dev-1', mayResume: false } }));
      await send(client, ticketName, 'hello');
    });
    expect(portal.calls.map((call) => call.correlationId)).toEqual(['Ev0CORRELATE', 'Ev0CORRELATE', 'Ev0CORRELATE']);
    expect(observed.map((call) => call.correlationId)).toEqual(['Ev0CORRELATE', 'Ev0CORRELATE']);
  });

  it('echoes decisions and gets back the executed commands', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    await send(client, ticketName, 'restart the pods');
    portal.setCommandOutput(getPods, 'web-1   1/1   Running');
    const reply = await send(client, ticketName, 'I approve 1 command and reject 1 command.', {
      cmds: [
        { command: getPods, execute: true },
        { command: restart, execute: false, rejection_reason: 'not now' },
      ],
    });
    expect(reply.data.executed_cmds).toEqual([{ command: getPods, output: 'web-1   1/1   Running' }]);
    expect(portal.ticket(ticketName)?.commands.map((command) => command.state)).toEqual(['approved', 'rejected']);
  });

  it('maps a stale echo to portal.rejected', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    const error = await failure(send(client, ticketName, '', { cmds: [{ command: 'rm -rf /', execute: true }] }));
    expect(error.code).toBe('portal.rejected');
  });

  it("recovers a streaming agent's reply from its 500 body (§3.5)", async () => {
    portal.addAgent({ name: 'stream-agent', instanceId: 'stream-1', hostTenantId: dev.id, streaming: true });
    const streamer: Agent = { id: 'stream-1', name: 'stream-agent', label: 'stream-agent', hostSpaceId: dev.id };
    const { client, observed } = setup();
    const { ticketName } = await client.createTicket(newTicket({ agent: streamer }));
    const reply = await send(client, ticketName, 'why are pods crashing?');
    expect(portal.callsTo('POST', /\/sendmessage$/)[0]?.status).toBe(500);
    expect(reply.content).toContain('why are pods crashing?');
    expect(reply.data.cmds.map((command) => command.command)).toEqual([getPods, restart]);
    expect(observed.at(-1)).toMatchObject({ operation: 'sendMessage', outcome: 'ok' });
  });

  it("fails with agent.failed when a streaming agent's body holds an error event", async () => {
    portal.addAgent({ name: 'stream-agent', instanceId: 'stream-1', hostTenantId: dev.id, streaming: true });
    portal.setAgentScript(() => ({ error: 'AWS credentials expired' }));
    const { client } = setup();
    const { ticketName } = await client.createTicket(
      newTicket({ agent: { id: 'stream-1', name: 'stream-agent', label: 'stream-agent' } }),
    );
    const error = await failure(send(client, ticketName, 'hello'));
    expect(error.code).toBe('agent.failed');
    expect(error.message).toContain('AWS credentials expired');
  });

  it("maps a non-streaming agent's failure (500 {Message}) to portal.unavailable", async () => {
    portal.setAgentScript(() => ({ error: 'boom' }));
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    const error = await failure(send(client, ticketName, 'hello'));
    expect(error.code).toBe('portal.unavailable');
    expect(error.message).toBe('Portal "acme": send message failed: HTTP 500 (boom)');
  });

  it('gives the agent its own time limit, not the quick one', async () => {
    portal.setLatency(150);
    const { client } = setup({ timeoutMs: 50, agentTimeoutMs: 5_000 });
    const { ticketName } = await client.createTicket(newTicket());
    await expect(send(client, ticketName, 'hello')).resolves.toMatchObject({ role: 'assistant' });
  });
});

describe('getTicket', () => {
  it('reads the ticket: no status on this HelpDesk, the agent by instance id', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket({ title: 'Pods crash' }));
    await expect(client.getTicket(dev.id, ticketName)).resolves.toEqual({
      name: ticketName,
      title: 'Pods crash',
      status: null,
      agentId: 'k8s-1',
    });
  });

  it('gives a null agent for an unassigned ticket', async () => {
    portal.inject({ path: /\/tickets\//, body: JSON.stringify({ name: 'dev-1', title: 'Pods', assignee: null }) });
    await expect(setup().client.getTicket(dev.id, 'dev-1')).resolves.toEqual({
      name: 'dev-1',
      title: 'Pods',
      status: null,
      agentId: null,
    });
  });

  it('is portal.not_found for an unknown ticket, one of another tenant, and a body naming another ticket', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    expect((await failure(client.getTicket(dev.id, 'dev-000000000000'))).code).toBe('portal.not_found');
    expect((await failure(client.getTicket(staging.id, ticketName))).code).toBe('portal.not_found');
    portal.inject({ path: /\/tickets\//, body: JSON.stringify({ name: 'dev-other', title: 'x' }) });
    const other = await failure(client.getTicket(dev.id, ticketName));
    expect(other.code).toBe('portal.not_found');
    expect(other.message).toBe(`Portal "acme": no ticket ${ticketName}`);
  });
});

describe('reassignAgent', () => {
  it("PUTs the agent's full record and reads nothing back", async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket({ spaceId: prod.id, permissions: [] }));
    await expect(client.reassignAgent(prod.id, ticketName, cost)).resolves.toBeUndefined();
    expect(portal.callsTo('PUT', /\/assignee$/)[0]?.body).toEqual({
      agentName: 'cost-agent',
      instanceId: 'cost-1',
      agentHostTenantId: dev.id,
    });
    expect(portal.ticket(ticketName)?.assignee).toMatchObject({ agentName: 'cost-agent', instanceId: 'cost-1' });
    await expect(client.getTicket(prod.id, ticketName)).resolves.toMatchObject({ agentId: 'cost-1' });
  });

  it('maps an agent the tenant does not list to portal.rejected, an unknown ticket to portal.not_found', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    expect((await failure(client.reassignAgent(dev.id, ticketName, cost))).code).toBe('portal.rejected');
    expect((await failure(client.reassignAgent(dev.id, 'dev-000000000000', k8s))).code).toBe('portal.not_found');
  });
});

describe('ticketUrl', () => {
  it('links the web HelpDesk with encoded segments (§3.8)', () => {
    const { client } = setup();
    expect(client.ticketUrl(dev.id, 'dev-251125133015')).toBe(
      `${portal.url}/app/ai/service-desk/${dev.id}/tickets/chat/dev-251125133015`,
    );
    expect(client.ticketUrl('a b', 'x/y?z')).toBe(`${portal.url}/app/ai/service-desk/a%20b/tickets/chat/x%2Fy%3Fz`);
  });
});

describe('failure mapping, every call', () => {
  interface Call {
    readonly name: string;
    readonly operation: PortalOperation;
    /** How the message names the operation. */
    readonly words: string;
    readonly method: 'GET' | 'POST' | 'PUT';
    /** The request that fails. */
    readonly path: RegExp;
    readonly run: (client: PortalClient) => Promise<unknown>;
    /** Failures that are answers for this call: a 404 read as "none", a body it never reads. */
    readonly ok?: readonly string[];
  }

  const calls: Call[] = [
    {
      name: 'check',
      operation: 'check',
      words: 'check',
      method: 'GET',
      path: /^\/admin\/GetUserRoleInfo$/,
      run: (client) => client.check(),
    },
    {
      name: 'findUser',
      operation: 'findUser',
      words: 'find user',
      method: 'GET',
      path: /^\/admin\/GetAllUserRoles$/,
      run: (client) => client.findUser(SeedUsers.alice),
    },
    {
      name: 'userSpaces (an administrator)',
      operation: 'userSpaces',
      words: 'user spaces',
      method: 'GET',
      path: /^\/admin\/GetTenantsForUser$/,
      run: (client) => client.userSpaces(admin),
    },
    {
      name: 'userSpaces (a user)',
      operation: 'userSpaces',
      words: 'user spaces',
      method: 'GET',
      path: /\/tenantAccess$/,
      run: (client) => client.userSpaces(alice),
      ok: ['404'],
    },
    {
      name: 'listSpaces',
      operation: 'listSpaces',
      words: 'list spaces',
      method: 'GET',
      path: /^\/admin\/GetTenantsForUser$/,
      run: (client) => client.listSpaces(),
    },
    {
      name: 'permissionChoices',
      operation: 'permissionChoices',
      words: 'permission choices',
      method: 'GET',
      path: /\/metadata$/,
      run: (client) => client.permissionChoices(dev.id),
    },
    {
      name: 'listAgents',
      operation: 'listAgents',
      words: 'list agents',
      method: 'GET',
      path: /\/admin\/tenants\/agents$/,
      run: (client) => client.listAgents(dev.id),
    },
    {
      name: 'createTicket',
      operation: 'createTicket',
      words: 'create ticket',
      method: 'POST',
      path: /^\/v1\/aiservicedesk\/tickets\/[^/]+$/,
      run: (client) => client.createTicket(newTicket()),
    },
    {
      name: 'createTicket (a move looks the name up)',
      operation: 'createTicket',
      words: 'create ticket',
      method: 'GET',
      path: /^\/v1\/aiservicedesk\/tickets\/[^/]+\/[^/]+$/,
      run: (client) => client.createTicket(newTicket({ previous: { name: 'dev-1', mayResume: true } })),
      ok: ['404'],
    },
    {
      name: 'sendMessage',
      operation: 'sendMessage',
      words: 'send message',
      method: 'POST',
      path: /\/sendmessage$/,
      run: (client) =>
        client.sendMessage({ spaceId: dev.id, ticketName: 'dev-1', agentId: k8s.id, content: 'hi', sender }),
    },
    {
      name: 'getTicket',
      operation: 'getTicket',
      words: 'get ticket',
      method: 'GET',
      path: /^\/v1\/aiservicedesk\/tickets\/[^/]+\/[^/]+$/,
      run: (client) => client.getTicket(dev.id, 'dev-1'),
    },
    {
      name: 'reassignAgent',
      operation: 'reassignAgent',
      words: 'reassign agent',
      method: 'PUT',
      path: /\/assignee$/,
      run: (client) => client.reassignAgent(dev.id, 'dev-1', cost),
      ok: ['malformed body'],
    },
  ];

  interface Failure {
    readonly name: string;
    readonly code: string;
    /** What the message says after `<operation> failed: `. */
    readonly reason: RegExp;
    /** Whether a GET tries again (the portal was down or slow); the fake sleep makes that instant. */
    readonly retried: boolean;
    readonly fault: { status?: number; body?: string; delayMs?: number };
  }

  const failures: Failure[] = [
    {
      name: '401',
      code: 'portal.unauthorized',
      reason: /^HTTP 401 \(Injected fault\)$/,
      retried: false,
      fault: { status: 401 },
    },
    {
      name: '403',
      code: 'portal.forbidden',
      reason: /^HTTP 403 \(Injected fault\)$/,
      retried: false,
      fault: { status: 403 },
    },
    {
      name: '404',
      code: 'portal.not_found',
      reason: /^HTTP 404 \(Injected fault\)$/,
      retried: false,
      fault: { status: 404 },
    },
    {
      name: '500',
      code: 'portal.unavailable',
      reason: /^HTTP 500 \(Injected fault\)$/,
      retried: true,
      fault: { status: 500 },
    },
    {
      name: 'timeout',
      code: 'portal.timeout',
      reason: /^no answer in time$/,
      retried: true,
      // Far longer than the 30 ms the client is given; the fake answers (harmlessly) after it gave up.
      fault: { delayMs: 400, status: 200, body: '{}' },
    },
    {
      name: 'malformed body',
      code: 'portal.bad_response',
      reason: /^unexpected response \(not JSON\)$/,
      retried: false,
      fault: { status: 200, body: '{"Username": "svc@acme.io", "Roles": ' },
    },
  ];

  describe.each(calls.map((call) => [`${call.name}: ${call.method} ${call.path.source}`, call] as const))(
    '%s',
    (_name, call) => {
      it.each(failures.map((mode) => [mode.name, mode] as const))('%s', async (_failure, mode) => {
        portal.inject({ method: call.method, path: call.path, times: Number.POSITIVE_INFINITY, ...mode.fault });
        // Only the timeout case needs a short timeout; the others get room for a busy machine to answer in.
        // POSTs run on the agent time limit: only that one is short for them, so a GET they make first (an agent's
        // streaming flag) is not cut short on a busy machine and retried, which would add a sleep the POST never had.
        const short = mode.name === 'timeout';
        const { client, sleeps, observed } = setup({
          timeoutMs: short && call.method !== 'POST' ? 30 : 5_000,
          agentTimeoutMs: short ? 30 : 5_000,
        });

        if (call.ok?.includes(mode.name)) {
          await call.run(client);
          expect(observed.map((item) => [item.operation, item.outcome])).toEqual([[call.operation, 'ok']]);
          return;
        }
        const error = await failure(call.run(client));
        expect(error.code).toBe(mode.code);
        const prefix = `Portal "acme": ${call.words} failed: `;
        expect(error.message.startsWith(prefix), error.message).toBe(true);
        expect(error.message.slice(prefix.length)).toMatch(mode.reason);
        expect(error.details).toMatchObject({ portal: 'acme', operation: call.operation });
        const tries = mode.retried && call.method === 'GET' ? 3 : 1;
        const asked = portal.callsTo(call.method, call.path).length;
        // On a busy machine a timed-out attempt may never reach the fake: the client's sleeps count its attempts.
        if (mode.name === 'timeout') expect(asked).toBeLessThanOrEqual(tries);
        else expect(asked).toBe(tries);
        expect(sleeps).toHaveLength(tries - 1);
        expect(observed).toEqual([
          { portal: 'acme', operation: call.operation, outcome: mode.code, seconds: expect.any(Number) },
        ]);
        expectNoSecret(portal.adminToken, error, observed);
      });
    },
  );

  it('redacts the token wherever the portal echoes it', async () => {
    const echo = JSON.stringify({ Message: `Token ${portal.adminToken} may not do this` });
    portal.inject({ path: /./, status: 403, body: echo, times: Number.POSITIVE_INFINITY });
    const { client, observed } = setup();
    const errors = await Promise.all([
      failure(client.findUser(SeedUsers.alice)),
      failure(client.createTicket(newTicket())),
      failure(client.reassignAgent(dev.id, 'dev-1', k8s)),
    ]);
    for (const error of errors) {
      expect(error.message).toContain('[redacted]');
      expectNoSecret(portal.adminToken, error, error.details);
      expect(error.cause).toBeUndefined();
    }
    expectNoSecret(portal.adminToken, observed);
  });
});

describe('wire schemas (§3)', () => {
  it('reads the tenants-with-agents listing, a missing agentInstances as none', () => {
    expect(
      TenantAgentsSchema.parse([
        { tenantId: 't1', tenantName: 'dev', agentInstances: [{ agentName: 'a', instanceId: 'i', extra: 1 }] },
        { tenantId: 't2', agentInstances: null },
      ]),
    ).toEqual([
      {
        tenantId: 't1',
        tenantName: 'dev',
        agentInstances: [{ agentName: 'a', instanceId: 'i', friendlyName: undefined, agentHostTenantId: undefined }],
      },
      { tenantId: 't2', tenantName: undefined, agentInstances: [] },
    ]);
    expect(TenantAgentsSchema.safeParse({ items: [] }).success).toBe(false);
    expect(TenantAgentsSchema.safeParse([{ tenantId: 't1', agentInstances: [{ agentName: 'a' }] }]).success).toBe(
      false,
    );
  });

  it('reads a ticket without status, and the create reply with or without its message', () => {
    expect(TenantTicketSchema.parse({ name: 'dev-1', title: null, status: 'ignored' })).toEqual({
      name: 'dev-1',
      title: '',
    });
    expect(TenantTicketSchema.safeParse({ title: 'x' }).success).toBe(false);
    expect(TenantCreateReplySchema.parse({ ticket: { name: 'dev-1' }, message: null }).ticket.name).toBe('dev-1');
    expect(TenantCreateReplySchema.parse({ ticket: { name: 'dev-1' } }).message).toBeUndefined();
  });
});
