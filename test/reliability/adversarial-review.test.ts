import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import {
  chooseInView,
  createTicketThroughSlack,
  linkedThread,
  openCreateTicket,
  openUpdateContext,
  submit,
} from '../support/flows.js';
import { type Harness, People, startHarness } from '../support/harness.js';
import {
  cardIdOf,
  clickDecision,
  clickSubmit,
  createsIn,
  devChoice,
  echoesFor,
  fastPacing,
  generousLimits,
  getPods,
} from './support/scenario.js';
import { stringsIn } from './support/strings.js';

/**
 * Issue 12, second review: every field a person types (the mention, a thread message, a reject reason, Update
 * Context's New Message) with its secret split by characters nobody sees, or its key spelled with look-alike letters.
 * Each path has its own value, so a leak names the path it came through.
 */
const typed = {
  mention: { value: 'Mv7Qz3pLx9Wd', text: (v: string) => `pods crash after deploy, db pass\u200Bword=${v} maybe` },
  thread: { value: 'Tk4Rn8sHq2Jy', text: (v: string) => `the job logs show DB_PASS\u200DWORD=${v}` },
  reason: { value: 'Rj6Wm1vCz5Nb', text: (v: string) => `no: it would print p\u0430ssword=${v} in the output` },
  newMessage: {
    value: 'Nx2Pb7dKt4Gs',
    text: (v: string) => `same in staging, \uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44=${v}`,
  },
} as const;

/** Every string inside a value, hidden characters removed (a split value is still the value). */
const visibleStringsIn = (value: unknown): string => stringsIn(value).replace(/[\p{Cf}]/gu, '');

describe('what a person types, with its secret hidden by invisible or look-alike characters', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { slackPacing: fastPacing, rateLimits: generousLimits } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('is redacted on every path before the portal, Slack, the store or the logs see it', async () => {
    const slackFrom = h.slack.calls.length;
    const portalFrom = h.portal.calls.length;
    const logFrom = h.logs.lines.length;
    h.portal.setAgentScript(({ decisions }) =>
      decisions.length > 0
        ? undefined
        : { content: 'Two things to try.', data: { cmds: [{ command: getPods, execute: false }] } },
    );

    const { threadTs } = await createTicketThroughSlack(
      h,
      People.alice,
      typed.mention.text(typed.mention.value),
      devChoice,
    );
    await h.say(People.alice, typed.thread.text(typed.thread.value), threadTs);

    const card = h.botMessage(threadTs, /proposes .*command/);
    const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Reject), 'interaction');
    const modal = h.slack.openViews(People.alice.id).find((view) => !before.has(view.id));
    if (!modal) throw new Error('the reject reason modal did not open');
    await submit(h, People.alice, String(modal.id), { [ActionId.RejectReason]: typed.reason.text(typed.reason.value) });
    h.portal.resetAgentScript();

    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, SeedTenants.staging.id);
    await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
      [ActionId.ShareThread]: 'yes',
      [ActionId.NewMessage]: typed.newMessage.text(typed.newMessage.value),
    });

    const portal = visibleStringsIn(h.portal.calls.slice(portalFrom).map((call) => call.body));
    // What the app sent Slack; the fake's own record of the person's messages is what they typed, not what we sent.
    const slack = visibleStringsIn(h.slack.calls.slice(slackFrom).map((call) => call.args));
    const logs = visibleStringsIn(h.logs.lines.slice(logFrom).map((line) => JSON.parse(line) as unknown));
    const store = visibleStringsIn(await h.service.store.getCard(cardIdOf(h, card.ts)));

    // Each path reached the portal (redacted), so a missing leak is not a missing call.
    expect(portal).toContain('pods crash after deploy');
    expect(portal).toContain('the job logs show');
    expect(portal).toContain('same in staging');
    const leaks = Object.entries(typed).flatMap(([path, { value }]) =>
      (
        [
          ['portal', portal],
          ['slack', slack],
          ['logs', logs],
          ['store', store],
        ] as const
      )
        .filter(([, text]) => text.includes(value))
        .map(([sink]) => `${path} → ${sink}`),
    );
    expect(leaks).toEqual([]);
    expect(portal).toMatch(/\[REDACTED:password\]/);
  });
});

describe('forged actions: another person’s view, another team, a read-only person', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { slackPacing: fastPacing, rateLimits: generousLimits } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** A payload built for `from`, sent as if `as` had clicked or submitted it (a crafted request). */
  const asPerson = <T extends { user: { id: string } }>(payload: T, as: { id: string; name: string }): T => ({
    ...payload,
    user: { ...payload.user, id: as.id, username: as.name, name: as.name },
  });

  it('refuses a read-only person submitting another person’s Reject reason view, and records nothing', async () => {
    const { threadTs, link } = await linkedThread(h, People.alice, 'pods crash in dev', devChoice);
    const card = h.botMessage(threadTs, /proposes .*command/);
    const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Reject), 'interaction');
    const modal = h.slack.openViews(People.alice.id).find((view) => !before.has(view.id));
    if (!modal) throw new Error('the reject reason modal did not open');
    const payload = h.slack.submitView({
      user: People.alice.id,
      viewId: String(modal.id),
      values: { [ActionId.RejectReason]: 'not today' },
    });
    await h.send(asPerson(payload, People.bob), 'interaction');
    expect(await h.service.store.getCard(cardIdOf(h, card.ts))).toMatchObject({ status: 'pending', choices: {} });
    expect(JSON.stringify(h.slack.ephemerals(People.bob.id))).toContain('read-only access');
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(0);
  });

  it('refuses a person of another team approving or submitting, and runs nothing', async () => {
    const { threadTs, link } = await linkedThread(h, People.alice, 'pods crash in dev again', devChoice);
    const card = h.botMessage(threadTs, /proposes .*command/);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    const approve = clickDecision(h, People.alice, card.ts, 0, ActionId.Approve);
    const submitClick = clickSubmit(h, People.alice, card.ts);
    for (const payload of [approve, submitClick]) {
      await h.send(
        { ...asPerson(payload, People.external), team: { id: 'TPARTNER', domain: 'partner' } },
        'interaction',
      );
    }
    // Their team is read from Slack's record of them (users.info), not from the payload.
    expect(JSON.stringify(h.slack.ephemerals(People.external.id))).toContain('Slack Connect');
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(0);
    expect(await h.service.store.getCard(cardIdOf(h, card.ts))).toMatchObject({ status: 'pending' });
  });

  it('refuses a read-only person submitting another person’s Update Context view: no ticket moves', async () => {
    const { threadTs, thread, link } = await linkedThread(h, People.alice, 'pods crash in dev, third time', devChoice);
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, SeedTenants.staging.id);
    const payload = h.slack.submitView({
      user: People.alice.id,
      viewId,
      values: {
        [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
        [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
        [ActionId.ShareThread]: 'no',
        [ActionId.NewMessage]: 'moved by someone else',
      },
    });
    const portalFrom = h.portal.calls.length;
    const answer = await h.send(asPerson(payload, People.bob), 'interaction');
    expect(answer.body).toContain('read-only');
    expect(createsIn(h.portal.calls.slice(portalFrom), SeedTenants.staging.id)).toHaveLength(0);
    expect((await h.service.store.activeLink(thread))?.id).toBe(link.id);
  });
});

describe('names the portal gives, shown in the ticket form and App Home', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { slackPacing: fastPacing, rateLimits: generousLimits } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** A lone surrogate as JSON writes it: Slack's JSON decoder refuses the text it is in. */
  const loneSurrogate = /(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})/i;

  it('are sent to Slack well-formed in every view, whatever the portal sends (lone surrogates)', async () => {
    const tenant = h.portal.addTenant({
      name: 'lab-\ud800-west',
      settings: { 'helpdesk-impersonatable-users': 'lab-deployer\udc00' },
    });
    h.portal.grantAccess('alice@acme.io', tenant.id);
    h.portal.addAgent({
      name: 'lab-agent',
      instanceId: 'lab-agent-1',
      friendlyName: 'Lab \udbff Agent',
      allowedTenants: [tenant.name],
    });
    const from = h.slack.calls.length;
    const { ts } = await h.mention(People.alice, 'the lab cluster is down');
    const viewId = await openCreateTicket(h, People.alice, ts);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, tenant.id);
    const views = h.slack.calls.slice(from).filter((call) => call.method.startsWith('views.'));
    expect(JSON.stringify(views.map((call) => call.args))).toContain('lab-');
    expect(JSON.stringify(views.map((call) => call.args))).toContain('lab-deployer');
    expect(JSON.stringify(views.map((call) => call.args))).not.toMatch(loneSurrogate);
  });

  it('leave out of a tenant search only what Slack cannot take: one over-long id or odd name spoils nothing', async () => {
    // More tenants than a static select holds: the form searches them (an external select). Carol, whose list is
    // not cached from the test before.
    const many = Array.from({ length: 101 }, (_, index) => h.portal.addTenant({ name: `bulk-${index}` }));
    const longId = h.portal.addTenant({ id: `t-${'x'.repeat(160)}`, name: 'bulk-long-id' });
    const odd = h.portal.addTenant({ name: 'bulk-\udfff-odd' });
    for (const tenant of [...many, longId, odd]) h.portal.grantAccess(People.carol.email, tenant.id);
    const { ts } = await h.mention(People.carol, 'searching tenants');
    const viewId = await openCreateTicket(h, People.carol, ts);
    for (let tries = 0; tries < 100 && !JSON.stringify(h.slack.view(viewId)).includes('external_select'); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const search = async (value: string) => {
      const answer = await h.send(
        h.slack.suggestOptions({ user: People.carol.id, viewId, actionId: ActionId.SelectTenant, value }),
        'interaction',
      );
      expect(answer.body).not.toMatch(loneSurrogate);
      return (JSON.parse(answer.body) as { options: { value: string }[] }).options.map((option) => option.value);
    };
    const all = await search('bulk');
    expect(all.length).toBe(100);
    expect(all.every((value) => value.length <= 150)).toBe(true);
    expect(await search('odd')).toEqual([odd.id]);
    expect(await search('long')).toEqual([]);
  });
});
