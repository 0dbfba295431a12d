import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelDefaultsClearedAction, ChannelDefaultsSetAction } from '../../src/domain/channel-defaults-service.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import {
  SeedAgents,
  SeedIdentities,
  SeedScopes,
  SeedTenants,
  SeedWorkspaceAgents,
  SeedWorkspaces,
} from '../fakes/portal/index.js';
import { type FakeSlackUser, renderBlocksText, type SlackView } from '../fakes/slack/index.js';
import {
  agentAndPermissions,
  choosePortal,
  chooseSpace,
  openCreateTicket,
  submit,
  type TicketChoice,
} from '../support/flows.js';
import { Channel, type Harness, People, startHarness, WorkspacePortalName } from '../support/harness.js';

type Element = { action_id?: string; initial_option?: { value: string }; initial_options?: { value: string }[] };
type Block = { type: string; element?: Element; text?: { text: string } };

/** What a modal shows as chosen, by action id (a select's initial option or options). */
function preselected(view: SlackView | undefined): Record<string, string | string[]> {
  const chosen: Record<string, string | string[]> = {};
  for (const block of (view?.blocks ?? []) as Block[]) {
    const element = block.element;
    if (!element?.action_id) continue;
    if (element.initial_option) chosen[element.action_id] = element.initial_option.value;
    if (element.initial_options) chosen[element.action_id] = element.initial_options.map((option) => option.value);
  }
  return chosen;
}

const viewText = (view: SlackView | undefined): string => renderBlocksText(view?.blocks ?? []);

/** `/helpdesk defaults`, then its Set/Change button: the channel defaults modal's id. */
async function openDefaults(h: Harness, user: FakeSlackUser): Promise<string> {
  await h.helpdesk(user, 'defaults');
  const answer = h.slack.ephemerals(user.id).at(-1);
  if (!answer) throw new Error('/helpdesk defaults gave no answer');
  const before = new Set(h.slack.openViews(user.id).map((view) => view.id));
  const response = await h.send(
    h.slack.clickButton({
      user: user.id,
      channel: Channel,
      messageTs: answer.ts,
      actionId: ActionId.ChangeChannelDefaults,
    }),
    'interaction',
  );
  expect(response.elapsedMs).toBeLessThan(3_000);
  const view = h.slack.openViews(user.id).find((candidate) => !before.has(candidate.id));
  if (!view) throw new Error('the channel defaults modal did not open');
  expect(view.title).toMatchObject({ text: 'Channel defaults' });
  return String(view.id);
}

/** Sets the channel's defaults through Slack: opens the modal, picks, saves. Returns Slack's outcome. */
async function setDefaults(h: Harness, user: FakeSlackUser, choice: TicketChoice) {
  const viewId = await openDefaults(h, user);
  await choosePortal(h, user, viewId, choice.portal ?? 'acme');
  await chooseSpace(h, user, viewId, choice.spaceId);
  return submit(h, user, viewId, agentAndPermissions(h.slack.view(viewId), choice));
}

const dev: TicketChoice = {
  portal: 'acme',
  spaceId: SeedTenants.dev.id,
  agentId: SeedAgents.kubernetes.instanceId,
  permissionIds: [SeedIdentities.dev[1]],
};
const platform: TicketChoice = {
  portal: WorkspacePortalName,
  spaceId: SeedWorkspaces.platform.id,
  agentId: SeedWorkspaceAgents.generic.id,
  permissionIds: [SeedScopes.readOnly.id, SeedScopes.clusterAdmin.id],
};

const channel = () => ({ teamId: 'T0FAKETEAM', channelId: Channel });

describe('channel defaults', () => {
  let h: Harness;
  beforeAll(async () => {
    // The operator's defaults for acme (the official chart's default workspace and agent, per portal here).
    h = await startHarness({
      workspacePortal: true,
      portalSettings: { acme: { default_workspace: 'staging', default_agent: 'kubernetes-agent' } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });
  const here = () => ({ ...channel(), teamId: h.slack.teamId });

  it("Create Ticket preselects the operator's defaults where the channel has none, and says so", async () => {
    await h.helpdesk(People.alice, 'defaults');
    const text = renderBlocksText(h.slack.ephemerals(People.alice.id).at(-1)?.blocks ?? []);
    expect(text).toContain('has no Create Ticket defaults');
    expect(text).toMatch(/operator's defaults:\n• \*acme\*: space \*staging\* · agent \*kubernetes-agent\*/);

    const { ts } = await h.mention(People.alice, 'staging is slow');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await choosePortal(h, People.alice, viewId, 'acme');
    expect(preselected(h.slack.view(viewId))).toMatchObject({
      [ActionId.SelectTenant]: SeedTenants.staging.id,
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
    });
  });

  it('a read-only person may not set them: refused beside the tenant, nothing kept', async () => {
    const outcome = await setDefaults(h, People.bob, { ...dev, permissionIds: [SeedIdentities.dev[0]] });
    expect(outcome.kind).toBe('errors');
    expect(Object.values(outcome.kind === 'errors' ? outcome.errors : {}).join(' ')).toMatch(/read-only/);
    expect(await h.service.store.channelDefaults(here())).toBeNull();
  });

  it('a writer sets them (Gen A): kept, audited, shown in /helpdesk defaults and on their App Home', async () => {
    const outcome = await setDefaults(h, People.alice, dev);
    expect(outcome.kind).toBe('updated');
    if (outcome.kind === 'updated') expect(viewText(outcome.view)).toContain('now starts from');
    expect(await h.service.store.channelDefaults(here())).toMatchObject({
      portal: 'acme',
      api: 'tenant',
      spaceId: SeedTenants.dev.id,
      spaceName: 'dev',
      agentId: SeedAgents.kubernetes.instanceId,
      permissions: [{ id: SeedIdentities.dev[1], name: SeedIdentities.dev[1] }],
      setBy: People.alice.id,
    });
    const audit = (await h.service.store.auditForTicket('acme', '')).filter(
      (entry) => entry.action === ChannelDefaultsSetAction,
    );
    expect(audit).toEqual([
      expect.objectContaining({
        actor: People.alice.id,
        spaceId: SeedTenants.dev.id,
        permissions: SeedIdentities.dev[1],
        detail: expect.objectContaining({ channelId: Channel, agentId: SeedAgents.kubernetes.instanceId }),
      }),
    ]);

    await h.helpdesk(People.bob, 'defaults');
    const shown = renderBlocksText(h.slack.ephemerals(People.bob.id).at(-1)?.blocks ?? []);
    expect(shown).toContain('Create Ticket defaults in');
    expect(shown).toMatch(
      /\*acme\* › tenant \*dev\* · agent \*Kubernetes Agent\* · default permissions \*dev-reader\*/,
    );
    expect(shown).toContain('Change defaults');

    await h.send(h.slack.appHomeOpened({ user: People.alice.id }), 'event');
    const home = renderBlocksText(h.slack.homeView(People.alice.id)?.blocks ?? []);
    expect(home).toContain('Channel defaults you set');
    expect(home).toContain('tenant *dev*');
  });

  it('Create Ticket preselects them over the operator defaults, and a ticket is created from them as they are', async () => {
    const { ts } = await h.mention(People.alice, 'dev pods keep restarting');
    const viewId = await openCreateTicket(h, People.alice, ts);
    const view = h.slack.view(viewId);
    expect(preselected(view)).toMatchObject({
      [ActionId.SelectPortal]: expect.any(String),
      [ActionId.SelectTenant]: SeedTenants.dev.id,
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.dev[1],
    });
    const outcome = await submit(h, People.alice, viewId, {});
    expect(outcome.kind).toBe('closed');
    const link = await h.service.store.activeLink({ ...here(), threadTs: ts });
    expect(link).toMatchObject({ spaceId: SeedTenants.dev.id, permissions: [{ id: SeedIdentities.dev[1] }] });
  });

  it('a default that is not the person’s to use is not preselected, and the form says why', async () => {
    // Carol has prod only: it is chosen as her one tenant, not the channel's dev.
    const { ts } = await h.mention(People.carol, 'prod is down');
    const viewId = await openCreateTicket(h, People.carol, ts);
    const view = h.slack.view(viewId);
    expect(preselected(view)[ActionId.SelectTenant]).toBe(SeedTenants.prod.id);
    expect(viewText(view)).toContain('This channel’s default tenant *dev* is no longer available to you');
  });

  it('is checked again on submit: an identity removed since the form opened is refused beside it', async () => {
    const { ts } = await h.mention(People.alice, 'dev again');
    const viewId = await openCreateTicket(h, People.alice, ts);
    expect(preselected(h.slack.view(viewId))[ActionId.SelectIdentity]).toBe(SeedIdentities.dev[1]);
    h.portal.setTenantSetting(SeedTenants.dev.id, 'helpdesk-impersonatable-users', SeedIdentities.dev[0]);
    try {
      const outcome = await submit(h, People.alice, viewId, {});
      expect(outcome.kind).toBe('errors');
      expect(await h.service.store.activeLink({ ...here(), threadTs: ts })).toBeNull();
    } finally {
      h.portal.setTenantSetting(SeedTenants.dev.id, 'helpdesk-impersonatable-users', SeedIdentities.dev.join(';'));
    }
  });

  it('on a workspace-scoped HelpDesk: a read-only user is refused; a writer sets them; Create Ticket preselects the scopes', async () => {
    const refused = await setDefaults(h, People.bob, platform);
    expect(refused.kind).toBe('errors');
    expect((await h.service.store.channelDefaults(here()))?.portal).toBe('acme');

    const outcome = await setDefaults(h, People.alice, platform);
    expect(outcome.kind).toBe('updated');
    expect(await h.service.store.channelDefaults(here())).toMatchObject({
      portal: WorkspacePortalName,
      api: 'workspace',
      spaceId: SeedWorkspaces.platform.id,
      agentId: SeedWorkspaceAgents.generic.id,
    });

    const { ts } = await h.mention(People.alice, 'platform question');
    const viewId = await openCreateTicket(h, People.alice, ts);
    const chosen = preselected(h.slack.view(viewId));
    expect(chosen[ActionId.SelectWorkspace]).toBe(SeedWorkspaces.platform.id);
    expect(chosen[ActionId.SelectAgent]).toBe(SeedWorkspaceAgents.generic.id);
    expect([...(chosen[ActionId.SelectScopes] as string[])].sort()).toEqual([...platform.permissionIds].sort());
    expect((await submit(h, People.alice, viewId, {})).kind).toBe('closed');
    expect(await h.service.store.activeLink({ ...here(), threadTs: ts })).toMatchObject({
      portal: WorkspacePortalName,
      spaceId: SeedWorkspaces.platform.id,
    });
  });

  it('Clear defaults: a read-only person is refused and they stay; a writer clears them, audited, the answer redrawn', async () => {
    const clickClear = async (user: FakeSlackUser) => {
      await h.helpdesk(user, 'defaults');
      const answer = h.slack.ephemerals(user.id).at(-1);
      if (!answer) throw new Error('/helpdesk defaults gave no answer');
      expect(renderBlocksText(answer.blocks ?? [])).toContain('Clear defaults');
      const response = await h.send(
        h.slack.clickButton({
          user: user.id,
          channel: Channel,
          messageTs: answer.ts,
          actionId: ActionId.ClearChannelDefaults,
        }),
        'interaction',
      );
      expect(response.elapsedMs).toBeLessThan(3_000);
      return renderBlocksText(h.slack.ephemerals(user.id).at(-1)?.blocks ?? []);
    };

    expect(await clickClear(People.bob)).toMatch(/The defaults were not cleared: .*read-only/);
    expect((await h.service.store.channelDefaults(here()))?.portal).toBe(WorkspacePortalName);

    expect(await clickClear(People.alice)).toContain('has no Create Ticket defaults');
    expect(await h.service.store.channelDefaults(here())).toBeNull();
    const audit = (await h.service.store.auditForTicket(WorkspacePortalName, '')).filter(
      (entry) => entry.action === ChannelDefaultsClearedAction,
    );
    expect(audit).toEqual([expect.objectContaining({ actor: People.alice.id, spaceId: SeedWorkspaces.platform.id })]);
  });
});
