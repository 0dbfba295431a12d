import type { RateLimits } from '../../../src/domain/rate-limit.js';
import { ActionId } from '../../../src/slack/blocks/ids.js';
import { SeedTenants } from '../../fakes/portal/index.js';
import { devChoice, linkedThread } from '../../support/flows.js';
import { Channel, type Harness, People } from '../../support/harness.js';

export const dev = SeedTenants.dev;
export { devChoice };
export const getPods = 'kubectl get pods -n duploservices-dev';

/** Pacing for tests that are not about pacing: a thread's posts go out at once. */
export const fastPacing = { perSecond: 100, burst: 100 };

/** The Submit button's value on a command card message: the card id. */
export function cardIdOf(h: Harness, messageTs: string): string {
  let found: string | undefined;
  const walk = (value: unknown): void => {
    if (found || value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record.action_id === ActionId.Submit && typeof record.value === 'string') found = record.value;
    for (const entry of Object.values(record)) walk(entry);
  };
  walk(h.slack.message(Channel, messageTs)?.blocks ?? []);
  if (!found) throw new Error(`no Submit button on message ${messageTs}`);
  return found;
}

/** Limits no test of something else runs into (one test person creates dozens of tickets in a minute). */
export const generousLimits: RateLimits = {
  relayPerPerson: { capacity: 10_000, perMinute: 10_000 },
  relayPerThread: { capacity: 10_000, perMinute: 10_000 },
  ticketPerPerson: { capacity: 10_000, perMinute: 10_000 },
  ticketPerThread: { capacity: 10_000, perMinute: 10_000 },
};

export interface PortalCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly status?: number;
}

/** Messages sent to one ticket (relays and approval echoes). */
export const sendsTo = (calls: readonly PortalCall[], ticketName: string) =>
  calls.filter((call) => call.method === 'POST' && call.path.endsWith(`/${ticketName}/sendmessage`));

/** Approval echoes sent to one ticket: messages whose data carries decided commands. */
export const echoesFor = (calls: readonly PortalCall[], ticketName: string) =>
  sendsTo(calls, ticketName).filter(
    (call) => ((call.body as { data?: { cmds?: unknown[] } })?.data?.cmds?.length ?? 0) > 0,
  );

/** Ticket creations the portal accepted in a tenant. */
export const createsIn = (calls: readonly PortalCall[], tenantId: string) =>
  calls.filter(
    (call) => call.method === 'POST' && call.path === `/v1/aiservicedesk/tickets/${tenantId}` && call.status === 200,
  );

/** A linked thread with a ticket card and, from the default agent script, a card proposing two commands. */
export const ticketThread = (h: Harness, request = 'pods keep crashing in dev, restart the web deployment') =>
  linkedThread(h, People.alice, request, devChoice);

/** The command card the agent's reply produced in the thread (the newest one). */
export const commandCard = (h: Harness, threadTs: string) => h.botMessage(threadTs, /proposes \d+ command/);

export const decideButton = (index: number) => `cmd.${index}.decide`;

export function clickDecision(h: Harness, user: { id: string }, cardTs: string, index: number, actionId: string) {
  return h.slack.clickButton({
    user: user.id,
    channel: Channel,
    messageTs: cardTs,
    actionId,
    blockId: decideButton(index),
  });
}

export function clickSubmit(h: Harness, user: { id: string }, cardTs: string) {
  return h.slack.clickButton({ user: user.id, channel: Channel, messageTs: cardTs, actionId: ActionId.Submit });
}

/** Approve the first command of the thread's card: the card is then ready to Submit. */
export async function approveFirst(h: Harness, threadTs: string) {
  const card = commandCard(h, threadTs);
  await h.send(clickDecision(h, People.alice, card.ts, 0, ActionId.Approve), 'interaction');
  return card;
}

/** Every text a Slack message or view argument would render as mrkdwn (plain_text fields are inert). */
export function mrkdwnTexts(args: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const entry of value) walk(entry);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record.type === 'mrkdwn' && typeof record.text === 'string') out.push(record.text);
    for (const [key, entry] of Object.entries(record)) {
      if (key !== 'text' || typeof entry !== 'string') walk(entry);
    }
  };
  // Top-level `text` is mrkdwn unless mrkdwn:false; blocks, attachments and views arrive as JSON strings.
  if (typeof args.text === 'string' && args.mrkdwn !== false) out.push(args.text);
  if (typeof args.initial_comment === 'string') out.push(args.initial_comment);
  for (const key of ['blocks', 'attachments', 'view']) {
    const raw = args[key];
    const parsed = typeof raw === 'string' ? safeParse(raw) : raw;
    walk(parsed);
  }
  return out;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
