import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { adminRoutes } from './admin-api.js';
import {
  type AssistantMessage,
  assembleEvents,
  DEFAULT_DELTA_CHARS,
  errorEvents,
  eventsError,
  replyEvents,
  SSE_KEEP_ALIVE,
  sseFrame,
} from './agent-events.js';
import { HttpError, isAdmin, objectId, type Reply, type RequestContext, type Route } from './http.js';
import {
  type AgentEvent,
  type FakeAgent,
  type FakeDisposition,
  type FakeScope,
  type FakeTenant,
  type FakeTicket,
  type FakeTicketAssignee,
  type FakeTicketMessage,
  type FakeTicketStatus,
  type FakeUser,
  type FakeWorkspace,
  type HelpdeskApi,
  IMPERSONATABLE_USERS_KEY,
  type PortalSeed,
  type SeedScope,
  type WireCommand,
  type WorkspacePortalSeed,
} from './model.js';
import {
  type AgentReply,
  type AgentScript,
  defaultAgentReply,
  type FakeSpace,
  fullWireData,
} from './scripted-agent.js';
import { defaultPortalSeed, defaultWorkspaceSeed } from './seed.js';
import { tenantRoutes } from './tenant-api.js';
import { workspaceRoutes } from './workspace-api.js';

/**
 * A fake DuploCloud portal over real HTTP (node:http), serving ONE HelpDesk API generation exactly as
 * docs/duplocloud-api.md describes it: Gen A (`api: 'tenant'`, §2–§3) or Gen B (`api: 'workspace'`, §4), with the
 * agent replies and streams of §5. It is strict where a real portal would refuse: bad token → 401 on every path,
 * non-admin on an admin endpoint or a tenant it cannot access → 403, unknown tenant/workspace/ticket/route → 404,
 * malformed or incomplete body → 400. Errors are `{"Message"}` (Gen A and the `/admin` API) or
 * `{"success": false, "message"}` (Gen B's `/v1/aiservicedesk`). A scripted agent answers tickets of both
 * generations and follows the command-approval protocol. Tests, `npm run demo` and the benchmark share it.
 */

/** How streams are paced and framed. */
export interface StreamPacing {
  /** Wait this long before each SSE event; default 0. */
  readonly eventDelayMs?: number;
  /** Largest `text_delta` in characters when a reply's content is streamed; default 24. */
  readonly deltaChars?: number;
  /**
   * Also write an `event: <type>` line before each `data:` line. Off by default (docs §5.2 names `data:` lines
   * only); duploctl's docstring says the portal sends both, so a reader should cope either way.
   */
  readonly eventLines?: boolean;
}

interface CommonOptions {
  readonly host?: '127.0.0.1';
  /** Default 0 (ephemeral). `npm run fake-portal` uses fixed ones. */
  readonly port?: number;
  /** The admin token (belongs to `seed.adminUser`); default a random token per instance. */
  readonly adminToken?: string;
  /** Clock for ticket names, times and message times; default the system clock. */
  readonly clock?: { now(): Date };
  /** Stream pacing; change it later with `setStreamPacing`. */
  readonly streaming?: StreamPacing;
}

export interface TenantPortalOptions extends CommonOptions {
  /** Default 'tenant'. */
  readonly api?: 'tenant';
  /** Initial data; default `defaultPortalSeed()`. Copied, never mutated. */
  readonly seed?: PortalSeed;
}

export interface WorkspacePortalOptions extends CommonOptions {
  readonly api: 'workspace';
  /** Initial data; default `defaultWorkspaceSeed()`. Copied, never mutated. */
  readonly seed?: WorkspacePortalSeed;
}

export type FakePortalOptions = TenantPortalOptions | WorkspacePortalOptions;

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
  /** The status answered; 0 while in flight or when the connection was dropped before an answer. */
  readonly status: number;
  /** Wall-clock handling time, including latency, injected delays and the whole of a stream. */
  readonly durationMs: number;
  /** true when an injected fault matched this request. */
  readonly fault: boolean;
  /** SSE answers only: how many events were written (fewer than the reply's when the stream was cut). */
  readonly streamedEvents?: number;
  /**
   * SSE answers only: wall-clock time the first `text_delta` carrying text was written to the response; absent when
   * none was (no text, or the stream was cut first). Next to the fake Slack's `RecordedStream.firstTextAt` it times
   * how soon the text an agent writes shows in Slack.
   */
  readonly firstTextDeltaAt?: Date;
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
  /** Answer with this status (body default the generation's error body "Injected fault" for errors, else empty). */
  readonly status?: number;
  /** Answer with this raw body (status default 200), e.g. malformed JSON. Sent as application/json. */
  readonly body?: string;
  /** Wait this long first. Alone (no status/body/drop) the request is then handled normally. */
  readonly delayMs?: number;
  /** Destroy the socket without answering. */
  readonly dropConnection?: boolean;
  /**
   * SSE answers: handle the request normally, then destroy the socket after this many events (0: right after the
   * headers). A stream with no more events than this ends normally. Other answers are not affected.
   */
  readonly dropAfterEvents?: number;
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
  /** Gen A only. */
  readonly access?: ReadonlyArray<{ readonly tenantId: string; readonly readOnly: boolean }>;
}

export interface AddAgentInput {
  /** Default: Gen A `agent-<random>`, Gen B 24 random hex digits. */
  readonly id?: string;
  readonly name: string;
  /** Gen A. */
  readonly instanceId?: string;
  /** Gen A. */
  readonly friendlyName?: string;
  /** Gen A. */
  readonly allowedTenants?: readonly string[];
  /** Gen A. */
  readonly hostTenantId?: string;
  /** Both; default false. */
  readonly streaming?: boolean;
  /** Gen B; default `streaming`. */
  readonly doesSupportStreaming?: boolean;
  /** Gen B: ids of workspaces the agent is added to. */
  readonly workspaces?: readonly string[];
}

export interface AddWorkspaceInput {
  /** 24 hex digits; default random. */
  readonly id?: string;
  readonly name: string;
  readonly scopes?: readonly SeedScope[];
  /** Agent ids. */
  readonly agents?: readonly string[];
}

export interface FakePortal {
  /** The generation this portal serves. */
  readonly api: HelpdeskApi;
  /** Portal root, no trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The token the service is configured with (an Administrator's). */
  readonly adminToken: string;
  /** Username the admin token belongs to. */
  readonly adminUser: string;
  /** Whether `/admin/GetUserRoleInfo` and `/admin/GetAllUserRoles` are served (else 404): Gen B `seed.adminApi`, Gen A true. */
  adminApi: boolean;

  /** Live data (Gen A): tenant id → tenant. Empty on Gen B. */
  readonly tenants: Map<string, FakeTenant>;
  /** Live data (Gen B): workspace id → workspace. Empty on Gen A. */
  readonly workspaces: Map<string, FakeWorkspace>;
  /** Live data: lower-case username → user. */
  readonly users: Map<string, FakeUser>;
  /** Live data: the agents, in order. */
  readonly agents: FakeAgent[];
  /** Live data: token → username. Add entries (or use `issueToken`) for non-admin tokens. */
  readonly tokens: Map<string, string>;

  /** Gen A only. */
  addTenant(input: AddTenantInput): FakeTenant;
  removeTenant(tenantId: string): void;
  tenantByName(name: string): FakeTenant | undefined;
  /** Gen B only. */
  addWorkspace(input: AddWorkspaceInput): FakeWorkspace;
  removeWorkspace(workspaceId: string): void;
  workspaceByName(name: string): FakeWorkspace | undefined;
  addUser(input: AddUserInput): FakeUser;
  user(username: string): FakeUser | undefined;
  /** Gen A only. */
  grantAccess(username: string, tenantId: string, policy?: { readonly readOnly?: boolean }): void;
  revokeAccess(username: string, tenantId: string): void;
  /** Gen A only. Sets (or with undefined removes) one tenant setting, e.g. `helpdesk-impersonatable-users`. */
  setTenantSetting(tenantId: string, key: string, value: string | undefined): void;
  addAgent(input: AddAgentInput): FakeAgent;
  /** Removes the agent by name (and, on Gen B, from every workspace). */
  removeAgent(name: string): void;
  /** Registers a token for a user (random when not given) and returns it. */
  issueToken(username: string, token?: string): string;
  revokeToken(token: string): void;

  /** The newest ticket with that name (or Gen B id), optionally in one tenant/workspace. */
  ticket(nameOrId: string, spaceId?: string): FakeTicket | undefined;
  /** Every ticket in creation order, optionally of one tenant/workspace. */
  tickets(spaceId?: string): FakeTicket[];
  /** `{url}/app/ai/service-desk/{spaceId}/tickets/chat/{ticketName}` (§3.8, §4). */
  ticketUrl(spaceId: string, ticketName: string): string;
  /** Gen B only: appends a status (as the HelpDesk's own work would), e.g. waitingForUserInput. */
  setTicketStatus(nameOrId: string, status: FakeTicketStatus, disposition?: FakeDisposition): void;

  /** The output the agent reports when `command` is approved (default: a deterministic plausible one). */
  setCommandOutput(command: string, output: string): void;
  setAgentScript(script: AgentScript): void;
  resetAgentScript(): void;

  /** Extra time before every request is handled (agent thinking time); 0 to stop. */
  setLatency(ms: number): void;
  /** Changes the given pacing fields; the others keep their values. */
  setStreamPacing(pacing: StreamPacing): void;
  inject(fault: FaultSpec): InjectedFault;
  clearFaults(): void;

  readonly calls: readonly RecordedCall[];
  callsTo(method: string, path: RegExp): RecordedCall[];
  resetCalls(): void;

  close(): Promise<void>;
}

// ───────────────────────────── internals ─────────────────────────────

const MAX_BODY_BYTES = 1_000_000;

const HEX24 = /^[0-9a-f]{24}$/;

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
  streamedEvents?: number;
  firstTextDeltaAt?: Date;
  at: Date;
}

interface MutableFault {
  readonly spec: FaultSpec;
  hits: number;
  remaining: number;
}

/** A ticket as the fake keeps it: the public fields, all writable here. */
type TicketRecord = {
  -readonly [K in keyof FakeTicket]: FakeTicket[K];
};

/** What the agent did with a message. */
export interface AgentOutcome {
  /** The events of the reply (streamed, or put in a streaming agent's error body). */
  readonly events: readonly AgentEvent[];
  /** The assistant message (recorded on the ticket); absent when the agent failed. */
  readonly message?: AssistantMessage;
  /** The agent's error words, when it failed. */
  readonly error?: string;
}

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

/** Resolves once `chunk` has been handed to the socket (false when the response is gone). */
const writeChunk = (response: ServerResponse, chunk: string): Promise<boolean> =>
  new Promise((resolve) => {
    if (response.destroyed || response.writableEnded) {
      resolve(false);
      return;
    }
    response.write(chunk, (error) => resolve(!error));
  });

export class FakePortalServer implements FakePortal {
  readonly api: HelpdeskApi;
  readonly tenants = new Map<string, FakeTenant>();
  readonly workspaces = new Map<string, FakeWorkspace>();
  readonly users = new Map<string, FakeUser>();
  readonly agents: FakeAgent[] = [];
  readonly tokens = new Map<string, string>();
  readonly adminToken: string;
  readonly adminUser: string;
  adminApi = true;
  url = '';

  readonly clock: { now(): Date };
  private readonly server: Server;
  private readonly ticketList: TicketRecord[] = [];
  private readonly workspaceCounters = new Map<string, number>();
  private readonly commandOutputs = new Map<string, string>();
  private readonly recorded: MutableCall[] = [];
  private faults: MutableFault[] = [];
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: (awake: boolean) => void }>();
  private script: AgentScript | undefined;
  private latencyMs = 0;
  private pacing: Required<StreamPacing> = { eventDelayMs: 0, deltaChars: DEFAULT_DELTA_CHARS, eventLines: false };
  private nextSeq = 1;
  private closed = false;
  private readonly routes: readonly Route[];

  constructor(options: FakePortalOptions) {
    this.clock = options.clock ?? { now: () => new Date() };
    if (options.streaming) this.setStreamPacing(options.streaming);
    let adminUsername: string;
    if (options.api === 'workspace') {
      this.api = 'workspace';
      const seed = options.seed ?? defaultWorkspaceSeed();
      if (!Array.isArray((seed as Partial<WorkspacePortalSeed>).workspaces)) {
        throw new Error('a workspace portal needs a WorkspacePortalSeed (with workspaces)');
      }
      this.adminApi = seed.adminApi ?? true;
      for (const user of seed.users) this.addUser(user);
      for (const agent of seed.agents) this.addAgent(agent);
      for (const workspace of seed.workspaces) this.addWorkspace(workspace);
      adminUsername = seed.adminUser;
    } else {
      this.api = 'tenant';
      const seed = options.seed ?? defaultPortalSeed();
      if (!Array.isArray((seed as Partial<PortalSeed>).tenants)) {
        throw new Error('a tenant portal needs a PortalSeed (with tenants)');
      }
      for (const tenant of seed.tenants) this.addTenant(tenant);
      for (const user of seed.users) this.addUser(user);
      for (const agent of seed.agents) this.addAgent(agent);
      adminUsername = seed.adminUser;
    }
    const admin = this.user(adminUsername);
    if (!admin) throw new Error(`seed.adminUser ${adminUsername} is not one of seed.users`);
    this.adminUser = admin.username;
    this.adminToken = this.issueToken(admin.username, options.adminToken);
    this.routes = [...adminRoutes(this), ...(this.api === 'tenant' ? tenantRoutes(this) : workspaceRoutes(this))];
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
    if (this.api !== 'tenant') throw new Error('addTenant: a workspace portal has no tenants');
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

  addWorkspace(input: AddWorkspaceInput): FakeWorkspace {
    if (this.api !== 'workspace') throw new Error('addWorkspace: a tenant portal has no workspaces');
    const id = (input.id ?? objectId()).toLowerCase();
    if (!HEX24.test(id)) throw new Error(`workspace id ${id} is not 24 hex digits`);
    if (this.workspaces.has(id)) throw new Error(`workspace ${id} already exists`);
    if (this.workspaceByName(input.name)) throw new Error(`workspace name ${input.name} already exists`);
    for (const agentId of input.agents ?? []) {
      if (!this.agents.some((agent) => agent.id === agentId)) throw new Error(`no agent ${agentId}`);
    }
    const workspace: FakeWorkspace = {
      id,
      name: input.name,
      scopes: (input.scopes ?? []).map((scope): FakeScope => ({ ...scope })),
      agents: [...(input.agents ?? [])],
    };
    this.workspaces.set(id, workspace);
    return workspace;
  }

  removeWorkspace(workspaceId: string): void {
    this.workspaces.delete(workspaceId.toLowerCase());
  }

  workspaceByName(name: string): FakeWorkspace | undefined {
    return [...this.workspaces.values()].find((workspace) => workspace.name.toLowerCase() === name.toLowerCase());
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
    const id = input.id ?? (this.api === 'workspace' ? objectId() : `agent-${randomUUID().slice(0, 8)}`);
    if (this.agents.some((agent) => agent.id === id)) throw new Error(`agent ${id} already exists`);
    const agent: FakeAgent = { id, name: input.name, streaming: input.streaming ?? false };
    if (input.instanceId !== undefined) agent.instanceId = input.instanceId;
    if (input.friendlyName !== undefined) agent.friendlyName = input.friendlyName;
    if (input.allowedTenants !== undefined)
      agent.allowedTenants = input.allowedTenants.map((each) => each.toLowerCase());
    if (input.hostTenantId !== undefined) agent.hostTenantId = input.hostTenantId.toLowerCase();
    if (input.doesSupportStreaming !== undefined) agent.doesSupportStreaming = input.doesSupportStreaming;
    this.agents.push(agent);
    for (const workspaceId of input.workspaces ?? []) {
      const workspace = this.workspaces.get(workspaceId.toLowerCase());
      if (!workspace) throw new Error(`no workspace ${workspaceId}`);
      workspace.agents.push(agent.id);
    }
    return agent;
  }

  removeAgent(name: string): void {
    const index = this.agents.findIndex((agent) => agent.name === name);
    if (index < 0) return;
    const [removed] = this.agents.splice(index, 1);
    for (const workspace of this.workspaces.values()) {
      const at = workspace.agents.indexOf(removed?.id ?? '');
      if (at >= 0) workspace.agents.splice(at, 1);
    }
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

  ticket(nameOrId: string, spaceId?: string): FakeTicket | undefined {
    const space = spaceId?.toLowerCase();
    for (let index = this.ticketList.length - 1; index >= 0; index -= 1) {
      const ticket = this.ticketList[index];
      if (!ticket || (space !== undefined && ticket.spaceId !== space)) continue;
      if (ticket.name === nameOrId || (ticket.id !== undefined && ticket.id === nameOrId)) return ticket;
    }
    return undefined;
  }

  tickets(spaceId?: string): FakeTicket[] {
    const space = spaceId?.toLowerCase();
    return this.ticketList.filter((ticket) => space === undefined || ticket.spaceId === space);
  }

  ticketUrl(spaceId: string, ticketName: string): string {
    return `${this.url}/app/ai/service-desk/${spaceId}/tickets/chat/${ticketName}`;
  }

  setTicketStatus(nameOrId: string, status: FakeTicketStatus, disposition?: FakeDisposition): void {
    const ticket = this.ticket(nameOrId);
    if (!ticket?.statusHistory) throw new Error(`no workspace ticket ${nameOrId}`);
    this.changeStatus(ticket as TicketRecord, status, disposition);
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

  setStreamPacing(pacing: StreamPacing): void {
    this.pacing = {
      eventDelayMs: Math.max(0, pacing.eventDelayMs ?? this.pacing.eventDelayMs),
      deltaChars: Math.max(1, Math.floor(pacing.deltaChars ?? this.pacing.deltaChars)),
      eventLines: pacing.eventLines ?? this.pacing.eventLines,
    };
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

  // ─────────── helpers for the routes ───────────

  /** Gen A: the tenant, 404 when unknown, 403 when the user may not use it. */
  tenantFor(user: FakeUser, tenantId: string): FakeTenant {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) throw new HttpError(404, 'Tenant not found');
    if (!isAdmin(user) && !user.access.has(tenant.id)) throw new HttpError(403, 'Forbidden');
    return tenant;
  }

  /** Gen B: the workspace, 404 when unknown (a tenant GUID included). */
  workspaceFor(workspaceId: string): FakeWorkspace {
    const workspace = this.workspaces.get(workspaceId.toLowerCase());
    if (!workspace) throw new HttpError(404, 'Workspace not found');
    return workspace;
  }

  /** The ticket of that space by name (Gen B: or id); 404 otherwise. */
  ticketIn(spaceId: string, nameOrId: string): TicketRecord {
    const ticket = this.ticketList.find(
      (candidate) =>
        candidate.spaceId === spaceId &&
        (candidate.name === nameOrId || (candidate.id !== undefined && candidate.id === nameOrId)),
    );
    if (!ticket) throw new HttpError(404, 'Ticket not found');
    return ticket;
  }

  hasTicket(spaceId: string, name: string): boolean {
    return this.ticketList.some((ticket) => ticket.spaceId === spaceId && ticket.name === name);
  }

  addTicket(ticket: TicketRecord): TicketRecord {
    this.ticketList.push(ticket);
    return ticket;
  }

  /** Gen A: the agents a tenant's `agentInstances` list, in order. */
  agentsOfTenant(tenant: FakeTenant): FakeAgent[] {
    return this.agents.filter((agent) => !agent.allowedTenants || agent.allowedTenants.includes(tenant.id));
  }

  /** Gen A: an agent's `agentInstances` record (§3.1). */
  assigneeOf(agent: FakeAgent): FakeTicketAssignee {
    const host = agent.hostTenantId ?? agent.allowedTenants?.[0] ?? this.tenants.keys().next().value ?? '';
    return {
      agentName: agent.name,
      instanceId: agent.instanceId ?? agent.id,
      ...(agent.friendlyName === undefined ? {} : { friendlyName: agent.friendlyName }),
      agentHostTenantId: host,
    };
  }

  /** Gen A: the tenant's current `helpdesk-impersonatable-users`, parsed as §2 says. */
  identitiesOf(tenant: FakeTenant): string[] {
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

  /** Gen A: `<tenant>-<yyMMddHHmmss>` from the clock, a second later while that tenant has the name. */
  newTenantTicketName(tenant: FakeTenant): string {
    let at = this.clock.now().getTime();
    let name = `${tenant.name}-${ticketStamp(new Date(at))}`;
    while (this.hasTicket(tenant.id, name)) {
      at += 1000;
      name = `${tenant.name}-${ticketStamp(new Date(at))}`;
    }
    return name;
  }

  /** Gen B: `<WORKSPACE>-<n>`, n counting the workspace's tickets from 1. */
  newWorkspaceTicketName(workspace: FakeWorkspace): string {
    const prefix =
      workspace.name
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'TICKET';
    let count = this.workspaceCounters.get(workspace.id) ?? 0;
    let name: string;
    do {
      count += 1;
      name = `${prefix}-${count}`;
    } while (this.hasTicket(workspace.id, name));
    this.workspaceCounters.set(workspace.id, count);
    return name;
  }

  changeStatus(ticket: TicketRecord, status: FakeTicketStatus, disposition?: FakeDisposition): void {
    const history = ticket.statusHistory;
    if (!history) throw new Error(`ticket ${ticket.name} has no statuses`);
    const at = this.clock.now();
    history.push({ status, ...(status === 'closed' && disposition !== undefined ? { disposition } : {}), at });
    ticket.lastModified = at;
  }

  /** The agent a ticket is assigned to; 500 when it has been removed since. */
  agentOf(ticket: FakeTicket): FakeAgent {
    const agent = ticket.assignee
      ? this.agents.find(
          (candidate) =>
            candidate.name === ticket.assignee?.agentName &&
            (candidate.instanceId ?? candidate.id) === ticket.assignee.instanceId,
        )
      : this.agents.find((candidate) => candidate.id === ticket.aiAgentId);
    if (!agent) throw new HttpError(500, 'The ticket’s agent is not available');
    return agent;
  }

  /**
   * Checks an approval echo against the ticket's proposals: each echoed command must be one the agent proposed
   * and nobody answered yet, appear once, and carry the proposal's `uid` when the agent gave one (§6). Marks them
   * approved/rejected.
   */
  applyDecisions(ticket: FakeTicket, decisions: readonly WireCommand[]): void {
    const seen = new Set<string>();
    for (const decision of decisions) {
      if (seen.has(decision.command)) throw new HttpError(400, 'Command echoed twice');
      seen.add(decision.command);
      const known = ticket.commands.filter((command) => command.command === decision.command);
      if (known.length === 0) throw new HttpError(400, 'Unknown command');
      const pending = known.find((command) => command.state === 'proposed');
      if (!pending) throw new HttpError(400, 'Command already answered');
      if (pending.uid !== undefined && decision.uid !== pending.uid) throw new HttpError(400, 'Command uid mismatch');
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

  /** The space a ticket lives in, for the agent script. */
  private spaceOf(ticket: FakeTicket): { space: FakeSpace; tenant?: FakeTenant; workspace?: FakeWorkspace } {
    if (ticket.api === 'tenant') {
      const tenant = this.tenants.get(ticket.spaceId);
      return tenant ? { space: tenant, tenant } : { space: { id: ticket.spaceId, name: ticket.spaceId } };
    }
    const workspace = this.workspaces.get(ticket.spaceId);
    return workspace ? { space: workspace, workspace } : { space: { id: ticket.spaceId, name: ticket.spaceId } };
  }

  /**
   * Lets the ticket's agent answer `message` (already recorded): the script's reply or the default one, as events
   * and as one message. A reply (not a failure) is recorded on the ticket with its proposals and executions.
   */
  async runAgent(
    ticket: FakeTicket,
    message: FakeTicketMessage,
    decisions: readonly WireCommand[],
  ): Promise<AgentOutcome> {
    const agent = this.agentOf(ticket);
    const { space, tenant, workspace } = this.spaceOf(ticket);
    const defaultReply = (): AgentReply => defaultAgentReply(ticket, message, space, decisions, this.commandOutputs);
    let reply: AgentReply | undefined;
    try {
      reply = this.script
        ? await this.script({
            api: this.api,
            ticket,
            message,
            space,
            ...(tenant ? { tenant } : {}),
            ...(workspace ? { workspace } : {}),
            agent,
            decisions,
            defaultReply,
          })
        : undefined;
    } catch (error) {
      throw new HttpError(500, `Agent failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const chosen = reply ?? defaultReply();
    let outcome: AgentOutcome;
    if (chosen.events !== undefined) {
      const error = eventsError(chosen.events);
      outcome =
        error === undefined
          ? { events: chosen.events, message: assembleEvents(chosen.events) }
          : { events: chosen.events, error };
    } else if (chosen.error !== undefined) {
      outcome = { events: errorEvents(chosen.error), error: chosen.error };
    } else {
      const assistant: AssistantMessage = {
        role: 'assistant',
        content: chosen.content ?? '',
        data: fullWireData(chosen.data),
      };
      outcome = { events: replyEvents(assistant, this.pacing.deltaChars), message: assistant };
    }
    if (outcome.message) this.recordReply(ticket as TicketRecord, outcome.message);
    return outcome;
  }

  private recordReply(ticket: TicketRecord, reply: AssistantMessage): void {
    const at = this.clock.now();
    ticket.messages.push({ role: 'assistant', content: reply.content, data: reply.data, at });
    ticket.lastModified = at;
    for (const cmd of reply.data.cmds) {
      ticket.commands.push({
        command: cmd.command,
        state: 'proposed',
        ...(cmd.uid === undefined ? {} : { uid: cmd.uid }),
      });
    }
    for (const executed of reply.data.executed_cmds) {
      const command = ticket.commands.find(
        (candidate) =>
          candidate.command === executed.command && candidate.state === 'approved' && candidate.output === undefined,
      );
      if (command) command.output = executed.output;
    }
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

  /** Gen B's `/v1/aiservicedesk` answers errors in its envelope; Gen A and the `/admin` API with `Message`. */
  private envelopeErrors(path: string): boolean {
    return this.api === 'workspace' && path.startsWith('/v1/aiservicedesk/');
  }

  private errorJson(path: string, message: string): unknown {
    return this.envelopeErrors(path) ? { success: false, message } : { Message: message };
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://fake-portal.invalid');
    const path = url.pathname;
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
      path,
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

    const fault = this.takeFault(method, path);
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
        const body = spec.body ?? (status >= 400 ? JSON.stringify(this.errorJson(path, 'Injected fault')) : '');
        send(status, body, 'application/json; charset=utf-8');
        return;
      }
    }

    if (!user) {
      if (this.envelopeErrors(path)) sendJson(401, this.errorJson(path, 'Unauthorized'));
      else send(401, 'Unauthorized', 'text/plain; charset=utf-8');
      return;
    }
    let reply: Reply;
    try {
      if (bodyError) throw bodyError;
      reply = await this.route(method, path, {
        user,
        rawBody,
        contentType: request.headers['content-type'] ?? '',
        accept: request.headers.accept ?? '',
        query: call.query,
      });
    } catch (error) {
      if (error instanceof HttpError) sendJson(error.status, this.errorJson(path, error.message));
      else {
        const words = `Fake portal failure: ${error instanceof Error ? error.message : String(error)}`;
        sendJson(500, this.errorJson(path, words));
      }
      return;
    }
    if ('events' in reply) {
      await this.stream(request, response, call, reply.events, fault?.spec.dropAfterEvents);
      call.durationMs = performance.now() - started;
    } else {
      sendJson(reply.status, reply.json);
    }
  }

  /** Writes events as SSE (§5.2): keep-alive comments, one `data:` frame per event, paced, possibly cut. */
  private async stream(
    request: IncomingMessage,
    response: ServerResponse,
    call: MutableCall,
    events: readonly AgentEvent[],
    dropAfterEvents: number | undefined,
  ): Promise<void> {
    call.status = 200;
    call.streamedEvents = 0;
    if (response.destroyed) return;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    if (!(await writeChunk(response, SSE_KEEP_ALIVE))) return;
    for (const [index, event] of events.entries()) {
      if (dropAfterEvents !== undefined && index >= dropAfterEvents) {
        request.socket.destroy();
        return;
      }
      if (!(await this.sleep(this.pacing.eventDelayMs))) return;
      const firstText =
        call.firstTextDeltaAt === undefined &&
        event.type === 'text_delta' &&
        typeof event.text === 'string' &&
        event.text !== '';
      const writtenAt = new Date();
      if (!(await writeChunk(response, sseFrame(event, this.pacing.eventLines)))) return;
      if (firstText) call.firstTextDeltaAt = writtenAt;
      call.streamedEvents += 1;
      if (index === 0 && !(await writeChunk(response, SSE_KEEP_ALIVE))) return;
    }
    response.end();
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
}

/** A regex with the g or y flag keeps state between tests; reset it so every match starts fresh. */
const matches = (pattern: RegExp, text: string): boolean => {
  pattern.lastIndex = 0;
  return pattern.test(text);
};

/**
 * Starts a fake portal of one generation (default `api: 'tenant'`) on 127.0.0.1 (port 0 unless given).
 * Close it with `close()`.
 */
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
