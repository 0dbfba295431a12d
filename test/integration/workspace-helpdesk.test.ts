import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionId, BlockId } from '../../src/slack/blocks/ids.js';
import {
  SeedAgents,
  SeedIdentities,
  SeedScopes,
  SeedTenants,
  SeedWorkspaceAgents,
  SeedWorkspaces,
} from '../fakes/portal/index.js';
import type { FakeSlackUser, SlackView } from '../fakes/slack/index.js';
import {
  choosePortal,
  chooseSpace,
  createTicketThroughSlack,
  linkedThread,
  openCreateTicket,
  openUpdateContext,
  platformChoice,
  submit,
  type TicketChoice,
} from '../support/flows.js';
import { Channel, type Harness, People, startHarness, WorkspacePortalName } from '../support/harness.js';

/**
 * The workspace-scoped HelpDesk (docs/duplocloud-api.md §4) end to end, beside a tenant-scoped portal in the same
 * service: detection, the Workspace / Agent / Scopes form, tickets with unary and streaming agents, who may approve
 * (§7), Update Context, the web link; and a portal that answers neither HelpDesk.
 */

type Block = {
  type: string;
  block_id?: string;
  label?: { text: string };
  text?: { text?: string };
  element?: { type?: string; options?: { value: string; text: { text: string } }[] };
};

const blocksOf = (view: SlackView | undefined): Block[] => (view?.blocks ?? []) as Block[];
const blockOf = (view: SlackView | undefined, base: string) =>
  blocksOf(view).find((block) => block.block_id?.split(':')[0] === base);
const optionValues = (view: SlackView | undefined, base: string) =>
  blockOf(view, base)?.element?.options?.map((option) => option.value) ?? [];
const labels = (view: SlackView | undefined) => blocksOf(view).flatMap((block) => block.label?.text ?? []);

const platform = SeedWorkspaces.platform;
const { generic, k8s } = SeedWorkspaceAgents;
const StaleAgentId = '66a0f2c3d4e5f6a7b8c90299';
const scopesOf = (...scopes: { id: string; name: string }[]) => scopes.map(({ id, name }) => ({ id, name }));

interface LogLine {
  readonly msg: string;
  readonly portal?: string;
  readonly api?: string;
  readonly how?: string;
  readonly detectionMs?: number;
  readonly portals?: Record<string, string | null>;
}

describe('a workspace-scoped HelpDesk beside a tenant-scoped one', () => {
  let h: Harness;
  const threadOf = (threadTs: string) => ({ teamId: h.slack.teamId, channelId: Channel, threadTs });
  const lines = (): LogLine[] => h.logs.lines.map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    h = await startHarness({ workspacePortal: true });
    // An agent the service will read as not streaming, in the data workspace only.
    h.workspace?.addAgent({ id: StaleAgentId, name: 'stale-agent', workspaces: [SeedWorkspaces.data.id] });
  });
  afterEach(() => {
    h.workspace?.clearFaults();
    h.workspace?.resetAgentScript();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('detects each portal’s HelpDesk at start-up, says so in the log and on /readyz', async () => {
    const detected = lines().filter((line) => line.how === 'detected');
    expect(detected.map((line) => [line.portal, line.api])).toEqual(
      expect.arrayContaining([
        ['acme', 'tenant'],
        [WorkspacePortalName, 'workspace'],
      ]),
    );
    const started = lines().find((line) => line.msg === 'duplo-helpdesk-slack started');
    expect(started?.portals).toEqual({ acme: 'tenant', [WorkspacePortalName]: 'workspace' });
    expect(started?.detectionMs).toBeGreaterThanOrEqual(0);
    const ready = (await (await fetch(`${h.service.url}/readyz`)).json()) as {
      checks: { name: string; api?: string }[];
    };
    expect(ready.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'portal:acme', ok: true, api: 'tenant' }),
        expect.objectContaining({ name: `portal:${WorkspacePortalName}`, ok: true, api: 'workspace' }),
      ]),
    );
  });

  it('asks for Workspace, Agent and Scopes on the workspace portal, and for Tenant on the tenant one', async () => {
    const { ts } = await h.mention(People.alice, 'which portal?');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await choosePortal(h, People.alice, viewId, WorkspacePortalName);
    let view = h.slack.view(viewId);
    expect(labels(view)).toEqual(['Portal', 'Workspace']);
    expect(optionValues(view, BlockId.Workspace)).toEqual([SeedWorkspaces.data.id, platform.id]);
    await chooseSpace(h, People.alice, viewId, platform.id);
    view = h.slack.view(viewId);
    expect(labels(view)).toEqual(['Portal', 'Workspace', 'Agent', 'Scopes']);
    expect(blockOf(view, BlockId.Scopes)?.element?.type).toBe('multi_static_select');
    expect(optionValues(view, BlockId.Agent)).toEqual([generic.id, k8s.id]);
    expect(optionValues(view, BlockId.Scopes)).toEqual([
      SeedScopes.fullAccess.id,
      SeedScopes.clusterAdmin.id,
      SeedScopes.readOnly.id,
    ]);
    await choosePortal(h, People.alice, viewId, 'acme');
    await chooseSpace(h, People.alice, viewId, SeedTenants.dev.id);
    expect(labels(h.slack.view(viewId))).toEqual(['Portal', 'Tenant', 'Agent', 'Default Permissions']);
  });

  it('creates a workspace ticket with the body of §4, sends the request on its own, and shows Workspace and Scopes', async () => {
    const choice: TicketChoice = {
      ...platformChoice,
      permissionIds: [SeedScopes.fullAccess.id, SeedScopes.readOnly.id],
    };
    const { threadTs, outcome } = await createTicketThroughSlack(
      h,
      People.alice,
      'the api pods crash in platform',
      choice,
    );
    expect(outcome.kind).toBe('closed');
    const link = await h.service.store.activeLink(threadOf(threadTs));
    expect(link).toMatchObject({
      portal: WorkspacePortalName,
      api: 'workspace',
      spaceId: platform.id,
      spaceName: platform.name,
      agentId: generic.id,
      permissions: scopesOf(SeedScopes.fullAccess, SeedScopes.readOnly),
    });
    const create = h.workspace?.callsTo('POST', new RegExp(`^/v1/aiservicedesk/tickets/${platform.id}$`)).at(-1);
    expect(create?.body).toEqual({
      title: 'the api pods crash in platform',
      aiAgentId: generic.id,
      workspaceId: platform.id,
      source: 'helpdesk',
      Origin: 'slack',
      ticketContextForAgent: { scopeIds: [SeedScopes.fullAccess.id, SeedScopes.readOnly.id], personaIds: [] },
    });
    const send = h.workspace?.callsTo('POST', new RegExp(`/${link?.ticketName}/sendMessage$`)).at(-1);
    expect(send?.body).toEqual({
      content: 'the api pods crash in platform',
      data: {},
      platform_context: {},
      user: { id: People.alice.id, name: People.alice.email },
    });
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript).toContain('*Workspace*\nplatform');
    expect(transcript).toContain('*Scopes*\nfull-access, read-only');
    expect(transcript).toMatch(/proposes 2 commands/);
    expect(transcript).toContain('Runs with scopes *full-access, read-only* in *platform*');
    const card = h.slack.message(Channel, String(link?.cardMessageTs));
    expect(JSON.stringify(card?.blocks)).toContain(
      `${h.workspace?.url}/app/ai/service-desk/${platform.id}/tickets/chat/${link?.ticketName}`,
    );
  });

  it('streams a streaming agent’s answer (metaData.STREAMING_ENABLED), and recovers one behind a stale flag', async () => {
    const { threadTs, link } = await linkedThread(h, People.alice, 'restart the api deployment in platform', {
      ...platformChoice,
      agentId: k8s.id,
    });
    const streamed = h.workspace?.callsTo('POST', new RegExp(`/${link.ticketName}/sendMessageStreaming$`)) ?? [];
    expect(streamed).toHaveLength(1);
    expect(streamed[0]?.streamedEvents).toBeGreaterThan(2);
    expect(h.transcript(threadTs).join('\n')).toMatch(/You asked: "restart the api deployment in platform"/);

    // An agent read as not streaming (the service keeps the flag 60 s) starts streaming: the unary call then
    // answers 400 with the reply's events in its body, and the reply is recovered from it (§5.3).
    const stale = h.workspace?.agents.find((agent) => agent.id === StaleAgentId);
    if (!stale) throw new Error('no stale-agent');
    const other = await linkedThread(h, People.alice, 'the worker pods too', {
      ...platformChoice,
      spaceId: SeedWorkspaces.data.id,
      agentId: stale.id,
      permissionIds: [SeedScopes.readOnly.id],
    });
    stale.streaming = true;
    await h.say(People.alice, 'anything else?', other.threadTs);
    const refused = h.workspace?.callsTo('POST', new RegExp(`/${other.link.ticketName}/sendMessage$`)).at(-1);
    expect(refused?.status).toBe(400);
    expect(h.transcript(other.threadTs).join('\n')).toContain('You asked: "anything else?"');
  });

  it('lets a portal user with the email approve and submit; refuses a read-only one and anyone unknown', async () => {
    const { threadTs, link } = await linkedThread(
      h,
      People.alice,
      'the api pods crash again in platform',
      platformChoice,
    );
    const card = h.botMessage(threadTs, /proposes 2 commands/);
    const click = (person: FakeSlackUser, actionId: string, blockId?: string) =>
      h.send(
        h.slack.clickButton({
          user: person.id,
          channel: Channel,
          messageTs: card.ts,
          actionId,
          ...(blockId ? { blockId } : {}),
        }),
        'interaction',
      );
    await click(People.bob, ActionId.Approve, 'cmd.0.decide');
    expect(JSON.stringify(h.slack.ephemerals(People.bob.id).at(-1))).toContain('read-only access');
    await click(People.stranger, ActionId.Approve, 'cmd.0.decide');
    expect(JSON.stringify(h.slack.ephemerals(People.stranger.id).at(-1))).toContain('approvers');
    expect(JSON.stringify(h.slack.ephemerals(People.stranger.id).at(-1))).toContain('DUPLO_SLACK_APP_PORTALS');

    await click(People.alice, ActionId.Approve, 'cmd.0.decide');
    await click(People.alice, ActionId.Submit);
    const echo = h.workspace?.callsTo('POST', new RegExp(`/${link.ticketName}/sendMessage$`)).at(-1);
    expect(echo?.body).toMatchObject({
      content: 'I approve 1 command.',
      data: { cmds: [{ command: 'kubectl get pods -n duploservices-platform', execute: true }] },
      user: { id: People.alice.id, name: People.alice.email },
    });
    expect(h.transcript(threadTs).join('\n')).toMatch(/Ran 1 command/);
  });

  it('lets anyone in the channel open a ticket and talk to its agent (no portal user needed)', async () => {
    const { threadTs, link } = await linkedThread(h, People.stranger, 'is the data pipeline down?', {
      ...platformChoice,
      spaceId: SeedWorkspaces.data.id,
      permissionIds: [SeedScopes.readOnly.id],
    });
    expect(link).toMatchObject({ spaceId: SeedWorkspaces.data.id, createdBy: People.stranger.id });
    await h.say(People.stranger, 'any news?', threadTs);
    expect(h.transcript(threadTs).join('\n')).toContain('You asked: "any news?"');
  });

  it('Update Context: reassigns the agent in place, opens a new ticket for new scopes or another workspace', async () => {
    const { threadTs, thread, link } = await linkedThread(
      h,
      People.alice,
      'context changes, pods in platform',
      platformChoice,
    );

    let viewId = await openUpdateContext(h, People.alice, threadTs);
    await submit(h, People.alice, viewId, { [ActionId.SelectAgent]: k8s.id });
    const put = h.workspace?.callsTo('PUT', new RegExp(`/${link.ticketName}/assignee/${k8s.id}$`)) ?? [];
    expect(put).toHaveLength(1);
    expect(put[0]?.body).toBeUndefined();
    expect(await h.service.store.activeLink(thread)).toMatchObject({ id: link.id, agentId: k8s.id });

    viewId = await openUpdateContext(h, People.alice, threadTs);
    await h.send(
      h.slack.selectInView({
        user: People.alice.id,
        viewId,
        actionId: ActionId.SelectScopes,
        value: [SeedScopes.readOnly.id],
      }) ?? {},
      'interaction',
    );
    expect(JSON.stringify(blocksOf(h.slack.view(viewId)))).toContain('Share Thread Context');
    await submit(h, People.alice, viewId, { [ActionId.ShareThread]: 'no' });
    const rescoped = await h.service.store.activeLink(thread);
    expect(rescoped).toMatchObject({ spaceId: platform.id, permissions: scopesOf(SeedScopes.readOnly) });
    expect(rescoped?.ticketName).not.toBe(link.ticketName);
    expect(h.workspace?.ticket(String(rescoped?.ticketName), platform.id)?.permissions).toEqual([
      SeedScopes.readOnly.id,
    ]);

    viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseSpace(h, People.alice, viewId, SeedWorkspaces.data.id);
    await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: generic.id,
      [ActionId.SelectScopes]: [SeedScopes.readOnly.id],
      [ActionId.ShareThread]: 'yes',
      [ActionId.NewMessage]: 'same in data?',
    });
    const moved = await h.service.store.activeLink(thread);
    expect(moved).toMatchObject({ spaceId: SeedWorkspaces.data.id, spaceName: 'data' });
    // No public create field takes the history on this HelpDesk: it goes in the first message (§4).
    const first = h.workspace?.callsTo('POST', new RegExp(`/${moved?.ticketName}/sendMessage$`))[0]?.body as {
      content: string;
    };
    expect(first.content).toMatch(/^Thread messages so far:\n/);
    expect(first.content).toContain('alice: context changes, pods in platform');
    expect(first.content).toContain('New message: same in data?');
    expect(h.transcript(threadTs).join('\n')).toContain('moved this thread to *data*');
  });

  it('moves a thread from the workspace portal to the tenant portal', async () => {
    const { threadTs, thread } = await linkedThread(h, People.alice, 'cross portal move, pods', platformChoice);
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await choosePortal(h, People.alice, viewId, 'acme');
    await chooseSpace(h, People.alice, viewId, SeedTenants.dev.id);
    expect(labels(h.slack.view(viewId))).toContain('Permissions');
    await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.dev[0] as string,
      [ActionId.ShareThread]: 'no',
    });
    expect(await h.service.store.activeLink(thread)).toMatchObject({
      portal: 'acme',
      api: 'tenant',
      spaceId: SeedTenants.dev.id,
      permissions: [{ id: SeedIdentities.dev[0], name: SeedIdentities.dev[0] }],
    });
  });

  it('lists open workspace tickets on App Home by their status', async () => {
    const { link } = await linkedThread(h, People.carol, 'carol asks about platform pods', platformChoice);
    h.workspace?.setTicketStatus(link.ticketName, 'inProgress');
    await h.send(h.slack.appHomeOpened({ user: People.carol.id }), 'event');
    const home = JSON.stringify(h.slack.homeView(People.carol.id)?.blocks);
    expect(home).toContain(link.ticketName);
    expect(home).toContain('inProgress');
  });

  it('sent Slack nothing it refused', () => {
    expect(h.slack.internalErrors).toEqual([]);
    expect(h.slack.calls.filter((call) => !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual([]);
  });
});

describe('operator settings of a workspace portal: approvers and allowed scopes, without the admin API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      workspacePortal: true,
      portalSettings: {
        [WorkspacePortalName]: {
          approvers: [People.carol.email, People.bob.id],
          allowed_scope_ids: [SeedScopes.fullAccess.id, SeedScopes.readOnly.id],
          workspace_label: 'Project',
          default_workspace: 'Platform',
          default_agent: k8s.id,
        },
      },
    });
    if (h.workspace) h.workspace.adminApi = false;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('offers only the allowed scopes, under the operator’s word for a workspace', async () => {
    const { ts } = await h.mention(People.alice, 'allowed scopes');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await choosePortal(h, People.alice, viewId, WorkspacePortalName);
    await chooseSpace(h, People.alice, viewId, platform.id);
    const view = h.slack.view(viewId);
    expect(labels(view)).toEqual(['Portal', 'Project', 'Agent', 'Scopes']);
    expect(optionValues(view, BlockId.Scopes)).toEqual([SeedScopes.fullAccess.id, SeedScopes.readOnly.id]);
  });

  it('preselects the default workspace (by name) and agent (by id) in Create Ticket, but not in Update Context', async () => {
    const { ts } = await h.mention(People.alice, 'defaults please');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await choosePortal(h, People.alice, viewId, WorkspacePortalName);
    const view = h.slack.view(viewId);
    const initial = (base: string) =>
      (blockOf(view, base)?.element as { initial_option?: { value: string } } | undefined)?.initial_option?.value;
    expect(initial(BlockId.Workspace)).toBe(platform.id);
    expect(initial(BlockId.Agent)).toBe(k8s.id);
    const outcome = await submit(h, People.alice, viewId, { [ActionId.SelectScopes]: [SeedScopes.readOnly.id] });
    expect(outcome.kind).toBe('closed');
    const link = await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs: ts });
    expect(link).toMatchObject({ spaceId: platform.id, agentId: k8s.id });
  });

  it('refuses a scope the operator does not allow, in the form', async () => {
    const { ts } = await h.mention(People.alice, 'forbidden scope');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await choosePortal(h, People.alice, viewId, WorkspacePortalName);
    await chooseSpace(h, People.alice, viewId, platform.id);
    const honest = h.slack.submitView({
      user: People.alice.id,
      viewId,
      values: { [ActionId.SelectAgent]: generic.id, [ActionId.SelectScopes]: [SeedScopes.fullAccess.id] },
    }) as { view: { state: { values: Record<string, Record<string, unknown>> } } };
    const values = honest.view.state.values;
    const scopes = Object.keys(values).find((id) => id.startsWith(BlockId.Scopes)) as string;
    values[scopes] = {
      [ActionId.SelectScopes]: {
        type: 'multi_static_select',
        selected_options: [{ value: SeedScopes.clusterAdmin.id }],
      },
    };
    const response = await h.send(honest, 'interaction');
    const body = JSON.parse(response.body) as { response_action: string; errors: Record<string, string> };
    expect(body).toMatchObject({ response_action: 'errors', errors: { [scopes]: expect.stringContaining('scope') } });
    expect(h.workspace?.tickets().some((ticket) => ticket.title === 'forbidden scope')).toBe(false);
  });

  it('lets only listed approvers decide when the portal’s users cannot be read', async () => {
    const { threadTs, link } = await linkedThread(h, People.alice, 'approvers only, pods in platform', platformChoice);
    const card = h.botMessage(threadTs, /proposes 2 commands/);
    const approve = (person: FakeSlackUser) =>
      h.send(
        h.slack.clickButton({
          user: person.id,
          channel: Channel,
          messageTs: card.ts,
          actionId: ActionId.Approve,
          blockId: 'cmd.0.decide',
        }),
        'interaction',
      );
    await approve(People.alice);
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain('approvers');
    await approve(People.carol); // listed by email
    await approve(People.bob); // listed by Slack user id
    const stored = await h.service.store.cardsInStatus('pending', new Date(Date.now() + 60_000), 100);
    const choices = stored.find((each) => each.linkId === link.id)?.choices;
    expect(choices?.['0']?.by).toBe(People.bob.id);
  });
});

describe.each([
  ['not allowed', {}],
  ['allowed by the operator', { SLACK_CONNECT_ALLOWED_TEAMS: 'TOTHER, TPARTNER' }],
] as const)('people of another organisation’s workspace (Slack Connect), %s', (allowed, env) => {
  let h: Harness;
  const permitted = allowed !== 'not allowed';
  beforeAll(async () => {
    h = await startHarness({ workspacePortal: true, env });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it(`${permitted ? 'may' : 'may not'} create a ticket, talk to its agent or approve on a workspace portal`, async () => {
    const { ts } = await h.mention(People.external, 'partner here: the api pods crash');
    const viewId = await openCreateTicket(h, People.external, ts);
    await choosePortal(h, People.external, viewId, WorkspacePortalName);
    const form = JSON.stringify(blocksOf(h.slack.view(viewId)));
    if (!permitted) {
      expect(form).toContain('Slack Connect');
      expect(optionValues(h.slack.view(viewId), BlockId.Workspace)).toEqual([]);
    } else {
      expect(optionValues(h.slack.view(viewId), BlockId.Workspace)).toContain(platform.id);
    }

    // In a thread an insider opened, the partner's reply is not relayed (or is, when allowed).
    const { threadTs, link } = await linkedThread(h, People.alice, 'insider thread, pods in platform', platformChoice);
    const sends = () => h.workspace?.callsTo('POST', new RegExp(`/${link.ticketName}/sendMessage$`)).length ?? 0;
    const before = sends();
    await h.say(People.external, 'partner adds: it started at 9', threadTs);
    expect(sends()).toBe(permitted ? before + 1 : before);
    if (!permitted) {
      expect(JSON.stringify(h.slack.ephemerals(People.external.id).at(-1))).toContain('SLACK_CONNECT_ALLOWED_TEAMS');
    }

    // Approving needs more than the team: an approver (the partner has no email, so no portal user either).
    const card = h.botMessage(threadTs, /proposes 2 commands/);
    await h.send(
      h.slack.clickButton({
        user: People.external.id,
        channel: Channel,
        messageTs: card.ts,
        actionId: ActionId.Approve,
        blockId: 'cmd.0.decide',
      }),
      'interaction',
    );
    expect(JSON.stringify(h.slack.ephemerals(People.external.id).at(-1))).toContain(
      permitted ? 'approvers' : 'Slack Connect',
    );
  });
});

describe('a portal that answers neither HelpDesk probe', () => {
  let h: Harness;
  let silent: Server;
  let silentUrl: string;
  beforeAll(async () => {
    // Answers 404 to everything, like a host that serves no AI HelpDesk.
    silent = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"Message":"Resource not found"}');
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    h = await startHarness({
      extraPortals: [
        { name: 'nowhere', duplo_host: silentUrl, duplo_token: 'nowhere-token-0123456789' },
        { name: 'pinned', duplo_host: silentUrl, duplo_token: 'pinned-token-0123456789', api: 'tenant' },
      ],
    });
  });
  afterAll(async () => {
    await h?.stop();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('is named in one clear log line, the other portals keep working, and `api:` skips detection', async () => {
    const warnings = h.logs.lines
      .map((line) => JSON.parse(line) as { level: string; msg: string; portal?: string })
      .filter((line) => line.portal === 'nowhere' && ['warn', 'error', 'fatal'].includes(line.level));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/portal nowhere is unavailable: portal\.undetected.*neither HelpDesk probe/);
    expect(warnings[0]?.msg).toContain('api: tenant or api: workspace');
    const pinned = h.logs.lines
      .map((line) => JSON.parse(line) as { portal?: string; how?: string; api?: string })
      .find((line) => line.portal === 'pinned' && line.how === 'configured');
    expect(pinned?.api).toBe('tenant');

    const ready = (await (await fetch(`${h.service.url}/readyz`)).json()) as {
      checks: { name: string; ok: boolean; reason?: string }[];
    };
    expect(ready.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'portal:acme', ok: true }),
        expect.objectContaining({ name: 'portal:nowhere', ok: false, reason: expect.stringContaining('undetected') }),
      ]),
    );

    const { ts } = await h.mention(People.alice, 'which one works?');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await choosePortal(h, People.alice, viewId, 'nowhere');
    expect(JSON.stringify(blocksOf(h.slack.view(viewId)))).toContain('HelpDesk cannot be reached right now');
    const { outcome } = await createTicketThroughSlack(h, People.alice, 'acme still works, pods', {
      ...platformChoice,
      portal: 'acme',
      spaceId: SeedTenants.dev.id,
      agentId: SeedAgents.kubernetes.instanceId,
      permissionIds: [SeedIdentities.dev[0] as string],
    });
    expect(outcome.kind).toBe('closed');
  });
});
