import type { TicketStore } from './ports.js';

/** What the store keeps only for a while, removed once it is of no more use. */
export interface Housekeeping {
  /**
   * Forgets Slack deliveries processed before `eventsBefore` (a retry of one that old is not expected), then requests
   * made before `requestsBefore` that nobody turned into a ticket. Returns how many of each were removed.
   */
  prune(cutoffs: {
    readonly eventsBefore: Date;
    readonly requestsBefore: Date;
  }): Promise<{ readonly events: number; readonly requests: number }>;
}

export function createHousekeeping({ store }: { store: TicketStore }): Housekeeping {
  return {
    async prune({ eventsBefore, requestsBefore }) {
      const events = await store.pruneEvents(eventsBefore);
      const requests = await store.pruneRequests(requestsBefore);
      return { events, requests };
    },
  };
}
