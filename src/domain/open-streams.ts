import type { Clock, OpenStream, TicketStore } from './ports.js';
import type { ThreadRef } from './thread-link.js';

/**
 * The replies this service is streaming into Slack threads (docs/slack-platform.md §8). Slack shows a streamed
 * message as still being written until it is stopped: each one is recorded while it is open, so that a sweep can stop
 * those a stopped process left open.
 */
export interface OpenStreamLedger {
  /** A stream `owner` (this instance) opened, started now. */
  opened(stream: {
    readonly thread: ThreadRef;
    readonly messageTs: string;
    readonly agentName: string;
    readonly owner: string;
  }): Promise<void>;
  /** Its owner is still writing into the stream. */
  stillWriting(channelId: string, messageTs: string): Promise<void>;
  /** The stream was stopped (or is no longer a stream). */
  closed(channelId: string, messageTs: string): Promise<void>;
  /**
   * At most `limit` streams nobody renewed since `before` (their instance stopped): each is handed to one caller
   * only, and forgotten.
   */
  claimAbandoned(before: Date, limit: number): Promise<OpenStream[]>;
}

export function createOpenStreamLedger({ store, clock }: { store: TicketStore; clock: Clock }): OpenStreamLedger {
  return {
    async opened(stream) {
      const at = clock.now();
      await store.recordStream({ ...stream, startedAt: at }, at);
    },
    stillWriting: (channelId, messageTs) => store.renewStream(channelId, messageTs, clock.now()),
    closed: (channelId, messageTs) => store.forgetStream(channelId, messageTs),
    claimAbandoned: (before, limit) => store.claimStaleStreams(before, limit),
  };
}
