import { ActionId, TicketMenuValue } from '../../src/slack/blocks/ids.js';
import { portalKey } from '../../src/slack/parse/portal-key.js';
import {
  SeedAgents,
  SeedIdentities,
  SeedScopes,
  SeedTenants,
  SeedWorkspaceAgents,
  SeedWorkspaces,
} from '../../test/fakes/portal/index.js';
import type { AppResponse, SlackMessage, SlackView } from '../../test/fakes/slack/index.js';
import { directMessages } from '../../test/support/direct-messages.js';
import { Channel, type Harness, People, WorkspacePortalName } from '../../test/support/harness.js';
import type { PageModal } from './html-page.js';
import type { DemoStage } from './stage.js';
import { fillModalBlocks, messageText, type Transcript, type TranscriptMessage } from './transcript.js';

/**
 * The product page, played end to end by alice in #helpdesk, on a service configured with one portal of each
 * HelpDesk generation (docs/duplocloud-api.md §0). On the tenant-scoped portal "acme": mention → Create Ticket →
 * agent reply and command card → Approve / Reject with a reason → Submit → output and follow-up → a plain reply →
 * Update Context to staging sharing the thread → the Open AI HelpDesk link. Then, in a second thread, the
 * workspace-scoped portal "helpdesk": Create Ticket with Workspace, Agent (a streaming one) and Scopes → the agent's
 * streamed answer → approve and Submit → its link. Last, the assistant pane: a question there, with no mention, gets
 * Create Ticket. Each step checks what the thread shows and fails loudly if not.
 */

export const BotName = 'DuploCloud AI';

export const Script = {
  mention: 'pods of the web service keep crashing in dev — can you take a look?',
  workspaceMention: 'the api pods in platform restart every few minutes since the last deploy',
  rejectReason: 'Not yet: a restart would hide the crash. Read the logs of the crashing pods first.',
  reply: 'thanks — what about staging?',
  /** Carries a password on purpose: the move shares it only after the one redactor has replaced it. */
  newMessage:
    "Same crash loop in staging since this morning's deploy rotated DB_PASSWORD=Tr0ub4dor-staging-42 — please check the web pods there too.",
  directMessage: 'why did the nightly backup job fail?',
} as const;

/** The secret in the New Message; it must not reach the new ticket. */
export const SharedSecret = 'Tr0ub4dor-staging-42';

export class DemoStepError extends Error {
  override readonly name = 'DemoStepError';
}

export interface DemoTicket {
  readonly portal: string;
  readonly name: string;
  /** The tenant or workspace. */
  readonly space: string;
}

export interface ScenarioResult {
  readonly threadTs: string;
  /** The second thread, on the workspace-scoped HelpDesk. */
  readonly workspaceThreadTs: string;
  readonly tickets: readonly DemoTicket[];
  readonly helpdeskUrl: string;
  readonly workspaceHelpdeskUrl: string;
  /** The modals alice filled in, as shown when she pressed their submit button. */
  readonly modals: readonly PageModal[];
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function expectThat(condition: unknown, what: string): asserts condition {
  if (!condition) throw new DemoStepError(what);
}

const alice = People.alice;

/** Prints each message of the thread once when it appears, and again when the app changes it. */
class ThreadWatcher {
  private readonly shown = new Map<string, string>();
  private shownEphemerals = 0;

  constructor(
    private readonly harness: Harness,
    private readonly transcript: Transcript,
    readonly threadTs: string,
    private readonly authorOf: (message: SlackMessage) => string,
    private readonly personName: (userId: string) => string,
  ) {}

  messages(): SlackMessage[] {
    return this.harness.slack.thread(Channel, this.threadTs);
  }

  /** Takes what the thread and the ephemerals show now as already printed (a later step's watcher). */
  skipShown(): this {
    for (const message of this.messages()) {
      this.shown.set(message.ts, JSON.stringify([message.text, message.blocks, message.files]));
    }
    this.shownEphemerals = this.harness.slack.ephemerals().length;
    return this;
  }

  /** Prints new and changed messages, in thread order; with `until`, stops after the first one it matches. */
  flush(until?: (message: SlackMessage) => boolean): void {
    for (const message of this.messages()) {
      const signature = JSON.stringify([message.text, message.blocks, message.files]);
      const before = this.shown.get(message.ts);
      if (before === signature) continue;
      this.shown.set(message.ts, signature);
      this.transcript.message(this.toTranscript(message), before !== undefined);
      if (until?.(message)) break;
    }
    const ephemerals = this.harness.slack.ephemerals();
    for (const ephemeral of ephemerals.slice(this.shownEphemerals)) {
      this.transcript.message({
        ts: ephemeral.ts,
        author: `${BotName} (only visible to ${this.personName(ephemeral.user)})`,
        text: ephemeral.text,
        ...(ephemeral.blocks ? { blocks: ephemeral.blocks } : {}),
      });
    }
    this.shownEphemerals = ephemerals.length;
  }

  toTranscript(message: SlackMessage): TranscriptMessage {
    return {
      ts: message.ts,
      author: this.authorOf(message),
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(message.files ? { files: message.files } : {}),
    };
  }
}

interface Play {
  readonly harness: Harness;
  readonly transcript: Transcript;
  readonly names: Readonly<Record<string, string>>;
  readonly modals: PageModal[];
}

async function sendInteraction(play: Play, payload: unknown): Promise<AppResponse> {
  const response = await play.harness.send(payload, 'interaction');
  expectThat(response.status === 200, `the service answered an interaction with HTTP ${response.status}`);
  return response;
}

function openView(play: Play, what: string): SlackView {
  const [view] = play.harness.slack.openViews(alice.id);
  expectThat(view, `${what}: no modal is open for alice`);
  return view;
}

const plainTextOf = (value: unknown): string => (isRecord(value) && typeof value.text === 'string' ? value.text : '');

/** Shows the modal as filled in, remembers it for the page, submits it and applies the service's answer. */
async function submitModal(
  play: Play,
  view: SlackView,
  caption: string,
  chosen: Readonly<Record<string, string | readonly string[]>>,
  submitted: Readonly<Record<string, string | readonly string[]>>,
): Promise<void> {
  const modal: PageModal = {
    caption,
    title: plainTextOf(view.title),
    blocks: fillModalBlocks(view.blocks, chosen),
    ...(view.submit ? { submit: plainTextOf(view.submit) } : {}),
    ...(view.close ? { close: plainTextOf(view.close) } : {}),
  };
  play.modals.push(modal);
  play.transcript.modal(modal);
  const response = await sendInteraction(
    play,
    play.harness.slack.submitView({
      user: alice.id,
      viewId: view.id,
      values: submitted as Record<string, string | string[]>,
    }),
  );
  const outcome = play.harness.slack.applyViewResponse(view.id, response.body);
  expectThat(
    outcome.kind === 'closed',
    `${modal.title}: the modal did not close (${outcome.kind === 'errors' ? JSON.stringify(outcome.errors) : outcome.kind})`,
  );
  play.transcript.note(`alice presses [${modal.submit ?? 'Submit'}]; the modal closes.`);
}

const isBot = (harness: Harness, message: SlackMessage): boolean =>
  message.user === harness.slack.botUserId || message.bot_id === harness.slack.botId;

/** Who wrote a message, as the thread shows it: the bot as DuploCloud AI, people by their full name. */
export function authorOf(harness: Harness, message: SlackMessage): { readonly name: string; readonly isBot: boolean } {
  if (isBot(harness, message)) return { name: BotName, isBot: true };
  const person = Object.values(People).find((candidate) => candidate.id === message.user);
  return { name: person?.realName ?? message.user ?? 'someone', isBot: false };
}

/** The newest bot message whose rendered text matches. */
function botMessage(play: Play, watcher: ThreadWatcher, pattern: RegExp, what: string): SlackMessage {
  const found = watcher
    .messages()
    .filter((message) => isBot(play.harness, message))
    .reverse()
    .find((message) => pattern.test(messageText(watcher.toTranscript(message), play.names)));
  expectThat(found, `${what}: the thread shows no such message (${pattern})`);
  return found;
}

function buttonUrl(message: SlackMessage, actionId: string): string | undefined {
  for (const block of message.blocks ?? []) {
    if (!Array.isArray(block.elements)) continue;
    for (const element of block.elements) {
      if (isRecord(element) && element.action_id === actionId && typeof element.url === 'string') return element.url;
    }
  }
  return undefined;
}

const ticketNameOn = (card: SlackMessage, names: Readonly<Record<string, string>>, watcher: ThreadWatcher): string => {
  const match = /\*Ticket\*\n(\S+)/.exec(messageText(watcher.toTranscript(card), names));
  expectThat(match?.[1], 'the ticket card names no ticket');
  return match[1];
};

export async function playScenario(
  stage: DemoStage,
  transcript: Transcript,
  names: Readonly<Record<string, string>>,
): Promise<ScenarioResult> {
  const harness = stage.harness;
  const play: Play = { harness, transcript, names, modals: [] };
  const personName = (userId: string): string =>
    Object.values(People).find((person) => person.id === userId)?.realName ?? userId;
  const authorName = (message: SlackMessage): string => authorOf(harness, message).name;
  const tickets: DemoTicket[] = [];

  // 1 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(1, 'alice mentions the bot in #helpdesk');
  const { ts: threadTs } = await harness.mention(alice, Script.mention);
  const watcher = new ThreadWatcher(harness, transcript, threadTs, authorName, personName);
  watcher.flush();
  const prompt = botMessage(play, watcher, /\[Create Ticket\]/, 'the reply to the mention');

  // 2 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(2, 'alice presses Create Ticket and fills the modal');
  await sendInteraction(
    play,
    harness.slack.clickButton({
      user: alice.id,
      channel: Channel,
      messageTs: prompt.ts,
      actionId: ActionId.OpenCreateTicket,
    }),
  );
  let view = openView(play, 'Create Ticket');
  expectThat(plainTextOf(view.title) === 'Create Ticket', `the modal is titled "${plainTextOf(view.title)}"`);
  transcript.note(
    'The Create Ticket modal opens; alice picks Portal acme (a tenant-scoped HelpDesk), then Tenant dev.',
  );
  await choose(play, view, ActionId.SelectPortal, portalKey('acme'));
  view = openView(play, 'Create Ticket after choosing the portal');
  const pickTenant = harness.slack.selectInView({
    user: alice.id,
    viewId: view.id,
    actionId: ActionId.SelectTenant,
    value: SeedTenants.dev.id,
  });
  if (pickTenant) await sendInteraction(play, pickTenant);
  view = openView(play, 'Create Ticket after choosing the tenant');
  transcript.note('The modal refreshes with the agents and identities of dev; alice picks them.');
  const identity = SeedIdentities.dev[0];
  await submitModal(
    play,
    view,
    'Step 2: alice creates the ticket in dev',
    {
      [ActionId.SelectPortal]: portalKey('acme'),
      [ActionId.SelectTenant]: SeedTenants.dev.id,
      [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
      [ActionId.SelectIdentity]: identity,
    },
    { [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId, [ActionId.SelectIdentity]: identity },
  );
  const isTicketCard = (message: SlackMessage) =>
    isBot(harness, message) && buttonUrl(message, ActionId.OpenHelpdesk) !== undefined;
  watcher.flush(isTicketCard);
  const devCard = botMessage(play, watcher, /Update Context/, 'the ticket card');
  const devTicket = ticketNameOn(devCard, names, watcher);
  expectThat(harness.portal.ticket(devTicket), `ticket ${devTicket} is not in the portal`);
  tickets.push({ portal: 'acme', name: devTicket, space: SeedTenants.dev.name });
  transcript.check(`ticket ${devTicket} created in tenant dev of portal acme; the thread is linked to it`);

  // 3 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(3, 'the agent answers in the thread and proposes commands');
  watcher.flush();
  const card = botMessage(play, watcher, /\[Approve\]/, 'the command card');
  botMessage(play, watcher, /You asked:/, "the agent's first reply");
  transcript.check('agent reply relayed; command card shows Approve / Reject / Ignore per command and one Submit');

  // 4 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(4, 'alice approves command 1 and rejects command 2 with a reason');
  transcript.note('alice presses [Approve] on command 1.');
  await sendInteraction(
    play,
    harness.slack.clickButton({
      user: alice.id,
      channel: Channel,
      messageTs: card.ts,
      actionId: ActionId.Approve,
      blockId: 'cmd.0.decide',
    }),
  );
  watcher.flush();
  transcript.note('alice presses [Reject] on command 2; a modal asks for a reason.');
  await sendInteraction(
    play,
    harness.slack.clickButton({
      user: alice.id,
      channel: Channel,
      messageTs: card.ts,
      actionId: ActionId.Reject,
      blockId: 'cmd.1.decide',
    }),
  );
  const reasonView = openView(play, 'Reject');
  await submitModal(
    play,
    reasonView,
    'Step 4: alice rejects command 2 with a reason',
    { [ActionId.RejectReason]: Script.rejectReason },
    { [ActionId.RejectReason]: Script.rejectReason },
  );
  watcher.flush();
  const decided = messageText(watcher.toTranscript(harness.slack.message(Channel, card.ts) ?? card), names);
  expectThat(/Approved by @alice/.test(decided), 'the card does not show command 1 as approved by alice');
  expectThat(/Rejected by @alice: Not yet/.test(decided), 'the card does not show the rejection and its reason');
  transcript.check('the card records who decided what (decisions are stored server-side per click)');

  // 5 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(5, 'alice presses Submit');
  transcript.note('alice presses [Submit] and confirms "Submit your decisions?".');
  await sendInteraction(
    play,
    harness.slack.clickButton({ user: alice.id, channel: Channel, messageTs: card.ts, actionId: ActionId.Submit }),
  );
  watcher.flush();
  const submitted = messageText(watcher.toTranscript(harness.slack.message(Channel, card.ts) ?? card), names);
  expectThat(!/\[(Approve|Submit)\]/.test(submitted), 'the submitted card still shows buttons');
  expectThat(/Submitted by @alice/.test(submitted), 'the card does not say who submitted it');
  botMessage(play, watcher, /Output of .*kubectl get pods[\s\S]*CrashLoopBackOff/, 'the command output');
  botMessage(play, watcher, /Ran 1 command, rejected 1/, "the agent's follow-up");
  transcript.check('card updated with no buttons left; only the approved command ran; output and follow-up posted');

  // 6 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(6, 'alice replies in the thread without mentioning the bot');
  const before = watcher.messages().length;
  await harness.say(alice, Script.reply, threadTs);
  watcher.flush();
  const reply = watcher
    .messages()
    .slice(before)
    .find((message) => isBot(harness, message) && /what about staging/.test(message.text));
  expectThat(reply, 'the plain thread reply was not relayed to the agent');
  transcript.check('a plain reply in a linked thread goes to the agent; its answer comes back in the thread');

  // 7 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(7, 'alice moves the thread to tenant staging with Update Context');
  transcript.note('alice opens the ticket card menu [⋯] and chooses Update Context.');
  await sendInteraction(
    play,
    harness.slack.selectOption({
      user: alice.id,
      channel: Channel,
      messageTs: devCard.ts,
      actionId: ActionId.TicketMenu,
      value: TicketMenuValue.UpdateContext,
    }),
  );
  view = openView(play, 'Update Context');
  expectThat(plainTextOf(view.title) === 'Update Context', `the modal is titled "${plainTextOf(view.title)}"`);
  transcript.note('The Update Context modal opens with the current context; alice picks Tenant staging.');
  const pickStaging = harness.slack.selectInView({
    user: alice.id,
    viewId: view.id,
    actionId: ActionId.SelectTenant,
    value: SeedTenants.staging.id,
  });
  if (pickStaging) await sendInteraction(play, pickStaging);
  view = openView(play, 'Update Context after choosing the tenant');
  transcript.note('The tenant changed, so the modal asks whether to share the thread and for a New Message.');
  const stagingIdentity = SeedIdentities.staging[0];
  const updateValues = {
    [ActionId.SelectAgent]: SeedAgents.kubernetes.instanceId,
    [ActionId.SelectIdentity]: stagingIdentity,
    [ActionId.ShareThread]: 'yes',
    [ActionId.NewMessage]: Script.newMessage,
  };
  await submitModal(
    play,
    view,
    'Step 7: alice moves the thread to staging',
    { [ActionId.SelectPortal]: portalKey('acme'), [ActionId.SelectTenant]: SeedTenants.staging.id, ...updateValues },
    updateValues,
  );
  watcher.flush();
  const stagingTickets = harness.portal.tickets(SeedTenants.staging.id);
  const stagingTicket = stagingTickets[0];
  expectThat(stagingTicket, 'no ticket was created in staging');
  const stagingCard = botMessage(play, watcher, /Update Context/, 'the new ticket card');
  expectThat(ticketNameOn(stagingCard, names, watcher) === stagingTicket.name, 'the newest ticket card is not staging');
  const moved = botMessage(play, watcher, /moved this thread to \*staging\*/, 'the note about the move');
  const redactions = /(\d+) values? that looked like (?:a )?secrets? (?:was|were) redacted/.exec(
    messageText(watcher.toTranscript(moved), names),
  );
  expectThat(redactions, 'the move note does not say how many values were redacted');
  const history = stagingTicket.historicMessages.map((message) => message.content).join('\n');
  const first = stagingTicket.messages.find((message) => message.role === 'user')?.content ?? '';
  expectThat(history.includes(Script.reply), 'the thread was not shared as the ticket’s history');
  expectThat(first.includes('Same crash loop'), 'the New Message did not reach the new ticket');
  const everything = `${history}\n${first}`;
  expectThat(!everything.includes(SharedSecret) && first.includes('[REDACTED'), 'the password reached the new ticket');
  expectThat(stagingTicket.name === devTicket, 'the moved ticket did not keep its name (docs §3.7)');
  tickets.push({ portal: 'acme', name: stagingTicket.name, space: SeedTenants.staging.name });
  transcript.check(
    `ticket ${stagingTicket.name} opened in staging (same name) with the thread's messages as its history and the ` +
      `New Message as its first message; the dev ticket stays in the thread's history`,
  );
  const count = Number(redactions[1]);
  expectThat(count >= 1, 'the move note says nothing was redacted, but the New Message carried a password');
  transcript.check(
    `${count} secret-looking value${count === 1 ? '' : 's'} redacted before sharing: the password never reached the portal`,
  );

  // 8 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(8, 'Open AI HelpDesk');
  const helpdeskUrl = buttonUrl(stagingCard, ActionId.OpenHelpdesk);
  expectThat(helpdeskUrl, 'the ticket card has no Open AI HelpDesk link');
  const expected = `${harness.portal.url}/app/ai/service-desk/${SeedTenants.staging.id}/tickets/chat/${stagingTicket.name}`;
  transcript.note(`[Open AI HelpDesk] → ${helpdeskUrl}`);
  expectThat(helpdeskUrl === expected, `the Open AI HelpDesk link is ${helpdeskUrl}, expected ${expected}`);
  transcript.check('the link is <portal>/app/ai/service-desk/<tenantId>/tickets/chat/<ticketName>');

  const workspace = await playWorkspaceThread(play, names, personName, authorName);
  tickets.push(workspace.ticket);
  await playAssistantPane(play, authorName);
  await playHelpdeskCommand(play, tickets);
  await playCloseTicket(play, workspace, authorName, personName);
  return {
    threadTs,
    workspaceThreadTs: workspace.threadTs,
    tickets,
    helpdeskUrl,
    workspaceHelpdeskUrl: workspace.helpdeskUrl,
    modals: play.modals,
  };
}

/** Step 12: the assistant pane (the app's DM): a greeting and suggested prompts, and a question with no mention. */
async function playAssistantPane(play: Play, authorName: (message: SlackMessage) => string): Promise<void> {
  const { harness, transcript } = play;
  transcript.step(12, 'alice opens the bot’s assistant pane and asks there, without a mention');
  const dm = directMessages(harness);
  const { threadTs } = await dm.openAssistantThread(alice, Channel);
  const prompts = harness.slack.assistantThread(dm.channelOf(alice), threadTs)?.prompts ?? [];
  transcript.note(`suggested prompts: ${prompts.map((prompt) => prompt.title).join(' · ')}`);
  expectThat(prompts.length > 0 && prompts.length <= 4, 'the assistant pane shows no suggested prompts');
  await dm.write(alice, Script.directMessage, threadTs);
  for (const message of harness.slack.thread(dm.channelOf(alice), threadTs)) {
    transcript.message({
      ts: message.ts,
      author: authorName(message),
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
    });
  }
  expectThat(
    dm.transcript(alice, threadTs).some((text) => text.includes('[Create Ticket]')),
    'the question in the assistant pane got no Create Ticket offer',
  );
  transcript.check('a direct message works like a mention: Create Ticket in its thread, the same modal from there');
}

/** Step 13: `/helpdesk tickets` and `/helpdesk status`, answered to alice alone. */
async function playHelpdeskCommand(play: Play, tickets: readonly DemoTicket[]): Promise<void> {
  const { harness, transcript } = play;
  transcript.step(13, 'alice asks for her open tickets and the portals with /helpdesk');
  const ask = async (text: string): Promise<string> => {
    transcript.note(`alice types /helpdesk ${text}`);
    const response = await harness.helpdesk(alice, text);
    expectThat(response.status === 200 && response.elapsedMs < 3_000, `/helpdesk ${text} was not acked in time`);
    const answer = harness.slack.ephemerals(alice.id).at(-1);
    expectThat(answer, `/helpdesk ${text} gave no answer`);
    const shown = {
      ts: answer.ts,
      author: `${BotName} (only you can see this)`,
      text: answer.text,
      ...(answer.blocks ? { blocks: answer.blocks } : {}),
    };
    transcript.message(shown);
    return messageText(shown, play.names);
  };
  const open = await ask('tickets');
  // The first ticket moved to staging: its staging ticket and the workspace ticket are the open ones.
  for (const ticket of tickets.slice(-2)) {
    expectThat(open.includes(ticket.name), `/helpdesk tickets does not list ${ticket.name}`);
  }
  const status = await ask('status');
  expectThat(/2 of 2 portals reachable/.test(status), '/helpdesk status does not say both portals are reachable');
  transcript.check('only alice saw the answers: her open tickets, and both portals with their HelpDesk');
}

/** Step 14: alice closes the workspace ticket as Resolved; a mention there then goes nowhere and offers Reopen. */
async function playCloseTicket(
  play: Play,
  workspace: { readonly threadTs: string; readonly ticket: DemoTicket },
  authorName: (message: SlackMessage) => string,
  personName: (userId: string) => string,
): Promise<void> {
  const { harness, transcript } = play;
  transcript.step(14, 'alice closes the workspace ticket as Resolved, then mentions the bot in its thread');
  const watcher = new ThreadWatcher(harness, transcript, workspace.threadTs, authorName, personName).skipShown();
  const card = botMessage(play, watcher, /Close: Resolved/, 'the workspace ticket card');
  transcript.note('alice opens the ticket card menu [⋯] and chooses Close: Resolved.');
  await sendInteraction(
    play,
    harness.slack.selectOption({
      user: alice.id,
      channel: Channel,
      messageTs: card.ts,
      actionId: ActionId.TicketMenu,
      value: TicketMenuValue.CloseResolved,
    }),
  );
  watcher.flush();
  const closedCard = watcher.messages().find((message) => message.ts === card.ts);
  expectThat(closedCard, 'the ticket card is gone');
  const cardText = messageText(watcher.toTranscript(closedCard), play.names);
  expectThat(/Closed: Resolved/.test(cardText) && /Reopen/.test(cardText), 'the card does not show the ticket closed');
  const portal = harness.workspace;
  expectThat(portal, 'the workspace-scoped fake portal is not running');
  const closes = portal.callsTo('PUT', new RegExp(`/${workspace.ticket.name}/status$`));
  expectThat(closes.length === 1, 'the workspace-scoped HelpDesk was not asked to close the ticket');
  const sentBefore = portal.calls.length;
  transcript.note('alice mentions the bot in the closed thread.');
  await harness.mention(alice, 'one more thing about the cluster', workspace.threadTs);
  watcher.flush();
  botMessage(play, watcher, /was closed[\s\S]*Reopen/, 'the answer to a mention in a closed thread');
  expectThat(portal.calls.length === sentBefore, 'a mention in a closed thread reached the portal');
  transcript.check(
    'closed in the portal and on the card; the next mention went nowhere and offers Reopen or a new ticket',
  );
}

/** Picks a value in an open modal's select; a select that dispatches refreshes the modal. */
async function choose(play: Play, view: SlackView, actionId: string, value: string | string[]): Promise<void> {
  const payload = play.harness.slack.selectInView({ user: alice.id, viewId: view.id, actionId, value });
  if (payload) await sendInteraction(play, payload);
}

/** Steps 9–11: a second thread, whose ticket lives on the workspace-scoped HelpDesk "helpdesk". */
async function playWorkspaceThread(
  play: Play,
  names: Readonly<Record<string, string>>,
  personName: (userId: string) => string,
  authorName: (message: SlackMessage) => string,
): Promise<{ threadTs: string; ticket: DemoTicket; helpdeskUrl: string }> {
  const { harness, transcript } = play;
  const workspacePortal = harness.workspace;
  expectThat(workspacePortal, 'the workspace-scoped fake portal is not running');
  const platform = SeedWorkspaces.platform;

  // 9 ─────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(9, 'in another thread, alice opens a ticket on the workspace-scoped HelpDesk');
  const { ts: threadTs } = await harness.mention(alice, Script.workspaceMention);
  const watcher = new ThreadWatcher(harness, transcript, threadTs, authorName, personName);
  watcher.flush();
  const prompt = botMessage(play, watcher, /\[Create Ticket\]/, 'the reply to the mention');
  await sendInteraction(
    play,
    harness.slack.clickButton({
      user: alice.id,
      channel: Channel,
      messageTs: prompt.ts,
      actionId: ActionId.OpenCreateTicket,
    }),
  );
  let view = openView(play, 'Create Ticket (workspace)');
  transcript.note(
    `alice picks Portal ${WorkspacePortalName}: it speaks the workspace-scoped HelpDesk, so the modal asks for ` +
      'Workspace, Agent and Scopes instead of Tenant and Default Permissions.',
  );
  await choose(play, view, ActionId.SelectPortal, portalKey(WorkspacePortalName));
  view = openView(play, 'Create Ticket after choosing the workspace portal');
  await choose(play, view, ActionId.SelectWorkspace, platform.id);
  view = openView(play, 'Create Ticket after choosing the workspace');
  const scopes = [SeedScopes.fullAccess.id, SeedScopes.readOnly.id];
  await submitModal(
    play,
    view,
    'Step 9: alice creates a ticket in workspace platform, with a streaming agent and two scopes',
    {
      [ActionId.SelectPortal]: portalKey(WorkspacePortalName),
      [ActionId.SelectWorkspace]: platform.id,
      [ActionId.SelectAgent]: SeedWorkspaceAgents.k8s.id,
      [ActionId.SelectScopes]: scopes,
    },
    { [ActionId.SelectAgent]: SeedWorkspaceAgents.k8s.id, [ActionId.SelectScopes]: scopes },
  );
  watcher.flush();
  const card = botMessage(play, watcher, /Update Context/, 'the workspace ticket card');
  const cardText = messageText(watcher.toTranscript(card), names);
  expectThat(/\*Workspace\*\nplatform/.test(cardText), 'the ticket card does not name the workspace');
  expectThat(/\*Scopes\*\nfull-access, read-only/.test(cardText), 'the ticket card does not list the scopes');
  const ticketName = ticketNameOn(card, names, watcher);
  const ticket = workspacePortal.ticket(ticketName, platform.id);
  expectThat(ticket, `ticket ${ticketName} is not in the workspace portal`);
  expectThat(
    JSON.stringify(ticket.permissions) === JSON.stringify(scopes),
    'the ticket was not created with the chosen scopes',
  );
  transcript.check(
    `ticket ${ticketName} created in workspace platform of portal ${WorkspacePortalName} with both scopes`,
  );

  // 10 ────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(10, 'the streaming agent answers; alice approves its first command and submits');
  const streamed = workspacePortal.callsTo('POST', /\/sendMessageStreaming$/);
  expectThat(streamed.length > 0, 'the streaming agent was not asked on sendMessageStreaming');
  transcript.note(`the agent's reply arrived as ${streamed.at(-1)?.streamedEvents ?? 0} server-sent events`);
  // The answer was shown as it was written: one streamed message, then the formatted reply in its place.
  const stream = harness.slack.streams(Channel).find((candidate) => candidate.threadTs === threadTs);
  expectThat(stream, 'the answer was not streamed into the thread');
  expectThat(stream.state === 'stopped', 'the streamed answer was left streaming');
  const calls = stream.updates.map((update) => update.method.replace('chat.', ''));
  const firstTextMs = (stream.firstTextAt?.getTime() ?? 0) - stream.startedAt.getTime();
  transcript.note(
    `Slack showed it as it was written: ${calls.join(' → ')} (${stream.text.length} characters streamed, ` +
      `first text with the stream's start${firstTextMs > 0 ? ` + ${firstTextMs} ms` : ''}), then the formatted reply took its place`,
  );
  const streamedMessage = harness.slack.message(Channel, stream.ts);
  expectThat(streamedMessage, 'the streamed message is gone');
  const answer = messageText(watcher.toTranscript(streamedMessage), names);
  expectThat(/You asked/.test(answer), 'the streamed message does not end as the agent’s formatted answer');
  transcript.check('the streaming agent’s answer appeared in the thread as it was written, and stayed there formatted');
  const commands = botMessage(play, watcher, /\[Approve\]/, 'the command card');
  await sendInteraction(
    play,
    harness.slack.clickButton({
      user: alice.id,
      channel: Channel,
      messageTs: commands.ts,
      actionId: ActionId.Approve,
      blockId: 'cmd.0.decide',
    }),
  );
  await sendInteraction(
    play,
    harness.slack.clickButton({ user: alice.id, channel: Channel, messageTs: commands.ts, actionId: ActionId.Submit }),
  );
  watcher.flush();
  const decided = messageText(watcher.toTranscript(harness.slack.message(Channel, commands.ts) ?? commands), names);
  expectThat(
    /Ran with scopes \*full-access, read-only\*/.test(decided),
    'the card does not say the scopes it ran with',
  );
  botMessage(play, watcher, /Output of .*kubectl get pods/, 'the command output');
  botMessage(play, watcher, /Ran 1 command/, "the agent's follow-up");
  transcript.check('approved on a workspace ticket: the echo went to the agent, the output and its answer came back');

  // 11 ────────────────────────────────────────────────────────────────────────────────────────────
  transcript.step(11, 'Open AI HelpDesk on the workspace ticket');
  const helpdeskUrl = buttonUrl(card, ActionId.OpenHelpdesk);
  const expected = `${workspacePortal.url}/app/ai/service-desk/${platform.id}/tickets/chat/${ticketName}`;
  transcript.note(`[Open AI HelpDesk] → ${helpdeskUrl}`);
  expectThat(helpdeskUrl === expected, `the Open AI HelpDesk link is ${helpdeskUrl}, expected ${expected}`);
  transcript.check('the link is <portal>/app/ai/service-desk/<workspaceId>/tickets/chat/<ticketName>');
  return {
    threadTs,
    ticket: { portal: WorkspacePortalName, name: ticketName, space: platform.name },
    helpdeskUrl,
  };
}
