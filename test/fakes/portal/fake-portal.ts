import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import {
  type FakeAgent,
  type FakeTenant,
  type FakeTicket,
  type FakeTicketMessage,
  type FakeUser,
  IMPERSONATABLE_USERS_KEY,
  type PortalSeed,
  type WireCommand,
  type WireMessageData,
} from './model.js';
import { type AgentReply, type AgentScript, defaultAgentReply, fullWireData } from './scripted-agent.js';
import { defaultPortalSeed } from './seed.js';
import { AssigneeBody, CreateTicketBody, describeIssues, MetadataBody, SendMessageBody } from './wire-schemas.js';

/**
 * A fake DuploCloud portal over real HTTP (node:http), serving exactly helper-notes/PORTAL-WIRE.md. It is strict
 * where a real portal would refuse: bad token → 401, non-admin on an admin endpoint or a tenant it cannot access →
 * 403, unknown tenant/user/ticket → 404, malformed or incomplete body → 400 `{"Message"}`. A scripted agent answers
 * tickets and follows the command-approval protocol. Tests, `npm run demo` and the benchmark share it.
 */

export interface FakePortalOptions {
  /** Initial data; default `defaultPortalSeed()`. Copied, never mutated. */
  readonly seed?: PortalSeed;
  readonly host?: '127.0.0.1';
  /** Default 0 (ephemeral). `npm run fake-portal` uses a fixed one. */
  readonly port?: number;
  /** The admin token (belongs to `seed.adminUser`); default a random token per instance. */
  readonly adminToken?: string;
  /** Clock for ticket names and message times; default the system clock. */
  readonly clock?: { now(): Date };
}

/** One request as the fake saw it. Never holds the token: `user` says whose it was. */
export interface RecordedCall {
  /** 1, 2, 3… in arrival order. */
  readonly seq: number;
  readonly method: string;
  /** The raw (still percent-encoded) path, no query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The body parsed as JSON; raw text when it is not JSON; undefined when empty. */
  readonly body: unknown;
  /** true when the bearer token was valid (403s are authorized but forbidden). */
  readonly authorized: boolean;
  /** Username the bearer token belongs to; null when missing or invalid. */
  readonly user: string | null;
  /**
   * The X-Correlation-Id header (the Slack request that caused the call); null when absent. It is the only header
   * recorded: the Authorization token never is.
   */
  readonly correlationId: string | null;
  /** The status answered; 0 while in flight or when the connection was dropped. */
  readonly status: number;
  /** Wall-clock handling time, including latency and injected delays. */
  readonly durationMs: number;
  /** true when an injected fault matched this request. */
  readonly fault: boolean;
  /** Wall-clock arrival time. */
  readonly at: Date;
}

export interface FaultSpec {
  /** Any method when absent. */
  readonly method?: string;
  /** Tested against the raw path (no query). */
  readonly path: RegExp;
  /** How many requests it hits; default 1, Infinity allowed. */
  readonly times?: number;
  /** Answer with this status (body default `{"Message":"Injected fault"}` for errors, empty otherwise). */
  readonly status?: number;
  /** Answer with this raw body (status default 200), e.g. malformed JSON. Sent as application/json. */
  readonly body?: string;
  /** Wait this long first. Alone (no status/body/drop) the request is then handled normally. */
  readonly delayMs?: number;
  /** Destroy the socket without answering. */
  readonly dropConnection?: boolean;
}

export interface InjectedFault {
  readonly spec: FaultSpec;
  /** Requests it has hit so far. */
  readonly hits: number;
  readonly remaining: number;
}

export interface AddTenantInput {
  readonly id?: string;
  readonly name: string;
  readonly planId?: string;
  readonly infraOwner?: string;
  readonly settings?: Readonly<Record<string, string>>;
}

export interface AddUserInput {
  readonly username: string;
  /** Default ['User']. */
  readonly roles?: readonly string[];
  readonly isReadOnly?: boolean;
  readonly access?: ReadonlyArray<{ readonly tenantId: string; readonly readOnly: boolean }>;
}

export interface AddAgentInput {
  readonly id?: string;
  readonly name: string;
  readonly instanceId?: string;
  readonly allowedTenants?: readonly string[];
}

export interface FakePortal {
  /** Portal root, no trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The token the service is configured with (an Administrator's). */
  readonly adminToken: string;
  /** Username the admin token belongs to. */
  readonly adminUser: string;

  /** Live data: tenant id → tenant. */
  readonly tenants: Map<string, FakeTenant>;
  /** Live data: lower-case username → user. */
  readonly users: Map<string, FakeUser>;
  /** Live data: the agents listing, in order. */
  readonly agents: FakeAgent[];
  /** Live data: token → username. Add entries (or use `issueToken`) for non-admin tokens. */
  readonly tokens: Map<string, string>;

  addTenant(input: AddTenantInput): FakeTenant;
  removeTenant(tenantId: string): void;
  tenantByName(name: string): FakeTenant | undefined;
  addUser(input: AddUserInput): FakeUser;
  user(username: string): FakeUser | undefined;
  grantAccess(username: string, tenantId: string, policy?: { readonly readOnly?: boolean }): void;
  revokeAccess(username: string, tenantId: string): void;
  /** Sets (or with undefined removes) one tenant setting, e.g. `helpdesk-impersonatable-users`. */
  setTenantSetting(tenantId: string, key: string, value: string | undefined): void;
  addAgent(input: AddAgentInput): FakeAgent;
  removeAgent(name: string): void;
  /** Registers a token for a user (random when not given) and returns it. */
  issueToken(username: string, token?: string): string;
  revokeToken(token: string): void;

  ticket(name: string): FakeTicket | undefined;
  /** Every ticket in creation order, optionally of one tenant. */
  tickets(tenantId?: string): FakeTicket[];
  ticketUrl(tenantId: string, ticketName: string): string;

  /** The output the agent reports when `command` is approved (default: a deterministic plausible one). */
  setCommandOutput(command: string, output: string): void;
  setAgentScript(script: AgentScript): void;
  resetAgentScript(): void;

  /** Extra time before every request is handled (agent thinking time); 0 to stop. */
  setLatency(ms: number): void;
  inject(fault: FaultSpec): InjectedFault;
  clearFaults(): void;

  readonly calls: readonly RecordedCall[];
  callsTo(method: string, path: RegExp): RecordedCall[];
  resetCalls(): void;

  close(): Promise<void>;
}

// ───────────────────────────── internals ─────────────────────────────

const MAX_BODY_BYTES = 1_000_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  readonly status: number;
  /** JSON-serialised; absent → empty body. */
  readonly json?: unknown;
}

interface RequestContext {
  readonly user: FakeUser;
  readonly rawBody: string;
  readonly contentType: string;
}

type Params = Readonly<Record<string, string>>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handle: (context: RequestContext, params: Params) => Reply | Promise<Reply>;
}

interface MutableCall {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorized: boolean;
  user: string | null;
  correlationId: string | null;
  status: number;
  durationMs: number;
  fault: boolean;
  at: Date;
}

interface MutableFault {
  readonly spec: FaultSpec;
  hits: number;
  remaining: number;
}

const isAdmin = (user: FakeUser): boolean => user.roles.some((role) => role.toLowerCase() === 'administrator');

const pad = (value: number): string => String(value).padStart(2, '0');

/** yyMMddHHmmss in UTC. */
const ticketStamp = (at: Date): string =>
  pad(at.getUTCFullYear() % 100) +
  pad(at.getUTCMonth() + 1) +
  pad(at.getUTCDate()) +
  pad(at.getUTCHours()) +
  pad(at.getUTCMinutes()) +
  pad(at.getUTCSeconds());

const recordedBody = (raw: string): unknown => {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      size > MAX_BODY_BYTES ? reject(new HttpError(413, 'Body too large')) : resolve(Buffer.concat(chunks).toString()),
    );
    request.on('error', reject);
  });

class FakePortalServer implements FakePortal {
  readonly tenants = new Map<string, FakeTenant>();
  readonly users = new Map<string, FakeUser>();
  readonly agents: FakeAgent[] = [];
  readonly tokens = new Map<string, string>();
  readonly adminToken: string;
  readonly adminUser: string;
  url = '';

  private readonly server: Server;
  private readonly clock: { now(): Date };
  private readonly ticketsByName = new Map<string, FakeTicket>();
  private readonly commandOutputs = new Map<string, string>();
  private readonly recorded: MutableCall[] = [];
  private faults: MutableFault[] = [];
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: (awake: boolean) => void }>();
  private script: AgentScript | undefined;
  private latencyMs = 0;
  private nextSeq = 1;
  private closed = false;
  private readonly routes: readonly Route[];

  constructor(options: FakePortalOptions) {
    const seed = options.seed ?? defaultPortalSeed();
    this.clock = options.clock ?? { now: () => new Date() };
    for (const tenant of seed.tenants) this.addTenant(tenant);
    for (const user of seed.users) this.addUser(user);
    for (const agent of seed.agents) this.addAgent(agent);
    const admin = this.user(seed.adminUser);
    if (!admin) throw new Error(`seed.adminUser ${seed.adminUser} is not one of seed.users`);
    this.adminUser = admin.username;
    this.adminToken = this.issueToken(admin.username, options.adminToken);
    this.routes = this.buildRoutes();
    this.server = createServer((request, response) => {
      void this.serve(request, response);
    });
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake(false);
    }
    this.sleepers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ─────────── data ───────────

  addTenant(input: AddTenantInput): FakeTenant {
    const id = (input.id ?? randomUUID()).toLowerCase();
    if (this.tenants.has(id)) throw new Error(`tenant ${id} already exists`);
    if (this.tenantByName(input.name)) throw new Error(`tenant name ${input.name} already exists`);
    const tenant: FakeTenant = {
      id,
      name: input.name,
      planId: input.planId ?? 'default',
      infraOwner: input.infraOwner ?? 'default',
      settings: new Map(Object.entries(input.settings ?? {})),
    };
    this.tenants.set(id, tenant);
    return tenant;
  }

  removeTenant(tenantId: string): void {
    this.tenants.delete(tenantId.toLowerCase());
  }

  tenantByName(name: string): FakeTenant | undefined {
    return [...this.tenants.values()].find((tenant) => tenant.name.toLowerCase() === name.toLowerCase());
  }

  addUser(input: AddUserInput): FakeUser {
    const key = input.username.toLowerCase();
    if (this.users.has(key)) throw new Error(`user ${input.username} already exists`);
    const user: FakeUser = {
      username: input.username,
      roles: [...(input.roles ?? ['User'])],
      isReadOnly: input.isReadOnly ?? false,
      access: new Map(),
    };
    this.users.set(key, user);
    for (const grant of input.access ?? []) this.grantAccess(user.username, grant.tenantId, grant);
    return user;
  }

  user(username: string): FakeUser | undefined {
    return this.users.get(username.toLowerCase());
  }

  grantAccess(username: string, tenantId: string, policy: { readonly readOnly?: boolean } = {}): void {
    const user = this.requireUser(username);
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) throw new Error(`no tenant ${tenantId}`);
    user.access.set(tenant.id, { readOnly: policy.readOnly ?? false });
  }

  revokeAccess(username: string, tenantId: string): void {
    this.requireUser(username).access.delete(tenantId.toLowerCase());
  }

  setTenantSetting(tenantId: string, key: string, value: string | undefined): void {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) throw new Error(`no tenant ${tenantId}`);
    if (value === undefined) tenant.settings.delete(key);
    else tenant.settings.set(key, value);
  }

  addAgent(input: AddAgentInput): FakeAgent {
    const agent: FakeAgent = { id: input.id ?? `agent-${randomUUID().slice(0, 8)}`, name: input.name };
    if (input.instanceId !== undefined) agent.instanceId = input.instanceId;
    if (input.allowedTenants !== undefined) agent.allowedTenants = input.allowedTenants.map((id) => id.toLowerCase());
    this.agents.push(agent);
    return agent;
  }

  removeAgent(name: string): void {
    const index = this.agents.findIndex((agent) => agent.name === name);
    if (index >= 0) this.agents.splice(index, 1);
  }

  issueToken(username: string, token?: string): string {
    const user = this.requireUser(username);
    const issued = token ?? `fake-${randomBytes(18).toString('base64url')}`;
    this.tokens.set(issued, user.username);
    return issued;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  ticket(name: string): FakeTicket | undefined {
    return this.ticketsByName.get(name);
  }

  tickets(tenantId?: string): FakeTicket[] {
    const all = [...this.ticketsByName.values()];
    return tenantId === undefined ? all : all.filter((ticket) => ticket.tenantId === tenantId.toLowerCase());
  }

  ticketUrl(tenantId: string, ticketName: string): string {
    return `${this.url}/app/ai/service-desk/${tenantId}/tickets/chat/${ticketName}`;
  }

  setCommandOutput(command: string, output: string): void {
    this.commandOutputs.set(command, output);
  }

  setAgentScript(script: AgentScript): void {
    this.script = script;
  }

  resetAgentScript(): void {
    this.script = undefined;
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  inject(spec: FaultSpec): InjectedFault {
    const fault: MutableFault = { spec, hits: 0, remaining: spec.times ?? 1 };
    this.faults.push(fault);
    return fault;
  }

  clearFaults(): void {
    this.faults = [];
  }

  get calls(): readonly RecordedCall[] {
    return this.recorded;
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.recorded.filter((call) => call.method === method.toUpperCase() && matches(path, call.path));
  }

  resetCalls(): void {
    this.recorded.length = 0;
  }

  private requireUser(username: string): FakeUser {
    const user = this.user(username);
    if (!user) throw new Error(`no user ${username}`);
    return user;
  }

  // ─────────── HTTP plumbing ───────────

  private sleep(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!this.closed);
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve(!this.closed);
        }, ms),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  private takeFault(method: string, path: string): MutableFault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.spec.method === undefined || candidate.spec.method.toUpperCase() === method) &&
        matches(candidate.spec.path, path),
    );
    if (fault) {
      fault.hits += 1;
      fault.remaining -= 1;
    }
    return fault;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://fake-portal.invalid');
    let rawBody = '';
    let bodyError: HttpError | undefined;
    try {
      rawBody = await readBody(request);
    } catch (error) {
      bodyError = error instanceof HttpError ? error : new HttpError(400, 'Unreadable body');
    }
    const user = this.authenticate(request.headers.authorization);
    const call: MutableCall = {
      seq: this.nextSeq++,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: recordedBody(rawBody),
      authorized: user !== undefined,
      user: user?.username ?? null,
      correlationId: headerValue(request.headers['x-correlation-id']),
      status: 0,
      durationMs: 0,
      fault: false,
      at: new Date(),
    };
    this.recorded.push(call);

    const send = (status: number, body: string, contentType: string): void => {
      call.status = status;
      call.durationMs = performance.now() - started;
      if (response.destroyed || response.writableEnded) return;
      const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
      if (body !== '') headers['content-type'] = contentType;
      response.writeHead(status, headers);
      response.end(body);
    };
    const sendJson = (status: number, json: unknown): void =>
      send(status, json === undefined ? '' : JSON.stringify(json), 'application/json; charset=utf-8');

    if (!(await this.sleep(this.latencyMs))) return;

    const fault = this.takeFault(method, url.pathname);
    if (fault) {
      call.fault = true;
      const { spec } = fault;
      if (spec.delayMs !== undefined && !(await this.sleep(spec.delayMs))) return;
      if (spec.dropConnection) {
        call.durationMs = performance.now() - started;
        request.socket.destroy();
        return;
      }
      if (spec.status !== undefined || spec.body !== undefined) {
        const status = spec.status ?? 200;
        const body = spec.body ?? (status >= 400 ? JSON.stringify({ Message: 'Injected fault' }) : '');
        send(status, body, 'application/json; charset=utf-8');
        return;
      }
    }

    if (!user) {
      send(401, 'Unauthorized', 'text/plain; charset=utf-8');
      return;
    }
    try {
      if (bodyError) throw bodyError;
      const reply = await this.route(method, url.pathname, {
        user,
        rawBody,
        contentType: request.headers['content-type'] ?? '',
      });
      sendJson(reply.status, reply.json);
    } catch (error) {
      if (error instanceof HttpError) sendJson(error.status, { Message: error.message });
      else sendJson(500, { Message: `Fake portal failure: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private authenticate(header: string | undefined): FakeUser | undefined {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (token === undefined) return undefined;
    const username = this.tokens.get(token);
    return username === undefined ? undefined : this.user(username);
  }

  private async route(method: string, path: string, context: RequestContext): Promise<Reply> {
    let pathKnown = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      pathKnown = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(match.groups ?? {})) {
        try {
          params[name] = decodeURIComponent(value);
        } catch {
          throw new HttpError(400, `Malformed path segment ${name}`);
        }
      }
      return route.handle(context, params);
    }
    throw pathKnown ? new HttpError(405, 'Method not allowed') : new HttpError(404, 'Resource not found');
  }

  // ─────────── request helpers ───────────

  private parseBody<T extends z.ZodType>(context: RequestContext, schema: T): z.output<T> {
    if (!/^application\/json\b/i.test(context.contentType.trim())) {
      throw new HttpError(415, 'Content-Type must be application/json');
    }
    if (context.rawBody.trim() === '') throw new HttpError(400, 'A JSON body is required');
    let json: unknown;
    try {
      json = JSON.parse(context.rawBody);
    } catch {
      throw new HttpError(400, 'Malformed JSON body');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new HttpError(400, `Invalid request body: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }

  private requireAdmin(user: FakeUser): void {
    if (!isAdmin(user)) throw new HttpError(403, 'Forbidden');
  }

  private tenantFor(user: FakeUser, tenantId: string): FakeTenant {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) throw new HttpError(404, 'Tenant not found');
    if (!isAdmin(user) && !user.access.has(tenant.id)) throw new HttpError(403, 'Forbidden');
    return tenant;
  }

  private ticketIn(tenant: FakeTenant, ticketName: string): FakeTicket {
    const ticket = this.ticketsByName.get(ticketName);
    if (!ticket || ticket.tenantId !== tenant.id) throw new HttpError(404, 'Ticket not found');
    return ticket;
  }

  private agentFor(tenant: FakeTenant, assignee: { agentName: string; instanceId: string }): FakeAgent {
    const agent = this.agents.find(
      (candidate) =>
        candidate.name === assignee.agentName && (candidate.instanceId ?? candidate.id) === assignee.instanceId,
    );
    if (!agent) throw new HttpError(400, `Unknown agent ${assignee.agentName} (${assignee.instanceId})`);
    if (agent.allowedTenants && !agent.allowedTenants.includes(tenant.id)) {
      throw new HttpError(400, `Agent ${agent.name} is not allowed in tenant ${tenant.name}`);
    }
    return agent;
  }

  /** The tenant's current `helpdesk-impersonatable-users`, parsed as the wire contract says. */
  private identitiesOf(tenant: FakeTenant): string[] {
    const seen = new Set<string>();
    const identities: string[] = [];
    for (const part of (tenant.settings.get(IMPERSONATABLE_USERS_KEY) ?? '').split(';')) {
      const identity = part.trim();
      if (identity === '' || seen.has(identity.toLowerCase())) continue;
      seen.add(identity.toLowerCase());
      identities.push(identity);
    }
    return identities;
  }

  private requireIdentity(tenant: FakeTenant, identity: string): void {
    const allowed = this.identitiesOf(tenant).some((candidate) => candidate.toLowerCase() === identity.toLowerCase());
    if (!allowed) throw new HttpError(403, 'Impersonation not allowed');
  }

  private newTicketName(tenant: FakeTenant): string {
    let at = this.clock.now().getTime();
    let name = `${tenant.name}-${ticketStamp(new Date(at))}`;
    while (this.ticketsByName.has(name)) {
      at += 1000;
      name = `${tenant.name}-${ticketStamp(new Date(at))}`;
    }
    return name;
  }

  /**
   * Checks an approval echo against the ticket's proposals: each echoed command must be one the agent proposed
   * and nobody answered yet, and appear once. Marks them approved/rejected.
   */
  private applyDecisions(ticket: FakeTicket, decisions: readonly WireCommand[]): void {
    const seen = new Set<string>();
    for (const decision of decisions) {
      if (seen.has(decision.command)) throw new HttpError(400, 'Command echoed twice');
      seen.add(decision.command);
      const known = ticket.commands.filter((command) => command.command === decision.command);
      if (known.length === 0) throw new HttpError(400, 'Unknown command');
      if (!known.some((command) => command.state === 'proposed')) throw new HttpError(400, 'Command already answered');
    }
    for (const decision of decisions) {
      const pending = ticket.commands.find(
        (command) => command.command === decision.command && command.state === 'proposed',
      );
      if (!pending) continue;
      pending.state = decision.execute ? 'approved' : 'rejected';
      if (!decision.execute && decision.rejection_reason !== undefined) {
        pending.rejectionReason = decision.rejection_reason;
      }
    }
  }

  private async agentAnswer(
    ticket: FakeTicket,
    tenant: FakeTenant,
    message: FakeTicketMessage,
    decisions: readonly WireCommand[],
  ): Promise<{ role: 'assistant'; content: string; data: WireMessageData }> {
    const defaultReply = (): AgentReply => defaultAgentReply(ticket, message, tenant, decisions, this.commandOutputs);
    let reply: AgentReply | undefined;
    try {
      reply = this.script ? await this.script({ ticket, message, tenant, decisions, defaultReply }) : undefined;
    } catch (error) {
      throw new HttpError(500, `Agent failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const chosen = reply ?? defaultReply();
    const data = fullWireData(chosen.data);
    ticket.messages.push({ role: 'assistant', content: chosen.content, data, at: this.clock.now() });
    for (const cmd of data.cmds) ticket.commands.push({ command: cmd.command, state: 'proposed' });
    for (const executed of data.executed_cmds) {
      const command = ticket.commands.find(
        (candidate) =>
          candidate.command === executed.command && candidate.state === 'approved' && candidate.output === undefined,
      );
      if (command) command.output = executed.output;
    }
    return { role: 'assistant', content: chosen.content, data };
  }

  // ─────────── routes ───────────

  private buildRoutes(): Route[] {
    const userJson = (user: FakeUser) => ({ Username: user.username, Roles: user.roles, IsReadOnly: user.isReadOnly });
    const metadataJson = (tenant: FakeTenant) =>
      [...tenant.settings].map(([Key, Value]) => ({ Key, Value }) satisfies { Key: string; Value: string });
    const tenantJson = (tenant: FakeTenant) => ({
      TenantId: tenant.id,
      AccountName: tenant.name,
      PlanID: tenant.planId,
      InfraOwner: tenant.infraOwner,
      Metadata: metadataJson(tenant),
    });
    const ticketJson = (ticket: FakeTicket) => ({
      name: ticket.name,
      title: ticket.title,
      status: ticket.status,
      assignee: { agentName: ticket.assignee.agentName, instanceId: ticket.assignee.instanceId },
    });
    const ok = (json: unknown): Reply => ({ status: 200, json });

    return [
      {
        method: 'GET',
        pattern: /^\/admin\/GetUserRoleInfo$/,
        handle: ({ user }) => ok(userJson(user)),
      },
      {
        method: 'GET',
        pattern: /^\/admin\/GetAllUserRoles$/,
        handle: ({ user }) => {
          this.requireAdmin(user);
          // IsConfirmed: the real listing carries more fields than we read; clients must tolerate extras.
          return ok([...this.users.values()].map((each) => ({ ...userJson(each), IsConfirmed: true })));
        },
      },
      {
        method: 'GET',
        pattern: /^\/admin\/GetTenantsForUser$/,
        handle: ({ user }) =>
          ok(
            [...this.tenants.values()].filter((tenant) => isAdmin(user) || user.access.has(tenant.id)).map(tenantJson),
          ),
      },
      {
        method: 'GET',
        pattern: /^\/v3\/admin\/user\/(?<username>[^/]+)\/tenantAccess$/,
        handle: ({ user }, { username }) => {
          this.requireAdmin(user);
          const subject = this.user(username ?? '');
          if (!subject) throw new HttpError(404, 'User not found');
          // Explicit grants only: an Administrator's implicit access to every tenant is not listed here.
          const grants = [...subject.access].flatMap(([tenantId, policy]) => {
            const tenant = this.tenants.get(tenantId);
            return tenant
              ? [{ TenantId: tenant.id, AccountName: tenant.name, Policy: { IsReadOnly: policy.readOnly } }]
              : [];
          });
          return ok(grants);
        },
      },
      {
        method: 'GET',
        pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)$/,
        handle: ({ user }, { tenantId }) => ok(tenantJson(this.tenantFor(user, tenantId ?? ''))),
      },
      {
        method: 'GET',
        pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)\/metadata$/,
        handle: ({ user }, { tenantId }) => ok(metadataJson(this.tenantFor(user, tenantId ?? ''))),
      },
      {
        method: 'POST',
        pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)\/metadata$/,
        handle: (context, { tenantId }) => {
          this.requireAdmin(context.user);
          const tenant = this.tenantFor(context.user, tenantId ?? '');
          const body = this.parseBody(context, MetadataBody);
          tenant.settings.set(body.Key, body.Value);
          return ok({ Key: body.Key, Value: body.Value });
        },
      },
      {
        method: 'DELETE',
        pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)\/metadata\/(?<key>[^/]+)$/,
        handle: ({ user }, { tenantId, key }) => {
          this.requireAdmin(user);
          const tenant = this.tenantFor(user, tenantId ?? '');
          if (!tenant.settings.delete(key ?? '')) throw new HttpError(404, 'Setting not found');
          return { status: 204 };
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/aiservicedesk\/admin\/data\/aiagents$/,
        handle: () =>
          ok({
            success: true,
            data: {
              items: this.agents.map((agent) => ({
                id: agent.id,
                name: agent.name,
                ...(agent.instanceId === undefined ? {} : { instanceId: agent.instanceId }),
                ...(agent.allowedTenants === undefined ? {} : { allowedTenants: agent.allowedTenants }),
              })),
            },
          }),
      },
      {
        method: 'POST',
        pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)$/,
        handle: async (context, { tenantId }) => {
          const tenant = this.tenantFor(context.user, tenantId ?? '');
          const body = this.parseBody(context, CreateTicketBody);
          this.agentFor(tenant, body.assignee);
          this.requireIdentity(tenant, body.impersonateUser);
          const now = this.clock.now();
          const ticket: FakeTicket = {
            name: this.newTicketName(tenant),
            tenantId: tenant.id,
            title: body.title,
            status: 'open',
            assignee: { agentName: body.assignee.agentName, instanceId: body.assignee.instanceId },
            ...(body.Origin === undefined ? {} : { origin: body.Origin }),
            identity: body.impersonateUser,
            createdBy: context.user.username,
            createdAt: now,
            messages: [],
            commands: [],
          };
          this.ticketsByName.set(ticket.name, ticket);
          let answer: Awaited<ReturnType<FakePortalServer['agentAnswer']>> | null = null;
          if (body.content !== undefined || body.process_message === true) {
            const message: FakeTicketMessage = {
              role: 'user',
              content: body.content ?? '',
              data: {},
              ...(body.platform_context === undefined ? {} : { platform_context: body.platform_context }),
              identity: body.impersonateUser,
              at: now,
            };
            ticket.messages.push(message);
            if (body.process_message === true) answer = await this.agentAnswer(ticket, tenant, message, []);
          }
          return ok({ ticket: ticketJson(ticket), message: answer });
        },
      },
      {
        method: 'POST',
        pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)\/(?<ticketName>[^/]+)\/sendmessage$/,
        handle: async (context, { tenantId, ticketName }) => {
          const tenant = this.tenantFor(context.user, tenantId ?? '');
          const ticket = this.ticketIn(tenant, ticketName ?? '');
          const body = this.parseBody(context, SendMessageBody);
          const identity = body.platform_context.impersonate_user;
          this.requireIdentity(tenant, identity);
          const decisions: WireCommand[] = (body.data?.cmds ?? []).map((cmd) => ({
            command: cmd.command,
            execute: cmd.execute,
            ...(cmd.rejection_reason === undefined ? {} : { rejection_reason: cmd.rejection_reason }),
          }));
          this.applyDecisions(ticket, decisions);
          const message: FakeTicketMessage = {
            role: 'user',
            content: body.content,
            data: (body.data ?? {}) as FakeTicketMessage['data'],
            platform_context: body.platform_context,
            identity,
            at: this.clock.now(),
          };
          ticket.messages.push(message);
          return ok(await this.agentAnswer(ticket, tenant, message, decisions));
        },
      },
      {
        method: 'GET',
        pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)\/(?<ticketName>[^/]+)$/,
        handle: ({ user }, { tenantId, ticketName }) =>
          ok(ticketJson(this.ticketIn(this.tenantFor(user, tenantId ?? ''), ticketName ?? ''))),
      },
      {
        method: 'PUT',
        pattern: /^\/v1\/aiservicedesk\/tickets\/(?<tenantId>[^/]+)\/(?<ticketName>[^/]+)\/assignee$/,
        handle: (context, { tenantId, ticketName }) => {
          const tenant = this.tenantFor(context.user, tenantId ?? '');
          const ticket = this.ticketIn(tenant, ticketName ?? '');
          const body = this.parseBody(context, AssigneeBody);
          this.agentFor(tenant, body);
          ticket.assignee = { agentName: body.agentName, instanceId: body.instanceId };
          return ok(ticketJson(ticket));
        },
      },
    ];
  }
}

/** A regex with the g or y flag keeps state between tests; reset it so every match starts fresh. */
const matches = (pattern: RegExp, text: string): boolean => {
  pattern.lastIndex = 0;
  return pattern.test(text);
};

/** Starts a fake portal on 127.0.0.1 (port 0 unless given). Close it with `close()`. */
export const startFakePortal = async (options: FakePortalOptions = {}): Promise<FakePortal> => {
  const portal = new FakePortalServer(options);
  await portal.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return portal;
};

/** A request header as one string: the first value when repeated, null when absent or empty; clipped for safety. */
function headerValue(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first.slice(0, 200);
}
