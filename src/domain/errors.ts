/**
 * Coded errors shared by every layer. Adapters (portal, store, Slack) turn library errors into these;
 * `slack/text/error-replies.ts` turns each code into words a user reads. Codes are stable: tests, logs and
 * replies key on them.
 */
export const ErrorCodes = [
  // portal adapter
  'portal.unauthorized',
  'portal.forbidden',
  'portal.not_found',
  'portal.rejected',
  'portal.unavailable',
  'portal.timeout',
  'portal.bad_response',
  'portal.unknown',
  /** The portal answered neither HelpDesk probe (docs/duplocloud-api.md §0). */
  'portal.undetected',
  /** The ticket was opened with the other HelpDesk API than the one the portal speaks now (it was upgraded). */
  'portal.api_changed',
  // who the Slack user is, what they may do
  'access.no_email',
  /** A person of another Slack workspace (Slack Connect) whose team the operator has not allowed. */
  'access.external_team',
  'access.no_portal_user',
  'access.space_denied',
  'access.read_only',
  /** Workspace HelpDesk: approving, changing or moving needs the person among the portal's approvers. */
  'access.not_approver',
  'access.identity_not_allowed',
  'access.no_identities',
  'access.scope_not_allowed',
  'access.no_scopes',
  'agent.unknown',
  /** The agent reported an error instead of an answer (docs/duplocloud-api.md §5). */
  'agent.failed',
  // threads and tickets
  'thread.not_linked',
  'thread.already_linked',
  'thread.busy',
  /** The thread's ticket was closed from Slack: nothing goes to its agent until someone reopens it. */
  'ticket.closed',
  // command cards
  'card.not_found',
  'card.already_submitted',
  'card.changed',
  'card.superseded',
  'card.expired',
  'card.stale_command',
  /** The command carries characters that do not show as what they are (bidi controls, zero-width, …). */
  'card.hidden_characters',
  'card.no_decisions',
  'card.invalid_transition',
  // limits and input
  'limit.exceeded',
  'input.invalid',
  // store
  'store.unavailable',
  'store.conflict',
  // Slack
  'slack.not_in_channel',
  'slack.channel_not_found',
  'slack.expired_trigger',
  'slack.invalid_blocks',
  'slack.rate_limited',
  'slack.failed',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  /** Safe, non-secret facts for logs (portal name, operation, HTTP status). Never tokens. */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, string | number | boolean> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

export const isDomainError = (error: unknown, code?: ErrorCode): error is DomainError =>
  error instanceof DomainError && (code === undefined || error.code === code);
