import { z } from 'zod';
import type { PortalConfig } from '../config.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Agent, Permission, PortalUser, SpaceAccess } from '../domain/helpdesk.js';
import { type AgentMessage, eventsOfReply } from '../domain/messages.js';
import type { AgentEventListener, CreatedTicket, NewTicket, OutgoingMessage, Ticket } from '../domain/ports.js';
import { eventsFromErrorBody, replyFromEvents, tell } from './agent-events.js';
import type { AdapterHooks, HelpdeskAdapter } from './helpdesk-adapter.js';
import { type PortalCallContext, statusError } from './portal-errors.js';
import { type PortalHttp, parseJson, parseWith } from './portal-http.js';
import {
  AllUserRolesSchema,
  ImpersonatableUsersKey,
  list,
  MessageSchema,
  MetadataSchema,
  optionalText,
  PortalUserSchema,
  type PortalUserWire,
  parseImpersonatableUsers,
  TenantAccessSchema,
  TenantListSchema,
  toAgentMessage,
} from './portal-schemas.js';

// ───────────────────────────── wire (docs/duplocloud-api.md §3) ─────────────────────────────

/** GET /v1/aiservicedesk/admin/tenants/agents (§3.1). */
export const TenantAgentsSchema = z.array(
  z.object({
    tenantId: z.string().min(1),
    tenantName: optionalText,
    agentInstances: list(
      z.object({
        agentName: z.string().min(1),
        instanceId: z.string().min(1),
        friendlyName: optionalText,
        agentHostTenantId: optionalText,
      }),
    ),
  }),
);

/** A tenant-HelpDesk ticket (§3.3): no status field. */
export const TenantTicketSchema = z.object({
  name: z.string().min(1),
  title: z
    .string()
    .nullish()
    .transform((title) => title ?? ''),
  assignee: z.object({ agentName: optionalText, instanceId: optionalText }).nullish(),
});

/** POST /v1/aiservicedesk/tickets/{tenantId} (§3.2). */
export const TenantCreateReplySchema = z.object({ ticket: TenantTicketSchema, message: MessageSchema.nullish() });

/** Slack's marker in the HelpDesk's TicketSource enum (§3.2: None = 0, Slack = 1). */
export const TicketSourceSlack = 1;

// ───────────────────────────── adapter ─────────────────────────────

const isAdministrator = (roles: readonly string[]): boolean =>
  roles.some((role) => role.toLowerCase() === 'administrator');

export const toPortalUser = (wire: PortalUserWire): PortalUser => ({
  username: wire.Username,
  roles: wire.Roles,
  isAdmin: isAdministrator(wire.Roles),
  readOnly: wire.IsReadOnly,
});

const byName = <T extends { readonly id: string; readonly name: string }>(a: T, b: T): number =>
  a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id, 'en');

const segment = encodeURIComponent;

export const ticketsPath = (spaceId: string, ticketName?: string): string =>
  `/v1/aiservicedesk/tickets/${segment(spaceId)}${ticketName === undefined ? '' : `/${segment(ticketName)}`}`;

/** The assignee record of §3.1/§3.2, from an agent the listing gave. */
const assigneeOf = (agent: Agent) => ({
  agentName: agent.name,
  instanceId: agent.id,
  ...(agent.label !== agent.name ? { friendlyName: agent.label } : {}),
  ...(agent.hostSpaceId ? { agentHostTenantId: agent.hostSpaceId } : {}),
});

/** The message body of §3.4 (and the sender of §8): `data` holds only what an approval echo fills. */
export const tenantMessageBody = (message: Pick<OutgoingMessage, 'content' | 'data' | 'sender'>) => ({
  role: 'user',
  content: message.content,
  data: { ...message.data },
  platform_context: {},
  user: { id: message.sender.slackUserId, name: message.sender.name },
});

/** Finds a user by username among all of the portal's users (needs an Administrator's token). */
export async function findPortalUser(
  http: PortalHttp,
  context: PortalCallContext,
  username: string,
): Promise<PortalUser | null> {
  const wanted = username.trim().toLowerCase();
  if (wanted === '') return null;
  const users = await http.get(context, '/admin/GetAllUserRoles', AllUserRolesSchema);
  const match =
    users.find((user) => user.Username === username.trim()) ??
    users.find((user) => user.Username.toLowerCase() === wanted);
  return match ? toPortalUser(match) : null;
}

/**
 * A unary send's answer: the reply, or, for a streaming agent, the reply recovered from the error body (§3.5, §4,
 * §5.3). Anything else is the status's usual error.
 */
export async function unaryReply(
  http: PortalHttp,
  context: PortalCallContext,
  path: string,
  body: unknown,
  onEvent?: AgentEventListener,
): Promise<AgentMessage> {
  const answer = await http.answer(context, { method: 'POST', path, body, timeoutMs: http.agentTimeoutMs });
  if (answer.status >= 200 && answer.status < 300) {
    const json = parseJson(context, answer);
    // A workspace HelpDesk may wrap the message in its envelope; the tenant one sends it bare.
    const message =
      typeof json === 'object' && json !== null && 'data' in json && !('content' in json)
        ? (json as { data: unknown }).data
        : json;
    const reply = toAgentMessage(parseWith(context, MessageSchema, message, answer.status));
    for (const event of eventsOfReply(reply)) await tell(onEvent, event);
    return reply;
  }
  const events = eventsFromErrorBody(context, answer.body);
  if (!events) throw statusError(context, answer.status, answer.body);
  for (const event of events) await tell(onEvent, event);
  return replyFromEvents(context, events, { requireDone: false });
}

/** The tenant-scoped HelpDesk (Gen A, docs/duplocloud-api.md §2–§3). */
export function createTenantHelpdesk(http: PortalHttp, config: PortalConfig, hooks: AdapterHooks): HelpdeskAdapter {
  async function tenantAgents(context: PortalCallContext) {
    try {
      return await http.get(context, '/v1/aiservicedesk/admin/tenants/agents', TenantAgentsSchema);
    } catch (error) {
      if (isDomainError(error, 'portal.not_found')) hooks.onGone();
      throw error;
    }
  }

  const getTicket = (context: PortalCallContext, tenantId: string, ticketName: string) =>
    http.get(context, ticketsPath(tenantId, ticketName), TenantTicketSchema);

  /** The ticket of that name in the tenant, or null (§3.3: existence is `body.name === name`). */
  async function existing(context: PortalCallContext, tenantId: string, name: string): Promise<boolean> {
    try {
      return (await getTicket(context, tenantId, name)).name === name;
    } catch (error) {
      if (isDomainError(error, 'portal.not_found')) return false;
      throw error;
    }
  }

  return {
    check: () =>
      http.operation('check', async (context) => {
        await http.get(context, '/admin/GetUserRoleInfo', PortalUserSchema);
      }),

    findUser: (username) => http.operation('findUser', (context) => findPortalUser(http, context, username)),

    userSpaces: (user) =>
      http.operation('userSpaces', async (context): Promise<SpaceAccess[]> => {
        if (user.isAdmin) {
          // The service token is an admin's (GetAllUserRoles needs it), so its own tenant list is every tenant.
          const tenants = await http.get(context, '/admin/GetTenantsForUser', TenantListSchema);
          return tenants
            .map((tenant) => ({ id: tenant.TenantId, name: tenant.AccountName, readOnly: user.readOnly }))
            .sort(byName);
        }
        try {
          const grants = await http.get(
            context,
            `/v3/admin/user/${segment(user.username)}/tenantAccess`,
            TenantAccessSchema,
          );
          return grants
            .map((grant) => ({
              id: grant.TenantId,
              name: grant.AccountName,
              readOnly: grant.Policy.IsReadOnly || user.readOnly,
            }))
            .sort(byName);
        } catch (error) {
          // The user exists (GetAllUserRoles listed them) but has no tenant access record.
          if (isDomainError(error, 'portal.not_found')) return [];
          throw error;
        }
      }),

    listSpaces: () =>
      http.operation('listSpaces', async (context) =>
        (await http.get(context, '/admin/GetTenantsForUser', TenantListSchema))
          .map((tenant) => ({ id: tenant.TenantId, name: tenant.AccountName }))
          .sort(byName),
      ),

    permissionChoices: (tenantId) =>
      http.operation('permissionChoices', async (context): Promise<Permission[]> => {
        const metadata = await http.get(context, `/v3/admin/tenant/${segment(tenantId)}/metadata`, MetadataSchema);
        const entry = metadata.find((item) => item.Key.trim().toLowerCase() === ImpersonatableUsersKey);
        return parseImpersonatableUsers(entry?.Value).map((identity) => ({ id: identity, name: identity }));
      }),

    listAgents: (tenantId) =>
      http.operation('listAgents', async (context): Promise<Agent[]> => {
        // Agents an operator configured for the portal win over the listing, and are never filtered.
        if (config.agents) {
          return config.agents.map(({ name, instanceId }) => ({ id: instanceId, name, label: name }));
        }
        const entry = (await tenantAgents(context)).find(
          (candidate) => candidate.tenantId.toLowerCase() === tenantId.toLowerCase(),
        );
        return (entry?.agentInstances ?? []).map((agent) => ({
          id: agent.instanceId,
          name: agent.agentName,
          label: agent.friendlyName || agent.agentName,
          ...(agent.agentHostTenantId ? { hostSpaceId: agent.agentHostTenantId } : {}),
        }));
      }),

    createTicket: (ticket: NewTicket) =>
      http.operation('createTicket', async (context): Promise<CreatedTicket> => {
        // A move keeps the ticket's name (§3.7): resume the thread's own ticket there, never somebody else's.
        let name: string | undefined;
        if (ticket.previous) {
          const found = await existing(context, ticket.spaceId, ticket.previous.name);
          if (found && ticket.previous.mayResume) {
            await http.exchange(context, {
              method: 'PUT',
              path: `${ticketsPath(ticket.spaceId, ticket.previous.name)}/contextUpdated`,
            });
            return { ticketName: ticket.previous.name, historyIncluded: false, resumed: true };
          }
          if (!found) name = ticket.previous.name;
        }
        const body = {
          title: ticket.title,
          ...(name ? { name } : {}),
          assignee: assigneeOf(ticket.agent),
          process_message: false,
          ...(ticket.history.length > 0
            ? { historic_messages: ticket.history.map((content) => ({ content, data: {} })) }
            : {}),
          defaultAgentPermissions: ticket.permissions.map((permission) => permission.id),
          source: TicketSourceSlack,
          imAppDetails: { channelId: ticket.thread.channelId, threadId: ticket.thread.threadTs },
        };
        const created = await http.call(
          context,
          { method: 'POST', path: ticketsPath(ticket.spaceId), body, timeoutMs: http.agentTimeoutMs },
          TenantCreateReplySchema,
        );
        return { ticketName: created.ticket.name, historyIncluded: true, resumed: false };
      }),

    sendMessage: (message: OutgoingMessage, onEvent) =>
      http.operation('sendMessage', (context) =>
        unaryReply(
          http,
          context,
          `${ticketsPath(message.spaceId, message.ticketName)}/sendmessage`,
          tenantMessageBody(message),
          onEvent,
        ),
      ),

    getTicket: (tenantId, ticketName) =>
      http.operation('getTicket', async (context): Promise<Ticket> => {
        const ticket = await getTicket(context, tenantId, ticketName);
        if (ticket.name !== ticketName) {
          throw new DomainError('portal.not_found', `Portal "${config.name}": no ticket ${ticketName}`, {
            portal: config.name,
            operation: 'getTicket',
          });
        }
        return { name: ticket.name, title: ticket.title, status: null, agentId: ticket.assignee?.instanceId ?? null };
      }),

    // §3.3: the tenant-scoped HelpDesk has no ticket status, and no public call changes one: a ticket there is closed
    // in Slack only. Asking for it is a caller's mistake; nothing is sent.
    setTicketStatus: async () => {
      throw new DomainError(
        'input.invalid',
        `Portal "${config.name}": the tenant-scoped HelpDesk has no ticket status`,
        {
          portal: config.name,
          operation: 'setTicketStatus',
        },
      );
    },

    reassignAgent: (tenantId, ticketName, agent) =>
      http.operation('reassignAgent', async (context): Promise<void> => {
        // §3.6: the full agent record; the reply is not read.
        await http.exchange(context, {
          method: 'PUT',
          path: `${ticketsPath(tenantId, ticketName)}/assignee`,
          body: assigneeOf(agent),
        });
      }),
  };
}
