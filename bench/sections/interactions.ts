import { ActionId } from '../../src/slack/blocks/ids.js';
import { SeedTenants } from '../../test/fakes/portal/index.js';
import type { SlackMessage, SlackObject } from '../../test/fakes/slack/index.js';
import type { BenchChild } from '../children.js';
import type { Plan } from '../plan.js';
import { type Row, ratioOf } from '../report.js';
import { summarize } from '../stats.js';
import {
  Alice,
  type BenchFakes,
  botReplies,
  deliver,
  type EngineService,
  LinkContext,
  newChannel,
  type Thread,
} from '../workspace.js';

export interface InteractionsContext {
  readonly plan: Plan;
  readonly fakes: BenchFakes;
  readonly services: readonly EngineService[];
  readonly bare: BenchChild;
  readonly log: (message: string) => void;
}

/** The block holding an element with this action id, in the newest bot message of the thread that has one. */
function findAction(fakes: BenchFakes, thread: Thread, actionId: string): { message: SlackMessage; blockId: string } {
  for (const message of botReplies(fakes, thread).reverse()) {
    for (const block of message.blocks ?? []) {
      const elements = (block as { elements?: SlackObject[] }).elements ?? [];
      const accessory = (block as { accessory?: SlackObject }).accessory;
      const all = accessory ? [...elements, accessory] : elements;
      if (all.some((element) => element.action_id === actionId)) {
        return { message, blockId: String((block as { block_id?: string }).block_id) };
      }
    }
  }
  throw new Error(`no bot message with ${actionId} in ${thread.channelId}/${thread.threadTs}`);
}

interface Acks {
  readonly viewSubmission: number[];
  readonly submit: number[];
  readonly bareViewSubmission: number[];
  readonly bareSubmit: number[];
}

/**
 * Section 2: interaction ack latency. Each sample is a whole flow in a new channel, as a person does it: mention →
 * Create Ticket → pick the tenant → submit the modal (view_submission, timed) → Approve a proposed command →
 * Submit (block_actions, timed). The bare Bolt app acks the very same payloads, after the service is idle.
 */
export async function measureInteractions(context: InteractionsContext): Promise<Row[]> {
  const { plan, fakes, services, bare, log } = context;
  const rows: Row[] = [];
  for (const { engine, child } of services) {
    log(`interactions: ${plan.interactions.samples} flows on ${engine}`);
    const acks: Acks = { viewSubmission: [], submit: [], bareViewSubmission: [], bareSubmit: [] };
    for (let sample = 0; sample < plan.interactions.samples; sample++) {
      await oneFlow(fakes, child, bare, acks);
    }
    rows.push(
      ...ackRows(`2 view_submission ${engine}`, 'Create Ticket', acks.viewSubmission, acks.bareViewSubmission),
      ...ackRows(`2 block_actions ${engine}`, 'Submit', acks.submit, acks.bareSubmit),
    );
  }
  return rows;
}

async function oneFlow(fakes: BenchFakes, service: BenchChild, bare: BenchChild, acks: Acks): Promise<void> {
  const { slack } = fakes;
  const send = async (payload: unknown, kind: 'event' | 'interaction') => {
    const response = await deliver(service.url, payload, kind);
    if (response.status !== 200) throw new Error(`the service answered ${response.status} to a ${kind}`);
    if (!(await service.idle(30_000))) throw new Error('the service did not go idle within 30 s');
    return response;
  };
  const baseline = async (payload: unknown) => {
    const response = await deliver(bare.url, payload, 'interaction');
    if (response.status !== 200) throw new Error(`the bare Bolt app answered ${response.status}`);
    return response.elapsedMs;
  };

  const channel = newChannel('I');
  const request = 'pods are crashing in dev, please restart the web deployment';
  const mention = slack.mention({ user: Alice.id, channel, text: request });
  const thread = { channelId: channel, threadTs: mention.ts };
  await send(mention.event, 'event');

  const prompt = findAction(fakes, thread, ActionId.OpenCreateTicket);
  const before = new Set(slack.openViews(Alice.id).map((view) => view.id));
  await send(
    slack.clickButton({ user: Alice.id, channel, messageTs: prompt.message.ts, actionId: ActionId.OpenCreateTicket }),
    'interaction',
  );
  const view = slack.openViews(Alice.id).find((candidate) => !before.has(candidate.id));
  if (!view) throw new Error('the Create Ticket modal did not open');
  const viewId = String(view.id);
  const tenant = slack.selectInView({
    user: Alice.id,
    viewId,
    actionId: ActionId.SelectTenant,
    value: SeedTenants.dev.id,
  });
  if (tenant) await send(tenant, 'interaction');

  const submitView = slack.submitView({
    user: Alice.id,
    viewId,
    values: { [ActionId.SelectAgent]: LinkContext.agentId, [ActionId.SelectIdentity]: LinkContext.identity },
  });
  const created = await send(submitView, 'interaction');
  acks.viewSubmission.push(created.elapsedMs);
  const outcome = slack.applyViewResponse(viewId, created.body === '' ? undefined : JSON.parse(created.body));
  if (outcome.kind !== 'closed') throw new Error(`Create Ticket was not accepted: ${JSON.stringify(outcome)}`);
  acks.bareViewSubmission.push(await baseline(submitView));

  const approve = findAction(fakes, thread, ActionId.Approve);
  await send(
    slack.clickButton({
      user: Alice.id,
      channel,
      messageTs: approve.message.ts,
      actionId: ActionId.Approve,
      blockId: approve.blockId,
    }),
    'interaction',
  );
  const card = findAction(fakes, thread, ActionId.Submit);
  const submit = slack.clickButton({
    user: Alice.id,
    channel,
    messageTs: card.message.ts,
    actionId: ActionId.Submit,
    blockId: card.blockId,
  });
  const submitted = await send(submit, 'interaction');
  acks.submit.push(submitted.elapsedMs);
  acks.bareSubmit.push(await baseline(submit));
  const after = slack.message(channel, card.message.ts);
  if (JSON.stringify(after?.blocks ?? []).includes(ActionId.Submit)) throw new Error('Submit left the card pending');
}

function ackRows(section: string, what: string, ours: number[], theirs: number[]): Row[] {
  const service = summarize(ours);
  const bare = summarize(theirs);
  return [
    {
      section,
      metric: `${what} ack p50`,
      unit: 'ms',
      value: service.p50,
      baseline: { value: bare.p50, label: 'bare Bolt ack' },
      ratio: ratioOf(service.p50, bare.p50),
    },
    {
      section,
      metric: `${what} ack p99`,
      unit: 'ms',
      value: service.p99,
      baseline: { value: bare.p99, label: 'bare Bolt ack' },
      ratio: ratioOf(service.p99, bare.p99),
      target: '< 3000 ms (Slack)',
      met: service.p99 < 3000,
      note: `${service.count} flows; p99 of few samples is their maximum`,
    },
  ];
}
