import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakePortal, startFakePortal } from './fake-portal.js';
import { SeedScopes, SeedTenants, SeedUsers, SeedWorkspaceAgents, SeedWorkspaces } from './seed.js';
import { type ApiOptions, type ApiResult, call, errorBodyEvents, stream } from './test-client.js';
import { FAKE_SDK_VERSION } from './workspace-api.js';

/** Gen B, the workspace-scoped HelpDesk: docs/duplocloud-api.md §4, and its streams (§5). */

const CREATED_AT = new Date('2026-06-01T09:00:00Z');

let portal: FakePortal;
let now: Date;

const api = (method: string, path: string, options: ApiOptions = {}): Promise<ApiResult> =>
  call(portal, method, path, options);

const platform = SeedWorkspaces.platform;
const data = SeedWorkspaces.data;
const generic = SeedWorkspaceAgents.generic;
const k8s = SeedWorkspaceAgents.k8s;

const TICKETS = '/v1/aiservicedesk/tickets';

/** The body the service sends (§4). */
const createBody = (overrides: Record<string, unknown> = {}) => ({
  title: 'web is down',
  aiAgentId: generic.id,
  workspaceId: platform.id,
  source: 'helpdesk',
  Origin: 'slack',
  ticketContextForAgent: { scopeIds: [SeedScopes.readOnly.id], personaIds: [] },
  ...overrides,
});

const create = (overrides: Record<string, unknown> = {}, workspaceId: string = platform.id) =>
  api('POST', `${TICKETS}/${workspaceId}`, { json: createBody(overrides) });

const createName = async (overrides: Record<string, unknown> = {}, workspaceId: string = platform.id) => {
  const response = await create(overrides, workspaceId);
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return response.json.data.name as string;
};

/** The message the service sends (§4, §8). */
const message = (body: Record<string, unknown>) => ({
  role: 'user',
  data: {},
  platform_context: {},
  user: { id: 'U012AB3CD', name: 'alice@acme.io' },
  ...body,
});

const send = (ticket: string, body: Record<string, unknown>, workspaceId: string = platform.id) =>
  api('POST', `${TICKETS}/${workspaceId}/${ticket}/sendMessage`, { json: message(body) });

const streamTo = (ticket: string, body: Record<string, unknown>, options: Omit<ApiOptions, 'json'> = {}) =>
  stream(portal, `${TICKETS}/${platform.id}/${ticket}/sendMessageStreaming`, message(body), options);

const expectError = (response: ApiResult, status: number, words: RegExp) => {
  expect(response.status).toBe(status);
  expect(response.contentType).toMatch(/^application\/json/);
  expect(Object.keys(response.json).sort()).toEqual(['message', 'success']);
  expect(response.json.success).toBe(false);
  expect(response.json.message).toMatch(words);
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

beforeEach(async () => {
  now = CREATED_AT;
  portal = await startFakePortal({ api: 'workspace', clock: { now: () => now } });
});

afterEach(async () => {
  await portal.close();
});

describe('workspaces (§4)', () => {
  it('lists every workspace as {success: true, data: {items: [{id, name}]}}', async () => {
    const response = await api('GET', '/v1/aiservicedesk/admin/data/workspaces');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.json).toEqual({
      success: true,
      data: {
        items: [
          { id: platform.id, name: 'platform' },
          { id: data.id, name: 'data' },
        ],
      },
    });
    for (const item of response.json.data.items) expect(item.id).toMatch(/^[0-9a-f]{24}$/);
  });

  it('filters by ?filters[name]= as a case-insensitive substring (clients match exactly themselves)', async () => {
    portal.addWorkspace({ name: 'data-science' });
    const names = async (filter: string) =>
      (
        await api('GET', `/v1/aiservicedesk/admin/data/workspaces?filters[name]=${encodeURIComponent(filter)}`)
      ).json.data.items.map((item: { name: string }) => item.name);
    expect(await names('DATA')).toEqual(['data', 'data-science']);
    expect(await names('platform')).toEqual(['platform']);
    expect(await names('nothing')).toEqual([]);
  });

  it('gets one workspace, 404 {success: false} for an unknown id or a tenant GUID', async () => {
    expect((await api('GET', `/v1/aiservicedesk/admin/data/workspaces/${data.id}`)).json).toEqual({
      success: true,
      data: { id: data.id, name: 'data' },
    });
    for (const id of ['0123456789abcdef01234567', SeedTenants.dev.id]) {
      expectError(await api('GET', `/v1/aiservicedesk/admin/data/workspaces/${id}`), 404, /^Workspace not found$/);
    }
  });

  it('lists a workspace’s agents as items {id, name} and its scopes as items {id, name, providerId}', async () => {
    expect((await api('GET', `/v1/aiservicedesk/user/data/workspaces/${platform.id}/agents`)).json).toEqual({
      success: true,
      data: {
        items: [
          { id: generic.id, name: 'generic-agent' },
          { id: k8s.id, name: 'k8s-agent' },
        ],
      },
    });
    expect((await api('GET', `/v1/aiservicedesk/user/data/workspaces/${data.id}/agents`)).json.data.items).toEqual([
      { id: generic.id, name: 'generic-agent' },
    ]);
    expect((await api('GET', `/v1/aiservicedesk/user/data/workspaces/${platform.id}/scopes`)).json).toEqual({
      success: true,
      data: { items: [SeedScopes.fullAccess, SeedScopes.clusterAdmin, SeedScopes.readOnly] },
    });
    expect((await api('GET', `/v1/aiservicedesk/user/data/workspaces/${data.id}/scopes`)).json.data.items).toEqual([
      SeedScopes.readOnly,
    ]);
    for (const suffix of ['agents', 'scopes']) {
      const path = `/v1/aiservicedesk/user/data/workspaces/${SeedTenants.dev.id}/${suffix}`;
      expectError(await api('GET', path), 404, /Workspace not found/);
    }
  });

  it('follows addWorkspace, addAgent into workspaces, removeAgent and removeWorkspace', async () => {
    const qa = portal.addWorkspace({ name: 'qa', scopes: [SeedScopes.readOnly], agents: [generic.id] });
    const extra = portal.addAgent({ name: 'extra-agent', workspaces: [qa.id] });
    expect(extra.id).toMatch(/^[0-9a-f]{24}$/);
    const agents = async () =>
      (await api('GET', `/v1/aiservicedesk/user/data/workspaces/${qa.id}/agents`)).json.data.items.map(
        (item: { name: string }) => item.name,
      );
    expect(await agents()).toEqual(['generic-agent', 'extra-agent']);
    portal.removeAgent('generic-agent');
    expect(await agents()).toEqual(['extra-agent']);
    portal.removeWorkspace(qa.id);
    expect((await api('GET', `/v1/aiservicedesk/admin/data/workspaces/${qa.id}`)).status).toBe(404);
    expect(() => portal.addWorkspace({ id: 'not-hex', name: 'bad' })).toThrow(/24 hex/);
  });
});

describe('agents (§4)', () => {
  it('lists agents with doesSupportStreaming and metaData.STREAMING_ENABLED, which may disagree', async () => {
    portal.addAgent({ id: '66a0f2c3d4e5f6a7b8c90203', name: 'honest-agent', streaming: true });
    expect((await api('GET', '/v1/aiservicedesk/admin/data/aiagents')).json).toEqual({
      success: true,
      data: {
        items: [
          {
            id: generic.id,
            name: 'generic-agent',
            doesSupportStreaming: false,
            metaData: { STREAMING_ENABLED: 'false' },
          },
          // The seed's k8s-agent streams although its unreliable flag says false.
          { id: k8s.id, name: 'k8s-agent', doesSupportStreaming: false, metaData: { STREAMING_ENABLED: 'true' } },
          {
            id: '66a0f2c3d4e5f6a7b8c90203',
            name: 'honest-agent',
            doesSupportStreaming: true,
            metaData: { STREAMING_ENABLED: 'true' },
          },
        ],
      },
    });
    const filtered = await api('GET', '/v1/aiservicedesk/admin/data/aiagents?filters[name]=K8S');
    expect(filtered.json.data.items.map((item: { name: string }) => item.name)).toEqual(['k8s-agent']);
  });

  it('gets one agent in {success, data}, 404 for an unknown one', async () => {
    expect((await api('GET', `/v1/aiservicedesk/admin/data/aiagents/${k8s.id}`)).json).toEqual({
      success: true,
      data: { id: k8s.id, name: 'k8s-agent', doesSupportStreaming: false, metaData: { STREAMING_ENABLED: 'true' } },
    });
    expectError(await api('GET', '/v1/aiservicedesk/admin/data/aiagents/0123456789abcdef01234567'), 404, /Agent/);
  });

  it('answers the sdk-version probe with a bare {version}', async () => {
    expect((await api('GET', '/v1/aiservicedesk/extensions/sdk-version')).json).toEqual({ version: FAKE_SDK_VERSION });
  });
});

describe('POST /v1/aiservicedesk/tickets/{workspaceId} (§4)', () => {
  it('creates <WORKSPACE>-<n> with 201 {success: true, data: {id, name, title, …}}, recording what was sent', async () => {
    const response = await create({
      ticketContextForAgent: { scopeIds: [SeedScopes.fullAccess.id, SeedScopes.readOnly.id], personaIds: ['p-1'] },
    });
    expect(response.status).toBe(201);
    expect(response.json).toEqual({
      success: true,
      data: {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        name: 'PLATFORM-1',
        title: 'web is down',
        aiAgentId: generic.id,
        workspaceId: platform.id,
        source: 'helpdesk',
        ticketContextForAgent: { scopeIds: [SeedScopes.fullAccess.id, SeedScopes.readOnly.id], personaIds: ['p-1'] },
        history: { statuses: [{ status: 'open', timeStamp: CREATED_AT.toISOString() }] },
        createdAt: CREATED_AT.toISOString(),
        updatedAt: CREATED_AT.toISOString(),
      },
    });
    const ticket = portal.ticket('PLATFORM-1');
    expect(ticket).toMatchObject({
      api: 'workspace',
      id: response.json.data.id,
      spaceId: platform.id,
      aiAgentId: generic.id,
      permissions: [SeedScopes.fullAccess.id, SeedScopes.readOnly.id],
      personaIds: ['p-1'],
      source: 'helpdesk',
      origin: 'slack',
      status: 'open',
      statusHistory: [{ status: 'open', at: CREATED_AT }],
      historicMessages: [],
      createdBy: SeedUsers.admin,
      messages: [],
    });
    expect(ticket).not.toHaveProperty('assignee');
    expect(ticket).not.toHaveProperty('imAppDetails');
    expect(portal.ticket(response.json.data.id)).toBe(ticket);
  });

  it('counts names per workspace', async () => {
    const names = [await createName(), await createName(), await createName({ workspaceId: data.id }, data.id)];
    expect(names).toEqual(['PLATFORM-1', 'PLATFORM-2', 'DATA-1']);
    expect(portal.tickets(platform.id).map((ticket) => ticket.name)).toEqual(['PLATFORM-1', 'PLATFORM-2']);
  });

  it('accepts the minimal body {title, aiAgentId}', async () => {
    const response = await api('POST', `${TICKETS}/${platform.id}`, { json: { title: 'x', aiAgentId: k8s.id } });
    expect(response.status).toBe(201);
    expect(response.json.data.ticketContextForAgent).toEqual({ scopeIds: [], personaIds: [] });
    expect(portal.ticket(response.json.data.name)).not.toHaveProperty('permissions');
  });

  it('refuses an agent, scope or workspaceId that is not this workspace’s, with 400 {success: false}', async () => {
    expectError(
      await create({ aiAgentId: k8s.id, workspaceId: data.id }, data.id),
      400,
      /not an agent of workspace data/,
    );
    expectError(await create({ aiAgentId: '0123456789abcdef01234567' }), 400, /not an agent of workspace platform/);
    expectError(
      await create(
        { workspaceId: data.id, ticketContextForAgent: { scopeIds: [SeedScopes.clusterAdmin.id] } },
        data.id,
      ),
      400,
      /Scope .* is not a scope of workspace data/,
    );
    expectError(await create({ workspaceId: data.id }), 400, /workspaceId .* does not match/);
    expect(portal.tickets()).toHaveLength(0);
    // The workspace id is matched case-insensitively.
    expect((await create({ workspaceId: platform.id.toUpperCase() })).status).toBe(201);
  });

  it('refuses missing and mistyped fields with 400 naming them', async () => {
    const body: Record<string, unknown> = createBody();
    delete body.title;
    expectError(await api('POST', `${TICKETS}/${platform.id}`, { json: body }), 400, /title: is required/);
    expectError(await create({ aiAgentId: undefined }), 400, /aiAgentId/);
    expectError(await create({ aiAgentId: 5 }), 400, /aiAgentId/);
    expectError(await create({ source: 1 }), 400, /source/);
    expectError(await create({ ticketContextForAgent: { scopeIds: SeedScopes.readOnly.id } }), 400, /scopeIds/);
    expectError(await create({ ticketContextForAgent: [] }), 400, /ticketContextForAgent/);
    expectError(await create({ platform_context: { duplo_token: 't' } }), 400, /duplo_token/);
    expectError(await api('POST', `${TICKETS}/${platform.id}`, { raw: '{' }), 400, /^Malformed JSON body$/);
    expect(portal.tickets()).toHaveLength(0);
  });

  it('answers 404 for an unknown workspace, a tenant GUID included', async () => {
    expectError(await create({}, SeedTenants.dev.id), 404, /Workspace not found/);
    expectError(await create({}, '0123456789abcdef01234567'), 404, /Workspace not found/);
  });
});

describe('GET /v1/aiservicedesk/tickets/{workspaceId}/{idOrName} (§4)', () => {
  it('gets a ticket by name or by id, with history.statuses', async () => {
    const created = await create();
    const byName = await api('GET', `${TICKETS}/${platform.id}/PLATFORM-1`);
    expect(byName.status).toBe(200);
    expect(byName.json).toEqual({ success: true, data: created.json.data });
    expect((await api('GET', `${TICKETS}/${platform.id}/${created.json.data.id}`)).json).toEqual(byName.json);
  });

  it('answers 404 for an unknown ticket, a ticket of another workspace, and a tenant GUID', async () => {
    await create();
    expectError(await api('GET', `${TICKETS}/${platform.id}/PLATFORM-9`), 404, /^Ticket not found$/);
    expectError(await api('GET', `${TICKETS}/${data.id}/PLATFORM-1`), 404, /Ticket not found/);
    expectError(await api('GET', `${TICKETS}/${SeedTenants.dev.id}/PLATFORM-1`), 404, /Workspace not found/);
  });
});

describe('POST …/{name}/sendMessage (§4): unary', () => {
  it('answers the assistant message as a bare object, recording the message as received', async () => {
    const name = await createName();
    const response = await send(name, { content: 'what is the weather?' });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      role: 'assistant',
      content: expect.stringContaining('what is the weather?'),
      data: emptyData,
    });
    expect(response.json.content).toContain('workspace platform');
    expect(portal.ticket(name)?.messages[0]).toMatchObject({
      role: 'user',
      content: 'what is the weather?',
      data: {},
      platform_context: {},
      user: { id: 'U012AB3CD', name: 'alice@acme.io' },
    });
  });

  it('follows the approval protocol (§6) as Gen A does', async () => {
    const name = await createName();
    const getPods = 'kubectl get pods -n duploservices-platform';
    const proposal = await send(name, { content: 'restart the pods' });
    expect(proposal.json.data.cmds.map((cmd: { command: string }) => cmd.command)).toContain(getPods);
    const echo = await send(name, {
      content: 'I approve 1 command.',
      data: { cmds: [{ command: getPods, execute: true }] },
    });
    expect(echo.json.data.executed_cmds).toEqual([{ command: getPods, output: expect.stringContaining('web-') }]);
    const unknown = await send(name, { content: '', data: { cmds: [{ command: 'rm -rf /', execute: true }] } });
    expectError(unknown, 400, /^Unknown command$/);
  });

  it('validates the body like Gen A’s sendmessage and needs no identity', async () => {
    const name = await createName();
    expectError(await send(name, { content: undefined }), 400, /content: is required/);
    expectError(await send(name, { content: 'hi', role: 'assistant' }), 400, /role/);
    expectError(await send(name, { content: 'hi', user: { name: 'Alice' } }), 400, /user\.id/);
    expectError(
      await send(name, { content: 'hi', platform_context: { impersonate_user: 'x' } }),
      400,
      /impersonate_user/,
    );
    expect(
      (await api('POST', `${TICKETS}/${platform.id}/${name}/sendMessage`, { json: { content: 'bare' } })).status,
    ).toBe(200);
  });

  it('answers a streaming agent (stale flag) with 400 and the events as one JSON string (§5.3)', async () => {
    const name = await createName({ aiAgentId: k8s.id });
    const response = await send(name, { content: 'restart the pods' });
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(typeof response.json).toBe('string');
    expect(response.json).toMatch(/^Error \{"type":"intermittent_update"/);
    expect(response.json).toMatch(/ in request call to Agent\.$/);
    const events = errorBodyEvents(response.text);
    expect(events.at(-1)).toEqual({ type: 'done', stop_reason: 'end_turn' });
    expect(
      events
        .filter((event) => event.type === 'text_delta')
        .map((event) => event.text)
        .join(''),
    ).toBe(portal.ticket(name)?.messages.at(-1)?.content);
  });

  it('answers a failing non-streaming agent with 500 {success: false, message}', async () => {
    const name = await createName();
    portal.setAgentScript(() => ({ error: 'cost quota reached' }));
    expectError(await send(name, { content: 'hi' }), 500, /^cost quota reached$/);
  });

  it('answers a script’s raw events assembled (§5.4) for a non-streaming agent', async () => {
    const name = await createName();
    portal.setAgentScript(() => ({
      events: [
        { type: 'intermittent_update', text: 'Looking…', content: 'Looking…' },
        { type: 'text_delta', text: 'Two ' },
        { type: 'unknown_kind', whatever: true },
        { type: 'text_delta', text: 'pods.' },
        { type: 'commands', commands: [{ command: 'kubectl get pods', execute: false }] },
        { type: 'done' },
      ],
    }));
    const response = await send(name, { content: 'how many pods?' });
    expect(response.json).toEqual({
      role: 'assistant',
      content: 'Two pods.',
      data: { ...emptyData, cmds: [{ command: 'kubectl get pods', execute: false }] },
    });
    expect(portal.ticket(name)?.commands).toEqual([{ command: 'kubectl get pods', state: 'proposed' }]);
  });

  it('only answers on the camel-case path', async () => {
    const name = await createName();
    expect(
      (await api('POST', `${TICKETS}/${platform.id}/${name}/sendmessage`, { json: message({ content: 'x' }) })).status,
    ).toBe(404);
  });
});

describe('POST …/{name}/sendMessageStreaming (§4, §5.2): SSE', () => {
  let name: string;

  beforeEach(async () => {
    name = await createName({ aiAgentId: k8s.id });
  });

  it('streams text/event-stream: keep-alive comments and `data: <json>` frames, ending at done', async () => {
    portal.setStreamPacing({ deltaChars: 16 });
    const { sse } = await streamTo(name, { content: 'restart the pods' });
    if (!sse) throw new Error('no stream');
    expect(sse.status).toBe(200);
    expect(sse.contentType).toMatch(/^text\/event-stream/);
    expect(sse.broken).toBe(false);
    expect(sse.raw.startsWith(': keep-alive\n\n')).toBe(true);
    expect(sse.comments.length).toBeGreaterThanOrEqual(2);
    // Every frame is exactly `data: <one-line json>` then a blank line.
    const frames = sse.raw.split('\n\n').filter((frame) => frame !== '' && !frame.startsWith(':'));
    for (const frame of frames) expect(frame).toMatch(/^data: \{[^\n]*\}$/);
    expect(sse.names.every((each) => each === '')).toBe(true);

    const types = sse.events.map((event) => event.type);
    expect(types[0]).toBe('intermittent_update');
    expect(sse.events[0]).toEqual({ type: 'intermittent_update', text: 'Thinking…', content: 'Thinking…' });
    expect(types.at(-1)).toBe('done');
    expect(sse.events.at(-1)).toEqual({ type: 'done', stop_reason: 'end_turn' });
    expect(types.slice(1, -2).every((type) => type === 'text_delta')).toBe(true);
    expect(types.at(-2)).toBe('commands');
    const deltas = sse.events.filter((event) => event.type === 'text_delta').map((event) => event.text as string);
    expect(deltas.length).toBeGreaterThan(3);
    expect(Math.max(...deltas.map((delta) => Array.from(delta).length))).toBeLessThanOrEqual(16);
    const recorded = portal.ticket(name)?.messages.at(-1);
    expect(deltas.join('')).toBe(recorded?.content);
    expect(sse.events.at(-2)).toEqual({ type: 'commands', commands: recorded?.data.cmds });
    expect(portal.calls.at(-1)).toMatchObject({ status: 200, streamedEvents: sse.events.length, fault: false });
  });

  it('streams executed_commands before the text for an approval echo', async () => {
    await streamTo(name, { content: 'restart the pods' });
    const getPods = 'kubectl get pods -n duploservices-platform';
    portal.setCommandOutput(getPods, 'web-1 Running');
    const { sse } = await streamTo(name, {
      content: 'I approve 1 command.',
      data: { cmds: [{ command: getPods, execute: true }] },
    });
    expect(sse?.events.map((event) => event.type).slice(0, 3)).toEqual([
      'intermittent_update',
      'executed_commands',
      'text_delta',
    ]);
    expect(sse?.events[1]).toEqual({
      type: 'executed_commands',
      executed_cmds: [{ command: getPods, output: 'web-1 Running' }],
    });
    expect(sse?.events.map((event) => event.type)).not.toContain('commands');
  });

  it('streams a script’s raw events verbatim: a secret split across two text_deltas, no done', async () => {
    const raw = [
      { type: 'text_delta', text: 'token: ghp_abc' },
      { type: 'text_delta', text: 'def123' },
    ];
    portal.setAgentScript(() => ({ events: raw }));
    const { sse } = await streamTo(name, { content: 'show me' });
    expect(sse?.events).toEqual(raw);
    expect(sse?.broken).toBe(false);
  });

  it('streams an error event and no done when the agent fails', async () => {
    portal.setAgentScript(() => ({ error: 'agent crashed' }));
    const { sse } = await streamTo(name, { content: 'hi' });
    expect(sse?.events).toEqual([
      { type: 'intermittent_update', text: 'Thinking…', content: 'Thinking…' },
      { type: 'error', error: 'agent crashed' },
    ]);
    expect(portal.ticket(name)?.messages.map((each) => each.role)).toEqual(['user']);
  });

  it('cuts the connection after dropAfterEvents events (a fault), then streams normally', async () => {
    const fault = portal.inject({ path: /sendMessageStreaming$/, dropAfterEvents: 2 });
    const { sse } = await streamTo(name, { content: 'restart the pods' });
    expect(sse?.broken).toBe(true);
    expect(sse?.events.map((event) => event.type)).toEqual(['intermittent_update', 'text_delta']);
    expect(fault.hits).toBe(1);
    expect(portal.calls.at(-1)).toMatchObject({ status: 200, streamedEvents: 2, fault: true });
    // The agent did answer before the cut: the ticket has its reply.
    expect(portal.ticket(name)?.messages.map((each) => each.role)).toEqual(['user', 'assistant']);

    const again = await streamTo(name, { content: 'hello' });
    expect(again.sse?.broken).toBe(false);
    expect(again.sse?.events.at(-1)?.type).toBe('done');
  });

  it('cuts right after the headers with dropAfterEvents: 0', async () => {
    portal.inject({ path: /sendMessageStreaming$/, dropAfterEvents: 0 });
    const { sse } = await streamTo(name, { content: 'hi' });
    expect(sse?.status).toBe(200);
    expect(sse?.broken).toBe(true);
    expect(sse?.events).toEqual([]);
  });

  it('paces events by eventDelayMs (option or setStreamPacing)', async () => {
    const paced = await startFakePortal({ api: 'workspace', streaming: { eventDelayMs: 40, deltaChars: 1000 } });
    try {
      const ticket = await call(paced, 'POST', `${TICKETS}/${platform.id}`, {
        json: { title: 't', aiAgentId: k8s.id },
      });
      const path = `${TICKETS}/${platform.id}/${ticket.json.data.name}/sendMessageStreaming`;
      const started = performance.now();
      const { sse } = await stream(paced, path, { content: 'hello' });
      const elapsed = performance.now() - started;
      // intermittent_update, one text_delta, done: three events, 40 ms before each.
      expect(sse?.events.map((event) => event.type)).toEqual(['intermittent_update', 'text_delta', 'done']);
      expect(elapsed).toBeGreaterThanOrEqual(110);
      paced.setStreamPacing({ eventDelayMs: 0 });
      const quick = performance.now();
      await stream(paced, path, { content: 'hello' });
      expect(performance.now() - quick).toBeLessThan(elapsed);
    } finally {
      await paced.close();
    }
  });

  it('records when the first text_delta with text was written (firstTextDeltaAt), on streams only', async () => {
    portal.setStreamPacing({ eventDelayMs: 30 });
    portal.setAgentScript(() => ({
      events: [
        { type: 'intermittent_update', text: 'Reading', content: 'Reading' },
        { type: 'text_delta', text: '' },
        { type: 'text_delta', text: 'Hello ' },
        { type: 'text_delta', text: 'there.' },
        { type: 'done', stop_reason: 'end_turn' },
      ],
    }));
    await streamTo(name, { content: 'hi' });
    const streamed = portal.calls.at(-1);
    const firstAt = streamed?.firstTextDeltaAt?.getTime();
    if (!streamed || firstAt === undefined) throw new Error('no first text_delta recorded');
    // The third event, 30 ms before each: about 90 ms in, before the last two events.
    expect(firstAt - streamed.at.getTime()).toBeGreaterThanOrEqual(85);
    expect(firstAt).toBeLessThanOrEqual(streamed.at.getTime() + streamed.durationMs - 55);

    // No text at all, a stream cut before its text, and a unary answer: nothing recorded.
    portal.setAgentScript(() => ({ error: 'agent crashed' }));
    await streamTo(name, { content: 'hi' });
    expect(portal.calls.at(-1)?.firstTextDeltaAt).toBeUndefined();
    portal.resetAgentScript();
    portal.inject({ path: /sendMessageStreaming$/, dropAfterEvents: 1 });
    await streamTo(name, { content: 'hi' });
    expect(portal.calls.at(-1)).toMatchObject({ streamedEvents: 1, fault: true });
    expect(portal.calls.at(-1)?.firstTextDeltaAt).toBeUndefined();
    await send(await createName(), { content: 'hi' });
    expect(portal.calls.at(-1)?.firstTextDeltaAt).toBeUndefined();
  });

  it('writes `event: <type>` lines too when asked (eventLines)', async () => {
    portal.setStreamPacing({ eventLines: true });
    const { sse } = await streamTo(name, { content: 'hello' });
    expect(sse?.names).toEqual(sse?.events.map((event) => event.type));
    expect(sse?.raw).toContain('event: done\ndata: {"type":"done","stop_reason":"end_turn"}\n\n');
  });

  it('refuses a non-streaming agent, a missing Accept, a bad body and unknown tickets, before any event', async () => {
    const unary = await createName();
    const refused = await streamTo(unary, { content: 'hi' });
    expect(refused.error?.status).toBe(400);
    expect(refused.error?.json).toEqual({
      success: false,
      message: 'Agent generic-agent does not stream; use sendMessage',
    });
    const noAccept = await streamTo(name, { content: 'hi' }, { accept: 'application/json' });
    expect(noAccept.error?.status).toBe(406);
    expect((await streamTo(name, { content: 5 })).error?.status).toBe(400);
    const unknown = await stream(portal, `${TICKETS}/${platform.id}/PLATFORM-99/sendMessageStreaming`, {
      content: 'x',
    });
    expect(unknown.error?.status).toBe(404);
    expect(portal.ticket(name)?.messages).toEqual([]);
    expect(portal.ticket(unary)?.messages).toEqual([]);
  });

  it('closes promptly in the middle of a slow stream', async () => {
    portal.setStreamPacing({ eventDelayMs: 60_000 });
    const pending = streamTo(name, { content: 'hi' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await portal.close();
    expect(performance.now() - started).toBeLessThan(2000);
    const { sse } = await pending;
    expect(sse?.events).toEqual([]);
  });
});

describe('PUT …/{name}/assignee/{agentId} (§4)', () => {
  it('reassigns to another agent of the workspace, with no body', async () => {
    const name = await createName();
    const response = await api('PUT', `${TICKETS}/${platform.id}/${name}/assignee/${k8s.id}`);
    expect(response.status).toBe(200);
    expect(response.json.success).toBe(true);
    expect(response.json.data.aiAgentId).toBe(k8s.id);
    expect(portal.ticket(name)?.aiAgentId).toBe(k8s.id);
    // Now the ticket's agent streams: the unary call answers 400 with the events.
    expect((await send(name, { content: 'hi' })).status).toBe(400);
  });

  it('refuses an agent of another workspace (400) and 404s an unknown ticket', async () => {
    const name = await createName({ workspaceId: data.id }, data.id);
    expectError(
      await api('PUT', `${TICKETS}/${data.id}/${name}/assignee/${k8s.id}`),
      400,
      /not an agent of workspace data/,
    );
    expect(portal.ticket(name)?.aiAgentId).toBe(generic.id);
    expectError(await api('PUT', `${TICKETS}/${data.id}/DATA-9/assignee/${generic.id}`), 404, /Ticket not found/);
  });
});

describe('PUT …/{name}/status (§4)', () => {
  it('appends statuses; closing requires disposition resolved or unResolved', async () => {
    const name = await createName();
    now = new Date('2026-06-01T10:00:00Z');
    const progress = await api('PUT', `${TICKETS}/${platform.id}/${name}/status`, { json: { status: 'inProgress' } });
    expect(progress.status).toBe(200);
    expect(progress.json.data.history.statuses.map((each: { status: string }) => each.status)).toEqual([
      'open',
      'inProgress',
    ]);
    expectError(
      await api('PUT', `${TICKETS}/${platform.id}/${name}/status`, { json: { status: 'closed' } }),
      400,
      /disposition: is required when closing/,
    );
    expectError(
      await api('PUT', `${TICKETS}/${platform.id}/${name}/status`, {
        json: { status: 'closed', disposition: 'fixed' },
      }),
      400,
      /disposition: must be one of resolved, unResolved/,
    );
    expectError(
      await api('PUT', `${TICKETS}/${platform.id}/${name}/status`, {
        json: { status: 'Closed', disposition: 'resolved' },
      }),
      400,
      /status: must be one of open, inProgress, waitingForUserInput, waitingForUserAgent, closed/,
    );
    expectError(
      await api('PUT', `${TICKETS}/${platform.id}/${name}/status`, {
        json: { status: 'open', disposition: 'resolved' },
      }),
      400,
      /disposition: goes with status closed only/,
    );
    expect(portal.ticket(name)?.status).toBe('inProgress');
    const closed = await api('PUT', `${TICKETS}/${platform.id}/${name}/status`, {
      json: { status: 'closed', disposition: 'unResolved' },
    });
    expect(closed.json.data.history.statuses.at(-1)).toEqual({
      status: 'closed',
      disposition: 'unResolved',
      timeStamp: '2026-06-01T10:00:00.000Z',
    });
    expect(portal.ticket(name)?.status).toBe('closed');
    expect(portal.ticket(name)?.statusHistory?.at(-1)).toEqual({
      status: 'closed',
      disposition: 'unResolved',
      at: now,
    });
    const reopened = await api('PUT', `${TICKETS}/${platform.id}/${name}/status`, { json: { status: 'open' } });
    expect(reopened.status).toBe(200);
    expect(portal.ticket(name)?.status).toBe('open');
  });

  it('lets a test move a ticket through statuses with setTicketStatus', async () => {
    const name = await createName();
    portal.setTicketStatus(name, 'waitingForUserInput');
    const got = await api('GET', `${TICKETS}/${platform.id}/${name}`);
    expect(got.json.data.history.statuses.at(-1).status).toBe('waitingForUserInput');
    expect(portal.ticket(name)?.status).toBe('waitingForUserInput');
  });
});

describe('GET …/{name}/getmessages', () => {
  it('lists the ticket’s messages as {success, data: [{role, content, data, timeStamp}]}', async () => {
    const name = await createName();
    await send(name, { content: 'hello' });
    const response = await api('GET', `${TICKETS}/${platform.id}/${name}/getmessages`);
    expect(response.json.success).toBe(true);
    expect(response.json.data).toEqual([
      {
        role: 'user',
        content: 'hello',
        data: {},
        user: { id: 'U012AB3CD', name: 'alice@acme.io' },
        timeStamp: CREATED_AT.toISOString(),
      },
      {
        role: 'assistant',
        content: expect.stringContaining('hello'),
        data: emptyData,
        timeStamp: CREATED_AT.toISOString(),
      },
    ]);
  });
});

describe('Gen A routes and errors on a Gen B portal', () => {
  it('answers 401 in the envelope on HelpDesk paths', async () => {
    const response = await api('GET', '/v1/aiservicedesk/admin/data/workspaces', { token: 'wrong' });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ success: false, message: 'Unauthorized' });
  });

  it('answers 404 to Gen A’s listing, tenant paths and contextUpdated', async () => {
    await create();
    expectError(await api('GET', '/v1/aiservicedesk/admin/tenants/agents'), 404, /^Resource not found$/);
    expectError(await api('PUT', `${TICKETS}/${platform.id}/PLATFORM-1/contextUpdated`), 404, /Resource not found/);
    expectError(
      await api('PUT', `${TICKETS}/${platform.id}/PLATFORM-1/assignee`, { json: { agentName: 'x', instanceId: 'y' } }),
      404,
      /Resource not found/,
    );
  });

  it('builds the web URL of a ticket (§4)', () => {
    expect(portal.ticketUrl(platform.id, 'PLATFORM-1')).toBe(
      `${portal.url}/app/ai/service-desk/${platform.id}/tickets/chat/PLATFORM-1`,
    );
  });
});
