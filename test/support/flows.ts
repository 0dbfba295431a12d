import type { ThreadRef } from '../../src/domain/thread-link.js';
import { ActionId, TicketMenuValue } from '../../src/slack/ids.js';
import type { FakeSlackUser } from '../fakes/slack/index.js';
import { Channel, type Harness } from './harness.js';

export interface TicketChoice {
  readonly portal?: string;
  readonly tenantId: string;
  readonly agent: string;
  readonly identity: string;
}

/** The Create Ticket modal a person opened from the bot's prompt in a thread. */
export async function openCreateTicket(h: Harness, user: FakeSlackUser, threadTs: string): Promise<string> {
  const prompt = h.botMessage(threadTs, /Create Ticket/);
  const before = new Set(h.slack.openViews(user.id).map((view) => view.id));
  await h.send(
    h.slack.clickButton({ user: user.id, channel: Channel, messageTs: prompt.ts, actionId: ActionId.OpenCreateTicket }),
    'interaction',
  );
  const view = h.slack.openViews(user.id).find((candidate) => !before.has(candidate.id));
  if (!view) throw new Error('the Create Ticket modal did not open');
  return String(view.id);
}

export async function chooseInView(h: Harness, user: FakeSlackUser, viewId: string, actionId: string, value: string) {
  const payload = h.slack.selectInView({ user: user.id, viewId, actionId, value });
  if (payload) await h.send(payload, 'interaction');
}

/** Submits a view and applies the app's answer to it, as Slack's client does. */
export async function submit(h: Harness, user: FakeSlackUser, viewId: string, values: Record<string, string>) {
  const payload = h.slack.submitView({ user: user.id, viewId, values });
  const response = await h.send(payload, 'interaction');
  return h.slack.applyViewResponse(viewId, response.body === '' ? undefined : JSON.parse(response.body));
}

/** Mention → Create Ticket → fill the modal → submit. Returns the thread and the answer Slack applied. */
export async function createTicketThroughSlack(
  h: Harness,
  user: FakeSlackUser,
  request: string,
  choice: TicketChoice,
): Promise<{ threadTs: string; outcome: ReturnType<Harness['slack']['applyViewResponse']> }> {
  const { ts } = await h.mention(user, request);
  const viewId = await openCreateTicket(h, user, ts);
  if (choice.portal) await chooseInView(h, user, viewId, ActionId.SelectPortal, choice.portal);
  await chooseInView(h, user, viewId, ActionId.SelectTenant, choice.tenantId);
  const outcome = await submit(h, user, viewId, {
    [ActionId.SelectAgent]: choice.agent,
    [ActionId.SelectIdentity]: choice.identity,
  });
  return { threadTs: ts, outcome };
}

/** Opens Update Context from the thread's ticket card. */
export async function openUpdateContext(h: Harness, user: FakeSlackUser, threadTs: string): Promise<string> {
  const card = h.botMessage(threadTs, /Update Context/);
  const before = new Set(h.slack.openViews(user.id).map((view) => view.id));
  await h.send(
    h.slack.selectOption({
      user: user.id,
      channel: Channel,
      messageTs: card.ts,
      actionId: ActionId.TicketMenu,
      value: TicketMenuValue.UpdateContext,
    }),
    'interaction',
  );
  const view = h.slack.openViews(user.id).find((candidate) => !before.has(candidate.id));
  if (!view) throw new Error('the Update Context modal did not open');
  return String(view.id);
}

/** Creates a ticket for a new thread through Slack, as `user`; returns the thread and its active link. */
export async function linkedThread(h: Harness, user: FakeSlackUser, request: string, choice: TicketChoice) {
  const { threadTs } = await createTicketThroughSlack(h, user, request, choice);
  const thread: ThreadRef = { teamId: h.slack.teamId, channelId: Channel, threadTs };
  const link = await h.service.store.activeLink(thread);
  if (!link) throw new Error(`no ticket was linked to thread ${threadTs}: ${h.transcript(threadTs).join(' | ')}`);
  return { threadTs, thread, link };
}
