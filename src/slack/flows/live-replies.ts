import { type ThreadRef, threadKey } from '../../domain/thread-link.js';
import { createStreamBudget, type StreamBudget, type StreamBudgetOptions } from '../web/stream-budget.js';

/**
 * What every live reply of this instance shares: Slack's streaming budget, the order of turns in each thread, and
 * where Slack refused to stream (live-reply.ts shows one turn).
 */
export interface LiveReplyOptions {
  /** Stream replies as they are written (chat.startStream…); off: each reply is posted when the turn ends. */
  readonly streaming: boolean;
  /** This process, as the owner of the streams it opens (a sweep closes those of a process that stopped). */
  readonly instanceId: string;
  /** How often an open stream is marked as still written to. */
  readonly renewEveryMs: number;
  /** A stream is stopped before Slack ends it (about 5 minutes, docs/slack-platform.md §8); the rest shows at the end. */
  readonly maxStreamAgeMs: number;
  /** Streamed text stays under Slack's limit for one streamed message (12,000); the rest shows at the end. */
  readonly maxStreamChars: number;
  /** The thread status changes at most this often (the agent's progress updates in between are coalesced). */
  readonly statusEveryMs: number;
  /** How long a refusal to stream in a conversation (or the whole workspace) is remembered. */
  readonly refusalMemoryMs: number;
  /** A turn nobody ended after this long is closed, so the thread's later turns are not held up. */
  readonly abandonAfterMs: number;
}

export const defaultLiveReplyOptions: Omit<LiveReplyOptions, 'instanceId'> = {
  streaming: true,
  renewEveryMs: 30_000,
  maxStreamAgeMs: 4 * 60_000 + 30_000,
  maxStreamChars: 11_000,
  statusEveryMs: 1_000,
  refusalMemoryMs: 10 * 60_000,
  abandonAfterMs: 15 * 60_000,
};

export interface LiveReplies {
  readonly options: LiveReplyOptions;
  readonly budget: StreamBudget;
  /**
   * Runs `show` once every earlier turn of the thread was shown, so two turns never interleave in it; resolves
   * when `show` is done.
   */
  inTurn(thread: ThreadRef, show: () => Promise<void>): Promise<void>;
  /** Whether Slack refused to stream in this conversation (or workspace) lately. */
  refused(thread: ThreadRef): boolean;
  /** Remembers a refusal: `'conversation'` for this channel, `'workspace'` for every channel. */
  refuse(thread: ThreadRef, scope: 'conversation' | 'workspace'): void;
}

export function createLiveReplies(
  options: Partial<LiveReplyOptions> & Pick<LiveReplyOptions, 'instanceId'>,
  { budget, now = Date.now }: { budget?: StreamBudgetOptions; now?: () => number } = {},
): LiveReplies {
  const settings: LiveReplyOptions = { ...defaultLiveReplyOptions, ...options };
  const turns = new Map<string, Promise<void>>();
  const refusals = new Map<string, number>();
  const conversationKey = (thread: ThreadRef) => `${thread.teamId}/${thread.channelId}`;
  const workspaceKey = (thread: ThreadRef) => thread.teamId;

  return {
    options: settings,
    budget: createStreamBudget({ ...budget, now }),

    inTurn(thread, show) {
      const key = threadKey(thread);
      const earlier = turns.get(key) ?? Promise.resolve();
      const mine = earlier.then(show, show).catch(() => undefined);
      turns.set(key, mine);
      void mine.then(() => {
        if (turns.get(key) === mine) turns.delete(key);
      });
      return mine;
    },

    refused(thread) {
      for (const key of [conversationKey(thread), workspaceKey(thread)]) {
        const until = refusals.get(key);
        if (until !== undefined && until > now()) return true;
        if (until !== undefined) refusals.delete(key);
      }
      return false;
    },

    refuse(thread, scope) {
      // Forget refusals that ran out, so the map holds only live ones however many channels refused.
      for (const [key, until] of refusals) if (until <= now()) refusals.delete(key);
      refusals.set(
        scope === 'workspace' ? workspaceKey(thread) : conversationKey(thread),
        now() + settings.refusalMemoryMs,
      );
    },
  };
}
