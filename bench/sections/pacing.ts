import { forkChild } from '../children.js';
import type { Plan } from '../plan.js';
import type { Row } from '../report.js';
import { maxInWindow, waitFor } from '../stats.js';
import { Alice, answered, type BenchFakes, botReplies, deliver, serviceEnv, startFakes } from '../workspace.js';

export interface PacingContext {
  readonly plan: Plan;
  readonly log: (message: string) => void;
}

/** The thread poster's allowance: `Burst` messages at once, then one per second on average. */
const Burst = 3;

/**
 * Section 7: Slack pacing. N people mention the bot in one channel at once, so the service owes that channel N
 * "Create Ticket" replies. The fake Slack answers chat.postMessage with 429 (Retry-After: 1) now and then. The
 * service must keep to ~1 message/s in the channel and lose none. It runs with the production Web API retry
 * policy, on its own fake Slack and portal, so it can run beside the other sections (it is mostly waiting).
 */
export async function measurePacing(context: PacingContext): Promise<Row[]> {
  const { plan, log } = context;
  const { messages } = plan.pacing;
  const fakes: BenchFakes = await startFakes();
  try {
    const env = serviceEnv(fakes);
    delete env.BENCH_SLACK_RETRIES;
    delete env.BENCH_SLACK_PACING;
    const service = await forkChild('service', env);
    try {
      log(`pacing: ${messages} mentions in one channel`);
      const channel = 'CPACING01';
      const rateLimit = () => fakes.slack.inject({ method: 'chat.postMessage', status: 429, retryAfter: 1, times: 1 });
      rateLimit();
      const injector = setInterval(rateLimit, plan.pacing.rateLimitEveryMs);
      const threads: { channelId: string; threadTs: string }[] = [];
      try {
        for (let index = 0; index < messages; index++) {
          const { event, ts } = fakes.slack.mention({ user: Alice.id, channel, text: `question ${index + 1}` });
          threads.push({ channelId: channel, threadTs: ts });
          const response = await deliver(service.url, event, 'event');
          if (response.status !== 200) throw new Error(`the service answered ${response.status} to a mention`);
        }
        // ~1 s per message, plus Retry-After pauses and retry back-off; generous, then whatever arrived is judged.
        await waitFor(() => answered(fakes, threads) === messages, messages * 1_500 + 30_000, 250);
      } finally {
        clearInterval(injector);
      }
      await service.idle(10_000);

      const posts = fakes.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === channel);
      const delivered = posts.filter((call) => call.ok).map((call) => call.at.getTime());
      const attempts = posts.map((call) => call.at.getTime());
      const rateLimited = posts.filter((call) => call.httpStatus === 429).length;
      const answeredThreads = answered(fakes, threads);
      const replies = threads.reduce((sum, thread) => sum + botReplies(fakes, thread).length, 0);
      const sorted = [...delivered].sort((a, b) => a - b);
      const first = sorted[0] ?? 0;
      const last = sorted.at(-1) ?? 0;
      const spanSeconds = (last - first) / 1000;
      // The steady rate: what follows the opening burst (every message within 1 s of the first delivered one).
      const burst = sorted.filter((at) => at - first < 1_000);
      const burstEnd = burst.at(-1) ?? first;
      const rate = last > burstEnd ? (sorted.length - burst.length) / ((last - burstEnd) / 1000) : 0;
      const in10s = maxInWindow(attempts, 10_000);
      const in1s = maxInWindow(attempts, 1_000);
      const section = '7 pacing one channel';
      const note =
        `${messages} mentions → ${delivered.length} messages posted in ${spanSeconds.toFixed(1)} s, ` +
        `${attempts.length} chat.postMessage attempts, ${rateLimited} answered 429 (Retry-After: 1)`;
      return [
        {
          section,
          metric: 'replies lost',
          unit: '',
          value: messages - answeredThreads,
          target: '0',
          met: answeredThreads === messages,
          note,
        },
        {
          section,
          metric: 'duplicate replies',
          unit: '',
          value: replies - answeredThreads,
          target: '0',
          met: replies === answeredThreads,
        },
        {
          section,
          metric: 'rate after the opening burst',
          unit: 'msg/s',
          value: rate,
          baseline: { value: 1, label: 'Slack: 1/s' },
          ratio: rate,
          target: '≤ 1.05 msg/s',
          met: rate <= 1.05,
        },
        {
          section,
          metric: 'most attempts in any 10 s',
          unit: '',
          value: in10s,
          target: `≤ ${10 + Burst} (1/s + burst)`,
          met: in10s <= 10 + Burst,
        },
        {
          section,
          metric: 'most attempts in any 1 s',
          unit: '',
          value: in1s,
          target: `≤ ${Burst} (the burst)`,
          met: in1s <= Burst,
          note: 'after a 429 the retried message and the next burst can leave together',
        },
      ];
    } finally {
      await service.stop();
    }
  } finally {
    await fakes.close();
  }
}
