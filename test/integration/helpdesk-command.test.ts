import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import { type FakeSlackUser, renderBlocksText } from '../fakes/slack/index.js';
import {
  agentAndPermissions,
  choosePortal,
  chooseSpace,
  createTicketThroughSlack,
  devChoice,
  openCreateTicket,
  submit,
} from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

const OtherChannel = 'C0NOBOT';

/** What the person sees as the command's answer: the ephemeral messages Slack showed them, newest last. */
function answersTo(h: Harness, user: FakeSlackUser, channel = Channel): string[] {
  return h.slack
    .ephemerals(user.id)
    .filter((message) => message.channel === channel)
    .map((message) => renderBlocksText(message.blocks ?? []) || message.text);
}

/** Runs `/helpdesk <text>`, checks it was acked in time with nothing for Slack to show, returns the new answer. */
async function helpdesk(h: Harness, user: FakeSlackUser, text: string, channel = Channel): Promise<string> {
  const before = answersTo(h, user, channel).length;
  const response = await h.helpdesk(user, text, channel);
  expect(response.status).toBe(200);
  expect(response.elapsedMs).toBeLessThan(3_000);
  expect(response.body).toBe('');
  const answers = answersTo(h, user, channel);
  expect(answers.length, `one answer to /helpdesk ${text}`).toBe(before + 1);
  return answers.at(-1) ?? '';
}

describe('/helpdesk', () => {
  let h: Harness;
  let silent: Server;

  beforeAll(async () => {
    // Answers 404 to everything, like a host that serves no AI HelpDesk: a portal whose generation is not detected.
    silent = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"Message":"Resource not found"}');
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    h = await startHarness({
      workspacePortal: true,
      extraPortals: [{ name: 'nowhere', duplo_host: silentUrl, duplo_token: 'nowhere-token-0123456789' }],
    });
    h.slack.addChannel(OtherChannel, { botIsMember: false });
  });
  afterAll(async () => {
    await h?.stop();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('help: says what the bot does and lists the commands, to the caller alone, in the response_url', async () => {
    const channelBefore = h.slack.messages(Channel).length;
    const text = await helpdesk(h, People.alice, 'help');
    expect(text).toContain('DuploCloud AI HelpDesk');
    for (const command of ['help', 'tickets', 'new', 'status', 'defaults'])
      expect(text).toContain(`/helpdesk ${command}`);
    expect(h.slack.responses.at(-1)).toMatchObject({ outcome: 'ephemeral', body: { response_type: 'ephemeral' } });
    expect(h.slack.messages(Channel)).toHaveLength(channelBefore);
    expect(answersTo(h, People.bob)).toEqual([]);
    // Nothing typed is help too.
    expect(await helpdesk(h, People.alice, '')).toContain('/helpdesk defaults');
  });

  it('an unknown subcommand gets the help, naming what was typed (escaped)', async () => {
    const text = await helpdesk(h, People.alice, 'frobnicate <!channel> now');
    expect(text).toContain('I do not know `frobnicate`');
    expect(text).toContain('/helpdesk tickets');
    const raw = JSON.stringify(h.slack.responses.at(-1)?.body);
    expect(raw).not.toContain('<!channel>');
  });

  it('answers in a channel the bot is not in, through the response_url', async () => {
    const text = await helpdesk(h, People.alice, 'help', OtherChannel);
    expect(text).toContain('/helpdesk new');
  });

  it('status: each portal, the HelpDesk it speaks (or none detected), and whether it is reachable', async () => {
    const text = await helpdesk(h, People.bob, 'status');
    expect(text).toMatch(/\*acme\*: tenant-scoped HelpDesk · ✅ reachable/);
    expect(text).toMatch(/\*helpdesk\*: workspace-scoped HelpDesk · ✅ reachable/);
    expect(text).toMatch(/\*nowhere\*: HelpDesk not detected · ⚠️ not reachable \(portal\.undetected/);
    expect(text).toContain('2 of 3 portals reachable');
  });

  it("tickets: the caller's open tickets as App Home lists them, and nobody else's", async () => {
    expect(await helpdesk(h, People.alice, 'tickets')).toContain('You have no open tickets');
    const { outcome } = await createTicketThroughSlack(h, People.alice, 'dev pods keep restarting', {
      ...devChoice,
      portal: 'acme',
    });
    expect(outcome.kind).toBe('closed');
    const [ticket] = h.portal.tickets();
    if (!ticket) throw new Error('no ticket was created');
    const text = await helpdesk(h, People.alice, 'tickets');
    expect(text).toContain('Your open tickets');
    expect(text).toContain(ticket.name);
    expect(text).toContain('dev pods keep restarting');
    const buttons = (h.slack.ephemerals(People.alice.id).at(-1)?.blocks ?? []).flatMap((block) =>
      block.type === 'actions' ? (block.elements as { action_id: string }[]).map((element) => element.action_id) : [],
    );
    expect(buttons).toEqual([ActionId.OpenThread, ActionId.OpenHelpdesk]);
    expect(await helpdesk(h, People.bob, 'tickets')).toContain('You have no open tickets');
  });

  it('new: starts a thread in the channel and opens Create Ticket for it; the ticket lands in that thread', async () => {
    const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
    const response = await h.helpdesk(People.alice, 'new staging deploys hang at 90%');
    expect(response.status).toBe(200);
    expect(response.elapsedMs).toBeLessThan(3_000);
    const view = h.slack.openViews(People.alice.id).find((candidate) => !before.has(candidate.id));
    if (!view) throw new Error('the Create Ticket modal did not open');
    expect(view.title).toMatchObject({ text: 'Create Ticket' });

    const parent = h.slack
      .messages(Channel)
      .filter((message) => message.bot_id === h.slack.botId && message.thread_ts === undefined)
      .at(-1);
    expect(renderBlocksText((parent?.blocks ?? []) as never)).toContain('staging deploys hang at 90%');
    const threadTs = String(parent?.ts);

    const viewId = String(view.id);
    await choosePortal(h, People.alice, viewId, 'acme');
    await chooseSpace(h, People.alice, viewId, SeedTenants.staging.id);
    const outcome = await submit(
      h,
      People.alice,
      viewId,
      agentAndPermissions(h.slack.view(viewId), {
        agentId: SeedAgents.kubernetes.instanceId,
        permissionIds: [SeedIdentities.staging[0]],
      }),
    );
    expect(outcome.kind).toBe('closed');
    const link = await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs });
    expect(link).toMatchObject({ spaceId: SeedTenants.staging.id, ticketTitle: 'staging deploys hang at 90%' });
    expect(h.transcript(threadTs).join('\n')).toContain('Update Context');
  });

  it('new, then Cancel: the thread’s message says Create Ticket was cancelled; a mention there offers it again', async () => {
    const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
    await h.helpdesk(
      People.alice,
      'new the cron job never ran, token ghp_0123456789abcdefghijABCDEFGHIJ012345 attached',
    );
    const view = h.slack.openViews(People.alice.id).find((candidate) => !before.has(candidate.id));
    if (!view) throw new Error('the Create Ticket modal did not open');
    const parent = h.slack
      .messages(Channel)
      .filter((message) => message.bot_id === h.slack.botId && message.thread_ts === undefined)
      .at(-1);
    const threadTs = String(parent?.ts);

    const closed = h.slack.closeView({ user: People.alice.id, viewId: String(view.id) });
    if (!closed) throw new Error('the Create Ticket modal of /helpdesk new does not ask to hear its cancel');
    expect((await h.send(closed, 'interaction')).status).toBe(200);
    const shown = renderBlocksText((h.slack.message(Channel, threadTs)?.blocks ?? []) as never);
    expect(shown).toContain('cancelled Create Ticket: no ticket was made');
    expect(shown).toContain('the cron job never ran');
    expect(shown).not.toContain('ghp_0123456789');
    expect(await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs })).toBeNull();

    await h.mention(People.alice, 'try again please', threadTs);
    expect(h.transcript(threadTs).at(-1)).toContain('Create Ticket');
  });

  it('a Create Ticket form from a mention does not ask to hear its cancel', async () => {
    const { ts } = await h.mention(People.alice, 'pods crash');
    const viewId = await openCreateTicket(h, People.alice, ts);
    expect(h.slack.closeView({ user: People.alice.id, viewId })).toBeNull();
  });

  it('new where the bot is not in the channel: says to invite it, opens nothing, posts nothing', async () => {
    const views = h.slack.openViews(People.alice.id).length;
    const text = await helpdesk(h, People.alice, 'new help me', OtherChannel);
    expect(text).toMatch(/invite/i);
    expect(h.slack.openViews(People.alice.id)).toHaveLength(views);
    expect(h.slack.messages(OtherChannel)).toEqual([]);
  });

  it('defaults: says the channel has none, with a button to set them', async () => {
    const text = await helpdesk(h, People.bob, 'defaults');
    expect(text).toContain('has no Create Ticket defaults');
    expect(text).toContain('Set defaults');
  });
});
