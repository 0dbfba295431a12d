/** How much each section does: the full run (under 5 minutes on 2 cores) or `--quick` (CI: every section, tiny). */
export interface Plan {
  readonly mode: 'full' | 'quick';
  readonly ack: {
    /** Requests each app gets before measuring (JIT, connection pools, caches). */
    readonly warmup: number;
    /** Requests per scenario at concurrency 1 and at `connections`. */
    readonly single: number;
    readonly concurrent: number;
    readonly connections: number;
    /** Each scenario's requests are split into this many interleaved rounds. */
    readonly rounds: number;
    /** Portal tickets the linked threads point at. */
    readonly tickets: number;
  };
  readonly interactions: { readonly samples: number };
  readonly relay: { readonly samples: number; readonly portalLatencyMs: number };
  readonly memory: {
    readonly events: number;
    readonly connections: number;
    readonly sampleEveryMs: number;
    /** Fresh processes (full) or the ones sections 1-3 used (quick: no start-up cost). */
    readonly freshProcesses: boolean;
    /** Wait before the idle reading and after the load, for the "after" reading. */
    readonly settleMs: number;
  };
  /** Link counts to measure at, ascending; each engine grows one database through them. */
  readonly store: { readonly sizes: readonly number[]; readonly samples: number };
  readonly pacing: { readonly messages: number; readonly rateLimitEveryMs: number };
  /** First boots (a new PGlite directory or schema) are timed too; a new PGlite cluster takes several seconds. */
  readonly startup: { readonly firstBoot: boolean };
  readonly streaming: {
    /** Gen B replies streamed one after another, each in its own linked thread. */
    readonly oneAtATime: number;
    /** Gen B threads streaming at once. */
    readonly atOnce: number;
    /**
     * The threads streaming at once get a fresh service and fake Slack (full: Slack's per-minute budget whole), or
     * the one-at-a-time ones' (quick: no start-up cost; the few streams fit the budget either way).
     */
    readonly freshService: boolean;
    /** Gen A replies (a streaming agent's events in one unary error body: posted whole). */
    readonly genA: number;
    /** Answer lengths in characters, spread evenly from the first to the second. */
    readonly replyChars: readonly [number, number];
    /** How the fake agent writes: text_deltas of this many characters, one every `eventDelayMs`. */
    readonly deltaChars: number;
    readonly eventDelayMs: number;
  };
}

export const fullPlan: Plan = {
  mode: 'full',
  ack: { warmup: 200, single: 300, concurrent: 1200, connections: 20, rounds: 3, tickets: 20 },
  interactions: { samples: 30 },
  relay: { samples: 100, portalLatencyMs: 20 },
  memory: { events: 500, connections: 20, sampleEveryMs: 100, freshProcesses: true, settleMs: 2_000 },
  store: { sizes: [1_000, 100_000, 1_000_000], samples: 1_000 },
  pacing: { messages: 100, rateLimitEveryMs: 15_000 },
  startup: { firstBoot: true },
  streaming: {
    oneAtATime: 15,
    atOnce: 20,
    freshService: true,
    genA: 5,
    replyChars: [600, 1_500],
    deltaChars: 16,
    eventDelayMs: 40,
  },
};

export const quickPlan: Plan = {
  mode: 'quick',
  ack: { warmup: 20, single: 20, concurrent: 40, connections: 20, rounds: 1, tickets: 2 },
  interactions: { samples: 2 },
  relay: { samples: 5, portalLatencyMs: 5 },
  memory: { events: 40, connections: 20, sampleEveryMs: 100, freshProcesses: false, settleMs: 200 },
  store: { sizes: [100, 1_000], samples: 50 },
  pacing: { messages: 5, rateLimitEveryMs: 60_000 },
  startup: { firstBoot: false },
  streaming: {
    oneAtATime: 2,
    atOnce: 3,
    freshService: false,
    genA: 1,
    replyChars: [400, 500],
    deltaChars: 16,
    eventDelayMs: 40,
  },
};

/** `1000` → `1k`, `1000000` → `1M`. */
export const sizeLabel = (size: number): string =>
  size >= 1_000_000 && size % 1_000_000 === 0
    ? `${size / 1_000_000}M`
    : size >= 1_000 && size % 1_000 === 0
      ? `${size / 1_000}k`
      : String(size);
