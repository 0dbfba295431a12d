import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PortalConfig } from '../../src/config.js';
import { isDomainError } from '../../src/domain/errors.js';
import type { PlatformContext } from '../../src/domain/messages.js';
import type { PortalClient } from '../../src/domain/ports.js';
import { createHttpPortalClient, type HttpPortalClientOptions } from '../../src/portal/http-portal-client.js';
import {
  type FakePortal,
  IMPERSONATABLE_USERS_KEY,
  SeedAgents,
  SeedTenants,
  SeedUsers,
  startFakePortal,
} from '../fakes/portal/index.js';

/**
 * The real HTTP portal client against the fake portal, over loopback: every PortalClient method, the access rules,
 * the approval protocol and the mapping of portal failures to error codes. If the client and the fake disagree on
 * the wire contract (helper-notes/PORTAL-WIRE.md), this is where it shows.
 */

const CREATED_AT = new Date('2025-11-25T13:30:15Z');
const dev = SeedTenants.dev;
const prod = SeedTenants.prod;
const k8s = { name: SeedAgents.kubernetes.name, instanceId: SeedAgents.kubernetes.instanceId };
const cost = { name: SeedAgents.cost.name, instanceId: SeedAgents.cost.instanceId };
const getPods = 'kubectl get pods -n duploservices-dev';
const restart = 'kubectl rollout restart deployment/web -n duploservices-dev';

let portal: FakePortal;

const fastRetries: HttpPortalClientOptions = { sleep: async () => undefined, random: () => 0 };

const clientFor = (
  token: string,
  options: HttpPortalClientOptions = {},
  extra: Partial<Pick<PortalConfig, 'agents'>> = {},
): PortalClient =>
  createHttpPortalClient({ name: 'fake', host: portal.url, token, ...extra }, { ...fastRetries, ...options });

const adminClient = (options: HttpPortalClientOptions = {}): PortalClient => clientFor(portal.adminToken, options);

const platformContext = (identity: string): PlatformContext => ({
  impersonate_user: identity,
  source: 'slack',
  slack_team_id: 'T1',
  slack_channel_id: 'C1',
  slack_thread_ts: '1700000000.000100',
  slack_user_id: 'U1',
});

const createDevTicket = (client: PortalClient, content = 'The web pods keep crashing', identity = 'dev-deployer') =>
  client.createTicket({
    tenantId: dev.id,
    title: 'web is down',
    content,
    agent: k8s,
    identity,
    platformContext: platformContext(identity),
  });

/** The DomainError code a promise rejects with; fails the test if it resolves or throws something else. */
const failureCode = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) {
      expect(error.message).not.toContain(portal.adminToken);
      return error.code;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
};

beforeEach(async () => {
  portal = await startFakePortal({ clock: { now: () => CREATED_AT } });
});

afterEach(async () => {
  await portal.close();
});

describe('checkToken', () => {
  it('reports the admin token owner and a non-admin one', async () => {
    await expect(adminClient().checkToken()).resolves.toEqual({ username: SeedUsers.admin, isAdmin: true });
    const alice = clientFor(portal.issueToken(SeedUsers.alice));
    await expect(alice.checkToken()).resolves.toEqual({ username: SeedUsers.alice, isAdmin: false });
  });

  it('maps a bad or revoked token to portal.unauthorized', async () => {
    expect(await failureCode(clientFor('not-a-token').checkToken())).toBe('portal.unauthorized');
    const token = portal.issueToken(SeedUsers.alice);
    portal.revokeToken(token);
    expect(await failureCode(clientFor(token).checkToken())).toBe('portal.unauthorized');
    expect(portal.calls.every((call) => !call.authorized && call.status === 401)).toBe(true);
  });
});

describe('userAccess', () => {
  it('gives an administrator every tenant', async () => {
    const access = await adminClient().userAccess(SeedUsers.admin);
    expect(access?.user).toEqual({
      username: SeedUsers.admin,
      roles: ['Administrator'],
      isAdmin: true,
      readOnly: false,
    });
    expect(access?.tenants).toEqual([
      { id: dev.id, name: 'dev', readOnly: false },
      { id: prod.id, name: 'prod', readOnly: false },
      { id: SeedTenants.staging.id, name: 'staging', readOnly: false },
    ]);
  });

  it('gives a user their granted tenants with the per-tenant read-only policy', async () => {
    const client = adminClient();
    expect((await client.userAccess(SeedUsers.alice))?.tenants).toEqual([
      { id: dev.id, name: 'dev', readOnly: false },
      { id: SeedTenants.staging.id, name: 'staging', readOnly: false },
    ]);
    const bob = await client.userAccess('BOB@acme.io');
    expect(bob?.user).toMatchObject({ username: SeedUsers.bob, isAdmin: false, readOnly: false });
    expect(bob?.tenants).toEqual([{ id: dev.id, name: 'dev', readOnly: true }]);
    expect((await client.userAccess(SeedUsers.carol))?.tenants).toEqual([
      { id: prod.id, name: 'prod', readOnly: false },
    ]);
    expect(portal.callsTo('GET', /\/tenantAccess$/).map((call) => call.path)).toContain(
      '/v3/admin/user/bob%40acme.io/tenantAccess',
    );
  });

  it('makes a globally read-only user read-only in every tenant', async () => {
    portal.addUser({ username: 'dave@acme.io', isReadOnly: true, access: [{ tenantId: dev.id, readOnly: false }] });
    const dave = await adminClient().userAccess('dave@acme.io');
    expect(dave?.user.readOnly).toBe(true);
    expect(dave?.tenants).toEqual([{ id: dev.id, name: 'dev', readOnly: true }]);
  });

  it('returns null for an unknown user and no tenants for a user without grants', async () => {
    const client = adminClient();
    await expect(client.userAccess('nobody@acme.io')).resolves.toBeNull();
    portal.addUser({ username: 'erin@acme.io' });
    expect((await client.userAccess('erin@acme.io'))?.tenants).toEqual([]);
  });

  it('maps a non-admin service token to portal.forbidden', async () => {
    const alice = clientFor(portal.issueToken(SeedUsers.alice));
    expect(await failureCode(alice.userAccess(SeedUsers.bob))).toBe('portal.forbidden');
  });
});

describe('tenants and settings', () => {
  it('gets a tenant by id; an unknown one is portal.not_found', async () => {
    const client = adminClient();
    await expect(client.getTenant(prod.id)).resolves.toEqual({ id: prod.id, name: 'prod' });
    expect(await failureCode(client.getTenant('00000000-0000-0000-0000-000000000000'))).toBe('portal.not_found');
  });

  it('parses helpdesk-impersonatable-users, following live changes', async () => {
    const client = adminClient();
    await expect(client.impersonatableUsers(dev.id)).resolves.toEqual(['dev-deployer', 'dev-reader']);
    await expect(client.impersonatableUsers(SeedTenants.staging.id)).resolves.toEqual(['staging-deployer']);
    await expect(client.impersonatableUsers(prod.id)).resolves.toEqual([]);
    portal.setTenantSetting(prod.id, IMPERSONATABLE_USERS_KEY, ' prod-admin ; ;PROD-ADMIN;auditor;');
    await expect(client.impersonatableUsers(prod.id)).resolves.toEqual(['prod-admin', 'auditor']);
    portal.setTenantSetting(prod.id, IMPERSONATABLE_USERS_KEY, '');
    await expect(client.impersonatableUsers(prod.id)).resolves.toEqual([]);
    expect(await failureCode(client.impersonatableUsers('nope'))).toBe('portal.not_found');
  });
});

describe('listAgents', () => {
  it('lists the portal agents, filtered to the tenant when given', async () => {
    const client = adminClient();
    expect(await client.listAgents()).toEqual([
      { name: 'kubernetes-agent', instanceId: 'k8s-1' },
      { name: 'cost-agent', instanceId: 'cost-1', allowedTenants: [prod.id] },
    ]);
    expect(await client.listAgents(dev.id)).toEqual([{ name: 'kubernetes-agent', instanceId: 'k8s-1' }]);
    expect((await client.listAgents(prod.id)).map((agent) => agent.name)).toEqual(['kubernetes-agent', 'cost-agent']);
  });

  it('uses the id when the listing has no instanceId', async () => {
    portal.addAgent({ id: 'bare-1', name: 'bare-agent' });
    expect(await adminClient().listAgents(dev.id)).toContainEqual({ name: 'bare-agent', instanceId: 'bare-1' });
  });

  it('prefers configured agents and then does not call the listing', async () => {
    const client = clientFor(portal.adminToken, {}, { agents: [{ name: 'kubernetes-agent', instanceId: 'k8s-1' }] });
    expect(await client.listAgents(dev.id)).toEqual([{ name: 'kubernetes-agent', instanceId: 'k8s-1' }]);
    expect(portal.callsTo('GET', /aiagents/)).toHaveLength(0);
  });
});

describe('tickets', () => {
  it('creates a ticket with the wire body and relays the first reply with its commands', async () => {
    const created = await createDevTicket(adminClient());
    expect(created.ticketName).toBe('dev-251125133015');
    expect(created.firstReply?.role).toBe('assistant');
    expect(created.firstReply?.content).toContain('The web pods keep crashing');
    expect(created.firstReply?.data.cmds).toEqual([
      { command: getPods, execute: false },
      { command: restart, execute: false },
    ]);
    expect(created.firstReply?.data.executed_cmds).toEqual([]);

    const [call] = portal.callsTo('POST', /^\/v1\/aiservicedesk\/tickets\/[^/]+$/);
    expect(call?.body).toEqual({
      title: 'web is down',
      assignee: { agentName: 'kubernetes-agent', instanceId: 'k8s-1' },
      content: 'The web pods keep crashing',
      process_message: true,
      Origin: 'slack',
      impersonateUser: 'dev-deployer',
      platform_context: platformContext('dev-deployer'),
    });
    const ticket = portal.ticket('dev-251125133015');
    expect(ticket).toMatchObject({ tenantId: dev.id, identity: 'dev-deployer', origin: 'slack' });
    expect(ticket?.messages[0]?.platform_context).toEqual(platformContext('dev-deployer'));
  });

  it('returns a text-only first reply for a non-actionable request', async () => {
    const created = await createDevTicket(adminClient(), 'What is our monthly budget?');
    expect(created.firstReply?.data.cmds).toEqual([]);
    expect(created.firstReply?.content).toContain('monthly budget');
  });

  it('maps refusals: identity not allowed → forbidden, agent not allowed → rejected, unknown tenant → not_found', async () => {
    const client = adminClient();
    expect(await failureCode(createDevTicket(client, 'restart web', 'staging-deployer'))).toBe('portal.forbidden');
    const costInDev = client.createTicket({
      tenantId: dev.id,
      title: 't',
      content: 'c',
      agent: cost,
      identity: 'dev-deployer',
      platformContext: platformContext('dev-deployer'),
    });
    expect(await failureCode(costInDev)).toBe('portal.rejected');
    const unknownTenant = client.createTicket({
      tenantId: '0b0b0b0b-0000-0000-0000-000000000000',
      title: 't',
      content: 'c',
      agent: k8s,
      identity: 'dev-deployer',
      platformContext: platformContext('dev-deployer'),
    });
    expect(await failureCode(unknownTenant)).toBe('portal.not_found');
    expect(portal.tickets()).toHaveLength(0);
  });

  it('sends messages and runs exactly the approved commands of an approval echo', async () => {
    const client = adminClient();
    const { ticketName } = await createDevTicket(client);
    portal.setCommandOutput(getPods, 'web-1   1/1   Running   0   3d');

    const plain = await client.sendMessage({
      tenantId: dev.id,
      ticketName,
      content: 'thanks, anything else?',
      platformContext: platformContext('dev-deployer'),
    });
    expect(plain).toMatchObject({ role: 'assistant', data: { cmds: [], executed_cmds: [] } });

    const reply = await client.sendMessage({
      tenantId: dev.id,
      ticketName,
      content: '',
      data: {
        cmds: [
          { command: getPods, execute: true },
          { command: restart, execute: false, rejection_reason: 'not now' },
        ],
      },
      platformContext: platformContext('dev-deployer'),
    });
    expect(reply.data.executed_cmds).toEqual([{ command: getPods, output: 'web-1   1/1   Running   0   3d' }]);
    expect(reply.data.cmds).toEqual([]);
    expect(reply.content).toContain('Ran 1 command, rejected 1.');
    expect(reply.content).toContain('not now');
    expect(portal.ticket(ticketName)?.commands).toEqual([
      { command: getPods, state: 'approved', output: 'web-1   1/1   Running   0   3d' },
      { command: restart, state: 'rejected', rejectionReason: 'not now' },
    ]);
    const echo = portal.callsTo('POST', /\/sendmessage$/).at(-1);
    expect(echo?.body).toMatchObject({
      content: '',
      data: {
        cmds: [
          { command: getPods, execute: true },
          { command: restart, execute: false, rejection_reason: 'not now' },
        ],
      },
      platform_context: platformContext('dev-deployer'),
    });
  });

  it('maps a stale echo to portal.rejected and a withdrawn identity to portal.forbidden', async () => {
    const client = adminClient();
    const { ticketName } = await createDevTicket(client);
    const echo = (command: string) =>
      client.sendMessage({
        tenantId: dev.id,
        ticketName,
        content: '',
        data: { cmds: [{ command, execute: true }] },
        platformContext: platformContext('dev-deployer'),
      });
    expect(await failureCode(echo('rm -rf /'))).toBe('portal.rejected');
    await echo(getPods);
    expect(await failureCode(echo(getPods))).toBe('portal.rejected');

    portal.setTenantSetting(dev.id, IMPERSONATABLE_USERS_KEY, 'dev-reader');
    const withdrawn = client.sendMessage({
      tenantId: dev.id,
      ticketName,
      content: 'hello',
      platformContext: platformContext('dev-deployer'),
    });
    expect(await failureCode(withdrawn)).toBe('portal.forbidden');
  });

  it('gets and reassigns a ticket', async () => {
    const client = adminClient();
    portal.setTenantSetting(prod.id, IMPERSONATABLE_USERS_KEY, 'prod-admin');
    const { ticketName } = await client.createTicket({
      tenantId: prod.id,
      title: 'costs are up',
      content: 'why did costs go up?',
      agent: k8s,
      identity: 'prod-admin',
      platformContext: platformContext('prod-admin'),
    });
    expect(await client.getTicket(prod.id, ticketName)).toEqual({
      name: ticketName,
      title: 'costs are up',
      status: 'open',
      agentName: 'kubernetes-agent',
      instanceId: 'k8s-1',
    });
    await client.reassignAgent(prod.id, ticketName, cost);
    expect(portal.ticket(ticketName)?.assignee).toEqual({ agentName: 'cost-agent', instanceId: 'cost-1' });
    expect(await client.getTicket(prod.id, ticketName)).toMatchObject({
      agentName: 'cost-agent',
      instanceId: 'cost-1',
    });
    expect(portal.callsTo('PUT', /\/assignee$/)[0]?.body).toEqual({ agentName: 'cost-agent', instanceId: 'cost-1' });
  });

  it('maps an unknown ticket to portal.not_found and a bad reassignment to portal.rejected', async () => {
    const client = adminClient();
    const { ticketName } = await createDevTicket(client);
    expect(await failureCode(client.getTicket(dev.id, 'dev-000000000000'))).toBe('portal.not_found');
    expect(await failureCode(client.getTicket(SeedTenants.staging.id, ticketName))).toBe('portal.not_found');
    expect(await failureCode(client.reassignAgent(dev.id, ticketName, cost))).toBe('portal.rejected');
    expect(await failureCode(client.reassignAgent(dev.id, 'dev-000000000000', k8s))).toBe('portal.not_found');
  });

  it('builds the Open AI HelpDesk URL', () => {
    expect(adminClient().ticketUrl(dev.id, 'dev-251125133015')).toBe(
      `${portal.url}/app/ai/service-desk/${dev.id}/tickets/chat/dev-251125133015`,
    );
  });
});

describe('failures', () => {
  it('maps a 500 on a ticket creation to portal.unavailable without retrying it', async () => {
    portal.inject({ method: 'POST', path: /^\/v1\/aiservicedesk\/tickets\/[^/]+$/, status: 500 });
    expect(await failureCode(createDevTicket(adminClient()))).toBe('portal.unavailable');
    expect(portal.callsTo('POST', /\/tickets\//)).toHaveLength(1);
    expect(portal.tickets()).toHaveLength(0);
  });

  it('retries an idempotent GET after a 500 and fails with portal.unavailable when it persists', async () => {
    portal.inject({ path: /GetUserRoleInfo/, status: 500 });
    await expect(adminClient().checkToken()).resolves.toMatchObject({ isAdmin: true });
    expect(portal.callsTo('GET', /GetUserRoleInfo/).map((call) => call.status)).toEqual([500, 200]);

    portal.resetCalls();
    portal.inject({ path: /GetUserRoleInfo/, status: 503, times: Number.POSITIVE_INFINITY });
    expect(await failureCode(adminClient({ getRetries: 1 }).checkToken())).toBe('portal.unavailable');
    expect(portal.callsTo('GET', /GetUserRoleInfo/)).toHaveLength(2);
  });

  it('maps a malformed or mis-shaped 2xx body to portal.bad_response', async () => {
    const client = adminClient();
    portal.inject({ path: /\/metadata$/, body: '[{"Key": "helpdesk-impersonatable-users", ' });
    expect(await failureCode(client.impersonatableUsers(dev.id))).toBe('portal.bad_response');
    portal.inject({ path: /GetUserRoleInfo/, body: '{"Username": "svc@acme.io"}' });
    expect(await failureCode(client.checkToken())).toBe('portal.bad_response');
    portal.inject({ method: 'POST', path: /\/sendmessage$/, body: 'not json at all' });
    const { ticketName } = await createDevTicket(client);
    const send = client.sendMessage({
      tenantId: dev.id,
      ticketName,
      content: 'hi',
      platformContext: platformContext('dev-deployer'),
    });
    expect(await failureCode(send)).toBe('portal.bad_response');
  });

  it('maps a delay beyond the timeout to portal.timeout, for quick calls and agent calls', async () => {
    portal.inject({ path: /GetUserRoleInfo/, delayMs: 1_000, times: Number.POSITIVE_INFINITY });
    expect(await failureCode(adminClient({ timeoutMs: 100, getRetries: 0 }).checkToken())).toBe('portal.timeout');

    portal.inject({ method: 'POST', path: /\/sendmessage$/, delayMs: 1_000 });
    const client = adminClient({ agentTimeoutMs: 150 });
    const { ticketName } = await createDevTicket(client);
    const send = client.sendMessage({
      tenantId: dev.id,
      ticketName,
      content: 'hi',
      platformContext: platformContext('dev-deployer'),
    });
    expect(await failureCode(send)).toBe('portal.timeout');
  });

  it('tolerates a delay within the timeout', async () => {
    portal.inject({ path: /GetUserRoleInfo/, delayMs: 100 });
    await expect(adminClient({ timeoutMs: 2_000 }).checkToken()).resolves.toMatchObject({ isAdmin: true });
    expect(portal.calls[0]?.durationMs).toBeGreaterThanOrEqual(90);
  });

  it('maps a dropped connection to portal.unavailable', async () => {
    portal.inject({ path: /\/tenant\//, dropConnection: true, times: Number.POSITIVE_INFINITY });
    expect(await failureCode(adminClient({ getRetries: 0 }).getTenant(dev.id))).toBe('portal.unavailable');
  });

  it('maps a closed portal to portal.unavailable', async () => {
    const client = adminClient({ getRetries: 0 });
    await portal.close();
    expect(await failureCode(client.checkToken())).toBe('portal.unavailable');
  });

  it('puts the token nowhere but the Authorization header (not in path, query or body)', async () => {
    await createDevTicket(adminClient());
    expect(JSON.stringify(portal.calls)).not.toContain(portal.adminToken);
    expect(portal.calls.every((call) => call.user === SeedUsers.admin)).toBe(true);
  });
});
