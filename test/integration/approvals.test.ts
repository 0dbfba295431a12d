import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commandDigest } from '../../src/domain/command-card.js';
import type { ThreadRef } from '../../src/domain/thread-link.js';
import { ActionId, BlockId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import {
  chooseInView,
  createTicketThroughSlack,
  devChoice,
  linkedThread,
  openUpdateContext,
  submit,
} from '../support/flows.js';
import { Channel, freshPostgresSchema, type Harness, People, startHarness } from '../support/harness.js';

const dev = SeedTenants.dev;
const [getPods, restartWeb] = [
  `kubectl get pods -n duploservices-dev`,
  `kubectl rollout restart deployment/web -n duploservices-dev`,
];
const choice = devChoice;
// A realistic-looking, fake AWS key pair (never a real credential).
const awsKeyId = ['AKIA', 'Z7Q3XK4M2N8P5R6T'].join('');
const awsSecret = ['wJalrXUtnFEMI/K7MDENG', '/bPxRfiCYzQ8tR2vN5kL0'].join('');

type Call = { method: string; path: string; body: unknown };
const echoesFor = (calls: readonly Call[], ticketName: string) =>
  calls.filter(
    (call) =>
      call.method === 'POST' &&
      call.path.endsWith(`/${ticketName}/sendmessage`) &&
      ((call.body as { data?: { cmds?: unknown[] } })?.data?.cmds?.length ?? 0) > 0,
  );

async function newTicket(h: Harness, request: string) {
  const { threadTs } = await createTicketThroughSlack(h, People.alice, request, choice);
  const thread: ThreadRef = { teamId: h.slack.teamId, channelId: Channel, threadTs };
  const link = await h.service.store.activeLink(thread);
  if (!link) throw new Error('no link');
  return { threadTs, thread, link };
}

async function ticketThread(h: Harness, request = 'pods keep crashing in dev, restart the web deployment') {
  const linked = await linkedThread(h, People.alice, request, choice);
  return { ...linked, card: h.botMessage(linked.threadTs, /proposes 2 commands/) };
}

const decideButton = (index: number) => `cmd.${index}.decide`;

async function decide(h: Harness, user: { id: string }, cardTs: string, index: number, actionId: string) {
  await h.send(
    h.slack.clickButton({ user: user.id, channel: Channel, messageTs: cardTs, actionId, blockId: decideButton(index) }),
    'interaction',
  );
}

async function rejectWithReason(h: Harness, cardTs: string, index: number, reason: string) {
  const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
  await decide(h, People.alice, cardTs, index, ActionId.Reject);
  const modal = h.slack.openViews(People.alice.id).find((view) => !before.has(view.id));
  if (!modal) throw new Error('the reject modal did not open');
  await submit(h, People.alice, String(modal.id), { [ActionId.RejectReason]: reason });
}

const submitClick = (h: Harness, user: { id: string }, cardTs: string) =>
  h.slack.clickButton({ user: user.id, channel: Channel, messageTs: cardTs, actionId: ActionId.Submit });

/** The card id a card message carries (its Submit button's value); the store knows cards by id, not by ts. */
function cardIdOf(h: Harness, cardTs: string): string {
  for (const block of h.slack.message(Channel, cardTs)?.blocks ?? []) {
    const elements = (block as { elements?: { action_id?: string; value?: string }[] }).elements ?? [];
    const submit = elements.find((element) => element.action_id === ActionId.Submit);
    if (submit?.value) return submit.value;
  }
  throw new Error(`no Submit button on card ${cardTs}`);
}

/** Web API calls Slack refused, from the `from`-th call on. */
const refusedSince = (h: Harness, from = 0) =>
  h.slack.calls
    .slice(from)
    .filter((call) => !call.ok)
    .map((call) => `${call.method}: ${call.error}`);

/** The agent proposes `cmds` to every message, and answers approval echoes as the default agent does. */
const proposeToEveryMessage = (h: Harness, cmds: readonly object[]) =>
  h.portal.setAgentScript(({ decisions }) =>
    decisions.length > 0 ? undefined : { content: 'Here is what I would run.', data: { cmds: [...cmds] as never } },
  );

/** A long command with hardly anything to escape. */
const plainCommand = (chars: number) =>
  `${"kubectl get pods -n duploservices-dev -l app=web -o jsonpath='{.items[*].metadata.name}'; ".repeat(Math.ceil(chars / 80))}`
    .slice(0, chars - ' && echo done'.length)
    .concat(' && echo done');

/** A command that grows when escaped for mrkdwn: `&&`, `<`, `>` and quotes throughout. */
const longCommand = (chars: number, seed = 0) =>
  `kubectl get pods -n duploservices-dev -l app=web-${seed} -o wide | grep -v "<none>" && echo ok > /tmp/pods-${seed}; `
    .repeat(Math.ceil(chars / 40))
    .slice(0, chars);

describe('command approvals', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(() => {
    h.portal.clearFaults();
    h.portal.resetAgentScript();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('approve one, reject one with a reason, Submit: one echo with the right flags, output and follow-up in the thread', async () => {
    h.portal.setCommandOutput(getPods, 'NAME        READY   STATUS    RESTARTS\nweb-7d4b9   1/1     Running   0');
    const { threadTs, link, card } = await ticketThread(h);
    expect(card.text).toContain(getPods);
    expect(card.text).toContain('Runs as *dev-deployer* in *dev*');

    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    await rejectWithReason(h, card.ts, 1, 'not during business hours');
    const decided = h.botMessage(threadTs, /proposes 2 commands/).text;
    expect(decided).toContain('Approved by @UALICE');
    expect(decided).toContain('Rejected by @UALICE: not during business hours');

    await h.send(submitClick(h, People.alice, card.ts), 'interaction');
    const echoes = echoesFor(h.portal.calls, link.ticketName);
    expect(echoes).toHaveLength(1);
    expect((echoes[0]?.body as { data?: { cmds?: unknown[] } } | undefined)?.data?.cmds).toEqual([
      { command: getPods, execute: true },
      { command: restartWeb, execute: false, rejection_reason: 'not during business hours' },
    ]);
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript).toContain('web-7d4b9   1/1     Running');
    const final = h.botMessage(threadTs, /proposes 2 commands/).text;
    expect(final).not.toContain('[Approve]');
    expect(final).not.toContain('[Submit]');
    expect(final).toMatch(/Submitted by @UALICE: 1 approved, 1 rejected/);
    const audit = await h.service.store.auditForTicket('acme', link.ticketName);
    expect(audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['command.decided', 'command.approved', 'command.rejected', 'command.executed']),
    );
  });

  it('20 concurrent Submits and a replayed payload send exactly one echo', async () => {
    const { link, card } = await ticketThread(h);
    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    const clicks = Array.from({ length: 20 }, () => submitClick(h, People.alice, card.ts));
    await Promise.all(clicks.map((click) => h.send(click, 'interaction')));
    await h.send(clicks[0], 'interaction', { retryNum: 1 });
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
    const refusals = h.slack
      .ephemerals(People.alice.id)
      .filter((message) => JSON.stringify(message).includes('already submitted'));
    expect(refusals.length).toBeGreaterThanOrEqual(19);
  });

  it('refuses read-only and unknown users on every action, and runs nothing', async () => {
    const { link, card } = await ticketThread(h);
    for (const person of [People.bob, People.stranger]) {
      await decide(h, person, card.ts, 0, ActionId.Approve);
      await h.send(submitClick(h, person, card.ts), 'interaction');
    }
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(0);
    expect(JSON.stringify(h.slack.ephemerals(People.bob.id))).toContain('read-only access');
    expect(JSON.stringify(h.slack.ephemerals(People.stranger.id))).toContain('no DuploCloud user');
    const stored = await h.service.store.getCard(cardIdOf(h, card.ts));
    expect(stored).toMatchObject({ status: 'pending', choices: {} });
  });

  it('refuses Submit when the identity left the tenant list, and sends nothing', async () => {
    const { link, card } = await ticketThread(h);
    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    h.portal.setTenantSetting(dev.id, 'helpdesk-impersonatable-users', 'dev-reader');
    try {
      await h.send(submitClick(h, People.alice, card.ts), 'interaction');
    } finally {
      h.portal.setTenantSetting(dev.id, 'helpdesk-impersonatable-users', SeedIdentities.dev.join(';'));
    }
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(0);
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain('helpdesk-impersonatable-users');
  });

  it('uploads a 6,000-line output as a file in the thread with a summary line', async () => {
    const big = Array.from({ length: 6000 }, (_, index) => `pod-${index}   1/1   Running   0   ${index}m`).join('\n');
    h.portal.setCommandOutput(getPods, big);
    const { threadTs, card } = await ticketThread(h);
    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    await h.send(submitClick(h, People.alice, card.ts), 'interaction');
    const file = h.slack.files().find((candidate) => candidate.threadTs === threadTs);
    expect(file?.completed).toBe(true);
    expect(file?.bytes?.toString('utf8').split('\n')).toHaveLength(6000);
    expect(h.transcript(threadTs).join('\n')).toMatch(/6,000 lines, [\d,]+ characters, attached as a file/);
  });

  // The first one's card was accepted before it grew by a reason; the second's grows when escaped, from the start.
  it.each([
    ['2,325-character', plainCommand(2_325)],
    ['2,400-character escape-heavy', longCommand(2_400)],
  ])(
    'redraws the card of a %s command after a Reject with a 500-character reason, then drops its buttons',
    async (_name, command) => {
      const from = h.slack.calls.length;
      const description = 'Lists the web pods <with> their nodes & IPs, then saves them. '.repeat(4).slice(0, 221);
      proposeToEveryMessage(h, [{ command, execute: false, description }]);
      const { threadTs, link } = await newTicket(h, 'web pods crash, list them');
      const card = h.botMessage(threadTs, /proposes a command/);
      expect(card.text).toContain('Lists the web pods <with> their nodes & IPs');

      const reason = 'Not now: <!here> is busy & the canary must pass first. '.repeat(10).slice(0, 500);
      await rejectWithReason(h, card.ts, 0, reason);
      const rejected = h.botMessage(threadTs, /proposes a command/).text;
      expect(rejected).toContain(`Rejected by @UALICE: ${reason.slice(0, 300)}`);
      expect(rejected).toContain('[Submit]');

      await h.send(submitClick(h, People.alice, card.ts), 'interaction');
      const final = h.botMessage(threadTs, /proposes a command/).text;
      expect(final).not.toMatch(/\[(Approve|Reject|Ignore|Submit)\]/);
      expect(final).toMatch(/Submitted by @UALICE/);
      const echo = echoesFor(h.portal.calls, link.ticketName)[0]?.body as { data: { cmds: object[] } } | undefined;
      expect(echo?.data.cmds).toEqual([expect.objectContaining({ command, execute: false, rejection_reason: reason })]);
      expect(refusedSince(h, from)).toEqual([]);
    },
  );

  it('posts a 2,800-character output full of <none> for a long command in a form Slack accepts', async () => {
    const from = h.slack.calls.length;
    const command = `kubectl get pods -o wide -n duploservices-dev ${'--field-selector=status.phase!=Succeeded '.repeat(7)}`;
    const line = 'web-7d4b9c6f5d-2xkqp   1/1   Running   0   3d2h   10.0.1.23   ip-10-0-1-5   <none>   <none>\n';
    const output = line.repeat(31).slice(0, 2_800).trimEnd();
    h.portal.setCommandOutput(command, output);
    proposeToEveryMessage(h, [{ command, execute: false }]);
    const { threadTs } = await newTicket(h, 'which pods have no node?');
    const card = h.botMessage(threadTs, /proposes a command/);
    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    await h.send(submitClick(h, People.alice, card.ts), 'interaction');

    expect(refusedSince(h, from)).toEqual([]);
    const file = h.slack.files().find((candidate) => candidate.threadTs === threadTs);
    const shown = [file?.bytes?.toString('utf8') ?? '', h.transcript(threadTs).join('\n')];
    expect(shown.some((text) => text.includes(output))).toBe(true);
    expect(h.transcript(threadTs).join('\n')).toContain('Output of `kubectl get pods -o wide');
  });

  it('posts a card of 20 long commands Slack accepts, each decision bound to its full command', async () => {
    const from = h.slack.calls.length;
    const commands = Array.from({ length: 20 }, (_, index) => longCommand(1_500, index));
    proposeToEveryMessage(
      h,
      commands.map((command, index) => ({ command, execute: false, description: `Step ${index + 1} of 20 <&>` })),
    );
    const { threadTs, link } = await newTicket(h, 'check every web pod');
    const card = h.botMessage(threadTs, /proposes 20 commands/);
    expect(card.text).toContain('the full command (1,500 characters) is in the AI HelpDesk');
    expect(h.slack.message(Channel, card.ts)?.blocks).toHaveLength(1 + 2 * 20 + 2);

    await decide(h, People.alice, card.ts, 19, ActionId.Approve);
    await rejectWithReason(h, card.ts, 3, 'not this one <!channel>');
    await h.send(submitClick(h, People.alice, card.ts), 'interaction');
    const echo = echoesFor(h.portal.calls, link.ticketName)[0]?.body as { data: { cmds: object[] } } | undefined;
    expect(echo?.data.cmds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ command: commands[19], execute: true }),
        expect.objectContaining({ command: commands[3], execute: false, rejection_reason: 'not this one <!channel>' }),
      ]),
    );
    expect(h.botMessage(threadTs, /proposes 20 commands/).text).not.toContain('[Submit]');
    expect(refusedSince(h, from)).toEqual([]);
  });

  it('posts an output with <!channel> and an AWS secret neither live nor verbatim', async () => {
    h.portal.setCommandOutput(
      getPods,
      `ping <!channel> and <!here|here> <@UALICE>\nAWS_ACCESS_KEY_ID=${awsKeyId}\naws_secret_access_key = ${awsSecret}\n<https://evil.example|https://aws.amazon.com>`,
    );
    const { threadTs, card } = await ticketThread(h);
    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    await h.send(submitClick(h, People.alice, card.ts), 'interaction');
    const thread = h.slack.thread(Channel, threadTs);
    const output = JSON.stringify(thread.filter((message) => JSON.stringify(message).includes('Output of')));
    expect(output).toContain('&lt;!channel&gt;');
    expect(output).toContain('&lt;@UALICE&gt;');
    for (const forbidden of ['<!channel>', '<!here', '<@UALICE>', '<https://evil', awsKeyId, awsSecret]) {
      expect(output).not.toContain(forbidden);
    }
    expect(JSON.stringify(thread)).not.toMatch(/<!(channel|here|everyone)/);
    expect(JSON.stringify(h.slack.calls.map((call) => call.args))).not.toContain(awsSecret);
    expect(h.logs.text()).not.toContain(awsSecret);
  });

  it('shows a command with hidden characters as it is, offers no Approve for it, and never runs it', async () => {
    // Reads `… # in-dev` in most clients; the text that would run carries a right-to-left override.
    const tricky = 'kubectl delete pod web-1 # \u202Eved-ni\u202C';
    proposeToEveryMessage(h, [
      { command: tricky, execute: false },
      { command: getPods, execute: false },
    ]);
    const { threadTs, link } = await newTicket(h, 'clean up web-1');
    const card = h.botMessage(threadTs, /proposes 2 commands/);
    expect(card.text).toContain('kubectl delete pod web-1 # ⟦U+202E⟧ved-ni⟦U+202C⟧');
    expect(card.text).toContain('Cannot be approved');
    expect(card.text).not.toContain('\u202E');
    const row = (h.slack.message(Channel, card.ts)?.blocks ?? []).find(
      (block) => (block as { block_id?: string }).block_id === decideButton(0),
    ) as { elements: { action_id: string }[] } | undefined;
    expect(row?.elements.map((element) => element.action_id)).toEqual([ActionId.Reject, ActionId.Ignore]);

    // An Approve all the same (an older card's button, a crafted payload) is refused, and Submit sends nothing.
    const ephemeralsBefore = h.slack.ephemerals(People.alice.id).length;
    const forged = h.slack.clickButton({
      user: People.alice.id,
      channel: Channel,
      messageTs: card.ts,
      actionId: ActionId.Reject,
      blockId: decideButton(0),
    });
    const [action] = forged.actions;
    if (!action) throw new Error('no action in the payload');
    await h.send({ ...forged, actions: [{ ...action, action_id: ActionId.Approve }] }, 'interaction');
    await h.send(submitClick(h, People.alice, card.ts), 'interaction');
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(0);
    const told = JSON.stringify(h.slack.ephemerals(People.alice.id).slice(ephemeralsBefore));
    expect(told).toContain('invisible or direction-changing characters');

    // Rejected, it goes back to the agent with the command it really was; the other one runs.
    await rejectWithReason(h, card.ts, 0, 'no hidden characters, please');
    await decide(h, People.alice, card.ts, 1, ActionId.Approve);
    await h.send(submitClick(h, People.alice, card.ts), 'interaction');
    const echo = echoesFor(h.portal.calls, link.ticketName)[0]?.body as { data: { cmds: object[] } } | undefined;
    expect(echo?.data.cmds).toEqual([
      { command: tricky, execute: false, rejection_reason: 'no hidden characters, please' },
      { command: getPods, execute: true },
    ]);
  });

  it('refuses a decision from a message that showed another command, by button or by Reject reason, and records nothing', async () => {
    const { card } = await ticketThread(h);
    const cardId = cardIdOf(h, card.ts);
    const other = (command: string) => commandDigest(`${command} --all-namespaces`);
    const ephemeralsBefore = h.slack.ephemerals(People.alice.id).length;
    const viewsBefore = h.slack.openViews(People.alice.id).length;

    // Buttons of a message drawn from another command than the card holds (an older card, a crafted payload).
    for (const actionId of [ActionId.Approve, ActionId.Reject]) {
      const click = h.slack.clickButton({
        user: People.alice.id,
        channel: Channel,
        messageTs: card.ts,
        actionId,
        blockId: decideButton(0),
      });
      const [action] = click.actions;
      if (!action) throw new Error('no action in the payload');
      const value = JSON.stringify({ cardId, index: 0, digest: other(getPods) });
      await h.send({ ...click, actions: [{ ...action, value }] }, 'interaction');
    }
    expect(h.slack.openViews(People.alice.id)).toHaveLength(viewsBefore); // no Reject reason modal for a stale card

    // A Reject reason modal whose metadata names another command than the card's.
    const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
    await decide(h, People.alice, card.ts, 1, ActionId.Reject);
    const modal = h.slack.openViews(People.alice.id).find((view) => !before.has(view.id));
    if (!modal) throw new Error('the reject modal did not open');
    const submission = h.slack.submitView({
      user: People.alice.id,
      viewId: String(modal.id),
      values: { [ActionId.RejectReason]: 'not now' },
    });
    const metadata = JSON.parse(submission.view.private_metadata) as { decision: object };
    const forged = { ...metadata, decision: { ...metadata.decision, digest: other(restartWeb) } };
    await h.send(
      { ...submission, view: { ...submission.view, private_metadata: JSON.stringify(forged) } },
      'interaction',
    );

    const told = h.slack.ephemerals(People.alice.id).slice(ephemeralsBefore);
    expect(told).toHaveLength(3);
    for (const notice of told) expect(JSON.stringify(notice)).toContain('no longer matches the commands');
    expect((await h.service.store.getCard(cardId))?.choices).toEqual({});
  });

  it('redacts a secret typed as a Reject reason: the card, the store, the audit log and the echo never hold it', async () => {
    const secret = 'hunter2-prod';
    const { threadTs, link, card } = await ticketThread(h);
    const cardId = cardIdOf(h, card.ts);
    const callsBefore = h.slack.calls.length;
    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    await rejectWithReason(h, card.ts, 1, `DB_PASSWORD=${secret} is still in that deployment`);

    const shown = h.botMessage(threadTs, /proposes 2 commands/).text;
    expect(shown).toMatch(/Rejected by @UALICE: DB_PASSWORD=\[REDACTED:[^\]]+\] is still in that deployment/);
    expect(JSON.stringify(h.slack.ephemerals(People.alice.id).at(-1))).toContain(
      '1 value that looks like a secret in your reason was replaced with [REDACTED]',
    );
    await h.send(submitClick(h, People.alice, card.ts), 'interaction');

    const [echo] = echoesFor(h.portal.calls, link.ticketName);
    const rejected = (echo?.body as { data?: { cmds?: { rejection_reason?: string }[] } } | undefined)?.data?.cmds?.[1];
    expect(rejected?.rejection_reason).toMatch(/^DB_PASSWORD=\[REDACTED:[^\]]+\] is still in that deployment$/);
    const stored = await h.service.store.getCard(cardId);
    expect(stored?.choices['1']?.reason).toContain('[REDACTED:');
    const audit = await h.service.store.auditForTicket('acme', link.ticketName);
    expect(audit.map((entry) => entry.action)).toEqual(expect.arrayContaining(['command.decided', 'command.rejected']));
    for (const [where, text] of Object.entries({
      echo: JSON.stringify(echo),
      card: JSON.stringify(stored),
      audit: JSON.stringify(audit),
      slack: JSON.stringify(h.slack.calls.slice(callsBefore).map((call) => call.args)),
      thread: h.transcript(threadTs).join('\n'),
    })) {
      expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
    }
  });

  it('sent Slack nothing it refused', () => {
    expect(h.slack.internalErrors).toEqual([]);
    expect(refusedSince(h)).toEqual([]);
  });
});

describe('Update Context', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.portal.addAgent({ name: 'ops-agent', instanceId: 'ops-1' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const staging = SeedTenants.staging;
  const githubToken = ['ghp', '_', 'R4nd0mL00k1ngT0k3nV4lu3F0rT3st1ng0001'].join('');

  it('moves to another tenant sharing the redacted thread history (Yes), keeping the ticket name', async () => {
    const { threadTs, thread, link } = await ticketThread(h, 'deploys fail in dev');
    await h.say(People.alice, `the CI uses token ${githubToken} if that matters`, threadTs);
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, staging.id);
    const text = JSON.stringify(h.slack.view(viewId)?.blocks);
    expect(text).toContain('Share Thread Context');
    expect(text).toContain('Historical context may contain sensitive data');
    const outcome = await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
      [ActionId.ShareThread]: 'yes',
      [ActionId.NewMessage]: 'same problem in staging?',
    });
    expect(outcome.kind).toBe('closed');

    const next = await h.service.store.activeLink(thread);
    expect(next).toMatchObject({ spaceId: staging.id, spaceName: staging.name });
    // docs/duplocloud-api.md §3.7: the ticket keeps its name in the new tenant.
    expect(next?.ticketName).toBe(link.ticketName);
    const create = h.portal.callsTo('POST', new RegExp(`/tickets/${staging.id}$`)).at(-1)?.body as {
      name: string;
      historic_messages: { content: string }[];
      defaultAgentPermissions: string[];
    };
    expect(create.name).toBe(link.ticketName);
    expect(create.defaultAgentPermissions).toEqual([SeedIdentities.staging[0]]);
    const history = create.historic_messages.map((message) => message.content).join('\n');
    expect(history).toContain('alice: deploys fail in dev');
    expect(history).not.toContain(githubToken);
    expect(history).toMatch(/\[REDACTED:[^\]]+\]/);
    const first = h.portal.callsTo('POST', new RegExp(`/tickets/${staging.id}/${link.ticketName}/sendmessage$`)).at(-1)
      ?.body as { content: string };
    expect(first.content).toContain('New message: same problem in staging?');
    expect(h.portal.ticket(link.ticketName, staging.id)?.historicMessages.length).toBeGreaterThan(0);
    const transcript = h.transcript(threadTs).join('\n');
    expect(transcript).toMatch(/1 value that looked like a secret was redacted/);
    expect(transcript).toContain(`replaced by ticket *${next?.ticketName} in ${staging.name}*`);
    expect((await h.service.store.linkHistory(thread)).map((entry) => [entry.spaceId, entry.ticketName])).toEqual([
      [dev.id, link.ticketName],
      [staging.id, link.ticketName],
    ]);
  });

  it('moving back resumes the thread’s own ticket there (contextUpdated) instead of creating one', async () => {
    const { threadTs, thread, link } = await ticketThread(h, 'flip flop between tenants, pods');
    const move = async (tenantId: string, identity: string) => {
      const viewId = await openUpdateContext(h, People.alice, threadTs);
      await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, tenantId);
      await submit(h, People.alice, viewId, {
        [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
        [ActionId.SelectIdentity]: identity,
        [ActionId.ShareThread]: 'yes',
      });
    };
    await move(staging.id, SeedIdentities.staging[0] as string);
    const creates = h.portal.callsTo('POST', /\/tickets\/[^/]+$/).length;
    await move(dev.id, SeedIdentities.dev[0] as string);
    expect(h.portal.callsTo('POST', /\/tickets\/[^/]+$/)).toHaveLength(creates);
    expect(h.portal.callsTo('PUT', new RegExp(`/tickets/${dev.id}/${link.ticketName}/contextUpdated$`))).toHaveLength(
      1,
    );
    expect(await h.service.store.activeLink(thread)).toMatchObject({ spaceId: dev.id, ticketName: link.ticketName });
  });

  it('moves with No: only the New Message goes to the new ticket', async () => {
    const { threadTs } = await ticketThread(h, 'secret project pods in dev');
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, staging.id);
    await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
      [ActionId.ShareThread]: 'no',
      [ActionId.NewMessage]: 'check staging ingress',
    });
    const create = h.portal.callsTo('POST', new RegExp(`/tickets/${staging.id}$`)).at(-1);
    expect(create?.body).not.toHaveProperty('historic_messages');
    expect(create?.body).not.toHaveProperty('name');
    const next = await h.service.store.activeLink({ teamId: h.slack.teamId, channelId: Channel, threadTs });
    const first = h.portal.callsTo('POST', new RegExp(`/${next?.ticketName}/sendmessage$`)).at(-1)?.body as {
      content: string;
    };
    expect(first.content).toContain('New message: check staging ingress');
    expect(JSON.stringify([create?.body, first])).not.toContain('secret project');
  });

  it('reassigns the agent when only the agent changes', async () => {
    const { threadTs, thread, link } = await ticketThread(h, 'agent change please, pods are down');
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    expect(JSON.stringify(h.slack.view(viewId)?.blocks)).not.toContain('Share Thread Context');
    await submit(h, People.alice, viewId, { [ActionId.SelectAgent]: 'ops-1' });
    const put = h.portal.callsTo('PUT', new RegExp(`/${link.ticketName}/assignee$`));
    // docs/duplocloud-api.md §3.6: the agent's full record, as the listing gave it.
    expect(put.at(-1)?.body).toEqual({ agentName: 'ops-agent', instanceId: 'ops-1', agentHostTenantId: dev.id });
    const updated = await h.service.store.activeLink(thread);
    expect(updated).toMatchObject({ ticketName: link.ticketName, agentName: 'ops-agent' });
    expect(h.slack.message(Channel, String(updated?.cardMessageTs))?.blocks).toBeDefined();
    expect(h.transcript(threadTs).join('\n')).toContain('agent → *ops-agent*');
  });

  it('opens a new ticket in the same tenant when only Permissions change (they are fixed at creation)', async () => {
    const { threadTs, thread, link } = await ticketThread(h, 'identity change please, pods are down');
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectIdentity, 'dev-reader');
    // A new ticket: the form asks whether to share the thread, as for a move.
    expect(JSON.stringify(h.slack.view(viewId)?.blocks)).toContain('Share Thread Context');
    await submit(h, People.alice, viewId, { [ActionId.ShareThread]: 'no' });
    const next = await h.service.store.activeLink(thread);
    expect(next).toMatchObject({ spaceId: dev.id, permissions: [{ id: 'dev-reader', name: 'dev-reader' }] });
    expect(next?.ticketName).not.toBe(link.ticketName);
    const create = h.portal.callsTo('POST', new RegExp(`/tickets/${dev.id}$`)).at(-1)?.body;
    expect(create).toMatchObject({ defaultAgentPermissions: ['dev-reader'] });
    expect(create).not.toHaveProperty('name');
    await h.say(People.alice, 'now as the reader please', threadTs);
    expect(h.portal.callsTo('POST', new RegExp(`/${next?.ticketName}/sendmessage$`)).length).toBeGreaterThan(0);
    expect(h.portal.callsTo('PUT', new RegExp(`/${link.ticketName}/assignee$`))).toHaveLength(0);
    expect(h.transcript(threadTs).join('\n')).toContain('permissions are fixed when it is created');
  });

  it('refuses an unchanged form inline', async () => {
    const { threadTs } = await ticketThread(h, 'no change, pods are fine');
    const viewId = await openUpdateContext(h, People.alice, threadTs);
    const outcome = await submit(h, People.alice, viewId, {});
    expect(outcome).toMatchObject({
      kind: 'errors',
      errors: { [BlockId.Portal]: expect.stringContaining('Nothing changed') },
    });
  });

  it('sent Slack nothing it refused', () => {
    expect(h.slack.internalErrors).toEqual([]);
    expect(refusedSince(h)).toEqual([]);
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL;
const engines = postgresUrl ? [['postgres', postgresUrl] as const] : [];

describe.each(engines)('two service instances on one %s database', (_engine, url) => {
  let h: Harness;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const schema = await freshPostgresSchema(url);
    drop = schema.drop;
    h = await startHarness({ env: { DATABASE_URL: schema.url } });
  });
  afterAll(async () => {
    await h?.stop();
    await drop?.();
  });

  it('Submits spread over both instances send exactly one echo', async () => {
    const second = await h.startInstance();
    const { link, card } = await ticketThread(h);
    await decide(h, People.alice, card.ts, 0, ActionId.Approve);
    const clicks = Array.from({ length: 20 }, () => submitClick(h, People.alice, card.ts));
    await Promise.all(
      clicks.map((click, index) =>
        index % 2 === 0 ? h.send(click, 'interaction') : second.send(click, 'interaction'),
      ),
    );
    expect(echoesFor(h.portal.calls, link.ticketName)).toHaveLength(1);
  });
});
