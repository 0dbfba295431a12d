/** The outcome of work raced against Slack's ack deadline. */
export type Budgeted<T> =
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'failed'; readonly error: unknown }
  | { readonly state: 'pending'; readonly later: Promise<T> };

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
