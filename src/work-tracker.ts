/**
 * Counts work in flight (Slack handlers, including the slow part after the ack) so that shutdown can wait for it,
 * bounded, before closing the store.
 */
export interface WorkTracker {
  run<T>(work: () => Promise<T>): Promise<T>;
  inFlight(): number;
  /** Resolves true when nothing is in flight, false when `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
}

export function createWorkTracker(): WorkTracker {
  let count = 0;
  let waiters: Array<() => void> = [];

  const settle = () => {
    count -= 1;
    if (count === 0) {
      for (const wake of waiters) wake();
      waiters = [];
    }
  };

  return {
    async run(work) {
      count += 1;
      try {
        return await work();
      } finally {
        settle();
      }
    },
    inFlight: () => count,
    drain(timeoutMs) {
      if (count === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
