import { type DomainError, isDomainError } from '../../domain/errors.js';
import type { ThreadRef } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { remainingBudgetMs, withinBudget } from '../runtime/submit-budget.js';
import { replyFor } from '../text/error-replies.js';
import { reportFailure } from './agent-replies.js';
import type { SlackDeps } from './deps.js';

/** A view submission's ack: empty to close the modal, or errors shown beside inputs (by block id). */
export type ViewAck = (response?: {
  readonly response_action: 'errors';
  readonly errors: Record<string, string>;
}) => Promise<void>;

export interface SubmissionCheck<T> {
  /** The server's check of what the form holds, started already. */
  readonly validation: Promise<T>;
  readonly ack: ViewAck;
  /** When the request reached the service (performance.now() time): Slack's 3 s count from there. */
  readonly receivedAt: number | undefined;
  /** The block id of the input a refusal belongs to, so the person sees it beside what they can fix. */
  readonly blockFor: (error: DomainError) => string;
  /** A check that answered in time and is refused all the same (nothing changed): shown inline; null to go on. */
  readonly refuse?: (value: T) => { readonly block: string; readonly message: string } | null;
  /** Where a problem found after the ack is reported, and what failed, as a sentence starts: "Creating the ticket". */
  readonly thread: ThreadRef;
  readonly userId: string;
  readonly what: string;
}

/**
 * A modal submission checked on the server within Slack's ack deadline (deps.submitBudgetMs): a refusal that comes in
 * time is shown in the form, beside its input; past the budget the modal is closed (acked) and a refusal is reported
 * in the thread (reportFailure). Returns what the check gave, or null when the person was answered already.
 */
export async function checkSubmission<T extends object>(
  deps: SlackDeps,
  log: Logger,
  check: SubmissionCheck<T>,
): Promise<T | null> {
  const { ack, blockFor } = check;
  const outcome = await withinBudget(check.validation, remainingBudgetMs(deps.submitBudgetMs, check.receivedAt));
  if (outcome.state === 'failed' && isDomainError(outcome.error)) {
    await ack({ response_action: 'errors', errors: { [blockFor(outcome.error)]: replyFor(outcome.error) } });
    return null;
  }
  const refused = outcome.state === 'done' ? (check.refuse?.(outcome.value) ?? null) : null;
  if (refused) {
    await ack({ response_action: 'errors', errors: { [refused.block]: refused.message } });
    return null;
  }
  await ack();
  try {
    if (outcome.state === 'failed') throw outcome.error;
    return outcome.state === 'done' ? outcome.value : await outcome.later;
  } catch (error) {
    await reportFailure(deps, log, check.thread, check.userId, error, check.what);
    return null;
  }
}
