import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import { chooseInView, linkedThread, openUpdateContext, submit } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

/**
 * What Update Context may change, by whom, and what it leaves behind: nothing of the old context reaches a new
 * tenant unless shared, read-only people cannot change as whom the agent acts, and commands proposed in an earlier
 * context never run in the new one.
 */
const dev = SeedTenants.dev;
const staging = SeedTenants.staging;
const choice = { tenantId: dev.id, agent: SeedAgents.kubernetes.name, identity: SeedIdentities.dev[0] as string };

describe('context changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.portal.addAgent({ name: 'ops-agent', instanceId: 'ops-1' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const ticketThread = (request: string) => linkedThread(h, People.alice, request, choice);

  /** Moves the thread to staging with Share Thread Context: No; returns the body of the new ticket's creation. */
  const moveToStagingWithoutSharing = async (threadTs: string, newMessage?: string) => {
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, staging.id);
    await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.name,
      [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
      [ActionId.ShareThread]: 'no',
      ...(newMessage === undefined ? {} : { [ActionId.NewMessage]: newMessage }),
    });
    return h.portal.callsTo('POST', new RegExp(`/tickets/${staging.id}$`)).at(-1)?.body as {
      title: string;
      content: string;
    };
  };

  it('with No, gives the new tenant neither the old title nor where the thread came from', async () => {
    const { threadTs, link } = await ticketThread('project nightingale pods crash in dev');
    const create = await moveToStagingWithoutSharing(threadTs, 'Check the staging ingress\nit returns 502');
    expect(create.title).toBe('Check the staging ingress');
    for (const leak of ['nightingale', link.ticketName, dev.name]) {
      expect(JSON.stringify(create)).not.toContain(leak);
    }
    expect(create.content).toContain('New message: Check the staging ingress');
  });

  it('with No and no New Message, names the new ticket plainly', async () => {
    const { threadTs } = await ticketThread('project kestrel deploys fail');
    const create = await moveToStagingWithoutSharing(threadTs);
    expect(create.title).toBe('Continued from a Slack thread');
    expect(JSON.stringify(create)).not.toContain('kestrel');
  });

  it('refuses a read-only person changing the agent or the permissions, in the form, and changes nothing', async () => {
    const { threadTs, thread, link } = await ticketThread('read-only people may look, pods crash');
    for (const change of [{ [ActionId.SelectIdentity]: 'dev-reader' }, { [ActionId.SelectAgent]: 'ops-agent' }]) {
      const viewId = await openUpdateContext(h, People.bob, threadTs);
      const outcome = await submit(h, People.bob, viewId, change);
      expect(outcome).toMatchObject({ kind: 'errors' });
      expect(JSON.stringify(outcome)).toContain('read-only access');
    }
    expect(await h.service.store.activeLink(thread)).toMatchObject({
      ticketName: link.ticketName,
      identity: link.identity,
      agentName: link.agentName,
    });
    expect(h.portal.callsTo('PUT', new RegExp(`/${link.ticketName}/assignee$`))).toHaveLength(0);
  });

  it('never runs commands proposed before Permissions changed, and says so', async () => {
    const { threadTs, link } = await ticketThread('pods keep crashing in dev, restart the web deployment');
    const card = h.botMessage(threadTs, /proposes 2 commands/);
    await h.send(
      h.slack.clickButton({
        user: People.alice.id,
        channel: Channel,
        messageTs: card.ts,
        actionId: ActionId.Approve,
        blockId: 'cmd.0.decide',
      }),
      'interaction',
    );
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await submit(h, People.alice, viewId, { [ActionId.SelectIdentity]: 'dev-reader' });

    await h.send(
      h.slack.clickButton({ user: People.alice.id, channel: Channel, messageTs: card.ts, actionId: ActionId.Submit }),
      'interaction',
    );
    const echoes = h.portal
      .callsTo('POST', new RegExp(`/${link.ticketName}/sendmessage$`))
      .filter((call) => ((call.body as { data?: { cmds?: unknown[] } }).data?.cmds?.length ?? 0) > 0);
    expect(echoes).toEqual([]);
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain('context (tenant or permissions)');
    // The card is redrawn without buttons: nobody can approve it again.
    const redrawn = JSON.stringify(h.slack.message(Channel, card.ts)?.blocks);
    expect(redrawn).toContain('superseded');
    expect(redrawn).not.toContain('"type":"button"');
  });
});
