import { z } from 'zod';
import type { PortalConfig } from '../config.js';
import { isDomainError } from '../domain/errors.js';
import type { Agent, Permission, Space, TicketResolution, TicketStatusChange } from '../domain/helpdesk.js';
import type { AgentEvent, AgentMessage } from '../domain/messages.js';
import type { AgentEventListener, CreatedTicket, NewTicket, OutgoingMessage, Ticket } from '../domain/ports.js';
import { eventsFromErrorBody, readEventStream, readText, replyFromEvents, tell } from './agent-events.js';
import type { AdapterHooks, HelpdeskAdapter } from './helpdesk-adapter.js';
import { type PortalCallContext, statusError } from './portal-errors.js';
import type { PortalHttp } from './portal-http.js';
import { optionalText } from './portal-schemas.js';
import { findPortalUser, ticketsPath, unaryReply } from './tenant-helpdesk.js';

// ───────────────────────────── wire (docs/duplocloud-api.md §4) ─────────────────────────────

/** A list the workspace HelpDesk sends as `{success, data: {items}}`; PLUG also reads `data` or a bare list. */
export const itemsOf = <T extends z.ZodType>(item: T) =>
  z.union([
    z.array(item),
    z.object({ success: z.boolean().optional(), data: z.array(item) }).transform((value) => value.data),
    z
      .object({ success: z.boolean().optional(), data: z.object({ items: z.array(item) }) })
      .transform((value) => value.data.items),
  ]);

/** One object in `{success, data}`. */
export const dataOf = <T extends z.ZodType>(item: T) =>
  z.object({ success: z.boolean().optional(), data: item }).transform((value) => (value as { data: z.output<T> }).data);

const Named = z.object({ id: z.string().min(1), name: z.string().min(1) });

export const WorkspacesSchema = itemsOf(Named);
export const WorkspaceAgentsSchema = itemsOf(Named);
export const ScopesSchema = itemsOf(Named.extend({ providerId: optionalText }));

/** GET …/admin/data/aiagents/{id}: `metaData.STREAMING_ENABLED` is the flag that counts (§4). */
export const AgentRecordSchema = dataOf(
  Named.extend({
    metaData: z
      .record(z.string(), z.unknown())
      .nullish()
      .transform((meta) => meta ?? {}),
  }),
);

export const WorkspaceTicketSchema = dataOf(
  z.object({
    id: optionalText,
    name: z.string().min(1),
    title: z
      .string()
      .nullish()
      .transform((title) => title ?? ''),
    aiAgentId: optionalText,
    status: optionalText,
    history: z.object({ statuses: z.array(z.object({ status: z.string() })).nullish() }).nullish(),
  }),
);

export const WorkspaceCreateReplySchema = dataOf(z.object({ name: z.string().min(1), id: optionalText }));

/**
 * The wire's `disposition` for each resolution (§4 Close: `resolved | unResolved`, from CTL `set_status`), kept here
 * so a portal that spells it otherwise is corrected in one place.
 */
export const Dispositions: Readonly<Record<TicketResolution, string>> = {
  resolved: 'resolved',
  unresolved: 'unResolved',
};

/** The body of `PUT …/tickets/{wid}/{name}/status` (§4 Close): a disposition goes with `closed` only. */
export const ticketStatusBody = (change: TicketStatusChange) =>
  change.status === 'closed' ? { status: 'closed', disposition: Dispositions[change.resolution] } : { status: 'open' };

/** How long an agent's streaming flag is trusted before it is read again. */
const AgentFlagMs = 60_000;

const segment = encodeURIComponent;

/** The message body of §4 Send (and the sender of §8). */
export const workspaceMessageBody = (message: Pick<OutgoingMessage, 'content' | 'data' | 'sender'>) => ({
  content: message.content,
  data: { ...message.data },
  platform_context: {},
  user: { id: message.sender.slackUserId, name: message.sender.name },
});

/** The workspace-scoped HelpDesk (Gen B, docs/duplocloud-api.md §4). */
export function createWorkspaceHelpdesk(
  http: PortalHttp,
  config: PortalConfig,
  hooks: AdapterHooks,
  now: () => number = Date.now,
): HelpdeskAdapter {
  const streamingFlags = new Map<string, { readonly streams: boolean; readonly until: number }>();

  async function workspaces(context: PortalCallContext): Promise<Space[]> {
    try {
      const items = await http.get(context, '/v1/aiservicedesk/admin/data/workspaces', WorkspacesSchema);
      // In name order, like the tenants of a tenant HelpDesk: a long list is easier to read.
      return items
        .map(({ id, name }) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id));
    } catch (error) {
      if (isDomainError(error, 'portal.not_found')) hooks.onGone();
      throw error;
    }
  }

  async function streams(context: PortalCallContext, agentId: string): Promise<boolean> {
    const cached = streamingFlags.get(agentId);
    if (cached && cached.until > now()) return cached.streams;
    const agent = await http.get(
      context,
      `/v1/aiservicedesk/admin/data/aiagents/${segment(agentId)}`,
      AgentRecordSchema,
    );
    const value = String(agent.metaData.STREAMING_ENABLED ?? '')
      .trim()
      .toLowerCase();
    const flag = value === 'true';
    streamingFlags.set(agentId, { streams: flag, until: now() + AgentFlagMs });
    return flag;
  }

  async function streamedReply(
    context: PortalCallContext,
    agentId: string,
    path: string,
    body: unknown,
    onEvent: AgentEventListener | undefined,
  ): Promise<AgentMessage> {
    const signal = AbortSignal.timeout(http.agentTimeoutMs);
    const response = await http.stream(context, {
      method: 'POST',
      path,
      body,
      headers: { Accept: 'text/event-stream' },
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      // The flag may have gone stale: read it again on the next send.
      streamingFlags.delete(agentId);
      const text = await readText(response.body);
      const recovered = eventsFromErrorBody(context, text);
      if (!recovered) throw statusError(context, response.status, text);
      for (const event of recovered) await tell(onEvent, event);
      return replyFromEvents(context, recovered, { requireDone: false });
    }
    const events: AgentEvent[] = [];
    for await (const event of readEventStream(context, response.body, signal)) {
      events.push(event);
      await tell(onEvent, event);
    }
    return replyFromEvents(context, events, { requireDone: true });
  }

  return {
    check: () =>
      http.operation('check', async (context) => {
        await workspaces(context);
      }),

    // The workspace HelpDesk may live on its own host without the portal's admin API (docs §0): then this fails
    // with portal.not_found, and the access rules read it as "the portal's users cannot be read".
    findUser: (username) => http.operation('findUser', (context) => findPortalUser(http, context, username)),

    userSpaces: (user) =>
      http.operation('userSpaces', async (context) =>
        (await workspaces(context)).map((space) => ({ ...space, readOnly: user.readOnly })),
      ),

    listSpaces: () => http.operation('listSpaces', (context) => workspaces(context)),

    permissionChoices: (workspaceId) =>
      http.operation(
        'permissionChoices',
        async (context): Promise<Permission[]> =>
          (
            await http.get(
              context,
              `/v1/aiservicedesk/user/data/workspaces/${segment(workspaceId)}/scopes`,
              ScopesSchema,
            )
          ).map(({ id, name }) => ({ id, name })),
      ),

    listAgents: (workspaceId) =>
      http.operation('listAgents', async (context): Promise<Agent[]> => {
        if (config.agents) {
          return config.agents.map(({ name, instanceId }) => ({ id: instanceId, name, label: name }));
        }
        const agents = await http.get(
          context,
          `/v1/aiservicedesk/user/data/workspaces/${segment(workspaceId)}/agents`,
          WorkspaceAgentsSchema,
        );
        return agents.map(({ id, name }) => ({ id, name, label: name }));
      }),

    createTicket: (ticket: NewTicket) =>
      http.operation('createTicket', async (context): Promise<CreatedTicket> => {
        const body = {
          title: ticket.title,
          aiAgentId: ticket.agent.id,
          workspaceId: ticket.spaceId,
          source: 'helpdesk',
          Origin: 'slack',
          ticketContextForAgent: {
            scopeIds: ticket.permissions.map((permission) => permission.id),
            personaIds: [],
          },
        };
        const created = await http.call(
          context,
          { method: 'POST', path: ticketsPath(ticket.spaceId), body, timeoutMs: http.agentTimeoutMs },
          WorkspaceCreateReplySchema,
        );
        // No public create field takes the history: the caller sends it with the first message.
        return { ticketName: created.name, historyIncluded: false, resumed: false };
      }),

    sendMessage: (message: OutgoingMessage, onEvent) =>
      http.operation('sendMessage', async (context) => {
        const base = ticketsPath(message.spaceId, message.ticketName);
        const body = workspaceMessageBody(message);
        return (await streams(context, message.agentId))
          ? streamedReply(context, message.agentId, `${base}/sendMessageStreaming`, body, onEvent)
          : unaryReply(http, context, `${base}/sendMessage`, body, onEvent);
      }),

    getTicket: (workspaceId, ticketName) =>
      http.operation('getTicket', async (context): Promise<Ticket> => {
        const ticket = await http.get(context, ticketsPath(workspaceId, ticketName), WorkspaceTicketSchema);
        const statuses = ticket.history?.statuses ?? [];
        return {
          name: ticket.name,
          title: ticket.title,
          status: statuses.at(-1)?.status ?? ticket.status ?? null,
          agentId: ticket.aiAgentId ?? null,
        };
      }),

    setTicketStatus: (workspaceId, ticketName, change) =>
      http.operation('setTicketStatus', async (context): Promise<void> => {
        // §4 Close: CTL reads the updated ticket back; nothing here needs it, so a reply of another shape is no error.
        await http.exchange(context, {
          method: 'PUT',
          path: `${ticketsPath(workspaceId, ticketName)}/status`,
          body: ticketStatusBody(change),
        });
      }),

    reassignAgent: (workspaceId, ticketName, agent) =>
      http.operation('reassignAgent', async (context): Promise<void> => {
        await http.exchange(context, {
          method: 'PUT',
          path: `${ticketsPath(workspaceId, ticketName)}/assignee/${segment(agent.id)}`,
        });
      }),
  };
}
