import { type AssistantMessage, streamingErrorText } from './agent-events.js';
import type { FakePortalServer } from './fake-portal.js';
import { HttpError, isAdmin, ok, parseBody, type Reply, type RequestContext, type Route } from './http.js';
import type { FakeAgent, FakeTenant, FakeTicket, FakeTicketMessage, WireCommand } from './model.js';
import { AssigneeBody, CreateTenantTicketBody, SendMessageBody } from './wire-schemas.js';

/**
 * Gen A, the tenant-scoped HelpDesk (docs/duplocloud-api.md §3): bare JSON, tickets in tenants, agents as
 * `assignee` records, identities as `defaultAgentPermissions`. There is no streaming route and no `/admin/data`
 * (both 404). A streaming agent answers `sendmessage` with a 500 whose body is its events as one JSON string (§3.5).
 */

type TicketRecord = Parameters<FakePortalServer['addTicket']>[0];

const TICKETS = '/v1/aiservicedesk/tickets';

/** The record an agent is listed with for the tenant, or 400. */
const listedAgent = (
  portal: FakePortalServer,
  tenant: FakeTenant,
  record: { agentName: string; instanceId: string; agentHostTenantId?: string | undefined },
): FakeAgent => {
  const agent = portal
    .agentsOfTenant(tenant)
    .find(
      (candidate) =>
        candidate.name === record.agentName && (candidate.instanceId ?? candidate.id) === record.instanceId,
    );
  if (!agent) {
    throw new HttpError(
      400,
      `Agent ${record.agentName} (${record.instanceId}) is not listed for tenant ${tenant.name}`,
    );
  }
  const host = portal.assigneeOf(agent).agentHostTenantId;
  if (record.agentHostTenantId !== undefined && record.agentHostTenantId.toLowerCase() !== host) {
    throw new HttpError(400, `Agent ${record.agentName} is hosted in ${host}, not ${record.agentHostTenantId}`);
  }
  return agent;
};

/** The ticket as `GET …/tickets/{tenantId}/{name}` answers it (§3.3): no `status`. */
const ticketJson = (ticket: FakeTicket) => ({
  name: ticket.name,
  title: ticket.title,
  tenantId: ticket.spaceId,
  assignee: ticket.assignee,
  createTime: ticket.createdAt.toISOString(),
  lastModified: ticket.lastModified.toISOString(),
  priority: 'Medium',
  metaData: {},
  messagesMetaData: ticket.messages.map((message) => ({ role: message.role, timeStamp: message.at.toISOString() })),
  ...(ticket.permissions === undefined ? {} : { defaultAgentPermissions: ticket.permissions }),
  ...(ticket.source === undefined ? {} : { source: ticket.source }),
  ...(ticket.imAppDetails === undefined ? {} : { imAppDetails: ticket.imAppDetails }),
});

const userMessage = (
  portal: FakePortalServer,
  body: {
    content: string;
    data?: Record<string, unknown> | undefined;
    platform_context?: Record<string, unknown> | undefined;
    user?: Record<string, unknown> | undefined;
    message_mode?: number | undefined;
  },
): FakeTicketMessage => ({
  role: 'user',
  content: body.content,
  data: (body.data ?? {}) as FakeTicketMessage['data'],
  ...(body.platform_context === undefined ? {} : { platform_context: body.platform_context }),
  ...(body.user === undefined ? {} : { user: body.user }),
  ...(body.message_mode === undefined ? {} : { messageMode: body.message_mode }),
  at: portal.clock.now(),
});

export const tenantRoutes = (portal: FakePortalServer): Route[] => {
  /**
   * Runs the agent on a unary endpoint: `wrap` makes the 200 of its reply. A streaming agent answers 500 with its
   * events as one JSON string (§3.5, §5.3), whatever they hold; a failing one 500 `{Message}`.
   */
  const answer = async (
    ticket: TicketRecord,
    message: FakeTicketMessage,
    decisions: readonly WireCommand[],
    wrap: (reply: AssistantMessage) => Reply,
  ): Promise<Reply> => {
    const agent = portal.agentOf(ticket);
    const outcome = await portal.runAgent(ticket, message, decisions);
    if (agent.streaming) return { status: 500, json: streamingErrorText(outcome.events) };
    if (!outcome.message) throw new HttpError(500, outcome.error ?? 'Agent failed');
    return wrap(outcome.message);
  };

  const ticketOf = (context: RequestContext, tenantId: string | undefined, name: string | undefined) => {
    const tenant = portal.tenantFor(context.user, tenantId ?? '');
    return { tenant, ticket: portal.ticketIn(tenant.id, name ?? '') };
  };

  return [
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/admin\/tenants\/agents$/,
      handle: ({ user }) =>
        ok(
          [...portal.tenants.values()]
            .filter((tenant) => isAdmin(user) || user.access.has(tenant.id))
            .map((tenant) => ({
              tenantId: tenant.id,
              tenantName: tenant.name,
              agentInstances: portal.agentsOfTenant(tenant).map((agent) => portal.assigneeOf(agent)),
            })),
        ),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${TICKETS.replaceAll('/', '\\/')}\\/(?<tenantId>[^/]+)$`),
      handle: async (context, { tenantId }) => {
        const tenant = portal.tenantFor(context.user, tenantId ?? '');
        const body = parseBody(context, CreateTenantTicketBody);
        const agent = listedAgent(portal, tenant, body.assignee);
        if (body.defaultAgentPermissions !== undefined) {
          const allowed = portal.identitiesOf(tenant).map((identity) => identity.toLowerCase());
          if (body.defaultAgentPermissions.some((identity) => !allowed.includes(identity.toLowerCase()))) {
            throw new HttpError(403, 'Impersonation not allowed');
          }
        }
        if (body.name !== undefined && portal.hasTicket(tenant.id, body.name)) {
          throw new HttpError(400, `Ticket ${body.name} already exists in tenant ${tenant.name}`);
        }
        const now = portal.clock.now();
        const ticket = portal.addTicket({
          api: 'tenant',
          name: body.name ?? portal.newTenantTicketName(tenant),
          spaceId: tenant.id,
          title: body.title,
          assignee: portal.assigneeOf(agent),
          ...(body.defaultAgentPermissions === undefined ? {} : { permissions: body.defaultAgentPermissions }),
          ...(body.source === undefined ? {} : { source: body.source }),
          ...(body.Origin === undefined ? {} : { origin: body.Origin }),
          ...(body.imAppDetails === undefined ? {} : { imAppDetails: body.imAppDetails }),
          historicMessages: [],
          contextUpdates: 0,
          createdBy: context.user.username,
          createdAt: now,
          lastModified: now,
          messages: [],
          commands: [],
        });
        for (const historic of body.historic_messages ?? []) {
          ticket.historicMessages.push(userMessage(portal, historic));
        }
        const created = (reply: AssistantMessage | null): Reply => ok({ ticket: ticketJson(ticket), message: reply });
        if (body.content === undefined && body.process_message !== true) return created(null);
        const message = userMessage(portal, { content: body.content ?? '', platform_context: body.platform_context });
        ticket.messages.push(message);
        return body.process_message === true ? answer(ticket, message, [], created) : created(null);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)\/(?<ticketName>[^/]+)$/,
      handle: (context, { tenantId, ticketName }) => ok(ticketJson(ticketOf(context, tenantId, ticketName).ticket)),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)\/(?<ticketName>[^/]+)\/sendmessage$/,
      handle: async (context, { tenantId, ticketName }) => {
        const { ticket } = ticketOf(context, tenantId, ticketName);
        const body = parseBody(context, SendMessageBody);
        const decisions: WireCommand[] = (body.data?.cmds ?? []).map((cmd) => ({
          command: cmd.command,
          execute: cmd.execute,
          ...(cmd.rejection_reason === undefined ? {} : { rejection_reason: cmd.rejection_reason }),
          ...(cmd.uid === undefined ? {} : { uid: cmd.uid }),
        }));
        portal.applyDecisions(ticket, decisions);
        const message = userMessage(portal, body);
        ticket.messages.push(message);
        ticket.lastModified = message.at;
        return answer(ticket, message, decisions, ok);
      },
    },
    {
      method: 'PUT',
      pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)\/(?<ticketName>[^/]+)\/assignee$/,
      handle: (context, { tenantId, ticketName }) => {
        const { tenant, ticket } = ticketOf(context, tenantId, ticketName);
        const body = parseBody(context, AssigneeBody);
        ticket.assignee = portal.assigneeOf(listedAgent(portal, tenant, body));
        ticket.lastModified = portal.clock.now();
        // The reply is not read (§3.6, §9): an empty 200 keeps a client honest about that.
        return { status: 200 };
      },
    },
    {
      method: 'PUT',
      pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)\/(?<ticketName>[^/]+)\/contextUpdated$/,
      handle: (context, { tenantId, ticketName }) => {
        const { ticket } = ticketOf(context, tenantId, ticketName);
        ticket.contextUpdates += 1;
        ticket.lastModified = portal.clock.now();
        // No body in, none out (§3.7, §9).
        return { status: 200 };
      },
    },
  ];
};
