import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PortalConfig } from '../../src/config.js';
import type { Agent, HelpdeskApi, Permission } from '../../src/domain/helpdesk.js';
import type { AgentMessage, MessageData } from '../../src/domain/messages.js';
import type { NewTicket, PortalClient } from '../../src/domain/ports.js';
import { createPortalClient, type PortalClientOptions, Probes } from '../../src/portal/index.js';
import {
  type AgentScript,
  defaultWorkspaceSeed,
  type FakePortal,
  IMPERSONATABLE_USERS_KEY,
  type RecordedCall,
  SeedAgents,
  SeedScopes,
  SeedTenants,
  SeedUsers,
  SeedWorkspaceAgents,
  SeedWorkspaces,
  startFakePortal,
} from '../fakes/portal/index.js';
import { failure, portalConfig, sender, thread } from '../support/portal-testing.js';

/**
 * The contract: the real portal client (`createPortalClient`, with `api` configured and detected) against the fake
 * portal of each HelpDesk generation, over loopback. Every PortalClient method, and every request's method, path and
 * body pinned to docs/duplocloud-api.md, section by section. When the client and the fake disagree, the docs decide.
 */

const CREATED_AT = new Date('2025-11-25T13:30:15Z');
const TICKETS = '/v1/aiservicedesk/tickets';
const modes = [['configured', true] as const, ['detected', false] as const];

let portal: FakePortal;
let client: PortalClient;
let clock = 0;

const clientFor = (
  api: HelpdeskApi,
  configured: boolean,
  extra: Partial<PortalConfig> = {},
  options: PortalClientOptions = {},
): PortalClient =>
  createPortalClient(
    portalConfig({
      name: 'fake',
      host: portal.url,
      token: portal.adminToken,
      ...(configured ? { api } : {}),
      ...extra,
    }),
    { sleep: async () => undefined, random: () => 0, now: () => clock, ...options },
  );

/** Starts a client the way the service does (detection, when not configured), then forgets the probes. */
const ready = async (api: HelpdeskApi, configured: boolean, extra: Partial<PortalConfig> = {}) => {
  client = clientFor(api, configured, extra);
  expect(client.knownHelpdesk()).toBe(configured ? api : null);
  await expect(client.helpdesk()).resolves.toBe(api);
  expect(client.knownHelpdesk()).toBe(api);
  expect(portal.calls.map((call) => call.path).sort()).toEqual(configured ? [] : [Probes.workspace, Probes.tenant]);
  forget();
};

/** Every request forgotten so far in this test: they are still checked for what no request may carry. */
let forgotten: RecordedCall[] = [];

/** Starts counting requests afresh. */
const forget = () => {
  forgotten.push(...portal.calls);
  portal.resetCalls();
};

/** Method, path and body of every request since the last reset: what the portal received. */
const wire = () => portal.calls.map((call) => [call.method, call.path, call.body]);

const only = (method: string, path: RegExp): RecordedCall => {
  const calls = portal.callsTo(method, path);
  expect(calls).toHaveLength(1);
  return calls[0] as RecordedCall;
};

const message = (ticketName: string, spaceId: string, agent: Agent, content: string, data?: Partial<MessageData>) =>
  client.sendMessage({ spaceId, ticketName, agentId: agent.id, content, sender, ...(data ? { data } : {}) });

/** What no request may ever carry (§3.2, §8): the token, or anyone's identity to act as. */
const expectNothingForbiddenSent = () => {
  const calls = [...forgotten, ...portal.calls];
  forgotten = [];
  const sent = JSON.stringify(calls.map((call) => [call.path, call.query, call.body]));
  expect(sent).not.toContain(portal.adminToken);
  expect(sent).not.toContain('impersonateUser');
  expect(sent).not.toContain('impersonate_user');
  expect(sent).not.toContain('duplo_token');
  expect(calls.every((call) => call.user === portal.adminUser)).toBe(true);
};

/** An agent that proposes two commands with its own uids, and answers an echo the default way. */
const proposingWithUids: AgentScript = ({ decisions, space }) =>
  decisions.length > 0
    ? undefined
    : {
        content: 'I can list the pods and restart web.',
        data: {
          cmds: [
            { command: `kubectl get pods -n duploservices-${space.name}`, execute: false, uid: 'cmd-1' },
            {
              command: `kubectl rollout restart deployment/web -n duploservices-${space.name}`,
              execute: false,
              uid: 'cmd-2',
            },
          ],
        },
      };

/** The IDE's echo of a reply's commands: the first approved, the second rejected, each with the agent's uid (§6). */
const echoOf = (reply: AgentMessage): Partial<MessageData> => {
  const [first, second] = reply.data.cmds;
  if (!first || !second) throw new Error('expected two proposed commands');
  return {
    cmds: [
      { command: first.command, execute: true, ...(first.uid ? { uid: first.uid } : {}) },
      {
        command: second.command,
        execute: false,
        rejection_reason: 'not now',
        ...(second.uid ? { uid: second.uid } : {}),
      },
    ],
  };
};

afterEach(async () => {
  expectNothingForbiddenSent();
  await portal.close();
});

// ───────────────────────────── Gen A ─────────────────────────────

describe.each(modes)('Gen A, the tenant-scoped HelpDesk (%s)', (_mode, configured) => {
  const dev = SeedTenants.dev;
  const staging = SeedTenants.staging;
  const prod = SeedTenants.prod;
  /** The seed's agents as the listing gives them (§3.1): the friendly name, when there is one, is the label. */
  const k8s: Agent = {
    id: SeedAgents.kubernetes.instanceId,
    name: SeedAgents.kubernetes.name,
    label: SeedAgents.kubernetes.friendlyName,
    hostSpaceId: SeedAgents.kubernetes.hostTenantId,
  };
  const cost: Agent = {
    id: SeedAgents.cost.instanceId,
    name: SeedAgents.cost.name,
    label: SeedAgents.cost.name,
    hostSpaceId: SeedAgents.cost.hostTenantId,
  };
  const deployer: Permission = { id: 'dev-deployer', name: 'dev-deployer' };
  const stagingDeployer: Permission = { id: 'staging-deployer', name: 'staging-deployer' };

  const newTicket = (overrides: Partial<NewTicket> = {}): NewTicket => ({
    spaceId: dev.id,
    title: 'web is down',
    agent: k8s,
    permissions: [deployer],
    thread,
    history: [],
    ...overrides,
  });

  /** The §3.2 create body, exactly. */
  const createBody = (ticket: NewTicket, name?: string) => ({
    title: ticket.title,
    ...(name ? { name } : {}),
    assignee: {
      agentName: ticket.agent.name,
      instanceId: ticket.agent.id,
      ...(ticket.agent.label !== ticket.agent.name ? { friendlyName: ticket.agent.label } : {}),
      ...(ticket.agent.hostSpaceId ? { agentHostTenantId: ticket.agent.hostSpaceId } : {}),
    },
    process_message: false,
    ...(ticket.history.length > 0
      ? { historic_messages: ticket.history.map((content) => ({ content, data: {} })) }
      : {}),
    defaultAgentPermissions: ticket.permissions.map((permission) => permission.id),
    source: 1,
    imAppDetails: { channelId: thread.channelId, threadId: thread.threadTs },
  });

  /** The §3.4 message body, exactly. */
  const messageBody = (content: string, data: Partial<MessageData> = {}) => ({
    role: 'user',
    content,
    data,
    platform_context: {},
    user: { id: sender.slackUserId, name: sender.name },
  });

  beforeEach(async () => {
    clock = 1_000_000;
    portal = await startFakePortal({ clock: { now: () => CREATED_AT } });
    await ready('tenant', configured);
  });

  describe('people and tenants (§2)', () => {
    it('checks the token on GetUserRoleInfo', async () => {
      await expect(client.check()).resolves.toBe('tenant');
      const asked = portal.calls.map((call) => [call.method, call.path]);
      expect(asked.at(-1)).toEqual(['GET', '/admin/GetUserRoleInfo']);
      expect(asked).toHaveLength(configured ? 1 : 3); // a detected portal is detected again on each check
    });

    it('finds a user on GetAllUserRoles and their tenants on GetTenantsForUser or tenantAccess', async () => {
      const admin = await client.findUser('ADMIN@acme.io');
      const bob = await client.findUser(SeedUsers.bob);
      expect(admin).toEqual({ username: SeedUsers.admin, roles: ['Administrator'], isAdmin: true, readOnly: false });
      await expect(client.userSpaces(admin ?? never())).resolves.toEqual([
        { id: dev.id, name: 'dev', readOnly: false },
        { id: prod.id, name: 'prod', readOnly: false },
        { id: staging.id, name: 'staging', readOnly: false },
      ]);
      await expect(client.userSpaces(bob ?? never())).resolves.toEqual([{ id: dev.id, name: 'dev', readOnly: true }]);
      await expect(client.listSpaces()).resolves.toHaveLength(3);
      expect(wire()).toEqual([
        ['GET', '/admin/GetAllUserRoles', undefined],
        ['GET', '/admin/GetAllUserRoles', undefined],
        ['GET', '/admin/GetTenantsForUser', undefined],
        ['GET', '/v3/admin/user/bob%40acme.io/tenantAccess', undefined],
        ['GET', '/admin/GetTenantsForUser', undefined],
      ]);
    });

    it("offers the tenant's helpdesk-impersonatable-users as the permission choices", async () => {
      await expect(client.permissionChoices(dev.id)).resolves.toEqual([
        deployer,
        { id: 'dev-reader', name: 'dev-reader' },
      ]);
      await expect(client.permissionChoices(prod.id)).resolves.toEqual([]);
      expect(wire()).toEqual([
        ['GET', `/v3/admin/tenant/${dev.id}/metadata`, undefined],
        ['GET', `/v3/admin/tenant/${prod.id}/metadata`, undefined],
      ]);
    });
  });

  describe('agents (§3.1)', () => {
    it('lists agentInstances from admin/tenants/agents: friendlyName as label, agentHostTenantId carried', async () => {
      await expect(client.listAgents(dev.id)).resolves.toEqual([k8s]);
      await expect(client.listAgents(prod.id)).resolves.toEqual([k8s, cost]);
      expect(wire()).toEqual([
        ['GET', '/v1/aiservicedesk/admin/tenants/agents', undefined],
        ['GET', '/v1/aiservicedesk/admin/tenants/agents', undefined],
      ]);
    });

    it('lets agents configured for the portal win, without asking it', async () => {
      await ready('tenant', configured, { agents: [{ name: 'kubernetes-agent', instanceId: 'k8s-1' }] });
      await expect(client.listAgents(dev.id)).resolves.toEqual([
        { id: 'k8s-1', name: 'kubernetes-agent', label: 'kubernetes-agent' },
      ]);
      expect(portal.calls).toEqual([]);
    });
  });

  describe('tickets (§3.2–§3.4, §3.6, §3.8)', () => {
    it('creates with exactly the CreateAiTicket body, then sends the first message on its own', async () => {
      const ticket = newTicket({ history: ['bob: web is down since 9:00', 'carol: 502s on /api'] });
      const created = await client.createTicket(ticket);
      expect(created).toEqual({ ticketName: 'dev-251125133015', historyIncluded: true, resumed: false });
      const reply = await message(created.ticketName, dev.id, k8s, 'The web pods keep crashing');
      expect(reply.data.cmds).toHaveLength(2);

      expect(wire()).toEqual([
        ['POST', `${TICKETS}/${dev.id}`, createBody(ticket)],
        ['POST', `${TICKETS}/${dev.id}/dev-251125133015/sendmessage`, messageBody('The web pods keep crashing')],
      ]);
      expect(portal.calls[0]?.body).toEqual({
        title: 'web is down',
        assignee: {
          agentName: 'kubernetes-agent',
          instanceId: 'k8s-1',
          friendlyName: 'Kubernetes Agent',
          agentHostTenantId: dev.id,
        },
        process_message: false,
        historic_messages: [
          { content: 'bob: web is down since 9:00', data: {} },
          { content: 'carol: 502s on /api', data: {} },
        ],
        defaultAgentPermissions: ['dev-deployer'],
        source: 1,
        imAppDetails: { channelId: 'C0CHANNEL', threadId: '1732541415.000100' },
      });
      expect(portal.ticket('dev-251125133015')).toMatchObject({
        permissions: ['dev-deployer'],
        source: 1,
        imAppDetails: { channelId: 'C0CHANNEL', threadId: '1732541415.000100' },
      });
      expect(portal.ticket('dev-251125133015')?.messages[0]?.user).toEqual({ id: 'U012AB3CD', name: 'alice@acme.io' });
    });

    it('leaves historic_messages and friendlyName out when there are none', async () => {
      const ticket = newTicket({ spaceId: prod.id, agent: cost, permissions: [] });
      portal.setTenantSetting(prod.id, IMPERSONATABLE_USERS_KEY, 'prod-admin');
      const withIdentity = { ...ticket, permissions: [{ id: 'prod-admin', name: 'prod-admin' }] };
      await client.createTicket(withIdentity);
      expect(only('POST', /^\/v1\/aiservicedesk\/tickets\/[^/]+$/).body).toEqual({
        title: 'web is down',
        assignee: { agentName: 'cost-agent', instanceId: 'cost-1', agentHostTenantId: dev.id },
        process_message: false,
        defaultAgentPermissions: ['prod-admin'],
        source: 1,
        imAppDetails: { channelId: 'C0CHANNEL', threadId: '1732541415.000100' },
      });
    });

    it('echoes an approval with the agent’s uids and gets the executed commands (§6)', async () => {
      portal.setAgentScript(proposingWithUids);
      const { ticketName } = await client.createTicket(newTicket());
      const proposal = await message(ticketName, dev.id, k8s, 'restart web');
      expect(proposal.data.cmds.map((command) => command.uid)).toEqual(['cmd-1', 'cmd-2']);
      const echo = echoOf(proposal);
      portal.setCommandOutput('kubectl get pods -n duploservices-dev', 'web-1   1/1   Running');
      const reply = await message(ticketName, dev.id, k8s, 'I approve 1 command and reject 1 command.', echo);

      expect(portal.calls.at(-1)?.body).toEqual(
        messageBody('I approve 1 command and reject 1 command.', {
          cmds: [
            { command: 'kubectl get pods -n duploservices-dev', execute: true, uid: 'cmd-1' },
            {
              command: 'kubectl rollout restart deployment/web -n duploservices-dev',
              execute: false,
              rejection_reason: 'not now',
              uid: 'cmd-2',
            },
          ],
        }),
      );
      expect(reply.data.executed_cmds).toEqual([
        { command: 'kubectl get pods -n duploservices-dev', output: 'web-1   1/1   Running' },
      ]);
      expect(portal.ticket(ticketName)?.commands.map((command) => command.state)).toEqual(['approved', 'rejected']);
    });

    it("recovers a streaming agent's reply from the 500 sendmessage answers (§3.5)", async () => {
      portal.addAgent({ name: 'stream-agent', instanceId: 'stream-1', hostTenantId: dev.id, streaming: true });
      const streamer: Agent = { id: 'stream-1', name: 'stream-agent', label: 'stream-agent', hostSpaceId: dev.id };
      const { ticketName } = await client.createTicket(newTicket({ agent: streamer }));
      const reply = await message(ticketName, dev.id, streamer, 'why are pods crashing?');
      expect(reply.content).toContain('why are pods crashing?');
      expect(reply.data.cmds).toHaveLength(2);
      expect(only('POST', /\/sendmessage$/).status).toBe(500);
    });

    it('reads a ticket without a status (§3.3) and changes its agent with the full record (§3.6)', async () => {
      const { ticketName } = await client.createTicket(newTicket({ spaceId: prod.id, agent: cost, permissions: [] }));
      await expect(client.getTicket(prod.id, ticketName)).resolves.toEqual({
        name: ticketName,
        title: 'web is down',
        status: null,
        agentId: 'cost-1',
      });
      await client.reassignAgent(prod.id, ticketName, k8s);
      await expect(client.getTicket(prod.id, ticketName)).resolves.toMatchObject({ agentId: 'k8s-1' });
      expect(wire().slice(1)).toEqual([
        ['GET', `${TICKETS}/${prod.id}/${ticketName}`, undefined],
        [
          'PUT',
          `${TICKETS}/${prod.id}/${ticketName}/assignee`,
          {
            agentName: 'kubernetes-agent',
            instanceId: 'k8s-1',
            friendlyName: 'Kubernetes Agent',
            agentHostTenantId: dev.id,
          },
        ],
        ['GET', `${TICKETS}/${prod.id}/${ticketName}`, undefined],
      ]);
    });

    it('has no ticket status to set (§3.3): refuses without a request', async () => {
      forget();
      await expect(
        client.setTicketStatus(dev.id, 'dev-251125133015', { status: 'closed', resolution: 'resolved' }),
      ).rejects.toMatchObject({ code: 'input.invalid' });
      expect(wire()).toEqual([]);
    });

    it('links the ticket in the web HelpDesk (§3.8)', () => {
      expect(client.ticketUrl(dev.id, 'dev-251125133015')).toBe(portal.ticketUrl(dev.id, 'dev-251125133015'));
      expect(client.ticketUrl(dev.id, 'dev-251125133015')).toBe(
        `${portal.url}/app/ai/service-desk/${dev.id}/tickets/chat/dev-251125133015`,
      );
    });
  });

  describe('moves (§3.7)', () => {
    const toStaging = (previous: NewTicket['previous']) =>
      newTicket({ spaceId: staging.id, permissions: [stagingDeployer], ...(previous ? { previous } : {}) });

    it('keeps the name in a tenant that has no ticket of that name', async () => {
      const { ticketName } = await client.createTicket(newTicket());
      forget();
      const moved = await client.createTicket(toStaging({ name: ticketName, mayResume: false }));
      expect(moved).toEqual({ ticketName, historyIncluded: true, resumed: false });
      expect(wire()).toEqual([
        ['GET', `${TICKETS}/${staging.id}/${ticketName}`, undefined],
        ['POST', `${TICKETS}/${staging.id}`, createBody(toStaging(undefined), ticketName)],
      ]);
      expect(portal.tickets().map((ticket) => [ticket.spaceId, ticket.name])).toEqual([
        [dev.id, ticketName],
        [staging.id, ticketName],
      ]);
    });

    it("resumes the thread's own ticket there with contextUpdated, only when it may", async () => {
      const { ticketName } = await client.createTicket(toStaging(undefined));
      forget();
      const moved = await client.createTicket(
        newTicket({ spaceId: staging.id, previous: { name: ticketName, mayResume: true } }),
      );
      expect(moved).toEqual({ ticketName, historyIncluded: false, resumed: true });
      await message(ticketName, staging.id, k8s, 'back in staging');
      expect(wire()).toEqual([
        ['GET', `${TICKETS}/${staging.id}/${ticketName}`, undefined],
        ['PUT', `${TICKETS}/${staging.id}/${ticketName}/contextUpdated`, undefined],
        ['POST', `${TICKETS}/${staging.id}/${ticketName}/sendmessage`, messageBody('back in staging')],
      ]);
      expect(portal.ticket(ticketName, staging.id)?.contextUpdates).toBe(1);
    });

    it('gives a new portal-chosen name instead of writing to an unrelated ticket of the same name', async () => {
      const { ticketName } = await client.createTicket(newTicket());
      await client.createTicket(toStaging({ name: ticketName, mayResume: false }));
      forget();
      const moved = await client.createTicket(toStaging({ name: ticketName, mayResume: false }));
      expect(moved).toEqual({ ticketName: 'staging-251125133015', historyIncluded: true, resumed: false });
      expect(wire()).toEqual([
        ['GET', `${TICKETS}/${staging.id}/${ticketName}`, undefined],
        ['POST', `${TICKETS}/${staging.id}`, createBody(toStaging(undefined))],
      ]);
      expect(portal.ticket(ticketName, staging.id)?.contextUpdates).toBe(0);
    });
  });
});

// ───────────────────────────── Gen B ─────────────────────────────

describe.each(modes)('Gen B, the workspace-scoped HelpDesk (%s)', (_mode, configured) => {
  const platform = SeedWorkspaces.platform;
  const data = SeedWorkspaces.data;
  const generic: Agent = { id: SeedWorkspaceAgents.generic.id, name: 'generic-agent', label: 'generic-agent' };
  const k8s: Agent = { id: SeedWorkspaceAgents.k8s.id, name: 'k8s-agent', label: 'k8s-agent' };
  const scopes: Permission[] = [
    { id: SeedScopes.clusterAdmin.id, name: 'cluster-admin' },
    { id: SeedScopes.readOnly.id, name: 'read-only' },
  ];

  const newTicket = (overrides: Partial<NewTicket> = {}): NewTicket => ({
    spaceId: platform.id,
    title: 'web is down',
    agent: generic,
    permissions: scopes,
    thread,
    history: [],
    ...overrides,
  });

  /** The §4 create body, exactly. */
  const createBody = (ticket: NewTicket) => ({
    title: ticket.title,
    aiAgentId: ticket.agent.id,
    workspaceId: ticket.spaceId,
    source: 'helpdesk',
    Origin: 'slack',
    ticketContextForAgent: { scopeIds: ticket.permissions.map((permission) => permission.id), personaIds: [] },
  });

  /** The §4 message body, exactly: no `role` on this generation (CTL's body; §8 lists `role` for both). */
  const messageBody = (content: string, data: Partial<MessageData> = {}) => ({
    content,
    data,
    platform_context: {},
    user: { id: sender.slackUserId, name: sender.name },
  });

  const agentRecord = (agent: Agent) => ['GET', `/v1/aiservicedesk/admin/data/aiagents/${agent.id}`, undefined];

  beforeEach(async () => {
    clock = 1_000_000;
    portal = await startFakePortal({ api: 'workspace', clock: { now: () => CREATED_AT } });
    await ready('workspace', configured);
  });

  describe('workspaces, scopes, agents, people (§4)', () => {
    it('checks the token and lists spaces on admin/data/workspaces', async () => {
      await expect(client.check()).resolves.toBe('workspace');
      // In name order.
      const spaces = [
        { id: data.id, name: 'data' },
        { id: platform.id, name: 'platform' },
      ];
      await expect(client.listSpaces()).resolves.toEqual(spaces);
      const user = { username: SeedUsers.bob, roles: ['User'], isAdmin: false, readOnly: true };
      await expect(client.userSpaces(user)).resolves.toEqual(spaces.map((space) => ({ ...space, readOnly: true })));
      expect(portal.calls.map((call) => call.path).filter((path) => path === Probes.workspace)).toHaveLength(
        configured ? 3 : 4,
      );
      expect(portal.calls.every((call) => call.method === 'GET' && call.body === undefined)).toBe(true);
    });

    it("offers the workspace's scopes and lists its agents by id", async () => {
      await expect(client.permissionChoices(data.id)).resolves.toEqual([
        { id: SeedScopes.readOnly.id, name: 'read-only' },
      ]);
      await expect(client.listAgents(platform.id)).resolves.toEqual([generic, k8s]);
      expect(wire()).toEqual([
        ['GET', `/v1/aiservicedesk/user/data/workspaces/${data.id}/scopes`, undefined],
        ['GET', `/v1/aiservicedesk/user/data/workspaces/${platform.id}/agents`, undefined],
      ]);
    });

    it("finds portal users on the portal's admin API while it is served, else portal.not_found", async () => {
      await expect(client.findUser(SeedUsers.bob)).resolves.toMatchObject({ username: SeedUsers.bob, readOnly: true });
      portal.adminApi = false;
      expect((await failure(client.findUser(SeedUsers.bob))).code).toBe('portal.not_found');
      expect(wire()).toEqual([
        ['GET', '/admin/GetAllUserRoles', undefined],
        ['GET', '/admin/GetAllUserRoles', undefined],
      ]);
    });

    it('is detected and works on a HelpDesk served from its own host (seed adminApi: false)', async () => {
      await portal.close();
      portal = await startFakePortal({ api: 'workspace', seed: { ...defaultWorkspaceSeed(), adminApi: false } });
      await ready('workspace', configured);
      const error = await failure(client.findUser(SeedUsers.bob));
      expect(error.code).toBe('portal.not_found');
      expect(error.message).toBe('Portal "fake": find user failed: HTTP 404 (Resource not found)');
      await expect(client.check()).resolves.toBe('workspace');
      await expect(client.listAgents(platform.id)).resolves.toEqual([generic, k8s]);
    });
  });

  describe('tickets (§4, §5)', () => {
    it('creates with exactly the create body, without the history, then sends the first message on sendMessage', async () => {
      const ticket = newTicket({ history: ['bob: web is down since 9:00'] });
      const created = await client.createTicket(ticket);
      expect(created).toEqual({ ticketName: 'PLATFORM-1', historyIncluded: false, resumed: false });
      await message('PLATFORM-1', platform.id, generic, 'bob: web is down since 9:00\n\nThe pods crash');
      expect(wire()).toEqual([
        ['POST', `${TICKETS}/${platform.id}`, createBody(ticket)],
        agentRecord(generic),
        [
          'POST',
          `${TICKETS}/${platform.id}/PLATFORM-1/sendMessage`,
          messageBody('bob: web is down since 9:00\n\nThe pods crash'),
        ],
      ]);
      expect(portal.calls[0]?.body).toEqual({
        title: 'web is down',
        aiAgentId: SeedWorkspaceAgents.generic.id,
        workspaceId: platform.id,
        source: 'helpdesk',
        Origin: 'slack',
        ticketContextForAgent: { scopeIds: [SeedScopes.clusterAdmin.id, SeedScopes.readOnly.id], personaIds: [] },
      });
      expect(portal.ticket('PLATFORM-1')).toMatchObject({
        permissions: scopes.map((scope) => scope.id),
        personaIds: [],
      });
    });

    it('streams for an agent whose metaData.STREAMING_ENABLED is "true", doesSupportStreaming notwithstanding', async () => {
      expect(SeedWorkspaceAgents.k8s.doesSupportStreaming).toBe(false);
      const { ticketName } = await client.createTicket(newTicket({ agent: k8s }));
      const reply = await message(ticketName, platform.id, k8s, 'pods crash');
      expect(reply.content).toContain('pods crash');
      expect(reply.data.cmds).toHaveLength(2);
      expect(wire().slice(1)).toEqual([
        agentRecord(k8s),
        ['POST', `${TICKETS}/${platform.id}/${ticketName}/sendMessageStreaming`, messageBody('pods crash')],
      ]);
      expect(only('POST', /sendMessageStreaming$/).streamedEvents).toBeGreaterThan(3);
    });

    it('recovers the reply when the flag is stale and the unary call answers 400 with the events (§5.3)', async () => {
      const { ticketName } = await client.createTicket(newTicket());
      await message(ticketName, platform.id, generic, 'first');
      const live = portal.agents.find((agent) => agent.id === generic.id);
      if (live) live.streaming = true;
      const reply = await message(ticketName, platform.id, generic, 'the pods crash again');
      expect(reply.content).toContain('the pods crash again');
      expect(portal.calls.at(-1)).toMatchObject({
        method: 'POST',
        path: `${TICKETS}/${platform.id}/${ticketName}/sendMessage`,
        status: 400,
      });
    });

    it('echoes an approval with the agent’s uids (§6), on the stream too', async () => {
      portal.setAgentScript(proposingWithUids);
      const { ticketName } = await client.createTicket(newTicket({ agent: k8s }));
      const proposal = await message(ticketName, platform.id, k8s, 'restart web');
      expect(proposal.data.cmds.map((command) => command.uid)).toEqual(['cmd-1', 'cmd-2']);
      const reply = await message(
        ticketName,
        platform.id,
        k8s,
        'I approve 1 command and reject 1 command.',
        echoOf(proposal),
      );
      expect(portal.calls.at(-1)?.body).toEqual(
        messageBody('I approve 1 command and reject 1 command.', {
          cmds: [
            { command: 'kubectl get pods -n duploservices-platform', execute: true, uid: 'cmd-1' },
            {
              command: 'kubectl rollout restart deployment/web -n duploservices-platform',
              execute: false,
              rejection_reason: 'not now',
              uid: 'cmd-2',
            },
          ],
        }),
      );
      expect(reply.data.executed_cmds.map((executed) => executed.command)).toEqual([
        'kubectl get pods -n duploservices-platform',
      ]);
    });

    it('reads the status from history.statuses and changes the agent by id in the path, without a body', async () => {
      const { ticketName } = await client.createTicket(newTicket());
      await expect(client.getTicket(platform.id, ticketName)).resolves.toEqual({
        name: ticketName,
        title: 'web is down',
        status: 'open',
        agentId: generic.id,
      });
      portal.setTicketStatus(ticketName, 'waitingForUserInput');
      await client.reassignAgent(platform.id, ticketName, k8s);
      await expect(client.getTicket(platform.id, ticketName)).resolves.toMatchObject({
        status: 'waitingForUserInput',
        agentId: k8s.id,
      });
      expect(wire().slice(1)).toEqual([
        ['GET', `${TICKETS}/${platform.id}/${ticketName}`, undefined],
        ['PUT', `${TICKETS}/${platform.id}/${ticketName}/assignee/${k8s.id}`, undefined],
        ['GET', `${TICKETS}/${platform.id}/${ticketName}`, undefined],
      ]);
    });

    it('closes with status closed and the disposition, and reopens with status open (§4 Close)', async () => {
      const { ticketName } = await client.createTicket(newTicket());
      forget();
      await client.setTicketStatus(platform.id, ticketName, { status: 'closed', resolution: 'resolved' });
      expect(portal.ticket(ticketName)?.statusHistory?.at(-1)).toMatchObject({
        status: 'closed',
        disposition: 'resolved',
      });
      await client.setTicketStatus(platform.id, ticketName, { status: 'open' });
      await client.setTicketStatus(platform.id, ticketName, { status: 'closed', resolution: 'unresolved' });
      await expect(client.getTicket(platform.id, ticketName)).resolves.toMatchObject({ status: 'closed' });
      const path = `${TICKETS}/${platform.id}/${ticketName}/status`;
      expect(wire()).toEqual([
        ['PUT', path, { status: 'closed', disposition: 'resolved' }],
        ['PUT', path, { status: 'open' }],
        ['PUT', path, { status: 'closed', disposition: 'unResolved' }],
        ['GET', `${TICKETS}/${platform.id}/${ticketName}`, undefined],
      ]);
      await expect(client.setTicketStatus(platform.id, 'PLATFORM-999', { status: 'open' })).rejects.toMatchObject({
        code: 'portal.not_found',
      });
    });

    it('moves by opening a new ticket in the other workspace: no lookup, no contextUpdated', async () => {
      const { ticketName } = await client.createTicket(newTicket());
      forget();
      const readOnly = [{ id: SeedScopes.readOnly.id, name: 'read-only' }];
      const moved = await client.createTicket(
        newTicket({ spaceId: data.id, permissions: readOnly, previous: { name: ticketName, mayResume: true } }),
      );
      expect(moved).toEqual({ ticketName: 'DATA-1', historyIncluded: false, resumed: false });
      expect(wire()).toEqual([
        ['POST', `${TICKETS}/${data.id}`, createBody(newTicket({ spaceId: data.id, permissions: readOnly }))],
      ]);
    });

    it('links the ticket in the web HelpDesk', () => {
      expect(client.ticketUrl(platform.id, 'PLATFORM-1')).toBe(portal.ticketUrl(platform.id, 'PLATFORM-1'));
    });
  });
});

// ───────────────────────────── requests per flow ─────────────────────────────

describe('requests per flow', () => {
  /**
   * What each flow of the service costs in HTTP requests to the portal, counted from what the fake received: the
   * PortalClient calls a flow makes once its access checks passed (those read users, spaces, agents and permissions
   * through the access service's cache, and come on top). A detected portal adds its two probes once, and again on
   * each readiness check.
   */
  const table: string[][] = [];

  const count = async (run: () => Promise<unknown>): Promise<string> => {
    forget();
    await run();
    return portal.calls.map((call) => `${call.method} ${call.path.split('/').slice(-1)[0]}`).join(', ');
  };

  afterAll(() => {
    console.info(`portal requests per flow\n${table.map((row) => row.join(' | ')).join('\n')}`);
  });

  it('Gen A', async () => {
    portal = await startFakePortal({ clock: { now: () => CREATED_AT } });
    await ready('tenant', true);
    const dev = SeedTenants.dev;
    const k8s: Agent = { id: 'k8s-1', name: 'kubernetes-agent', label: 'Kubernetes Agent', hostSpaceId: dev.id };
    const cost: Agent = { id: 'cost-1', name: 'cost-agent', label: 'cost-agent', hostSpaceId: dev.id };
    const ticket: NewTicket = {
      spaceId: dev.id,
      title: 't',
      agent: k8s,
      permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
      thread,
      history: [],
    };
    let name = '';
    const flows: Array<[string, () => Promise<unknown>]> = [
      [
        'create ticket + first message',
        async () => {
          name = (await client.createTicket(ticket)).ticketName;
          return message(name, dev.id, k8s, 'pods crash');
        },
      ],
      ['relay', () => message(name, dev.id, k8s, 'and now?')],
      [
        'approval echo',
        () =>
          message(name, dev.id, k8s, 'I approve 1 command.', {
            cmds: [{ command: 'kubectl get pods -n duploservices-dev', execute: true }],
          }),
      ],
      [
        'agent change',
        async () => {
          portal.setTenantSetting(SeedTenants.prod.id, IMPERSONATABLE_USERS_KEY, 'prod-admin');
          const inProd = await client.createTicket({
            ...ticket,
            spaceId: SeedTenants.prod.id,
            permissions: [{ id: 'prod-admin', name: 'prod-admin' }],
          });
          forget();
          return client.reassignAgent(SeedTenants.prod.id, inProd.ticketName, cost);
        },
      ],
      [
        'move (name kept) + first message',
        async () => {
          const moved = await client.createTicket({
            ...ticket,
            spaceId: SeedTenants.staging.id,
            permissions: [{ id: 'staging-deployer', name: 'staging-deployer' }],
            previous: { name, mayResume: false },
          });
          return message(moved.ticketName, SeedTenants.staging.id, k8s, 'moved');
        },
      ],
      [
        'move (resumed) + first message',
        async () => {
          const moved = await client.createTicket({
            ...ticket,
            spaceId: SeedTenants.staging.id,
            previous: { name, mayResume: true },
          });
          return message(moved.ticketName, SeedTenants.staging.id, k8s, 'back');
        },
      ],
      ['ticket status (App Home)', () => client.getTicket(dev.id, name)],
    ];
    const counts: number[] = [];
    for (const [flow, run] of flows) {
      const asked = await count(run);
      counts.push(portal.calls.length);
      table.push(['Gen A', flow, String(portal.calls.length), asked]);
    }
    expect(counts).toEqual([2, 1, 1, 1, 3, 3, 1]);
  });

  it('Gen B', async () => {
    portal = await startFakePortal({ api: 'workspace', clock: { now: () => CREATED_AT } });
    await ready('workspace', true);
    const platform = SeedWorkspaces.platform;
    const generic: Agent = { id: SeedWorkspaceAgents.generic.id, name: 'generic-agent', label: 'generic-agent' };
    const k8s: Agent = { id: SeedWorkspaceAgents.k8s.id, name: 'k8s-agent', label: 'k8s-agent' };
    const ticket: NewTicket = {
      spaceId: platform.id,
      title: 't',
      agent: generic,
      permissions: [{ id: SeedScopes.readOnly.id, name: 'read-only' }],
      thread,
      history: [],
    };
    let name = '';
    const flows: Array<[string, () => Promise<unknown>]> = [
      [
        'create ticket + first message',
        async () => {
          name = (await client.createTicket(ticket)).ticketName;
          return message(name, platform.id, generic, 'pods crash');
        },
      ],
      ['relay', () => message(name, platform.id, generic, 'and now?')],
      [
        'approval echo',
        () =>
          message(name, platform.id, generic, 'I approve 1 command.', {
            cmds: [{ command: 'kubectl get pods -n duploservices-platform', execute: true }],
          }),
      ],
      ['agent change', () => client.reassignAgent(platform.id, name, k8s)],
      [
        'relay, a minute later (flag read again)',
        () => {
          clock += 61_000;
          return message(name, platform.id, generic, 'still there?');
        },
      ],
      [
        'move + first message',
        async () => {
          const moved = await client.createTicket({
            ...ticket,
            spaceId: SeedWorkspaces.data.id,
            previous: { name, mayResume: true },
          });
          return message(moved.ticketName, SeedWorkspaces.data.id, generic, 'moved');
        },
      ],
      ['ticket status (App Home)', () => client.getTicket(platform.id, name)],
    ];
    const counts: number[] = [];
    for (const [flow, run] of flows) {
      const asked = await count(run);
      counts.push(portal.calls.length);
      table.push(['Gen B', flow, String(portal.calls.length), asked]);
    }
    expect(counts).toEqual([3, 1, 1, 1, 2, 2, 1]);
  });
});

function never(): never {
  throw new Error('expected a value');
}
