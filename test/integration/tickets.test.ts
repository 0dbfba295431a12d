import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionId, BlockId, CallbackId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import type { SlackView } from '../fakes/slack/index.js';
import {
  agentAndPermissions,
  chooseInView,
  choosePortal,
  createTicketThroughSlack,
  devChoice,
  openCreateTicket,
  submit,
} from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';

type Block = { type: string; block_id?: string; text?: { text?: string }; element?: { options?: { value: string }[] } };

const blockOf = (view: SlackView | undefined, base: string): Block | undefined =>
  (view?.blocks as Block[] | undefined)?.find((block) => block.block_id?.split(':')[0] === base);
const optionValues = (view: SlackView | undefined, base: string) =>
  blockOf(view, base)?.element?.options?.map((option) => option.value) ?? [];

const dev = SeedTenants.dev;
const choice = devChoice;
const identity = SeedIdentities.dev[0] as string;

describe('a portal named after a long host name', () => {
  // 74 characters: more than a select option's value or the old form metadata could carry.
  const longHost = 'helpdesk-of-the-platform-engineering-team.eu-central-1.example-com.invalid';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      extraPortals: [{ duplo_host: `https://${longHost}`, duplo_token: 'long-host-token-123' }],
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps the form working: the form carries a short key, never the name', async () => {
    expect(longHost).toHaveLength(74);
    const { ts } = await h.mention(People.alice, 'pods crash, long portal names around');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await choosePortal(h, People.alice, viewId, longHost);
    expect(JSON.stringify(h.slack.view(viewId)?.blocks)).toContain('cannot be reached right now');
    await choosePortal(h, People.alice, viewId, 'acme');
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, dev.id);
    const outcome = await submit(h, People.alice, viewId, agentAndPermissions(h.slack.view(viewId), choice));
    expect(outcome.kind).toBe('closed');
    expect(
      await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs: ts }),
    ).not.toBeNull();
  });
});

describe('tickets from Slack threads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(() => {
    h.portal.clearFaults();
    h.portal.resetAgentScript();
    h.slack.clearInjections();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('offers Create Ticket in the thread of an unlinked mention, without calling the portal', async () => {
    const calls = h.portal.calls.length;
    const { ts } = await h.mention(People.alice, 'what is wrong with my pods?');
    const thread = h.slack.thread(Channel, ts);
    expect(thread).toHaveLength(2);
    expect(thread[1]?.thread_ts).toBe(ts);
    expect(h.transcript(ts)[1]).toContain('[Create Ticket]');
    expect(h.portal.calls.length).toBe(calls);
  });

  it('shows each person exactly the tenants they can access', async () => {
    const tenantsFor = async (user: (typeof People)[keyof typeof People]) => {
      const { ts } = await h.mention(user, 'help');
      const viewId = await openCreateTicket(h, user, ts);
      return optionValues(h.slack.view(viewId), BlockId.Tenant).sort();
    };
    expect(await tenantsFor(People.alice)).toEqual([dev.id, SeedTenants.staging.id].sort());
    expect(await tenantsFor(People.carol)).toEqual([SeedTenants.prod.id]);
    expect(await tenantsFor(People.admin)).toEqual([dev.id, SeedTenants.staging.id, SeedTenants.prod.id].sort());
  });

  it("lists the tenant's helpdesk-impersonatable-users as Default Permissions, and the portal's agents", async () => {
    h.portal.setTenantSetting(
      SeedTenants.staging.id,
      'helpdesk-impersonatable-users',
      ' deploy-bot ; reader;;Deploy-Bot ',
    );
    const { ts } = await h.mention(People.alice, 'staging question');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, SeedTenants.staging.id);
    const view = h.slack.view(viewId);
    expect(optionValues(view, BlockId.Identity)).toEqual(['deploy-bot', 'reader']);
    expect(optionValues(view, BlockId.Agent)).toEqual([SeedAgents.kubernetes.instanceId]);
    const label = (view?.blocks as { label?: { text: string }; block_id?: string }[] | undefined)?.find((block) =>
      block.block_id?.startsWith(BlockId.Identity),
    )?.label?.text;
    expect(label).toBe('Default Permissions');
  });

  it('explains an empty permissions list instead of offering an empty select', async () => {
    const { ts } = await h.mention(People.carol, 'prod is slow');
    const viewId = await openCreateTicket(h, People.carol, ts);
    const identity = blockOf(h.slack.view(viewId), BlockId.Identity);
    expect(identity?.type).toBe('section');
    expect(identity?.text?.text).toContain('helpdesk-impersonatable-users');
    const outcome = await submit(h, People.carol, viewId, { [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId });
    expect(outcome.kind).toBe('errors');
    expect(h.portal.tickets()).toHaveLength(0);
  });

  it('refuses tampered submissions on the server, naming the field, and creates nothing', async () => {
    const { ts } = await h.mention(People.alice, 'tamper test');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, dev.id);
    const honest = h.slack.submitView({
      user: People.alice.id,
      viewId,
      values: agentAndPermissions(h.slack.view(viewId), choice),
    });
    const tamper = (field: string, action: string, value: string) => {
      const payload = structuredClone(honest) as {
        view: { state: { values: Record<string, Record<string, unknown>> } };
      };
      const values = payload.view.state.values;
      const blockId = Object.keys(values).find((id) => id.startsWith(field)) as string;
      values[blockId] = {
        [action]: { type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } },
      };
      return { payload, blockId };
    };
    const before = h.portal.tickets().length;
    for (const [field, action, value] of [
      [BlockId.Tenant, ActionId.SelectTenant, SeedTenants.prod.id],
      [BlockId.Identity, ActionId.SelectIdentity, 'root'],
      [BlockId.Agent, ActionId.SelectAgent, SeedAgents.cost.instanceId],
    ] as const) {
      const { payload, blockId } = tamper(field, action, value);
      const response = await h.send(payload, 'interaction');
      const body = JSON.parse(response.body) as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe('errors');
      expect(Object.keys(body.errors)).toEqual([blockId]);
    }
    expect(h.portal.tickets()).toHaveLength(before);
    expect(await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs: ts })).toBeNull();
  });

  it('creates one ticket with the right body, links the thread, posts the card and the first reply', async () => {
    const request = 'the web pods in dev are crashing since the last deploy';
    const { threadTs, outcome } = await createTicketThroughSlack(
      h,
      People.alice,
      `${request}\nsecond line of detail`,
      choice,
    );
    expect(outcome.kind).toBe('closed');
    const creates = h.portal.callsTo('POST', new RegExp(`/v1/aiservicedesk/tickets/${dev.id}$`));
    const create = creates.at(-1);
    // docs/duplocloud-api.md §3.2: the IDE's CreateAiTicket, then the request as the first message (§3.4).
    expect(create?.body).toEqual({
      title: request,
      assignee: {
        agentName: SeedAgents.kubernetes.name,
        instanceId: SeedAgents.kubernetes.instanceId,
        friendlyName: SeedAgents.kubernetes.friendlyName,
        agentHostTenantId: SeedAgents.kubernetes.hostTenantId,
      },
      process_message: false,
      defaultAgentPermissions: [identity],
      source: 1,
      imAppDetails: { channelId: Channel, threadId: threadTs },
    });
    const link = await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs });
    expect(link).toMatchObject({ api: 'tenant', spaceId: dev.id, permissions: [{ id: identity, name: identity }] });
    const ticket = h.portal.tickets().find((candidate) => candidate.name === link?.ticketName);
    expect(ticket?.spaceId).toBe(dev.id);
    const first = h.portal.callsTo('POST', new RegExp(`/${link?.ticketName}/sendmessage$`))[0];
    expect(first?.body).toEqual({
      role: 'user',
      content: `${request}\nsecond line of detail`,
      data: {},
      platform_context: {},
      user: { id: People.alice.id, name: People.alice.email },
    });

    const card = h.slack.message(Channel, String(link?.cardMessageTs));
    const button = JSON.stringify(card?.blocks).match(/"url":"([^"]+)"/)?.[1];
    expect(button).toBe(`${h.portal.url}/app/ai/service-desk/${dev.id}/tickets/chat/${link?.ticketName}`);
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript).toContain('[Open AI HelpDesk]');
    expect(transcript).toContain('Update Context');
    expect(transcript).toMatch(/proposes 2 commands/);
    // The prompt has done its job: it names the ticket and offers no second Create Ticket.
    expect(h.transcript(threadTs)[1]).toContain(`@UALICE created ticket *${link?.ticketName}*`);
    expect(h.transcript(threadTs)[1]).not.toContain('[Create Ticket]');
  });

  it('relays later mentions and thread replies to the same ticket, once each, and not bot messages', async () => {
    const { threadTs } = await createTicketThroughSlack(h, People.alice, 'deployment stuck', choice);
    const link = await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs });
    const sends = () =>
      h.portal.callsTo('POST', /\/sendmessage$/).filter((call) => call.path.includes(String(link?.ticketName)));
    h.portal.setAgentScript(({ message }) => ({ content: `You said: ${message.content}` }));

    await h.mention(People.alice, 'any news?', threadTs);
    expect(sends()).toHaveLength(2); // the request that opened the ticket, then this one
    expect(sends()[1]?.body).toEqual({
      role: 'user',
      content: 'any news?',
      data: {},
      platform_context: {},
      user: { id: People.alice.id, name: People.alice.email },
    });
    await h.say(People.alice, 'and the logs too', threadTs);
    expect(sends()).toHaveLength(3);
    expect(h.transcript(threadTs).join('\n')).toContain('You said: and the logs too');

    // Top-level chatter and the bot's own messages are not relayed.
    await h.say(People.alice, 'unrelated top-level message');
    const own = h.slack.messageEventFor({ channel: Channel, ts: h.botMessage(threadTs, /You said/).ts });
    await h.send(own, 'event');
    expect(sends()).toHaveLength(3);
  });

  it('refuses clearly when Slack shares no email, and for people from another workspace', async () => {
    for (const [person, words] of [
      [People.noEmail, 'does not share your email'],
      [People.external, 'another organisation’s Slack workspace (Slack Connect)'],
    ] as const) {
      const { ts } = await h.mention(person, 'help me');
      const viewId = await openCreateTicket(h, person, ts);
      const view = h.slack.view(viewId);
      const text = JSON.stringify(view?.blocks);
      expect(text).toContain(words);
      expect(optionValues(view, BlockId.Tenant)).toEqual([]);
    }
  });

  it('tells a person without portal access that their reply was not sent, and shows no progress for it', async () => {
    const { threadTs } = await createTicketThroughSlack(h, People.alice, 'pods restart', choice);
    const sends = h.portal.callsTo('POST', /\/sendmessage$/).length;
    const statuses = () =>
      h.slack.callsTo('assistant.threads.setStatus').filter((call) => call.args.thread_ts === threadTs).length;
    const statusesBefore = statuses();
    await h.say(People.stranger, 'let me in', threadTs);
    expect(h.portal.callsTo('POST', /\/sendmessage$/)).toHaveLength(sends);
    expect(statuses()).toBe(statusesBefore);
    const ephemeral = h.slack.ephemerals(People.stranger.id).at(-1);
    expect(JSON.stringify(ephemeral)).toContain('no DuploCloud user with your Slack email');
  });

  it('reports a portal 500 on create in the thread and stores no link', async () => {
    h.portal.inject({ method: 'POST', path: /\/v1\/aiservicedesk\/tickets\/[^/]+$/, status: 500, times: 1 });
    const { threadTs, outcome } = await createTicketThroughSlack(h, People.alice, 'crash loop', choice);
    expect(outcome.kind).toBe('closed');
    expect(h.transcript(threadTs).join('\n')).toContain(
      'Creating the ticket failed. The DuploCloud portal answered with an error (HTTP 500). The ticket may have been ' +
        'created anyway: look in the AI HelpDesk before you try again.',
    );
    expect(await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs })).toBeNull();
    // The same action works once the portal is back.
    const viewId = await openCreateTicket(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, dev.id);
    await submit(h, People.alice, viewId, agentAndPermissions(h.slack.view(viewId), choice));
    expect(await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs })).not.toBeNull();
  });

  it('redacts a secret typed into the thread before it reaches the agent, and tells the sender privately', async () => {
    const { threadTs } = await createTicketThroughSlack(h, People.alice, 'db connection refused', choice);
    const password = 'Tr0ub4dor-and-3-more';
    await h.say(People.alice, `the app uses DB_PASSWORD=${password} and fails`, threadTs);
    const sent = h.portal.callsTo('POST', /\/sendmessage$/).at(-1)?.body as { content: string };
    expect(sent.content).toContain('DB_PASSWORD=[REDACTED:');
    expect(sent.content).not.toContain(password);
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain('1 value that looks like a secret');
  });

  it('redacts a secret in the request a ticket is created from: title, first message and link never hold it', async () => {
    const secret = 'hunter2-prod';
    const { threadTs } = await createTicketThroughSlack(h, People.alice, `DB_PASSWORD=${secret} fails in dev`, choice);
    const thread = { teamId: h.slack.teamId, channelId: Channel, threadTs };
    const link = await h.service.store.activeLink(thread);
    expect(link?.ticketTitle).toMatch(/^DB_PASSWORD=\[REDACTED:[^\]]+\] fails in dev$/);
    // The request was kept (from the mention until Create Ticket) redacted, with how many values were replaced.
    const kept = await h.service.store.getRequest(thread, threadTs);
    expect(kept).toMatchObject({
      text: expect.stringMatching(/^DB_PASSWORD=\[REDACTED:[^\]]+\] fails in dev$/),
      redacted: 1,
    });
    const created = h.portal.tickets(dev.id).find((ticket) => ticket.name === link?.ticketName);
    const first = h.portal.callsTo('POST', new RegExp(`/${link?.ticketName}/sendmessage$`)).at(0)?.body;
    for (const [where, text] of Object.entries({
      ticket: JSON.stringify(created),
      first: JSON.stringify(first),
      link: JSON.stringify(link),
      card: h.transcript(threadTs).slice(1).join('\n'),
    })) {
      expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
    }
    expect(JSON.stringify(first)).toContain('DB_PASSWORD=[REDACTED:');
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain(
      '1 value that looks like a secret in the request went to the new ticket as [REDACTED]',
    );
  });

  it('reports a failed relay in the thread', async () => {
    const { threadTs } = await createTicketThroughSlack(h, People.alice, 'logs please', choice);
    h.portal.inject({ method: 'POST', path: /\/sendmessage$/, status: 503, times: 1 });
    await h.say(People.alice, 'still there?', threadTs);
    expect(h.transcript(threadTs).at(-1)).toContain('Sending your message to the agent failed');
  });

  it('creates a ticket from the message shortcut, with that message as the request', async () => {
    const posted = h.slack.userMessage({ user: People.alice.id, channel: Channel, text: 'the worker pods are down' });
    await h.send(
      h.slack.messageShortcut({
        user: People.alice.id,
        channel: Channel,
        messageTs: posted.ts,
        callbackId: CallbackId.CreateTicketShortcut,
      }),
      'interaction',
    );
    const view = h.slack.openViews(People.alice.id).at(-1);
    if (!view) throw new Error('the Create Ticket modal did not open');
    await chooseInView(h, People.alice, String(view.id), ActionId.SelectTenant, dev.id);
    const outcome = await submit(h, People.alice, String(view.id), agentAndPermissions(h.slack.view(view.id), choice));
    expect(outcome.kind).toBe('closed');
    const link = await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs: posted.ts });
    expect(link?.ticketTitle).toBe('the worker pods are down');
    expect(h.transcript(posted.ts).join('\n')).toContain('Update Context');
  });

  it('refuses to create a ticket from the shortcut in a channel the bot is not in, saying so, and creates nothing', async () => {
    const outside = 'C0OUTSIDE';
    h.slack.addChannel(outside, { name: 'outside' });
    const posted = h.slack.userMessage({ user: People.alice.id, channel: outside, text: 'pods crash over here' });
    h.slack.addChannel(outside, { name: 'outside', botIsMember: false }); // the bot was removed since
    await h.send(
      h.slack.messageShortcut({
        user: People.alice.id,
        channel: outside,
        messageTs: posted.ts,
        callbackId: CallbackId.CreateTicketShortcut,
      }),
      'interaction',
    );
    const view = h.slack.openViews(People.alice.id).at(-1);
    if (!view) throw new Error('the Create Ticket modal did not open');
    expect(JSON.stringify(view.blocks)).toContain('I am not a member of this channel');
    const tickets = h.portal.tickets().length;
    await chooseInView(h, People.alice, String(view.id), ActionId.SelectTenant, dev.id);
    const outcome = await submit(h, People.alice, String(view.id), agentAndPermissions(h.slack.view(view.id), choice));
    expect(outcome).toMatchObject({ kind: 'errors' });
    expect(JSON.stringify(outcome)).toContain('/invite @DuploCloud AI');
    expect(h.portal.tickets()).toHaveLength(tickets);
    expect(
      await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: outside, threadTs: posted.ts }),
    ).toBeNull();
  });

  it('sent Slack nothing it refused', () => {
    expect(h.slack.internalErrors).toEqual([]);
    const refused = h.slack.calls.filter((call) => !call.ok);
    expect(refused.map((call) => `${call.method}: ${call.error}`)).toEqual([]);
  });
});
