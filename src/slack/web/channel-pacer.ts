/**
 * Paces messages per channel to Slack's ~1 message/second (docs/slack-platform.md §5), allowing a short burst: a token bucket per
 * channel (capacity `burst`, refilled at `perSecond`), with messages to one channel sent one at a time, in order.
 * A bucket outlives its queue, so sequential posts from one handler are paced as much as a flood from many; full,
 * idle buckets are forgotten. (p-queue's fixed windows let a new window's burst follow the last one at once, and
 * an idle queue forgot its history, so it did not pace either case.)
 */
export interface ChannelPacer {
  run<T>(channelId: string, work: () => Promise<T>): Promise<T>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  tail: Promise<unknown>;
  pending: number;
}

export function createChannelPacer({
  perSecond = 1,
  burst = 2,
  now = () => Date.now(),
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
}: {
  perSecond?: number;
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
} = {}): ChannelPacer {
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, at: number) => {
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = at;
  };

  const forgetIdle = () => {
    if (buckets.size < 1_000) return;
    const at = now();
    for (const [channel, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.pending === 0 && bucket.tokens >= burst) buckets.delete(channel);
    }
  };

  const takeToken = async (bucket: Bucket) => {
    refill(bucket, now());
    while (bucket.tokens < 1) {
      await sleep(Math.ceil(((1 - bucket.tokens) / perSecond) * 1000));
      refill(bucket, now());
    }
    bucket.tokens -= 1;
  };

  return {
    run(channelId, work) {
      forgetIdle();
      let bucket = buckets.get(channelId);
      if (!bucket) {
        bucket = { tokens: burst, updatedAt: now(), tail: Promise.resolve(), pending: 0 };
        buckets.set(channelId, bucket);
      }
      const current = bucket;
      current.pending += 1;
      const result = current.tail
        .catch(() => undefined)
        .then(async () => {
          await takeToken(current);
          return work();
        })
        .finally(() => {
          current.pending -= 1;
        });
      current.tail = result.catch(() => undefined);
      return result;
    },
  };
}
