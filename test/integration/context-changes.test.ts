import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants, SeedUsers } from '../fakes/portal/index.js';
import { chooseInView, devChoice, linkedThread, openUpdateContext, submit } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

/**
 * What Update Context may change, by whom, and what it leaves behind: nothing of the old context reaches a new
 * tenant unless shared, read-only people cannot change as whom the agent acts, and commands proposed in an earlier
 * context never run in the new one.
 */
const dev = SeedTenants.dev;
const staging = SeedTenants.staging;
const choice = devChoice;

describe('context changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.portal.addAgent({ name: 'ops-agent', instanceId: 'ops-1' });
    // bob: read-only in dev (the tickets' tenant), read-write in staging (where he might move one).
    h.portal.grantAccess(SeedUsers.bob, staging.id, { readOnly: false });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const ticketThread = (request: string) => linkedThread(h, People.alice, request, choice);

  /**
   * Moves the thread to staging with Share Thread Context: No; returns the body of the new ticket's creation and of
   * its first message.
   */
  const moveToStagingWithoutSharing = async (threadTs: string, newMessage?: string) => {
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, staging.id);
    await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
      [ActionId.ShareThread]: 'no',
      ...(newMessage === undefined ? {} : { [ActionId.NewMessage]: newMessage }),
    });
    const create = h.portal.callsTo('POST', new RegExp(`/tickets/${staging.id}$`)).at(-1)?.body as {
      title: string;
    };
    const first = h.portal.callsTo('POST', new RegExp(`/tickets/${staging.id}/[^/]+/sendmessage$`)).at(-1)?.body as {
      content: string;
    };
    return { create, first };
  };

  it('with No, gives the new tenant neither the old title, nor its ticket name, nor where it came from', async () => {
    const { threadTs, link } = await ticketThread('project nightingale pods crash in dev');
    const { create, first } = await moveToStagingWithoutSharing(threadTs, 'Check the staging ingress\nit returns 502');
    expect(create.title).toBe('Check the staging ingress');
    for (const leak of ['nightingale', link.ticketName, dev.name]) {
      expect(JSON.stringify([create, first])).not.toContain(leak);
    }
    expect(first.content).toContain('New message: Check the staging ingress');
  });

  it('redacts a secret in the New Message: the new ticket, its first message and the store never hold it', async () => {
    const secret = 'hunter2-prod';
    const { threadTs, thread } = await ticketThread('project osprey pods crash in dev');
    const { create, first } = await moveToStagingWithoutSharing(
      threadTs,
      `DB_PASSWORD=${secret} works in staging\nplease check the ingress`,
    );
    expect(create.title).toMatch(/^DB_PASSWORD=\[REDACTED:[^\]]+\] works in staging$/);
    expect(first.content).toMatch(/New message: DB_PASSWORD=\[REDACTED:[^\]]+\] works in staging/);
    const moved = await h.service.store.activeLink(thread);
    expect(moved?.spaceId).toBe(staging.id);
    const audit = await h.service.store.auditForTicket('acme', moved?.ticketName ?? '');
    for (const [where, text] of Object.entries({
      portal: JSON.stringify([create, first]),
      link: JSON.stringify(moved),
      audit: JSON.stringify(audit),
      thread: h.transcript(threadTs).join('\n'),
    })) {
      expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
    }
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain(
      '1 value that looks like a secret went to the new ticket as [REDACTED]',
    );
  });

  it('with No and no New Message, names the new ticket plainly', async () => {
    const { threadTs } = await ticketThread('project kestrel deploys fail');
    const { create, first } = await moveToStagingWithoutSharing(threadTs);
    expect(create.title).toBe('Continued from a Slack thread');
    expect(JSON.stringify([create, first])).not.toContain('kestrel');
  });

  it('refuses a read-only person changing the agent or the permissions, in the form, and changes nothing', async () => {
    const { threadTs, thread, link } = await ticketThread('read-only people may look, pods crash');
    for (const change of [{ [ActionId.SelectIdentity]: 'dev-reader' }, { [ActionId.SelectAgent]: 'ops-1' }]) {
      const viewId = await openUpdateContext(h, People.bob, threadTs);
      const outcome = await submit(h, People.bob, viewId, change);
      expect(outcome).toMatchObject({ kind: 'errors' });
      expect(JSON.stringify(outcome)).toContain('read-only access');
    }
    expect(await h.service.store.activeLink(thread)).toMatchObject({
      ticketName: link.ticketName,
      permissions: link.permissions,
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
    await chooseInView(h, People.alice, viewId, ActionId.SelectIdentity, 'dev-reader');
    await submit(h, People.alice, viewId, { [ActionId.ShareThread]: 'no' });

    await h.send(
      h.slack.clickButton({ user: People.alice.id, channel: Channel, messageTs: card.ts, actionId: ActionId.Submit }),
      'interaction',
    );
    const echoes = h.portal
      .callsTo('POST', new RegExp(`/${link.ticketName}/sendmessage$`))
      .filter((call) => ((call.body as { data?: { cmds?: unknown[] } }).data?.cmds?.length ?? 0) > 0);
    expect(echoes).toEqual([]);
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain(
      'context (where it lives, or its permissions)',
    );
    // The card is redrawn without buttons: nobody can approve it again.
    const redrawn = JSON.stringify(h.slack.message(Channel, card.ts)?.blocks);
    expect(redrawn).toContain('superseded');
    expect(redrawn).not.toContain('"type":"button"');
  });

  it('refuses a read-only person moving the ticket to another tenant, even one they may write to', async () => {
    const { threadTs, thread, link } = await ticketThread('bob wants to move this, pods crash');
    const viewId = await openUpdateContext(h, People.bob, threadTs);
    await chooseInView(h, People.bob, viewId, ActionId.SelectTenant, staging.id);
    const outcome = await submit(h, People.bob, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
      [ActionId.ShareThread]: 'no',
    });
    expect(outcome).toMatchObject({ kind: 'errors' });
    expect(JSON.stringify(outcome)).toContain('read-only access');
    expect(await h.service.store.activeLink(thread)).toMatchObject({ id: link.id, spaceId: dev.id });
    expect(h.portal.tickets(staging.id).filter((ticket) => ticket.title.includes('bob wants'))).toEqual([]);
  });
});
