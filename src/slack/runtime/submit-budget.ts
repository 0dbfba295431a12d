import { performance } from 'node:perf_hooks';

/** The outcome of work raced against Slack's ack deadline. */
export type Budgeted<T> =
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'failed'; readonly error: unknown }
  | { readonly state: 'pending'; readonly later: Promise<T> };

/**
 * What is left of `budgetMs` for a request that reached the service at `receivedAt` (performance.now() time):
 * Slack's 3 s run from when it sent the request, so the time spent reading, verifying and routing it counts too.
 */
export function remainingBudgetMs(budgetMs: number, receivedAt: number | undefined, now = performance.now()): number {
  if (typeof receivedAt !== 'number') return budgetMs;
  return Math.max(0, budgetMs - Math.max(0, now - receivedAt));
}

/**
 * Waits for `work` at most `budgetMs`: a view submission can only show field errors in its ack, which must come
 * within 3 s. Past the budget the caller acks and reports problems in the thread instead.
 */
export async function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<Budgeted<T>> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    (value) => ({ state: 'done' as const, value }),
    (error: unknown) => ({ state: 'failed' as const, error }),
  );
  const timeout = new Promise<{ state: 'pending'; later: Promise<T> }>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'pending', later: work }), budgetMs);
  });
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
