import { Readable } from 'node:stream';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakePortal,
  SeedScopes,
  SeedUsers,
  SeedWorkspaceAgents,
  SeedWorkspaces,
  startFakePortal,
  streamingErrorText,
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
import type { Agent, PortalUser } from '../domain/helpdesk.js';
import { emptyMessageData } from '../domain/messages.js';
import type { NewTicket, PortalClient } from '../domain/ports.js';
import type { PortalClientOptions } from './portal-client.js';
import type { PortalOperation } from './portal-http.js';
import {
  AgentRecordSchema,
  ScopesSchema,
  WorkspaceCreateReplySchema,
  WorkspacesSchema,
  WorkspaceTicketSchema,
} from './workspace-helpdesk.js';

/**
 * The workspace-scoped HelpDesk adapter (Gen B, docs/duplocloud-api.md §4, §5) against the fake portal of that
 * generation, through a portal client configured with `api: workspace`; nock serves the shapes the fake never sends
 * (other list envelopes, a wrapped reply, SSE frames cut at chosen bytes).
 */

const CREATED_AT = new Date('2026-06-01T09:00:00Z');
const platform = SeedWorkspaces.platform;
const data = SeedWorkspaces.data;
const TICKETS = '/v1/aiservicedesk/tickets';

const generic: Agent = { ...SeedWorkspaceAgents.generic, label: SeedWorkspaceAgents.generic.name };
const k8s: Agent = { id: SeedWorkspaceAgents.k8s.id, name: SeedWorkspaceAgents.k8s.name, label: 'k8s-agent' };
const readOnlyScope = { id: SeedScopes.readOnly.id, name: SeedScopes.readOnly.name };

const admin: PortalUser = { username: SeedUsers.admin, roles: ['Administrator'], isAdmin: true, readOnly: false };
const bob: PortalUser = { username: SeedUsers.bob, roles: ['User'], isAdmin: false, readOnly: true };

let portal: FakePortal;
let clock = 0;

const config = (extra: Partial<PortalConfig> = {}): PortalConfig =>
  portalConfig({ name: 'acme', host: portal.url, token: portal.adminToken, api: 'workspace', ...extra });

const setup = (options: PortalClientOptions = {}, extra: Partial<PortalConfig> = {}) =>
  recordingClient(config(extra), { now: () => clock, ...options });

const newTicket = (overrides: Partial<NewTicket> = {}): NewTicket => ({
  spaceId: platform.id,
  title: 'web is down',
  agent: generic,
  permissions: [readOnlyScope],
  thread,
  history: [],
  ...overrides,
});

const send = (client: PortalClient, ticketName: string, agent: Agent, content = 'pods crash', data = {}) =>
  client.sendMessage({ spaceId: platform.id, ticketName, agentId: agent.id, content, data, sender });

const paths = () => portal.calls.map((call) => `${call.method} ${call.path}`);

blockNetworkButLoopback();

beforeEach(async () => {
  clock = 1_000_000;
  portal = await startFakePortal({ api: 'workspace', clock: { now: () => CREATED_AT } });
});

afterEach(async () => {
  await portal.close();
});

describe('check, spaces and people', () => {
  it('checks the token on the workspace listing', async () => {
    const { client, observed } = setup();
    await expect(client.check()).resolves.toBe('workspace');
    expect(paths()).toEqual(['GET /v1/aiservicedesk/admin/data/workspaces']);
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['check', 'ok']]);
    expect((await failure(recordingClient({ ...config(), token: 'nope' }).client.check())).code).toBe(
      'portal.unauthorized',
    );
  });

  it('lists every workspace the token sees, for anyone, with their own read-only flag', async () => {
    const { client } = setup();
    // In name order.
    await expect(client.listSpaces()).resolves.toEqual([
      { id: data.id, name: 'data' },
      { id: platform.id, name: 'platform' },
    ]);
    await expect(client.userSpaces(admin)).resolves.toEqual([
      { id: data.id, name: 'data', readOnly: false },
      { id: platform.id, name: 'platform', readOnly: false },
    ]);
    await expect(client.userSpaces(bob)).resolves.toEqual([
      { id: data.id, name: 'data', readOnly: true },
      { id: platform.id, name: 'platform', readOnly: true },
    ]);
  });

  it("finds portal users through the portal's admin API where it is served", async () => {
    const { client } = setup();
    await expect(client.findUser('BOB@acme.io')).resolves.toEqual(bob);
    await expect(client.findUser('carol@acme.io')).resolves.toBeNull();
  });

  it('is portal.not_found when the HelpDesk has no admin API (its own host)', async () => {
    portal.adminApi = false;
    const error = await failure(setup().client.findUser(SeedUsers.alice));
    expect(error.code).toBe('portal.not_found');
    expect(paths()).toEqual(['GET /admin/GetAllUserRoles']);
  });
});

describe('permissionChoices and listAgents', () => {
  it("offers the workspace's scopes", async () => {
    const { client } = setup();
    await expect(client.permissionChoices(platform.id)).resolves.toEqual([
      { id: SeedScopes.fullAccess.id, name: 'full-access' },
      { id: SeedScopes.clusterAdmin.id, name: 'cluster-admin' },
      { id: SeedScopes.readOnly.id, name: 'read-only' },
    ]);
    await expect(client.permissionChoices(data.id)).resolves.toEqual([readOnlyScope]);
    expect(paths()[0]).toBe(`GET /v1/aiservicedesk/user/data/workspaces/${platform.id}/scopes`);
    expect((await failure(client.permissionChoices('0'.repeat(24)))).code).toBe('portal.not_found');
  });

  it("lists the workspace's agents by id, and configured agents win without a call", async () => {
    await expect(setup().client.listAgents(platform.id)).resolves.toEqual([generic, k8s]);
    await expect(setup().client.listAgents(data.id)).resolves.toEqual([generic]);
    expect(paths()[0]).toBe(`GET /v1/aiservicedesk/user/data/workspaces/${platform.id}/agents`);
    portal.resetCalls();
    const configured = setup({}, { agents: [{ name: 'ops', instanceId: '66a0f2c3d4e5f6a7b8c909ff' }] });
    await expect(configured.client.listAgents(platform.id)).resolves.toEqual([
      { id: '66a0f2c3d4e5f6a7b8c909ff', name: 'ops', label: 'ops' },
    ]);
    expect(portal.calls).toEqual([]);
  });
});

describe('createTicket', () => {
  it('creates the ticket; the history does not go with it (it belongs in the first message)', async () => {
    const { client, observed } = setup();
    await expect(client.createTicket(newTicket({ history: ['bob: it broke'] }))).resolves.toEqual({
      ticketName: 'PLATFORM-1',
      historyIncluded: false,
      resumed: false,
    });
    expect(portal.ticket('PLATFORM-1')).toMatchObject({
      spaceId: platform.id,
      aiAgentId: generic.id,
      permissions: [readOnlyScope.id],
      historicMessages: [],
    });
    expect(observed.map((call) => [call.operation, call.outcome])).toEqual([['createTicket', 'ok']]);
  });

  it('opens a new ticket on a move: no lookup, no name kept, nothing resumed', async () => {
    const { client } = setup();
    await client.createTicket(newTicket());
    portal.resetCalls();
    const moved = await client.createTicket(
      newTicket({ spaceId: data.id, previous: { name: 'PLATFORM-1', mayResume: true } }),
    );
    expect(moved).toEqual({ ticketName: 'DATA-1', historyIncluded: false, resumed: false });
    expect(paths()).toEqual([`POST ${TICKETS}/${data.id}`]);
  });

  it('maps refusals: an agent or scope of another workspace → rejected, an unknown workspace → not_found', async () => {
    const { client } = setup();
    expect((await failure(client.createTicket(newTicket({ spaceId: data.id, agent: k8s })))).code).toBe(
      'portal.rejected',
    );
    const scope = { id: SeedScopes.fullAccess.id, name: 'full-access' };
    expect((await failure(client.createTicket(newTicket({ spaceId: data.id, permissions: [scope] })))).code).toBe(
      'portal.rejected',
    );
    expect((await failure(client.createTicket(newTicket({ spaceId: 'f'.repeat(24) })))).code).toBe('portal.not_found');
  });
});

describe('sendMessage', () => {
  const agentPath = (agent: Agent) => `GET /v1/aiservicedesk/admin/data/aiagents/${agent.id}`;

  it("reads the agent's streaming flag, then answers on sendMessage when it does not stream", async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    portal.resetCalls();
    const reply = await send(client, ticketName, generic);
    expect(reply).toEqual({
      role: 'assistant',
      content: expect.stringContaining('pods crash'),
      data: {
        ...emptyMessageData(),
        cmds: [
          { command: 'kubectl get pods -n duploservices-platform', execute: false },
          { command: 'kubectl rollout restart deployment/web -n duploservices-platform', execute: false },
        ],
      },
    });
    expect(paths()).toEqual([agentPath(generic), `POST ${TICKETS}/${platform.id}/${ticketName}/sendMessage`]);
  });

  it('streams when metaData.STREAMING_ENABLED says so, whatever doesSupportStreaming says', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket({ agent: k8s }));
    portal.resetCalls();
    const reply = await send(client, ticketName, k8s);
    expect(reply.content).toContain('pods crash');
    expect(reply.data.cmds).toHaveLength(2);
    expect(paths()).toEqual([agentPath(k8s), `POST ${TICKETS}/${platform.id}/${ticketName}/sendMessageStreaming`]);
    expect(portal.calls[1]?.streamedEvents).toBeGreaterThan(3);

    // And the other way round: doesSupportStreaming true, the flag false → unary.
    const liar = portal.addAgent({ name: 'liar', doesSupportStreaming: true, workspaces: [platform.id] });
    const liarAgent = { id: liar.id, name: 'liar', label: 'liar' };
    const second = await client.createTicket(newTicket({ agent: liarAgent }));
    portal.resetCalls();
    await send(client, second.ticketName, liarAgent);
    expect(paths().at(-1)).toBe(`POST ${TICKETS}/${platform.id}/${second.ticketName}/sendMessage`);
  });

  it.each([
    ['true', 'sendMessageStreaming'],
    [' TRUE ', 'sendMessageStreaming'],
    ['false', 'sendMessage'],
    ['yes', 'sendMessage'],
    [undefined, 'sendMessage'],
  ])('reads STREAMING_ENABLED %j as → %s', async (flag, endpoint) => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket({ agent: k8s }));
    portal.inject({
      path: /\/aiagents\//,
      body: JSON.stringify({
        success: true,
        data: { id: k8s.id, name: 'k8s-agent', doesSupportStreaming: true, metaData: { STREAMING_ENABLED: flag } },
      }),
    });
    // k8s-agent streams: on sendMessage it answers 400 with its events, which are recovered (§5.3).
    await expect(send(client, ticketName, k8s)).resolves.toMatchObject({ content: expect.stringContaining('pods') });
    expect(paths().at(-1)).toBe(`POST ${TICKETS}/${platform.id}/${ticketName}/${endpoint}`);
  });

  it('reads the flag before a send at most once a minute per agent', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    const flagReads = () => portal.callsTo('GET', /\/aiagents\//).length;
    await send(client, ticketName, generic, 'one');
    clock += 59_000;
    await send(client, ticketName, generic, 'two');
    expect(flagReads()).toBe(1);
    clock += 2_000;
    await send(client, ticketName, generic, 'three');
    expect(flagReads()).toBe(2);
  });

  it('recovers the reply when the flag went stale and sendMessage answers 400 with the events (§4, §5.3)', async () => {
    const { client, observed } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    await send(client, ticketName, generic, 'first');
    const live = portal.agents.find((agent) => agent.id === generic.id);
    if (live) live.streaming = true;
    const reply = await send(client, ticketName, generic, 'the pods crash again');
    const unary = portal.callsTo('POST', /\/sendMessage$/).at(-1);
    expect(unary?.status).toBe(400);
    expect(reply.content).toContain('the pods crash again');
    expect(reply.data.cmds).toHaveLength(2);
    expect(observed.at(-1)).toMatchObject({ operation: 'sendMessage', outcome: 'ok' });
  });

  it('fails, sending nothing, when the agent record cannot be read', async () => {
    const { client } = setup();
    const error = await failure(send(client, 'PLATFORM-9', { id: 'f'.repeat(24), name: 'gone', label: 'gone' }));
    expect(error.code).toBe('portal.not_found');
    expect(portal.callsTo('POST', /sendMessage/)).toEqual([]);
  });

  describe('streams (§5.2)', () => {
    const streamedTicket = async (client: PortalClient) =>
      (await client.createTicket(newTicket({ agent: k8s }))).ticketName;

    it('reads event: lines and keep-alives, tiny deltas included', async () => {
      portal.setStreamPacing({ eventLines: true, deltaChars: 1 });
      const { client } = setup();
      const ticketName = await streamedTicket(client);
      const reply = await send(client, ticketName, k8s, 'héllo 🚀 日本');
      expect(reply.content).toContain('"héllo 🚀 日本"');
    });

    it("fails with agent.failed and the agent's words on an error event", async () => {
      portal.setAgentScript(() => ({ error: 'quota exceeded' }));
      const { client } = setup();
      const ticketName = await streamedTicket(client);
      const error = await failure(send(client, ticketName, k8s));
      expect(error.code).toBe('agent.failed');
      expect(error.message).toBe('Portal "acme": the agent reported an error: quota exceeded');
    });

    it('fails as portal.unavailable (STREAM_CUT) when the stream ends before done', async () => {
      portal.setAgentScript(() => ({ events: [{ type: 'text_delta', text: 'half an ans' }] }));
      const { client } = setup();
      const ticketName = await streamedTicket(client);
      const error = await failure(send(client, ticketName, k8s));
      expect(error.code).toBe('portal.unavailable');
      expect(error.details).toMatchObject({ errorCode: 'STREAM_CUT' });
    });

    it('fails as portal.unavailable (STREAM_CUT) when the connection drops mid-stream', async () => {
      const { client, observed } = setup();
      const ticketName = await streamedTicket(client);
      portal.inject({ method: 'POST', path: /sendMessageStreaming$/, dropAfterEvents: 2 });
      const error = await failure(send(client, ticketName, k8s));
      expect(error.code).toBe('portal.unavailable');
      expect(error.details).toMatchObject({ errorCode: 'STREAM_CUT' });
      expect(portal.callsTo('POST', /sendMessageStreaming$/)[0]?.streamedEvents).toBe(2);
      expect(observed.at(-1)).toMatchObject({ operation: 'sendMessage', outcome: 'portal.unavailable' });
    });

    it('fails as portal.timeout when the whole stream takes longer than the agent time limit', async () => {
      const { client } = setup({ agentTimeoutMs: 500 });
      const ticketName = await streamedTicket(client);
      portal.setStreamPacing({ eventDelayMs: 200 });
      const error = await failure(send(client, ticketName, k8s));
      expect(error.code).toBe('portal.timeout');
      expect(error.message).toBe('Portal "acme": the agent\'s stream took too long');
    });

    it('fails as portal.timeout when the portal does not start answering in time', async () => {
      const { client } = setup({ agentTimeoutMs: 400 });
      const ticketName = await streamedTicket(client);
      portal.inject({ method: 'POST', path: /sendMessageStreaming$/, delayMs: 3_000 });
      const error = await failure(send(client, ticketName, k8s));
      expect(error.code).toBe('portal.timeout');
      expect(error.message).toBe('Portal "acme": send message failed: no answer in time');
    });

    it('recovers a §5.3 body from the streaming endpoint, and maps a real error body by its status', async () => {
      const { client } = setup();
      const ticketName = await streamedTicket(client);
      const events = [
        { type: 'text_delta', text: 'recovered' },
        { type: 'done', stop_reason: 'end_turn' },
      ];
      portal.inject({
        method: 'POST',
        path: /sendMessageStreaming$/,
        status: 400,
        body: JSON.stringify(streamingErrorText(events)),
      });
      await expect(send(client, ticketName, k8s)).resolves.toMatchObject({ content: 'recovered' });
      const missing = await failure(send(client, 'PLATFORM-404', k8s));
      expect(missing.code).toBe('portal.not_found');
      expect(missing.message).toBe('Portal "acme": send message failed: HTTP 404 (Ticket not found)');
    });
  });
});

describe('getTicket', () => {
  it('reads the status from the last of history.statuses, and the agent id', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket({ title: 'Pods crash' }));
    await expect(client.getTicket(platform.id, ticketName)).resolves.toEqual({
      name: ticketName,
      title: 'Pods crash',
      status: 'open',
      agentId: generic.id,
    });
    portal.setTicketStatus(ticketName, 'waitingForUserInput');
    portal.setTicketStatus(ticketName, 'closed', 'resolved');
    await expect(client.getTicket(platform.id, ticketName)).resolves.toMatchObject({ status: 'closed' });
    expect((await failure(client.getTicket(platform.id, 'PLATFORM-99'))).code).toBe('portal.not_found');
  });
});

describe('reassignAgent', () => {
  it('PUTs the agent id in the path, without a body', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket());
    portal.resetCalls();
    await expect(client.reassignAgent(platform.id, ticketName, k8s)).resolves.toBeUndefined();
    expect(portal.calls.map((call) => [call.method, call.path, call.body])).toEqual([
      ['PUT', `${TICKETS}/${platform.id}/${ticketName}/assignee/${k8s.id}`, undefined],
    ]);
    expect(portal.ticket(ticketName)?.aiAgentId).toBe(k8s.id);
  });

  it('maps an agent of another workspace to portal.rejected', async () => {
    const { client } = setup();
    const { ticketName } = await client.createTicket(newTicket({ spaceId: data.id }));
    expect((await failure(client.reassignAgent(data.id, ticketName, k8s))).code).toBe('portal.rejected');
  });
});

describe('shapes only nock serves', () => {
  const HOST = 'https://helpdesk.acme.test';
  const WID = platform.id;
  const nocked = () =>
    recordingClient(portalConfig({ name: 'acme', host: HOST, token: 'tok-SECRET-b', api: 'workspace' }), {
      now: () => clock,
    });
  const flag = (streaming: boolean) =>
    nock(HOST)
      .get(`/v1/aiservicedesk/admin/data/aiagents/${k8s.id}`)
      .reply(200, {
        success: true,
        data: { id: k8s.id, name: 'k8s-agent', metaData: { STREAMING_ENABLED: String(streaming) } },
      });

  it.each([
    ['{success, data: {items}}', { success: true, data: { items: [{ id: WID, name: 'platform' }] } }],
    ['{success, data: [...]}', { success: true, data: [{ id: WID, name: 'platform' }] }],
    ['a bare list', [{ id: WID, name: 'platform' }]],
  ])('reads a list sent as %s', async (_case, body) => {
    nock(HOST).get('/v1/aiservicedesk/admin/data/workspaces').reply(200, body);
    await expect(nocked().client.listSpaces()).resolves.toEqual([{ id: WID, name: 'platform' }]);
  });

  it('reads a unary reply bare or wrapped in {success, data}', async () => {
    flag(false).persist();
    const path = `${TICKETS}/${WID}/PLATFORM-1/sendMessage`;
    nock(HOST)
      .post(path)
      .reply(200, { content: 'bare', data: { cmds: [] } });
    nock(HOST)
      .post(path)
      .reply(200, { success: true, data: { role: 'assistant', content: 'wrapped', data: null } });
    const { client } = nocked();
    await expect(send(client, 'PLATFORM-1', k8s)).resolves.toMatchObject({ role: 'assistant', content: 'bare' });
    await expect(send(client, 'PLATFORM-1', k8s)).resolves.toMatchObject({ role: 'assistant', content: 'wrapped' });
  });

  it('falls back to a status field, and to null, when history.statuses is absent', async () => {
    nock(HOST)
      .get(`${TICKETS}/${WID}/PLATFORM-1`)
      .reply(200, { success: true, data: { name: 'PLATFORM-1', title: 't', status: 'inProgress' } });
    nock(HOST)
      .get(`${TICKETS}/${WID}/PLATFORM-2`)
      .reply(200, { success: true, data: { name: 'PLATFORM-2', history: { statuses: null } } });
    const { client } = nocked();
    await expect(client.getTicket(WID, 'PLATFORM-1')).resolves.toEqual({
      name: 'PLATFORM-1',
      title: 't',
      status: 'inProgress',
      agentId: null,
    });
    await expect(client.getTicket(WID, 'PLATFORM-2')).resolves.toMatchObject({ status: null });
  });

  it('reads an SSE answer whose frames arrive cut inside data: and inside characters', async () => {
    flag(true);
    const text = [
      ': keep-alive\n\n',
      `data: ${JSON.stringify({ type: 'text_delta', text: 'Ça marche 🚀 ' })}\n\n`,
      `event: text_delta\ndata: ${JSON.stringify({ type: 'text_delta', text: '日本' })}\n\n`,
      `data: ${JSON.stringify({ type: 'done', stop_reason: 'end_turn' })}\n\n`,
    ].join('');
    const bytes = Buffer.from(text);
    const cuts = [
      bytes.indexOf('data:') + 3, // inside `data:`
      bytes.indexOf('Ç') + 1, // inside a 2-byte character
      bytes.indexOf('🚀') + 2, // inside a 4-byte one
      bytes.indexOf('日') + 1, // inside a 3-byte one
      bytes.lastIndexOf('\n\n') + 1, // between the two line ends of the last frame
    ];
    const chunks = [0, ...cuts].map((start, index) => bytes.subarray(start, [...cuts, bytes.length][index]));
    let seenAccept: string | undefined;
    nock(HOST)
      .post(`${TICKETS}/${WID}/PLATFORM-1/sendMessageStreaming`)
      .reply(function () {
        seenAccept = this.req.headers.accept;
        const body = new Readable({ read() {} });
        chunks.forEach((chunk, index) => {
          setTimeout(() => body.push(chunk), 5 * (index + 1));
        });
        setTimeout(() => body.push(null), 5 * (chunks.length + 1));
        return [200, body, { 'Content-Type': 'text/event-stream' }];
      });
    const reply = await send(nocked().client, 'PLATFORM-1', k8s);
    expect(reply.content).toBe('Ça marche 🚀 日本');
    expect(seenAccept).toBe('text/event-stream');
  });
});

describe('failure mapping, every call', () => {
  interface Call {
    readonly name: string;
    readonly operation: PortalOperation;
    readonly words: string;
    readonly method: 'GET' | 'POST' | 'PUT';
    readonly path: RegExp;
    readonly run: (client: PortalClient) => Promise<unknown>;
    /** Failures that are answers for this call (a body it never reads). */
    readonly ok?: readonly string[];
    /** Where this call fails otherwise than the table says: the code and the whole message. */
    readonly otherwise?: Readonly<Record<string, { readonly code: string; readonly message: RegExp }>>;
  }

  const calls: Call[] = [
    {
      name: 'check',
      operation: 'check',
      words: 'check',
      method: 'GET',
      path: /\/admin\/data\/workspaces$/,
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
      name: 'userSpaces',
      operation: 'userSpaces',
      words: 'user spaces',
      method: 'GET',
      path: /\/admin\/data\/workspaces$/,
      run: (client) => client.userSpaces(bob),
    },
    {
      name: 'listSpaces',
      operation: 'listSpaces',
      words: 'list spaces',
      method: 'GET',
      path: /\/admin\/data\/workspaces$/,
      run: (client) => client.listSpaces(),
    },
    {
      name: 'permissionChoices',
      operation: 'permissionChoices',
      words: 'permission choices',
      method: 'GET',
      path: /\/scopes$/,
      run: (client) => client.permissionChoices(platform.id),
    },
    {
      name: 'listAgents',
      operation: 'listAgents',
      words: 'list agents',
      method: 'GET',
      path: /\/user\/data\/workspaces\/[^/]+\/agents$/,
      run: (client) => client.listAgents(platform.id),
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
      name: "sendMessage (the agent's flag)",
      operation: 'sendMessage',
      words: 'send message',
      method: 'GET',
      path: /\/admin\/data\/aiagents\/[^/]+$/,
      run: (client) => send(client, 'PLATFORM-1', generic),
    },
    {
      name: 'sendMessage (unary)',
      operation: 'sendMessage',
      words: 'send message',
      method: 'POST',
      path: /\/sendMessage$/,
      run: (client) => send(client, 'PLATFORM-1', generic),
    },
    {
      name: 'sendMessage (stream)',
      operation: 'sendMessage',
      words: 'send message',
      method: 'POST',
      path: /\/sendMessageStreaming$/,
      run: (client) => send(client, 'PLATFORM-1', k8s),
      // A 2xx that holds no events is a stream that ended before `done` (§5.2).
      otherwise: {
        'malformed body': {
          code: 'portal.unavailable',
          message: /^Portal "acme": the agent's stream ended before the agent finished$/,
        },
      },
    },
    {
      name: 'getTicket',
      operation: 'getTicket',
      words: 'get ticket',
      method: 'GET',
      path: /^\/v1\/aiservicedesk\/tickets\/[^/]+\/[^/]+$/,
      run: (client) => client.getTicket(platform.id, 'PLATFORM-1'),
    },
    {
      name: 'reassignAgent',
      operation: 'reassignAgent',
      words: 'reassign agent',
      method: 'PUT',
      path: /\/assignee\/[^/]+$/,
      run: (client) => client.reassignAgent(platform.id, 'PLATFORM-1', k8s),
      ok: ['malformed body'],
    },
  ];

  interface Failure {
    readonly name: string;
    readonly code: string;
    readonly reason: RegExp;
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
      fault: { delayMs: 400, status: 200, body: '{}' },
    },
    {
      name: 'malformed body',
      code: 'portal.bad_response',
      reason: /^unexpected response \(not JSON\)$/,
      retried: false,
      fault: { status: 200, body: '{"success": true, "data": ' },
    },
  ];

  describe.each(calls.map((call) => [`${call.name}: ${call.method} ${call.path.source}`, call] as const))(
    '%s',
    (_name, call) => {
      it.each(failures.map((mode) => [mode.name, mode] as const))('%s', async (_failure, mode) => {
        portal.inject({ method: call.method, path: call.path, times: Number.POSITIVE_INFINITY, ...mode.fault });
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
        const otherwise = call.otherwise?.[mode.name];
        const code = otherwise?.code ?? mode.code;
        expect(error.code).toBe(code);
        if (otherwise) {
          expect(error.message).toMatch(otherwise.message);
        } else {
          const prefix = `Portal "acme": ${call.words} failed: `;
          expect(error.message.startsWith(prefix), error.message).toBe(true);
          expect(error.message.slice(prefix.length)).toMatch(mode.reason);
        }
        expect(error.details).toMatchObject({ portal: 'acme', operation: call.operation });
        const tries = mode.retried && call.method === 'GET' ? 3 : 1;
        const asked = portal.callsTo(call.method, call.path).length;
        // On a busy machine a timed-out attempt may never reach the fake: the client's sleeps count its attempts.
        if (mode.name === 'timeout') expect(asked).toBeLessThanOrEqual(tries);
        else expect(asked).toBe(tries);
        expect(sleeps).toHaveLength(tries - 1);
        expect(observed).toEqual([
          { portal: 'acme', operation: call.operation, outcome: code, seconds: expect.any(Number) },
        ]);
        expectNoSecret(portal.adminToken, error, observed);
      });
    },
  );

  it('redacts the token wherever the portal echoes it', async () => {
    const echo = JSON.stringify({ success: false, message: `Token ${portal.adminToken} may not do this` });
    portal.inject({ path: /./, status: 403, body: echo, times: Number.POSITIVE_INFINITY });
    const { client, observed } = setup();
    const errors = await Promise.all([
      failure(client.listSpaces()),
      failure(client.createTicket(newTicket())),
      failure(send(client, 'PLATFORM-1', k8s)),
    ]);
    for (const error of errors) {
      expect(error.message).toContain('[redacted]');
      expectNoSecret(portal.adminToken, error, error.details);
    }
    expectNoSecret(portal.adminToken, observed);
  });
});

describe('wire schemas (§4)', () => {
  it('reads lists in each envelope, and refuses other shapes', () => {
    const item = { id: 'w1', name: 'platform', extra: true };
    for (const body of [[item], { data: [item] }, { success: true, data: { items: [item] } }]) {
      expect(WorkspacesSchema.parse(body)).toEqual([{ id: 'w1', name: 'platform' }]);
    }
    expect(WorkspacesSchema.safeParse({ success: true, data: null }).success).toBe(false);
    expect(WorkspacesSchema.safeParse({ success: true, data: { items: [{ id: 'w1' }] } }).success).toBe(false);
    expect(ScopesSchema.parse([{ id: 's', name: 'ro', providerId: null }])).toEqual([
      { id: 's', name: 'ro', providerId: undefined },
    ]);
  });

  it('reads an agent record with or without metaData, a ticket, and the create reply', () => {
    expect(AgentRecordSchema.parse({ success: true, data: { id: 'a', name: 'n', metaData: null } })).toEqual({
      id: 'a',
      name: 'n',
      metaData: {},
    });
    expect(AgentRecordSchema.safeParse({ id: 'a', name: 'n' }).success).toBe(false);
    expect(
      WorkspaceTicketSchema.parse({
        success: true,
        data: { name: 'P-1', history: { statuses: [{ status: 'open' }] } },
      }),
    ).toMatchObject({ name: 'P-1', title: '', history: { statuses: [{ status: 'open' }] } });
    expect(WorkspaceCreateReplySchema.parse({ success: true, data: { id: 'x', name: 'P-1', title: 't' } })).toEqual({
      id: 'x',
      name: 'P-1',
    });
    expect(WorkspaceCreateReplySchema.safeParse({ ticket: { name: 'P-1' } }).success).toBe(false);
  });
});
