import { type AssistantMessage, streamingErrorText } from './agent-events.js';
import type { FakePortalServer } from './fake-portal.js';
import { HttpError, objectId, ok, parseBody, type Reply, type RequestContext, type Route } from './http.js';
import type { FakeAgent, FakeTicket, FakeTicketMessage, FakeWorkspace, WireCommand } from './model.js';
import { CreateWorkspaceTicketBody, SendMessageBody, TicketStatusBody } from './wire-schemas.js';

/**
 * Gen B, the workspace-scoped HelpDesk (docs/duplocloud-api.md §4): `{success, data}` and
 * `{success, data: {items}}` envelopes, errors `{success: false, message}`, tickets in workspaces (24-hex ids)
 * named `<WORKSPACE>-<n>`, agents by id, permissions as scopes, `sendMessage` (unary) and `sendMessageStreaming`
 * (SSE, §5.2). A streaming agent called on `sendMessage` answers 400 with its events as one JSON string (§5.3).
 * Ticket paths accept the ticket's name or id, as duploctl sends either.
 */

/** The version `GET /v1/aiservicedesk/extensions/sdk-version` reports. */
export const FAKE_SDK_VERSION = '2.3.0';

type TicketRecord = Parameters<FakePortalServer['addTicket']>[0];

const data = (json: unknown): Reply => ok({ success: true, data: json });
const items = (list: readonly unknown[]): Reply => data({ items: list });

/** `?filters[name]=…`: a case-insensitive substring match, as a search box would (clients match exactly). */
const byName = <T extends { name: string }>(list: readonly T[], query: Readonly<Record<string, string>>): T[] => {
  const filter = query['filters[name]']?.toLowerCase();
  return filter === undefined ? [...list] : list.filter((each) => each.name.toLowerCase().includes(filter));
};

const agentJson = (agent: FakeAgent) => ({
  id: agent.id,
  name: agent.name,
  doesSupportStreaming: agent.doesSupportStreaming ?? agent.streaming,
  metaData: { STREAMING_ENABLED: agent.streaming ? 'true' : 'false' },
});

const workspaceJson = (workspace: FakeWorkspace) => ({ id: workspace.id, name: workspace.name });

/** The ticket as `GET …/tickets/{wid}/{idOrName}` answers it (§4). */
const ticketJson = (ticket: FakeTicket) => ({
  id: ticket.id,
  name: ticket.name,
  title: ticket.title,
  aiAgentId: ticket.aiAgentId,
  workspaceId: ticket.spaceId,
  ...(ticket.source === undefined ? {} : { source: ticket.source }),
  ticketContextForAgent: { scopeIds: ticket.permissions ?? [], personaIds: ticket.personaIds ?? [] },
  history: {
    statuses: (ticket.statusHistory ?? []).map((change) => ({
      status: change.status,
      ...(change.disposition === undefined ? {} : { disposition: change.disposition }),
      timeStamp: change.at.toISOString(),
    })),
  },
  createdAt: ticket.createdAt.toISOString(),
  updatedAt: ticket.lastModified.toISOString(),
});

const messageJson = (message: FakeTicketMessage) => ({
  role: message.role,
  content: message.content,
  data: message.data,
  ...(message.user === undefined ? {} : { user: message.user }),
  timeStamp: message.at.toISOString(),
});

export const workspaceRoutes = (portal: FakePortalServer): Route[] => {
  const agentById = (agentId: string): FakeAgent => {
    const agent = portal.agents.find((candidate) => candidate.id === agentId);
    if (!agent) throw new HttpError(404, 'Agent not found');
    return agent;
  };
  /** An agent of the workspace, or 400. */
  const workspaceAgent = (workspace: FakeWorkspace, agentId: string): FakeAgent => {
    const agent = portal.agents.find((candidate) => candidate.id === agentId);
    if (!agent || !workspace.agents.includes(agent.id)) {
      throw new HttpError(400, `Agent ${agentId} is not an agent of workspace ${workspace.name}`);
    }
    return agent;
  };
  const ticketOf = (workspaceId: string | undefined, ref: string | undefined) => {
    const workspace = portal.workspaceFor(workspaceId ?? '');
    return { workspace, ticket: portal.ticketIn(workspace.id, ref ?? '') };
  };

  /** The message body, checked, and the approval echo it carries. */
  const receive = (context: RequestContext) => {
    const body = parseBody(context, SendMessageBody);
    const decisions: WireCommand[] = (body.data?.cmds ?? []).map((cmd) => ({
      command: cmd.command,
      execute: cmd.execute,
      ...(cmd.rejection_reason === undefined ? {} : { rejection_reason: cmd.rejection_reason }),
      ...(cmd.uid === undefined ? {} : { uid: cmd.uid }),
    }));
    return { body, decisions };
  };
  const record = (ticket: TicketRecord, body: ReturnType<typeof receive>['body']): FakeTicketMessage => {
    const message: FakeTicketMessage = {
      role: 'user',
      content: body.content,
      data: (body.data ?? {}) as FakeTicketMessage['data'],
      ...(body.platform_context === undefined ? {} : { platform_context: body.platform_context }),
      ...(body.user === undefined ? {} : { user: body.user }),
      ...(body.message_mode === undefined ? {} : { messageMode: body.message_mode }),
      at: portal.clock.now(),
    };
    ticket.messages.push(message);
    ticket.lastModified = message.at;
    return message;
  };

  const TICKET = String.raw`^\/v1\/aiservicedesk\/tickets\/(?<workspaceId>[^/]+)\/(?<ref>[^/]+)`;

  return [
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/admin\/data\/workspaces$/,
      handle: ({ query }) => items(byName([...portal.workspaces.values()], query).map(workspaceJson)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/admin\/data\/workspaces\/(?<workspaceId>[^/]+)$/,
      handle: (_context, { workspaceId }) => data(workspaceJson(portal.workspaceFor(workspaceId ?? ''))),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/admin\/data\/aiagents$/,
      handle: ({ query }) => items(byName(portal.agents, query).map(agentJson)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/admin\/data\/aiagents\/(?<agentId>[^/]+)$/,
      handle: (_context, { agentId }) => data(agentJson(agentById(agentId ?? ''))),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/user\/data\/workspaces\/(?<workspaceId>[^/]+)\/agents$/,
      handle: (_context, { workspaceId }) => {
        const workspace = portal.workspaceFor(workspaceId ?? '');
        const agents = workspace.agents.flatMap((id) => portal.agents.filter((agent) => agent.id === id));
        return items(agents.map((agent) => ({ id: agent.id, name: agent.name })));
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/user\/data\/workspaces\/(?<workspaceId>[^/]+)\/scopes$/,
      handle: (_context, { workspaceId }) =>
        items(
          portal
            .workspaceFor(workspaceId ?? '')
            .scopes.map((scope) => ({ id: scope.id, name: scope.name, providerId: scope.providerId })),
        ),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/extensions\/sdk-version$/,
      handle: () => ok({ version: FAKE_SDK_VERSION }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/aiservicedesk\/tickets\/(?<workspaceId>[^/]+)$/,
      handle: (context, { workspaceId }) => {
        const workspace = portal.workspaceFor(workspaceId ?? '');
        const body = parseBody(context, CreateWorkspaceTicketBody);
        if (body.workspaceId !== undefined && body.workspaceId.toLowerCase() !== workspace.id) {
          throw new HttpError(400, `workspaceId ${body.workspaceId} does not match the path's ${workspace.id}`);
        }
        const agent = workspaceAgent(workspace, body.aiAgentId);
        const scopeIds = body.ticketContextForAgent?.scopeIds;
        for (const scopeId of scopeIds ?? []) {
          if (!workspace.scopes.some((scope) => scope.id === scopeId)) {
            throw new HttpError(400, `Scope ${scopeId} is not a scope of workspace ${workspace.name}`);
          }
        }
        const personaIds = body.ticketContextForAgent?.personaIds;
        const now = portal.clock.now();
        const statusHistory = [{ status: 'open' as const, at: now }];
        const ticket = portal.addTicket({
          api: 'workspace',
          id: objectId(),
          name: portal.newWorkspaceTicketName(workspace),
          spaceId: workspace.id,
          title: body.title,
          aiAgentId: agent.id,
          ...(scopeIds === undefined ? {} : { permissions: scopeIds }),
          ...(personaIds === undefined ? {} : { personaIds }),
          ...(body.source === undefined ? {} : { source: body.source }),
          ...(body.Origin === undefined ? {} : { origin: body.Origin }),
          historicMessages: [],
          statusHistory,
          get status() {
            return statusHistory.at(-1)?.status ?? 'open';
          },
          contextUpdates: 0,
          createdBy: context.user.username,
          createdAt: now,
          lastModified: now,
          messages: [],
          commands: [],
        });
        return { status: 201, json: { success: true, data: ticketJson(ticket) } };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${TICKET}$`),
      handle: (_context, { workspaceId, ref }) => data(ticketJson(ticketOf(workspaceId, ref).ticket)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`${TICKET}\\/sendMessage$`),
      handle: async (context, { workspaceId, ref }) => {
        const { ticket } = ticketOf(workspaceId, ref);
        const { body, decisions } = receive(context);
        const agent = portal.agentOf(ticket);
        portal.applyDecisions(ticket, decisions);
        const message = record(ticket, body);
        const outcome = await portal.runAgent(ticket, message, decisions);
        // A stale streaming flag: the unary deserializer chokes on the agent's events (§4, §5.3).
        if (agent.streaming) return { status: 400, json: streamingErrorText(outcome.events) };
        if (!outcome.message) throw new HttpError(500, outcome.error ?? 'Agent failed');
        const reply: AssistantMessage = outcome.message;
        return ok(reply);
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${TICKET}\\/sendMessageStreaming$`),
      handle: async (context, { workspaceId, ref }) => {
        const { ticket } = ticketOf(workspaceId, ref);
        const { body, decisions } = receive(context);
        if (!/\btext\/event-stream\b/i.test(context.accept)) {
          throw new HttpError(406, 'Accept must include text/event-stream');
        }
        const agent = portal.agentOf(ticket);
        if (!agent.streaming) {
          throw new HttpError(400, `Agent ${agent.name} does not stream; use sendMessage`);
        }
        portal.applyDecisions(ticket, decisions);
        const message = record(ticket, body);
        const outcome = await portal.runAgent(ticket, message, decisions);
        return { status: 200, events: outcome.events };
      },
    },
    {
      method: 'PUT',
      pattern: new RegExp(`${TICKET}\\/assignee\\/(?<agentId>[^/]+)$`),
      handle: (_context, { workspaceId, ref, agentId }) => {
        const { workspace, ticket } = ticketOf(workspaceId, ref);
        ticket.aiAgentId = workspaceAgent(workspace, agentId ?? '').id;
        ticket.lastModified = portal.clock.now();
        return data(ticketJson(ticket));
      },
    },
    {
      method: 'PUT',
      pattern: new RegExp(`${TICKET}\\/status$`),
      handle: (context, { workspaceId, ref }) => {
        const { ticket } = ticketOf(workspaceId, ref);
        const body = parseBody(context, TicketStatusBody);
        portal.changeStatus(ticket, body.status, body.disposition);
        return data(ticketJson(ticket));
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${TICKET}\\/getmessages$`),
      handle: (_context, { workspaceId, ref }) => data(ticketOf(workspaceId, ref).ticket.messages.map(messageJson)),
    },
  ];
};
