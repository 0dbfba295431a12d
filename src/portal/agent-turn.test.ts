import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakePortal,
  SeedAgents,
  SeedTenants,
  SeedWorkspaceAgents,
  SeedWorkspaces,
  startFakePortal,
} from '../../test/fakes/portal/index.js';
import { portalConfig, recordingClient, sender, thread } from '../../test/support/portal-testing.js';
import type { Agent } from '../domain/helpdesk.js';
import { type AgentEvent, collectReply, emptyMessageData, eventsOfReply } from '../domain/messages.js';
import type { PortalClient } from '../domain/ports.js';

/**
 * An agent's turn told step by step (docs/duplocloud-api.md §5), whatever the transport: live events from a
 * streaming agent, one short turn for a unary reply, and the steps a unary endpoint's error body held.
 */

let portals: FakePortal[] = [];
afterEach(async () => {
  await Promise.all(portals.map((portal) => portal.close()));
  portals = [];
});

interface Told {
  readonly event: AgentEvent;
  readonly at: number;
}

async function ticketOn(
  api: 'tenant' | 'workspace',
  agentId: string,
): Promise<{ client: PortalClient; portal: FakePortal; send: (content: string) => Promise<Told[]> }> {
  const portal = api === 'tenant' ? await startFakePortal() : await startFakePortal({ api: 'workspace' });
  portals.push(portal);
  const { client } = recordingClient(portalConfig({ name: 'acme', host: portal.url, token: portal.adminToken, api }));
  const spaceId = api === 'tenant' ? SeedTenants.dev.id : SeedWorkspaces.platform.id;
  const agent = (await client.listAgents(spaceId)).find((candidate) => candidate.id === agentId) as Agent;
  const permissions = (await client.permissionChoices(spaceId)).slice(0, 1);
  const created = await client.createTicket({ spaceId, title: 'turns', agent, permissions, thread, history: [] });
  return {
    client,
    portal,
    send: async (content) => {
      const told: Told[] = [];
      const reply = await client.sendMessage(
        { spaceId, ticketName: created.ticketName, agentId, content, sender },
        (event) => {
          told.push({ event, at: performance.now() });
        },
      );
      // The listener saw exactly the reply the call returns.
      expect(collectReply(told.map(({ event }) => event))).toEqual({
        ...reply,
        data: { ...reply.data, url_configs: [] },
      });
      return told;
    },
  };
}

describe('an agent turn, told step by step', () => {
  it('tells a streaming agent’s steps as they arrive, before the stream ends', async () => {
    const { portal, send } = await ticketOn('workspace', SeedWorkspaceAgents.k8s.id);
    portal.setStreamPacing({ eventDelayMs: 40, deltaChars: 8 });
    const started = performance.now();
    const told = await send('the api pods crash, restart them');
    const ended = performance.now();
    const types = told.map(({ event }) => event.type);
    expect(types[0]).toBe('intermittent_update');
    expect(types.filter((type) => type === 'text_delta').length).toBeGreaterThan(3);
    expect(types).toContain('commands');
    expect(types.at(-1)).toBe('done');
    const firstText = told.find(({ event }) => event.type === 'text_delta');
    // Live: the first text was told well before the last step arrived.
    expect((firstText?.at ?? ended) - started).toBeLessThan(ended - started - 80);
  });

  it.each([
    ['tenant', SeedAgents.kubernetes.instanceId],
    ['workspace', SeedWorkspaceAgents.generic.id],
  ] as const)('tells a unary reply on the %s HelpDesk as one short turn', async (api, agentId) => {
    const { send } = await ticketOn(api, agentId);
    const told = await send('the pods crash, please restart');
    expect(told.map(({ event }) => event.type)).toEqual(['text_delta', 'commands', 'done']);
  });

  it('tells the steps a streaming agent put in a unary endpoint’s error body (tenant HelpDesk, HTTP 500)', async () => {
    const portal = await startFakePortal();
    portals.push(portal);
    const streaming = portal.addAgent({ name: 'stream-agent', instanceId: 'stream-1', streaming: true });
    const { client } = recordingClient(
      portalConfig({ name: 'acme', host: portal.url, token: portal.adminToken, api: 'tenant' }),
    );
    const agent = (await client.listAgents(SeedTenants.dev.id)).find((each) => each.id === 'stream-1') as Agent;
    const created = await client.createTicket({
      spaceId: SeedTenants.dev.id,
      title: 'streams on a unary endpoint',
      agent,
      permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
      thread,
      history: [],
    });
    const told: AgentEvent[] = [];
    const reply = await client.sendMessage(
      {
        spaceId: SeedTenants.dev.id,
        ticketName: created.ticketName,
        agentId: streaming.instanceId ?? '',
        content: 'hi',
        sender,
      },
      (event) => {
        told.push(event);
      },
    );
    expect(told.some((event) => event.type === 'text_delta')).toBe(true);
    expect(reply.content).toContain('You asked');
  });

  it('goes on with the turn when the listener fails: the reply still comes back whole', async () => {
    const { client, portal } = await ticketOn('workspace', SeedWorkspaceAgents.k8s.id);
    const created = portal.tickets().at(-1);
    let calls = 0;
    const reply = await client.sendMessage(
      {
        spaceId: SeedWorkspaces.platform.id,
        ticketName: String(created?.name),
        agentId: SeedWorkspaceAgents.k8s.id,
        content: 'restart the web deployment',
        sender,
      },
      () => {
        calls += 1;
        throw new Error('Slack refused a post');
      },
    );
    expect(calls).toBeGreaterThan(3);
    expect(reply.data.cmds.length).toBe(2);
  });
});

describe('eventsOfReply', () => {
  it('tells what ran, the text, what is proposed, then done, and collects back into the same reply', () => {
    const reply = {
      role: 'assistant' as const,
      content: 'Ran it. Next, restart?',
      data: {
        ...emptyMessageData(),
        executed_cmds: [{ command: 'kubectl get pods', output: 'web 1/1' }],
        cmds: [{ command: 'kubectl rollout restart deployment/web', execute: false, uid: 'c-1' }],
        tool_calls: [{ id: 't-1', name: 'logs', input: {} }],
      },
    };
    const events = eventsOfReply(reply);
    expect(events.map((event) => event.type)).toEqual([
      'executed_commands',
      'text_delta',
      'commands',
      'tool_calls',
      'done',
    ]);
    expect(collectReply(events)).toEqual(reply);
    expect(eventsOfReply({ ...reply, content: '', data: emptyMessageData() })).toEqual([
      { type: 'done', stopReason: null },
    ]);
  });
});
