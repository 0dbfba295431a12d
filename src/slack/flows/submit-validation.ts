import { type DomainError, isDomainError } from '../../domain/errors.js';
import type { PortalClient } from '../../domain/ports.js';
import type { ThreadRef } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { type CompleteForm, completeForm, type FormField, fieldLocator } from '../parse/form-fields.js';
import { type FormMetadata, parseFormMetadata } from '../parse/form-metadata.js';
import { type FormValues, parseFormValues } from '../parse/form-state.js';
import { portalWithKey } from '../parse/portal-key.js';
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

/** A ticket form's submission, read: its metadata, values, the complete choice, its portal, and where each field is. */
export interface SubmittedTicketForm<M extends FormMetadata = FormMetadata> {
  readonly metadata: M;
  readonly values: FormValues;
  readonly complete: CompleteForm;
  readonly portal: PortalClient;
  /** The block id of a field's input in this view (errors are shown beside it). */
  readonly where: (field: FormField) => string;
}

/**
 * Reads a Create Ticket or Update Context submission before anything is asked of the portal: a form whose metadata
 * `accepts` refuses, or whose portal is no longer configured, is out of date (`reopen` says how to open it again); an
 * incomplete one is shown the field to fill. Those are answered in the ack here, and the result is null.
 */
export async function readTicketForm<M extends FormMetadata = FormMetadata>(
  deps: SlackDeps,
  view: { readonly private_metadata: string; readonly state?: { readonly values: unknown } },
  ack: ViewAck,
  { accepts, reopen }: { accepts: (metadata: FormMetadata) => metadata is M; reopen: string },
): Promise<SubmittedTicketForm<M> | null> {
  const metadata = parseFormMetadata(view.private_metadata);
  // Slack always sends the view's state; a malformed payload may not, and then every field reads as empty.
  const stateValues = view.state?.values ?? {};
  const values = parseFormValues(stateValues);
  const where = fieldLocator(stateValues);
  const outOfDate = () =>
    ack({
      response_action: 'errors',
      errors: { [where('portal')]: `This form is out of date. Close it and ${reopen} again.` },
    });
  if (!metadata || !accepts(metadata)) {
    await outOfDate();
    return null;
  }
  const complete = completeForm(values);
  if (!complete.ok) {
    await ack({ response_action: 'errors', errors: { [where(complete.field)]: complete.message } });
    return null;
  }
  const portal = portalWithKey(deps.portals.list(), complete.value.portalKey);
  if (!portal) {
    await outOfDate();
    return null;
  }
  return { metadata, values, complete: complete.value, portal, where };
}
