import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadRef } from '../../src/domain/thread-link.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { type FaultSpec, SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import type { SlackView } from '../fakes/slack/index.js';
import { chooseInView, openCreateTicket, openUpdateContext } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';
import {
  cardIdOf,
  clickDecision,
  clickSubmit,
  devChoice,
  echoesFor,
  fastPacing,
  generousLimits,
  sendsTo,
  ticketThread,
} from './support/scenario.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('portal-faults');

/**
 * Each way a portal fails, what the person should read, and the code /readyz should name. `created` is what they
 * read when the call that creates a ticket failed after it was sent: then the ticket may exist after all; `sent`,
 * likewise for a message to the agent.
 */
const Faults = {
  down: {
    spec: { dropConnection: true },
    code: 'portal.unavailable',
    words: /is not answering/,
    created: /is not answering\. The ticket may have been created anyway: look in the AI HelpDesk/,
    sent: /is not answering\. Your message may have reached the agent anyway/,
  },
  slow: {
    spec: { delayMs: 1_300 },
    code: 'portal.timeout',
    words: /took too long to answer/,
    created: /took too long to answer\. The ticket may have been created anyway/,
    sent: /took too long to answer\. Your message may have reached the agent anyway/,
  },
  '5xx': {
    spec: { status: 503 },
    code: 'portal.unavailable',
    words: /is not answering/,
    created: /answered with an error \(HTTP 503\)\. The ticket may have been created anyway/,
    sent: /answered with an error \(HTTP 503\)\. Your message may have reached the agent anyway/,
  },
  '401 (token revoked)': {
    spec: null,
    code: 'portal.unauthorized',
    words: /rejected this service’s API token/,
    created: /rejected this service’s API token\. Nothing was changed/,
    sent: /rejected this service’s API token\. Nothing was changed/,
  },
  'malformed JSON': {
    spec: { status: 200, body: '{"Tenants": [{"TenantId": ' },
    code: 'portal.bad_response',
    words: /sent an answer this service cannot read/,
    created: /cannot read\. The ticket may have been created anyway/,
    sent: /cannot read\. Your message may have reached the agent anyway/,
  },
} as const satisfies Record<
  string,
  { spec: Omit<FaultSpec, 'path'> | null; code: string; words: RegExp; created: RegExp; sent: RegExp }
>;
type FaultName = keyof typeof Faults;
const faultNames = Object.keys(Faults) as FaultName[];

const Everything = /./;
const CreateTicket = /^\/v1\/aiservicedesk\/tickets\/[^/]+$/;
const SendMessage = /\/sendmessage$/;

describe('portal faults at each step: the person is told, nothing is half made, the same action then works', () => {
  let h: Harness;

  /** Breaks the portal for the calls matching `path` until `heal()`. */
  const breakPortal = (name: FaultName, path: RegExp, method?: string) => {
    counters.add('faultsInjected');
    const fault = Faults[name];
    // A revoked token fails every call; on one path alone, the portal answers that call 401.
    const spec = fault.spec ?? (path === Everything ? null : { status: 401 });
    if (spec === null) h.portal.revokeToken(h.portal.adminToken);
    else h.portal.inject({ ...spec, path, times: Number.POSITIVE_INFINITY, ...(method ? { method } : {}) });
  };
  const heal = () => {
    h.portal.clearFaults();
    h.portal.tokens.set(h.portal.adminToken, h.portal.adminUser);
  };
  const readyz = async () => {
    const response = await fetch(`${h.service.url}/readyz`);
    return {
      status: response.status,
      body: (await response.json()) as { checks: { name: string; ok: boolean; reason?: string }[] },
    };
  };
  const threadOf = (threadTs: string): ThreadRef => ({ teamId: h.slack.teamId, channelId: Channel, threadTs });
  const lastWords = (threadTs: string) => h.transcript(threadTs).at(-1) ?? '';
  const ephemeralText = (userId: string) => JSON.stringify(h.slack.ephemerals(userId).at(-1) ?? {});

  beforeAll(async () => {
    h = await startHarness({
      serviceOptions: {
        portalClientOptions: { timeoutMs: 500, agentTimeoutMs: 1_000, getRetries: 0, retryBaseDelayMs: 10 },
        readinessCacheMs: { ok: 0, failed: 0 },
        rateLimits: generousLimits,
        slackPacing: fastPacing,
      },
    });
  });
  afterEach(() => {
    heal();
    h.portal.resetAgentScript();
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
  });

  it.each(faultNames)('/readyz names the failing portal when it is %s, and recovers', async (name) => {
    expect((await readyz()).status).toBe(200);
    breakPortal(name, Everything);
    const broken = await readyz();
    expect(broken.status).toBe(503);
    expect(broken.body.checks).toContainEqual(
      expect.objectContaining({ name: 'portal:acme', ok: false, reason: expect.stringContaining(Faults[name].code) }),
    );
    // A load balancer's probe asks about the database alone: a portal's token does not take every replica out.
    const databaseOnly = await fetch(`${h.service.url}/readyz?scope=database`);
    expect(databaseOnly.status).toBe(200);
    expect(await databaseOnly.json()).toEqual({ ready: true, checks: [{ name: 'database', ok: true }] });
    expect((await fetch(`${h.service.url}/readyz?scope=everything`)).status).toBe(400);
    // …and the portal's state is a metric an operator can alert on.
    expect(await (await fetch(`${h.service.url}/metrics`)).text()).toMatch(/^helpdesk_portal_up\{portal="acme"\} 0$/m);
    heal();
    expect((await readyz()).status).toBe(200);
    expect(await (await fetch(`${h.service.url}/metrics`)).text()).toMatch(/^helpdesk_portal_up\{portal="acme"\} 1$/m);
  });

  it.each(faultNames)('Create Ticket while the portal is %s', async (name) => {
    const { ts } = await h.mention(People.alice, `create while ${name}: web pods crash`);
    const thread = threadOf(ts);
    const request = `create while ${name}: web pods crash`;
    const made = () => h.portal.tickets().filter((ticket) => ticket.title === request).length;

    // Fault on every call: the form's own checks fail, and the person reads why in the form or the thread.
    let viewId = await openCreateTicket(h, People.alice, ts);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, devChoice.spaceId);
    breakPortal(name, Everything);
    const values = {
      [ActionId.SelectAgent]: devChoice.agentId,
      [ActionId.SelectIdentity]: devChoice.permissionIds[0] as string,
    };
    const response = await h.send(h.slack.submitView({ user: People.alice.id, viewId, values }), 'interaction');
    const told = `${response.body} ${lastWords(ts)} ${ephemeralText(People.alice.id)}`;
    expect(told).toMatch(Faults[name].words);
    heal();

    // Fault on the creation itself: checks pass, the ticket is not made, the thread says so.
    viewId = await openCreateTicket(h, People.alice, ts);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, devChoice.spaceId);
    breakPortal(name, CreateTicket, 'POST');
    await h.send(h.slack.submitView({ user: People.alice.id, viewId, values }), 'interaction');
    expect(lastWords(ts)).toContain('Creating the ticket failed.');
    expect(lastWords(ts)).toMatch(Faults[name].created);
    expect(await h.service.store.activeLink(thread)).toBeNull();
    expect(h.transcript(ts).join('\n')).not.toContain('Open AI HelpDesk');
    heal();

    // Back: the same action works, once.
    viewId = await openCreateTicket(h, People.alice, ts);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, devChoice.spaceId);
    await h.send(h.slack.submitView({ user: People.alice.id, viewId, values }), 'interaction');
    const link = await h.service.store.activeLink(thread);
    expect(link).not.toBeNull();
    expect((await h.service.store.linkHistory(thread)).length).toBe(1);
    expect(h.transcript(ts).join('\n')).toContain('Open AI HelpDesk');
    // A slow portal may still finish a creation we gave up on: the only trace is in the portal, never a link.
    if (name !== 'slow') expect(made()).toBe(1);
  });

  it.each(faultNames)('a message to the agent while the portal is %s', async (name) => {
    const { threadTs, link } = await ticketThread(h, `relay while ${name}: please look`);
    h.portal.setAgentScript(({ message }) => ({ content: `Got it: ${message.content}` }));
    breakPortal(name, SendMessage, 'POST');
    await h.say(People.alice, 'is the portal there?', threadTs);
    expect(lastWords(threadTs)).toContain('Sending your message to the agent failed.');
    expect(lastWords(threadTs)).toMatch(Faults[name].sent);
    heal();
    await h.say(People.alice, 'is the portal there?', threadTs);
    expect(h.transcript(threadTs).filter((text) => text.includes('Got it: is the portal there?'))).toHaveLength(1);
    expect(sendsTo(h.portal.calls, link.ticketName).at(-1)?.status).toBe(200);
  });

  it.each(faultNames)('Submit while the portal is %s: refused before anything is sent, then works', async (name) => {
    const { threadTs, link } = await ticketThread(h, `submit while ${name}: restart the web pods`);
    const card = h.botMessage(threadTs, /proposes 2 command/);
    const cardId = cardIdOf(h, card.ts);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');

    breakPortal(name, Everything);
    await h.send(clickSubmit(h, People.alice, card.ts), 'interaction');
    expect(ephemeralText(People.alice.id)).toMatch(Faults[name].words);
    expect((await h.service.store.getCard(cardId))?.status).toBe('pending');
    expect(echoesFor(h.portal.calls, link.ticketName).filter((call) => call.status === 200)).toHaveLength(0);
    heal();

    await h.send(clickSubmit(h, People.alice, card.ts), 'interaction');
    expect((await h.service.store.getCard(cardId))?.status).toBe('executed');
    const echoes = echoesFor(h.portal.calls, link.ticketName).filter((call) => call.status === 200);
    counters.add('duplicatesFound', Math.max(0, echoes.length - 1));
    expect(echoes).toHaveLength(1);
  });

  it.each(faultNames)(
    'Submit whose echo meets a portal that is %s: reported, never resent, the agent can be asked again',
    async (name) => {
      const { threadTs, link } = await ticketThread(h, `echo while ${name}: restart the web pods`);
      const card = h.botMessage(threadTs, /proposes 2 command/);
      const cardId = cardIdOf(h, card.ts);
      await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
      // Only the echo fails (the checks before it pass): the card is claimed, so it must never be sent twice.
      breakPortal(name, SendMessage, 'POST');
      // A second click built while the button was still shown, arriving after the failure (a late double click).
      const [click, lateClick] = [clickSubmit(h, People.alice, card.ts), clickSubmit(h, People.alice, card.ts)];
      await h.send(click, 'interaction');
      expect((await h.service.store.getCard(cardId))?.status).toBe('failed');
      expect(lastWords(threadTs)).toContain('Sending these decisions to the agent failed');
      expect(lastWords(threadTs)).toContain('Check the ticket in the AI HelpDesk');
      heal();
      const attempts = echoesFor(h.portal.calls, link.ticketName).length;
      await h.send(lateClick, 'interaction');
      expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(attempts);
      expect(ephemeralText(People.alice.id)).toContain('already submitted');

      // What the person is told to do works: ask again, get a new card, Submit it.
      await h.say(People.alice, 'please propose the restart again', threadTs);
      const next = h.botMessage(threadTs, /proposes 2 command/);
      expect(next.ts).not.toBe(card.ts);
      const nextId = cardIdOf(h, next.ts);
      await h.send(clickDecision(h, People.alice, next.ts, 0, ActionId.Approve), 'interaction');
      await h.send(clickSubmit(h, People.alice, next.ts), 'interaction');
      expect((await h.service.store.getCard(nextId))?.status).toBe('executed');
    },
  );

  it.each(faultNames)('Update Context while the portal is %s', async (name) => {
    const { threadTs, thread, link } = await ticketThread(h, `update while ${name}: pods in dev`);
    const staging = { spaceId: SeedTenants.staging.id, identity: SeedIdentities.staging[0] as string };
    const values = {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: staging.identity,
      [ActionId.ShareThread]: 'no',
      [ActionId.NewMessage]: 'same in staging?',
    };
    const openMove = async () => {
      const viewId = await openUpdateContext(h, People.alice, threadTs);
      await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, staging.spaceId);
      return viewId;
    };

    let viewId = await openMove();
    breakPortal(name, Everything);
    const response = await h.send(h.slack.submitView({ user: People.alice.id, viewId, values }), 'interaction');
    expect(`${response.body} ${lastWords(threadTs)}`).toMatch(Faults[name].words);
    expect((await h.service.store.activeLink(thread))?.id).toBe(link.id);
    heal();

    viewId = await openMove();
    breakPortal(name, CreateTicket, 'POST');
    await h.send(h.slack.submitView({ user: People.alice.id, viewId, values }), 'interaction');
    expect(lastWords(threadTs)).toContain('Updating the context failed.');
    expect(lastWords(threadTs)).toMatch(Faults[name].created);
    expect((await h.service.store.activeLink(thread))?.id).toBe(link.id);
    heal();

    viewId = await openMove();
    const view: SlackView | undefined = h.slack.view(viewId);
    expect(view).toBeDefined();
    await h.send(h.slack.submitView({ user: People.alice.id, viewId, values }), 'interaction');
    const moved = await h.service.store.activeLink(thread);
    expect(moved?.spaceId).toBe(staging.spaceId);
    expect(moved?.ticketName).not.toBe(link.ticketName);
  });
});
