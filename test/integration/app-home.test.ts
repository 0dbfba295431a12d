import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import { type FakeSlackUser, renderBlocksText, type SlackHomeView } from '../fakes/slack/index.js';
import { createTicketThroughSlack, devChoice, platformChoice, type TicketChoice } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

// Two portals: the modal asks for the portal first.
const dev: TicketChoice = { ...devChoice, portal: 'acme' };
const staging: TicketChoice = {
  spaceId: SeedTenants.staging.id,
  agentId: SeedAgents.kubernetes.instanceId,
  permissionIds: [SeedIdentities.staging[0]],
};

interface HomeButton {
  readonly actionId: string;
  readonly label: string;
  readonly url: string;
}

/** The person opens the app's Home tab; returns what the app published for them. */
async function openHome(h: Harness, user: FakeSlackUser): Promise<{ view: SlackHomeView; text: string }> {
  const response = await h.send(h.slack.appHomeOpened({ user: user.id }), 'event');
  expect(response.status).toBe(200);
  const view = h.slack.homeView(user.id);
  if (!view) throw new Error(`no Home tab was published for ${user.id}`);
  return { view, text: renderBlocksText(view.blocks) };
}

const buttonsOf = (view: SlackHomeView): HomeButton[] =>
  view.blocks.flatMap((block) =>
    block.type === 'actions'
      ? (block.elements as { action_id: string; text: { text: string }; url: string }[]).map((element) => ({
          actionId: element.action_id,
          label: element.text.text,
          url: element.url,
        }))
      : [],
  );

describe('App Home', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ secondPortal: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('says there are no open tickets yet, and that both portals are reachable', async () => {
    const { view, text } = await openHome(h, People.alice);
    expect(view.type).toBe('home');
    expect(text).toContain('How to use it');
    expect(text).toContain('@DuploCloud AI');
    expect(text).toContain('You have no open tickets');
    expect(text).toMatch(/✅ \*acme\*: reachable/);
    expect(text).toMatch(/✅ \*beta\*: reachable/);
    expect(text).toContain('2 of 2 portals reachable');
    expect(buttonsOf(view)).toEqual([]);
  });

  it("lists the person's open tickets in both portals, newest first, with thread and HelpDesk links", async () => {
    const first = await createTicketThroughSlack(h, People.alice, 'dev pods keep restarting', dev);
    expect(first.outcome.kind).toBe('closed');
    const second = await createTicketThroughSlack(h, People.alice, 'staging is slow since the deploy', {
      ...staging,
      portal: 'beta',
    });
    expect(second.outcome.kind).toBe('closed');
    const [inAcme] = h.portal.tickets();
    const [inBeta] = h.beta?.tickets() ?? [];
    if (!inAcme || !inBeta) throw new Error('expected one ticket in each portal');

    const { view, text } = await openHome(h, People.alice);
    expect(text).not.toContain('You have no open tickets');
    // Newest first: the beta ticket, then the acme one.
    expect(text.indexOf(inBeta.name)).toBeGreaterThan(-1);
    expect(text.indexOf(inBeta.name)).toBeLessThan(text.indexOf(inAcme.name));
    expect(text).toContain('staging is slow since the deploy');
    expect(text).toContain('dev pods keep restarting');
    for (const word of [
      'beta',
      'staging',
      'acme',
      'dev',
      SeedAgents.kubernetes.friendlyName as string,
      ...dev.permissionIds,
      ...staging.permissionIds,
    ]) {
      expect(text).toContain(word);
    }

    const cardOf = (threadTs: string) => h.botMessage(threadTs, /Update Context/).ts;
    const permalink = (threadTs: string) =>
      `https://fake-team.slack.com/archives/${Channel}/p${cardOf(threadTs).replace('.', '')}?thread_ts=${threadTs}&cid=${Channel}`;
    expect(buttonsOf(view)).toEqual([
      { actionId: ActionId.OpenThread, label: 'Open thread', url: permalink(second.threadTs) },
      {
        actionId: ActionId.OpenHelpdesk,
        label: 'Open AI HelpDesk',
        url: h.beta?.ticketUrl(SeedTenants.staging.id, inBeta.name),
      },
      { actionId: ActionId.OpenThread, label: 'Open thread', url: permalink(first.threadTs) },
      {
        actionId: ActionId.OpenHelpdesk,
        label: 'Open AI HelpDesk',
        url: h.portal.ticketUrl(SeedTenants.dev.id, inAcme.name),
      },
    ]);
  });

  it("shows only the person's own tickets, and asks Slack for each permalink once", async () => {
    const bob = await openHome(h, People.bob);
    expect(bob.text).toContain('You have no open tickets');

    const asked = h.slack.callsTo('chat.getPermalink').length;
    const again = await openHome(h, People.alice);
    expect(buttonsOf(again.view)).toHaveLength(4);
    expect(h.slack.callsTo('chat.getPermalink')).toHaveLength(asked);
    expect(h.slack.callsTo('views.publish').every((call) => call.ok)).toBe(true);
  });

  it('still shows the tickets, without a thread link, when Slack gives no permalink', async () => {
    h.slack.inject({ method: 'chat.getPermalink', error: 'message_not_found', times: Infinity });
    try {
      const fresh = await createTicketThroughSlack(h, People.alice, 'one more dev question', dev);
      expect(fresh.outcome.kind).toBe('closed');
      const { view, text } = await openHome(h, People.alice);
      expect(text).toContain('one more dev question');
      const labels = buttonsOf(view).map((button) => button.label);
      expect(labels.filter((label) => label === 'Open AI HelpDesk')).toHaveLength(3);
      expect(labels.filter((label) => label === 'Open thread')).toHaveLength(2); // the two cached ones
    } finally {
      h.slack.clearInjections();
    }
  });
});

describe('App Home and the tickets’ status in their portals', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workspacePortal: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('leaves out a workspace ticket closed in the web HelpDesk, shows the others, and no status a tenant HelpDesk does not keep', async () => {
    const open = await createTicketThroughSlack(h, People.alice, 'this one stays open', platformChoice);
    const closed = await createTicketThroughSlack(h, People.alice, 'this one gets closed', platformChoice);
    const tenantTicket = await createTicketThroughSlack(h, People.alice, 'this one is in a tenant', {
      ...devChoice,
      portal: 'acme',
    });
    const threadOf = (threadTs: string) => ({ teamId: h.slack.teamId, channelId: Channel, threadTs });
    const closedLink = await h.service.store.activeLink(threadOf(closed.threadTs));
    h.workspace?.setTicketStatus(String(closedLink?.ticketName), 'closed', 'resolved');

    const { text } = await openHome(h, People.alice);
    expect(text).toContain('this one stays open');
    expect(text).not.toContain('this one gets closed');
    const openLink = await h.service.store.activeLink(threadOf(open.threadTs));
    expect(text).toMatch(new RegExp(`${openLink?.ticketName}.*· open$`, 'm'));
    const tenantLink = await h.service.store.activeLink(threadOf(tenantTicket.threadTs));
    expect(text).toMatch(new RegExp(`${tenantLink?.ticketName}\` · opened [^·]*$`, 'm'));
    expect(text).toMatch(/helpdesk\*?: reachable, workspace-scoped HelpDesk/);
    expect(text).toMatch(/acme\*?: reachable, tenant-scoped HelpDesk/);
  });

  it('still lists a ticket whose portal does not answer, saying its status is not known', async () => {
    h.portal.inject({ method: 'GET', path: /\/v1\/aiservicedesk\/tickets\/[^/]+\/[^/]+$/, delayMs: 4_000, times: 10 });
    try {
      h.workspace?.inject({
        method: 'GET',
        path: /\/v1\/aiservicedesk\/tickets\/[^/]+\/[^/]+$/,
        delayMs: 4_000,
        times: 10,
      });
      const { text } = await openHome(h, People.alice);
      expect(text).toContain('this one stays open');
      expect(text).toContain('status not known right now');
    } finally {
      h.portal.clearFaults();
      h.workspace?.clearFaults();
    }
  });
});

describe('App Home service status', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ secondPortal: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows a portal that refuses the token with ⚠️, its name and the reason', async () => {
    if (!h.beta) throw new Error('the second portal did not start');
    h.beta.revokeToken(h.beta.adminToken);
    const { text } = await openHome(h, People.alice);
    expect(text).toMatch(/✅ \*acme\*: reachable/);
    expect(text).toMatch(/⚠️ \*beta\*: not reachable \(portal\.unauthorized/);
    expect(text).toContain('1 of 2 portals reachable');
    expect(text).not.toContain(h.beta.adminToken);
    expect(h.logs.text()).not.toContain(h.beta.adminToken);
  });
});
