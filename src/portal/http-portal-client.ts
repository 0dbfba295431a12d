import axios, { type AxiosInstance, type Method } from 'axios';
import type { z } from 'zod';
import type { PortalConfig } from '../config.js';
import { DomainError } from '../domain/errors.js';
import { type AgentMessage, emptyMessageData } from '../domain/messages.js';
import type {
  Agent,
  CreatedTicket,
  CreateTicketInput,
  PortalClient,
  PortalUser,
  SendMessageInput,
  Tenant,
  TenantAccess,
  Ticket,
  TokenCheck,
  UserAccess,
} from '../domain/ports.js';
import { CorrelationHeader, currentCorrelationId } from '../observability/correlation.js';
import { badResponse, type PortalCallContext, schemaError, statusError, toPortalError } from './portal-errors.js';
import {
  AgentListingSchema,
  AllUserRolesSchema,
  CreateTicketResponseSchema,
  ImpersonatableUsersKey,
  MessageSchema,
  MetadataSchema,
  PortalUserSchema,
  type PortalUserWire,
  parseImpersonatableUsers,
  TenantAccessSchema,
  TenantListSchema,
  TenantSchema,
  TicketSchema,
  toAgentMessage,
} from './portal-schemas.js';

export type PortalOperation =
  | 'checkToken'
  | 'userAccess'
  | 'getTenant'
  | 'impersonatableUsers'
  | 'listAgents'
  | 'createTicket'
  | 'sendMessage'
  | 'getTicket'
  | 'reassignAgent';

export interface PortalCallObservation {
  readonly portal: string;
  readonly operation: PortalOperation;
  /** 'ok', or the DomainError code the call failed with. */
  readonly outcome: string;
  readonly seconds: number;
  /** The Slack request that caused the call (also sent to the portal as X-Correlation-Id), when there was one. */
  readonly correlationId?: string;
}

export interface HttpPortalClientOptions {
  /** Per-request timeout for quick calls (reads, reassign). Default 10 s. */
  readonly timeoutMs?: number;
  /** Per-request timeout for calls an agent answers (createTicket, sendMessage): agents think. Default 120 s. */
  readonly agentTimeoutMs?: number;
  /** Extra attempts for an idempotent GET that found the portal unavailable or timed out. Default 2. */
  readonly getRetries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 200 ms. */
  readonly retryBaseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); injectable so tests can pin delays. */
  readonly random?: () => number;
  /** Called once per operation (not per attempt), e.g. to feed metrics. Never gets a token. */
  readonly observe?: (call: PortalCallObservation) => void;
}

const DefaultTimeoutMs = 10_000;
const DefaultAgentTimeoutMs = 120_000;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const isAdministrator = (roles: readonly string[]): boolean =>
  roles.some((role) => role.toLowerCase() === 'administrator');

const byName = <T extends Tenant>(a: T, b: T): number =>
  a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id, 'en');

const segment = encodeURIComponent;

interface Request {
  readonly method: Method;
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
}

export function createHttpPortalClient(config: PortalConfig, options: HttpPortalClientOptions = {}): PortalClient {
  const timeoutMs = options.timeoutMs ?? DefaultTimeoutMs;
  const agentTimeoutMs = options.agentTimeoutMs ?? DefaultAgentTimeoutMs;
  const getRetries = Math.max(0, options.getRetries ?? 2);
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const secrets = [config.token];

  const http: AxiosInstance = axios.create({
    baseURL: config.host,
    headers: {
      Authorization: `Bearer ${config.token}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    // We parse bodies ourselves: a 2xx that is not JSON must become portal.bad_response, not a string.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    // Timeouts come back as ETIMEDOUT rather than the ambiguous ECONNABORTED.
    transitional: { clarifyTimeoutError: true },
    maxRedirects: 0,
    validateStatus: () => true,
  });

  /** One HTTP exchange: the status and raw body, or a DomainError for a non-2xx or a transport failure. */
  async function exchange(context: PortalCallContext, request: Request): Promise<{ status: number; body: string }> {
    let response: { status: number; data: unknown };
    const correlationId = currentCorrelationId();
    try {
      response = await http.request({
        method: request.method,
        url: request.path,
        timeout: request.timeoutMs,
        ...(request.body !== undefined ? { data: request.body } : {}),
        ...(correlationId ? { headers: { [CorrelationHeader]: correlationId } } : {}),
      });
    } catch (error) {
      throw toPortalError(error, context);
    }
    if (response.status < 200 || response.status >= 300) throw statusError(context, response.status, response.data);
    return { status: response.status, body: typeof response.data === 'string' ? response.data : '' };
  }

  /** GETs are idempotent: retry them, with backoff and jitter, when the portal is down or slow. Never on a 4xx. */
  async function withRetries<T>(context: PortalCallContext, method: Method, attempt: () => Promise<T>): Promise<T> {
    const retries = method === 'GET' ? getRetries : 0;
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        const retryable = error instanceof DomainError && ['portal.unavailable', 'portal.timeout'].includes(error.code);
        if (!retryable || retry >= retries) throw toPortalError(error, context);
        const step = retryBaseDelayMs * 2 ** retry;
        await sleep(Math.round(step / 2 + (random() * step) / 2));
      }
    }
  }

  async function call<S extends z.ZodType>(
    context: PortalCallContext,
    request: Request,
    schema: S,
  ): Promise<z.output<S>> {
    return withRetries(context, request.method, async () => {
      const { status, body } = await exchange(context, request);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw badResponse(context, body.trim() === '' ? 'empty body' : 'not JSON', status);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw schemaError(context, parsed.error, status);
      return parsed.data;
    });
  }

  const get = <S extends z.ZodType>(context: PortalCallContext, path: string, schema: S) =>
    call(context, { method: 'GET', path, timeoutMs }, schema);

  /** Runs one operation, reporting its outcome and duration once. */
  async function operation<T>(name: PortalOperation, run: (context: PortalCallContext) => Promise<T>): Promise<T> {
    const context: PortalCallContext = { portal: config.name, operation: name, secrets };
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await run(context);
    } catch (error) {
      const failure = toPortalError(error, context);
      outcome = failure.code;
      throw failure;
    } finally {
      const correlationId = currentCorrelationId();
      options.observe?.({
        portal: config.name,
        operation: name,
        outcome,
        seconds: (performance.now() - started) / 1000,
        ...(correlationId ? { correlationId } : {}),
      });
    }
  }

  const toPortalUser = (wire: PortalUserWire): PortalUser => ({
    username: wire.Username,
    roles: wire.Roles,
    isAdmin: isAdministrator(wire.Roles),
    readOnly: wire.IsReadOnly,
  });

  async function tenantsFor(context: PortalCallContext, user: PortalUser): Promise<TenantAccess[]> {
    if (user.isAdmin) {
      // The service token is an admin's (GetAllUserRoles needs it), so its own tenant list is every tenant.
      const tenants = await get(context, '/admin/GetTenantsForUser', TenantListSchema);
      return tenants.map((tenant) => ({ id: tenant.TenantId, name: tenant.AccountName, readOnly: user.readOnly }));
    }
    try {
      const access = await get(context, `/v3/admin/user/${segment(user.username)}/tenantAccess`, TenantAccessSchema);
      return access.map((entry) => ({
        id: entry.TenantId,
        name: entry.AccountName,
        readOnly: entry.Policy.IsReadOnly || user.readOnly,
      }));
    } catch (error) {
      // The user exists (GetAllUserRoles listed them) but has no tenant access record.
      if (error instanceof DomainError && error.code === 'portal.not_found') return [];
      throw error;
    }
  }

  async function listedAgents(context: PortalCallContext): Promise<Agent[]> {
    const listing = await get(context, '/v1/aiservicedesk/admin/data/aiagents', AgentListingSchema);
    if (listing.success === false) throw badResponse(context, 'success: false');
    return listing.data.items.map((item) => ({
      name: item.name,
      instanceId: item.instanceId ?? item.id,
      ...(item.allowedTenants !== undefined ? { allowedTenants: item.allowedTenants } : {}),
    }));
  }

  const servesTenant = (agent: Agent, tenantId: string): boolean =>
    agent.allowedTenants === undefined ||
    agent.allowedTenants.some((allowed) => allowed.toLowerCase() === tenantId.toLowerCase());

  const ticketPath = (tenantId: string, ticketName?: string): string =>
    `/v1/aiservicedesk/tickets/${segment(tenantId)}${ticketName === undefined ? '' : `/${segment(ticketName)}`}`;

  return {
    name: config.name,
    host: config.host,

    checkToken: () =>
      operation('checkToken', async (context): Promise<TokenCheck> => {
        const user = await get(context, '/admin/GetUserRoleInfo', PortalUserSchema);
        return { username: user.Username, isAdmin: isAdministrator(user.Roles) };
      }),

    userAccess: (username) =>
      operation('userAccess', async (context): Promise<UserAccess | null> => {
        const wanted = username.trim().toLowerCase();
        if (wanted === '') return null;
        const users = await get(context, '/admin/GetAllUserRoles', AllUserRolesSchema);
        const match =
          users.find((user) => user.Username === username.trim()) ??
          users.find((user) => user.Username.toLowerCase() === wanted);
        if (!match) return null;
        const user = toPortalUser(match);
        const tenants = await tenantsFor(context, user);
        return { user, tenants: [...tenants].sort(byName) };
      }),

    getTenant: (tenantId) =>
      operation('getTenant', async (context): Promise<Tenant> => {
        const tenant = await get(context, `/v3/admin/tenant/${segment(tenantId)}`, TenantSchema);
        return { id: tenant.TenantId, name: tenant.AccountName };
      }),

    impersonatableUsers: (tenantId) =>
      operation('impersonatableUsers', async (context) => {
        const metadata = await get(context, `/v3/admin/tenant/${segment(tenantId)}/metadata`, MetadataSchema);
        const entry = metadata.find((item) => item.Key.trim().toLowerCase() === ImpersonatableUsersKey);
        return parseImpersonatableUsers(entry?.Value);
      }),

    listAgents: (tenantId) =>
      operation('listAgents', async (context): Promise<Agent[]> => {
        // Agents an operator configured for the portal win over the (unofficial) listing, and are never filtered.
        if (config.agents) return config.agents.map(({ name, instanceId }) => ({ name, instanceId }));
        const agents = await listedAgents(context);
        return tenantId === undefined ? agents : agents.filter((agent) => servesTenant(agent, tenantId));
      }),

    createTicket: (input: CreateTicketInput) =>
      operation('createTicket', async (context): Promise<CreatedTicket> => {
        const body = {
          title: input.title,
          assignee: { agentName: input.agent.name, instanceId: input.agent.instanceId },
          content: input.content,
          process_message: true,
          Origin: 'slack',
          impersonateUser: input.identity,
          platform_context: input.platformContext,
        };
        const created = await call(
          context,
          { method: 'POST', path: ticketPath(input.tenantId), body, timeoutMs: agentTimeoutMs },
          CreateTicketResponseSchema,
        );
        return {
          ticketName: created.ticket.name,
          firstReply: created.message ? toAgentMessage(created.message) : null,
        };
      }),

    sendMessage: (input: SendMessageInput) =>
      operation('sendMessage', async (context): Promise<AgentMessage> => {
        const body = {
          content: input.content,
          data: { ...emptyMessageData(), ...input.data },
          platform_context: input.platformContext,
        };
        const reply = await call(
          context,
          {
            method: 'POST',
            path: `${ticketPath(input.tenantId, input.ticketName)}/sendmessage`,
            body,
            timeoutMs: agentTimeoutMs,
          },
          MessageSchema,
        );
        return toAgentMessage(reply);
      }),

    getTicket: (tenantId, ticketName) =>
      operation('getTicket', async (context): Promise<Ticket> => {
        const ticket = await get(context, ticketPath(tenantId, ticketName), TicketSchema);
        return {
          name: ticket.name,
          title: ticket.title,
          status: ticket.status,
          agentName: ticket.assignee?.agentName ?? null,
          instanceId: ticket.assignee?.instanceId ?? null,
        };
      }),

    reassignAgent: (tenantId, ticketName, agent) =>
      operation('reassignAgent', async (context): Promise<void> => {
        // The reply is the ticket or an empty 200/204; nothing in it is needed.
        await withRetries(context, 'PUT', () =>
          exchange(context, {
            method: 'PUT',
            path: `${ticketPath(tenantId, ticketName)}/assignee`,
            body: { agentName: agent.name, instanceId: agent.instanceId },
            timeoutMs,
          }),
        );
      }),

    ticketUrl: (tenantId, ticketName) =>
      `${config.host}/app/ai/service-desk/${segment(tenantId)}/tickets/chat/${segment(ticketName)}`,
  };
}
