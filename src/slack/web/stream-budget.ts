/**
 * Slack's per-minute limits for the streaming methods, kept by this instance for the whole workspace
 * (docs/slack-platform.md §5, §8): chat.startStream and chat.stopStream are Tier 2 (20 a minute), chat.appendStream
 * Tier 4 (100 a minute), counted per app and workspace over any minute. A call waits until it fits the minute; one
 * that would wait longer than its caller allows is not made, and the caller does without it (the text is shown
 * when the turn ends). Live streams share the append budget: each appends at most once per
 * `streams × 60 s / limit`, so twenty threads streaming at once stay inside the minute instead of spending it in
 * seconds and then stalling.
 */
export type StreamMethod = 'chat.startStream' | 'chat.appendStream' | 'chat.stopStream';

export const DefaultStreamLimits: Readonly<Record<StreamMethod, number>> = {
  'chat.startStream': 20,
  'chat.appendStream': 100,
  'chat.stopStream': 20,
};

const MinuteMs = 60_000;

export interface StreamBudget {
  /**
   * Takes one call of `method`, waiting (at most `maxWaitMs`) until it fits the last minute's count. False when it
   * would have to wait longer: the call must not be made.
   */
  take(method: StreamMethod, maxWaitMs: number): Promise<boolean>;
  /** How long a live stream waits between appends now, given how many streams are live. */
  appendIntervalMs(): number;
  /** Counts a live stream until the returned function is called. */
  open(): () => void;
  /** Streams live now. */
  live(): number;
}

export interface StreamBudgetOptions {
  readonly limits?: Partial<Record<StreamMethod, number>>;
  /** The shortest wait between two appends of one stream, however few are live. */
  readonly minAppendIntervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function createStreamBudget({
  limits = {},
  minAppendIntervalMs = 400,
  now = Date.now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: StreamBudgetOptions = {}): StreamBudget {
  const limitOf = (method: StreamMethod): number => limits[method] ?? DefaultStreamLimits[method];
  const calls: Record<StreamMethod, number[]> = {
    'chat.startStream': [],
    'chat.appendStream': [],
    'chat.stopStream': [],
  };
  let live = 0;

  /** Ms until one more call fits; 0 when it fits now. Drops calls older than a minute. */
  const waitFor = (method: StreamMethod): number => {
    const log = calls[method];
    const at = now();
    while (log.length > 0 && (log[0] as number) <= at - MinuteMs) log.shift();
    if (log.length < limitOf(method)) return 0;
    return (log[log.length - limitOf(method)] as number) + MinuteMs - at;
  };

  return {
    async take(method, maxWaitMs) {
      const started = now();
      for (;;) {
        const wait = waitFor(method);
        if (wait === 0) {
          calls[method].push(now());
          return true;
        }
        if (now() + wait - started > maxWaitMs) return false;
        // A little past the minute, so the call Slack counted a minute ago has surely dropped out.
        await sleep(wait + 5);
      }
    },
    appendIntervalMs: () =>
      Math.max(minAppendIntervalMs, Math.ceil((Math.max(live, 1) * MinuteMs) / limitOf('chat.appendStream'))),
    open() {
      live += 1;
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        live -= 1;
      };
    },
    live: () => live,
  };
}
