import type { ThreadRef } from '../../domain/thread-link.js';

/**
 * Work this instance has started for someone in a thread and not yet finished: a message on its way to an agent, a
 * Submit whose echo is out, a ticket being created. Shutdown waits for it (bounded); what is still here when the
 * wait runs out is reported in its thread (and a Submit's card marked interrupted) instead of vanishing.
 */
export type InFlightItem =
  | { readonly kind: 'relay'; readonly thread: ThreadRef; readonly slackUserId: string; readonly agentName: string }
  | { readonly kind: 'submit'; readonly thread: ThreadRef; readonly slackUserId: string; readonly cardId: string }
  | { readonly kind: 'create'; readonly thread: ThreadRef; readonly slackUserId: string };

export interface InFlightWork {
  /** Registers work; call the returned function when it is over, however it ended. */
  begin(item: InFlightItem): () => void;
  list(): InFlightItem[];
}

export function createInFlightWork(): InFlightWork {
  const items = new Set<{ item: InFlightItem }>();
  return {
    begin(item) {
      const entry = { item };
      items.add(entry);
      return () => {
        items.delete(entry);
      };
    },
    list: () => [...items].map((entry) => entry.item),
  };
}

/** Runs `work` registered as in flight. */
export async function tracked<T>(inFlight: InFlightWork, item: InFlightItem, work: () => Promise<T>): Promise<T> {
  const done = inFlight.begin(item);
  try {
    return await work();
  } finally {
    done();
  }
}
