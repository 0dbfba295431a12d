import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionId, TicketMenuValue } from '../../src/slack/blocks/ids.js';
import { type FakeSlackUser, renderBlocksText } from '../fakes/slack/index.js';
import {
  agentAndPermissions,
  choosePortal,
  chooseSpace,
  devChoice,
  linkedThread,
  platformChoice,
  submit,
  type TicketChoice,
} from '../support/flows.js';
import { Channel, type Harness, People, startHarness, WorkspacePortalName } from '../support/harness.js';

/**
 * Closing a ticket from its card (docs/duplocloud-api.md §4 Close on the workspace-scoped HelpDesk; Slack-side only on
 * the tenant-scoped one, §3.3): who may, what the portal receives, how the card, the thread and App Home show it, that
 * a closed thread sends nothing to the agent until someone reopens it, and that a failure leaves it open.
 */

// Two portals: the modal asks for the portal first.
const tenantChoice: TicketChoice = { ...devChoice, portal: 'acme' };
const statusPath = (ticketName: string) => new RegExp(`/tickets/[^/]+/${ticketName}/status$`);
const sendPath = (ticketName: string) => new RegExp(`/tickets/[^/]+/${ticketName}/send[mM]essage(Streaming)?$`);

type Block = { accessory?: { options?: { value: string }[] } };

describe('closing a ticket', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workspacePortal: true });
  });
  afterEach(() => {
    h.workspace?.clearFaults();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const workspace = () => {
    if (!h.workspace) throw new Error('no workspace portal');
    return h.workspace;
  };

  /** A person picks an option of the ticket card's menu. */
  const pickOnCard = async (user: FakeSlackUser, threadTs: string, value: string) => {
    const card = h.botMessage(threadTs, /Open AI HelpDesk/);
    await h.send(
      h.slack.selectOption({
        user: user.id,
        channel: Channel,
        messageTs: card.ts,
        actionId: ActionId.TicketMenu,
        value,
      }),
      'interaction',
    );
    return card.ts;
  };
  const cardOf = (ts: string) => h.slack.message(Channel, ts);
  const menuOf = (ts: string) =>
    ((cardOf(ts)?.blocks ?? []) as Block[]).flatMap((block) => block.accessory?.options?.map((o) => o.value) ?? []);
  const lastEphemeral = (user: FakeSlackUser) => JSON.stringify(h.slack.ephemerals(user.id).at(-1) ?? null);
  const openHome = async (user: FakeSlackUser) => {
    await h.send(h.slack.appHomeOpened({ user: user.id }), 'event');
    const view = h.slack.homeView(user.id);
    if (!view) throw new Error('no Home tab');
    return renderBlocksText(view.blocks);
  };

  it('closes a workspace ticket as Resolved: the portal’s status, the card, the thread, App Home and the audit log', async () => {
    const { threadTs, thread, link } = await linkedThread(h, People.alice, 'nightly backup failed in platform', {
      ...platformChoice,
    });
    const cardTs = await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseResolved);

    expect(
      workspace()
        .callsTo('PUT', statusPath(link.ticketName))
        .map((call) => call.body),
    ).toEqual([{ status: 'closed', disposition: 'resolved' }]);
    expect(workspace().ticket(link.ticketName)?.status).toBe('closed');
    const closed = await h.service.store.activeLink(thread);
    expect(closed?.closed).toMatchObject({ by: People.alice.id, resolution: 'resolved' });

    const card = renderBlocksText(cardOf(cardTs)?.blocks ?? []);
    expect(card).toContain('Closed: Resolved');
    expect(card).toContain('closed in the AI HelpDesk too');
    expect(menuOf(cardTs)).toEqual([TicketMenuValue.Reopen, 'open_helpdesk']);
    expect(h.botMessage(threadTs, /closed ticket/).text).toContain('as *Resolved*');

    const home = await openHome(People.alice);
    expect(home).toContain('Recently closed');
    expect(home).toMatch(new RegExp(`${link.ticketName}.*Resolved, closed by`));
    expect(home.split('Recently closed')[0]).not.toContain(link.ticketName);

    const audit = await h.service.store.auditForTicket(WorkspacePortalName, link.ticketName);
    expect(audit.find((entry) => entry.action === 'ticket.closed')).toMatchObject({
      actor: People.alice.id,
      permissions: 'full-access',
      detail: { resolution: 'resolved', inPortal: true, channelId: Channel, threadTs },
    });
  });

  it('closes a workspace ticket as Unresolved with the portal’s disposition unResolved', async () => {
    const { threadTs, link } = await linkedThread(h, People.alice, 'cost report is wrong', platformChoice);
    await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseUnresolved);
    expect(
      workspace()
        .callsTo('PUT', statusPath(link.ticketName))
        .map((call) => call.body),
    ).toEqual([{ status: 'closed', disposition: 'unResolved' }]);
    expect(workspace().ticket(link.ticketName)?.statusHistory?.at(-1)).toMatchObject({ disposition: 'unResolved' });
  });

  it('closes a tenant ticket in Slack only, and says so', async () => {
    const { threadTs, thread, link } = await linkedThread(h, People.alice, 'dev ingress returns 502', tenantChoice);
    const before = h.portal.calls.length;
    const cardTs = await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseResolved);
    expect(h.portal.calls.slice(before).filter((call) => call.method !== 'GET')).toEqual([]);
    expect((await h.service.store.activeLink(thread))?.closed?.resolution).toBe('resolved');
    expect(renderBlocksText(cardOf(cardTs)?.blocks ?? [])).toContain(
      'closed in Slack only: this tenant-scoped HelpDesk keeps no ticket status',
    );
    const audit = await h.service.store.auditForTicket('acme', link.ticketName);
    expect(audit.find((entry) => entry.action === 'ticket.closed')).toMatchObject({
      permissions: devChoice.permissionIds[0],
      detail: { resolution: 'resolved', inPortal: false },
    });
  });

  it('refuses a read-only person, naming the rule, on both HelpDesks, and changes nothing', async () => {
    for (const choice of [tenantChoice, platformChoice]) {
      const { threadTs, thread, link } = await linkedThread(h, People.alice, 'bob may look, not close', choice);
      const cardTs = await pickOnCard(People.bob, threadTs, TicketMenuValue.CloseResolved);
      expect(lastEphemeral(People.bob)).toContain('read-only');
      expect(lastEphemeral(People.bob)).toContain('Closing or reopening a ticket takes the same access');
      expect((await h.service.store.activeLink(thread))?.closed).toBeNull();
      expect(menuOf(cardTs)).toContain(TicketMenuValue.CloseResolved);
      expect(workspace().callsTo('PUT', statusPath(link.ticketName))).toEqual([]);
    }
  });

  it('sends nothing from a closed thread; a mention offers Reopen and Create Ticket, and Reopen resumes it', async () => {
    const { threadTs, thread, link } = await linkedThread(h, People.alice, 'queue consumers lag', platformChoice);
    await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseResolved);
    const sent = () => workspace().callsTo('POST', sendPath(link.ticketName)).length;
    const before = sent();

    await h.say(People.carol, 'is anyone still looking at this?', threadTs);
    await h.mention(People.carol, 'please look again', threadTs);
    expect(sent()).toBe(before);
    const prompt = h.botMessage(threadTs, /was closed as \*Resolved\*/);
    expect(prompt.text).toContain('Reopen');
    expect(prompt.text).toContain('Create Ticket');

    await h.send(
      h.slack.clickButton({
        user: People.alice.id,
        channel: Channel,
        messageTs: prompt.ts,
        actionId: ActionId.ReopenTicket,
      }),
      'interaction',
    );
    expect((await h.service.store.activeLink(thread))?.closed).toBeNull();
    expect(
      workspace()
        .callsTo('PUT', statusPath(link.ticketName))
        .map((call) => call.body),
    ).toEqual([{ status: 'closed', disposition: 'resolved' }, { status: 'open' }]);
    expect(workspace().ticket(link.ticketName)?.status).toBe('open');
    expect(renderBlocksText(h.slack.message(Channel, prompt.ts)?.blocks ?? [])).toContain('reopened ticket');
    const audit = await h.service.store.auditForTicket(WorkspacePortalName, link.ticketName);
    expect(audit.map((entry) => entry.action)).toContain('ticket.reopened');

    await h.say(People.carol, 'thanks, one more question', threadTs);
    expect(sent()).toBe(before + 1);
  });

  it('reopens from the card’s menu too', async () => {
    const { threadTs, thread } = await linkedThread(h, People.alice, 'dns flaps in dev', tenantChoice);
    const cardTs = await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseUnresolved);
    await pickOnCard(People.alice, threadTs, TicketMenuValue.Reopen);
    expect((await h.service.store.activeLink(thread))?.closed).toBeNull();
    expect(menuOf(cardTs)).toContain(TicketMenuValue.UpdateContext);
  });

  it('lets Create Ticket in a closed thread open a new ticket that takes the thread over', async () => {
    const { threadTs, thread, link } = await linkedThread(h, People.alice, 'old ticket for this thread', tenantChoice);
    await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseResolved);
    await h.mention(People.alice, 'new problem: the cron job stopped', threadTs);
    const prompt = h.botMessage(threadTs, /was closed/);
    const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
    await h.send(
      h.slack.clickButton({
        user: People.alice.id,
        channel: Channel,
        messageTs: prompt.ts,
        actionId: ActionId.OpenCreateTicket,
      }),
      'interaction',
    );
    const view = h.slack.openViews(People.alice.id).find((candidate) => !before.has(candidate.id));
    if (!view) throw new Error('the Create Ticket modal did not open');
    const viewId = String(view.id);
    expect(JSON.stringify(h.slack.view(viewId))).toContain('is closed: a new ticket takes the thread over');
    await choosePortal(h, People.alice, viewId, 'acme');
    await chooseSpace(h, People.alice, viewId, devChoice.spaceId);
    const outcome = await submit(h, People.alice, viewId, agentAndPermissions(h.slack.view(viewId), devChoice));
    expect(outcome.kind).toBe('closed');
    const next = await h.service.store.activeLink(thread);
    expect(next?.id).not.toBe(link.id);
    expect(next?.closed).toBeNull();
    expect(h.portal.ticket(next?.ticketName ?? '')?.title).toBe('new problem: the cron job stopped');
    expect((await h.service.store.linkHistory(thread)).map((old) => [old.id, old.active])).toEqual([
      [link.id, false],
      [next?.id, true],
    ]);
  });

  it('refuses Approve and Submit on a card of a closed ticket, and sends no decision', async () => {
    const { threadTs, link } = await linkedThread(
      h,
      People.alice,
      'pods keep crashing in dev, restart the web deployment',
      tenantChoice,
    );
    const card = h.botMessage(threadTs, /proposes 2 commands/);
    await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseResolved);
    for (const actionId of [ActionId.Approve, ActionId.Submit]) {
      await h.send(
        h.slack.clickButton({
          user: People.alice.id,
          channel: Channel,
          messageTs: card.ts,
          actionId,
          ...(actionId === ActionId.Approve ? { blockId: 'cmd.0.decide' } : {}),
        }),
        'interaction',
      );
      expect(lastEphemeral(People.alice)).toContain('ticket is closed, so nothing here goes to the agent');
    }
    const echoes = h.portal
      .callsTo('POST', sendPath(link.ticketName))
      .filter((call) => ((call.body as { data?: { cmds?: unknown[] } }).data?.cmds?.length ?? 0) > 0);
    expect(echoes).toEqual([]);
  });

  it('leaves the ticket open when the portal refuses to close it, and says so', async () => {
    const { threadTs, thread, link } = await linkedThread(h, People.alice, 'close me if you can', platformChoice);
    workspace().inject({ method: 'PUT', path: statusPath(link.ticketName), status: 500 });
    const cardTs = await pickOnCard(People.alice, threadTs, TicketMenuValue.CloseResolved);
    expect(lastEphemeral(People.alice)).toContain('The ticket was not closed: it is still open.');
    expect((await h.service.store.activeLink(thread))?.closed).toBeNull();
    expect(workspace().ticket(link.ticketName)?.status).toBe('open');
    expect(menuOf(cardTs)).toContain(TicketMenuValue.CloseResolved);
    const audit = await h.service.store.auditForTicket(WorkspacePortalName, link.ticketName);
    expect(audit.map((entry) => entry.action)).not.toContain('ticket.closed');
    // Still open: the thread still goes to the agent.
    const sent = workspace().callsTo('POST', sendPath(link.ticketName)).length;
    await h.say(People.alice, 'still there?', threadTs);
    expect(workspace().callsTo('POST', sendPath(link.ticketName)).length).toBe(sent + 1);
  });
});
