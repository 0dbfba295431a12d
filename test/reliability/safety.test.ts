import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedAgents, SeedIdentities, SeedTenants } from '../fakes/portal/index.js';
import { secretsCorpus } from '../fixtures/secrets-corpus.js';
import { chooseInView, createTicketThroughSlack, openUpdateContext, submit } from '../support/flows.js';
import { Channel, type Harness, People, startHarness } from '../support/harness.js';
import {
  cardIdOf,
  clickDecision,
  clickSubmit,
  devChoice,
  fastPacing,
  generousLimits,
  getPods,
  mrkdwnTexts,
} from './support/scenario.js';
import { stringsIn } from './support/strings.js';
import { fileCounters } from './support/summary.js';

const counters = fileCounters('safety');

/** Markup that would ping people or disguise a link if it reached Slack unescaped. */
const Injection = [
  '<!channel>',
  '<!here>',
  '<!here|here>',
  '<!everyone>',
  '<@UINJECTED1>',
  '<@WINJECTED2|boss>',
  '<#C0INJECT|general>',
  '<!subteam^S0INJECT|@oncall>',
  '<http://evil.example/phish|https://aws.amazon.com>',
  '<https://evil.example/login>',
  '<mailto:evil@evil.example|security@acme.io>',
].join(' ');
/** Markup that pings people or channels, wherever it appears. */
const Pings = [/<!channel/, /<!here/, /<!everyone/, /<@[UW]INJECTED/, /<#C0INJECT/, /<!subteam/];

/**
 * What in a mrkdwn text would ping someone or disguise a link: a `<url|label>` whose label names another host than
 * the one it opens. (A bare `<url>` shows where it goes, and a label that names no host cannot mislead about it.)
 */
function unsafeMarkup(text: string): string[] {
  const found = Pings.filter((pattern) => pattern.test(text)).map(String);
  for (const [, url = '', label = ''] of text.matchAll(/<((?:https?|mailto):[^|>\s]+)\|([^>]*)>/g)) {
    const target = url.startsWith('mailto:') ? url.slice('mailto:'.length).split('@')[1] : new URL(url).hostname;
    const named = label.match(/(?:[a-z0-9-]+\.)+[a-z]{2,}/gi) ?? [];
    if (named.some((host) => !host.toLowerCase().endsWith(String(target).toLowerCase())))
      found.push(`<${url}|${label}>`);
  }
  return found;
}

/** Every Slack call the app made, and what in it Slack would render as mrkdwn. */
function renderedTexts(h: Harness, from = 0): string[] {
  return h.slack.calls
    .slice(from)
    .filter((call) => /^(chat\.|views\.|files\.)/.test(call.method))
    .flatMap((call) => mrkdwnTexts(call.args));
}

describe('safety of what the service posts', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ serviceOptions: { slackPacing: fastPacing, rateLimits: generousLimits } });
  });
  afterAll(async () => {
    counters.save();
    await h?.stop();
  });

  it('escapes mentions, broadcasts and links from agent text, commands, outputs, titles, reasons and names', async () => {
    const from = h.slack.calls.length;
    // A display name made to ping: the service must never render it as markup.
    h.slack.addUser({ ...People.alice, name: '<!channel>', realName: `Alice ${Injection}` });
    h.portal.setAgentScript(({ message, decisions }) => {
      if (decisions.length > 0) return undefined; // the default script reports the echoed commands
      return {
        content:
          `Here you go ${Injection}\n\n[https://aws.amazon.com/console](https://evil.example/phish) and ` +
          `[docs](https://docs.duplocloud.com/x) **bold** ${Injection}`,
        data: {
          cmds: [
            { command: `echo '${Injection}'`, execute: false, description: `Why: ${Injection}` },
            { command: getPods, execute: false },
          ],
        },
        ...(message.content === '' ? {} : {}),
      };
    });
    h.portal.setCommandOutput(`echo '${Injection}'`, `output ${Injection}\n${Injection}`);

    const { threadTs } = await createTicketThroughSlack(h, People.alice, `${Injection} pods are down`, devChoice);
    const card = h.botMessage(threadTs, /proposes 2 command/);
    const cardId = cardIdOf(h, card.ts);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    // Reject the second with a reason full of markup.
    const before = new Set(h.slack.openViews(People.alice.id).map((view) => view.id));
    await h.send(clickDecision(h, People.alice, card.ts, 1, ActionId.Reject), 'interaction');
    const modal = h.slack.openViews(People.alice.id).find((view) => !before.has(view.id));
    if (!modal) throw new Error('the reject reason modal did not open');
    await submit(h, People.alice, String(modal.id), { [ActionId.RejectReason]: `because ${Injection}` });
    await h.send(clickSubmit(h, People.alice, card.ts), 'interaction');
    expect((await h.service.store.getCard(cardId))?.status).toBe('executed');
    await h.say(People.alice, `thanks ${Injection}`, threadTs);

    const texts = renderedTexts(h, from);
    expect(texts.length).toBeGreaterThan(10);
    const leaks = texts.flatMap(unsafeMarkup);
    counters.add('injectionsLeaked', leaks.length);
    expect(leaks).toEqual([]);
    // The words are still there, shown as text: escaped, not dropped.
    expect(texts.join('\n')).toContain('&lt;!channel&gt;');
    // As the thread stands, none of the bot's messages pings anyone.
    const botMessages = h.slack.thread(Channel, threadTs).filter((message) => message.user === h.slack.botUserId);
    expect(botMessages.length).toBeGreaterThan(3);
    expect(JSON.stringify(botMessages)).not.toMatch(/<!(channel|here|everyone)/);
    h.slack.addUser(People.alice);
    h.portal.resetAgentScript();
  });

  it(`keeps ${secretsCorpus.length} kinds of secret out of Slack, the logs and shared thread context`, async () => {
    expect(secretsCorpus.length).toBeGreaterThanOrEqual(30);
    const all = secretsCorpus.map((entry) => entry.sample).join('\n\n---\n\n');
    const from = h.slack.calls.length;
    const portalFrom = h.portal.calls.length;
    const logFrom = h.logs.lines.length;

    // The agent repeats every secret in its answer, in a command, in the command's description and in its output.
    const jwt = secretsCorpus.find((entry) => entry.kind === 'jwt')?.secretPart ?? '';
    const leakyCommand = `curl -H "Authorization: Bearer ${jwt}" https://api.internal/health`;
    h.portal.setAgentScript(({ decisions }) =>
      decisions.length > 0
        ? undefined
        : {
            content: `I found these in the logs:\n\n${all}`,
            data: {
              cmds: [
                {
                  command: leakyCommand,
                  execute: false,
                  description: secretsCorpus
                    .slice(0, 8)
                    .map((e) => e.sample)
                    .join('\n'),
                },
                { command: getPods, execute: false },
              ],
            },
          },
    );
    h.portal.setCommandOutput(leakyCommand, all);

    // The request itself (the ticket's title comes from its first line) carries a secret too.
    const { threadTs } = await createTicketThroughSlack(
      h,
      People.alice,
      `${secretsCorpus.find((entry) => entry.kind === 'jwt')?.sample} is in the logs, pods crash`,
      devChoice,
    );
    // People paste secrets into the thread; the thread is then shared with a new ticket (Update Context, Yes).
    for (const entry of secretsCorpus) await h.say(People.alice, `found this: ${entry.sample}`, threadTs);
    const card = h.botMessage(threadTs, /proposes 2 command/);
    await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
    await h.send(clickSubmit(h, People.alice, card.ts), 'interaction');
    h.portal.resetAgentScript();

    const viewId = await openUpdateContext(h, People.alice, threadTs);
    await chooseInView(h, People.alice, viewId, ActionId.SelectTenant, SeedTenants.staging.id);
    await submit(h, People.alice, viewId, {
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: SeedIdentities.staging[0] as string,
      [ActionId.ShareThread]: 'yes',
      [ActionId.NewMessage]: 'same problem in staging',
    });

    // What the app sent Slack (messages, updates, ephemerals, views, uploaded files), what it logged, and the context
    // it shared with the new ticket: every string in them, with Slack's and JSON's escapes undone.
    const slackText = unescaped(stringsIn(h.slack.calls.slice(from).map((call) => call.args)));
    const files = h.slack
      .files()
      .filter((file) => file.threadTs === threadTs)
      .map((file) => file.bytes?.toString('utf8') ?? '')
      .join('\n');
    const logs = unescaped(stringsIn(h.logs.lines.slice(logFrom).map((line) => JSON.parse(line) as unknown)));
    // The new ticket's creation (its shared history) and its first message (the New Message).
    const shared = h.portal
      .callsTo('POST', new RegExp(`/tickets/${SeedTenants.staging.id}(/[^/]+/sendmessage)?$`))
      .filter((call) => h.portal.calls.indexOf(call) >= portalFrom)
      .map((call) => stringsIn(call.body))
      .join('\n');
    expect(shared).toContain('same problem in staging');
    expect(shared).toContain('found this');

    const leaks: string[] = [];
    for (const entry of secretsCorpus) {
      for (const [sink, text] of [
        ['slack', slackText],
        ['files', files],
        ['logs', logs],
        ['shared context', shared],
      ] as const) {
        const piece = piecesOf(entry.secretPart).find((candidate) => text.includes(candidate));
        if (piece) leaks.push(`${entry.kind} → ${sink} (${piece})`);
        if (piece && process.env.SAFETY_DEBUG) {
          const at = Math.max(0, text.indexOf(piece) - 250);
          console.log('LEAK', entry.kind, sink, JSON.stringify(text.slice(at, at + 400)));
        }
      }
    }
    counters.add('secretsLeaked', leaks.length);
    expect(leaks).toEqual([]);
    expect(slackText).toMatch(/\[REDACTED:[a-z-]+\]/);
  });
});

/** Slack mrkdwn's three escapes undone, so an escaped secret is still found. */
const unescaped = (text: string) => text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** The secret and every 10-character piece of it: a partial redaction that leaves a piece is a leak too. */
function piecesOf(secret: string): string[] {
  if (secret.length <= 10) return [secret];
  return Array.from({ length: secret.length - 9 }, (_, index) => secret.slice(index, index + 10));
}
