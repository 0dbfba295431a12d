import { type DomainError, type ErrorCode, isDomainError } from '../../domain/errors.js';
import { escapeMrkdwn } from './index.js';

/** Every error code in words a Slack user reads. A code without words fails the type check. */
const replies = {
  'portal.unauthorized':
    'The DuploCloud portal rejected this service’s API token. Nothing was changed; an administrator needs to renew the token.',
  'portal.forbidden':
    'The DuploCloud portal refused this request for the service’s token. Nothing was changed; an administrator should check the token’s role.',
  'portal.not_found': 'The DuploCloud portal could not find that item. It may have been deleted.',
  'portal.rejected': 'The DuploCloud portal rejected the request. Nothing was changed.',
  'portal.unavailable': 'The DuploCloud portal is not answering. Nothing was changed; try again in a minute.',
  'portal.timeout': 'The DuploCloud portal took too long to answer. Nothing was changed; try again in a minute.',
  'portal.bad_response': 'The DuploCloud portal sent an answer this service cannot read. Nothing was changed.',
  'portal.unknown': 'The DuploCloud portal call failed. Nothing was changed.',
  'portal.undetected':
    'This DuploCloud portal does not answer as an AI HelpDesk right now (neither the tenant-scoped nor the workspace-scoped API). Nothing was changed; an administrator can set its `api` in DUPLO_SLACK_APP_PORTALS.',
  'portal.api_changed':
    'This ticket was opened on the portal’s earlier HelpDesk, which the portal no longer serves. Use *Update Context* to move the thread to a new ticket, or open the ticket in the web HelpDesk.',
  'access.no_email':
    'Slack does not share your email address with this app, so it cannot match you to a DuploCloud user. In this workspace, a Slack admin fixes that by reinstalling the app with the `users:read.email` scope. People from another organisation’s workspace (Slack Connect) cannot be matched: ask someone from this workspace, or use the web HelpDesk.',
  'access.external_team':
    'You are in another organisation’s Slack workspace (Slack Connect). People from other workspaces cannot create tickets, talk to the agent or approve commands here unless this service’s operator allows their workspace (SLACK_CONNECT_ALLOWED_TEAMS). Ask someone from this workspace, or use the web HelpDesk.',
  'access.no_portal_user':
    'There is no DuploCloud user with your Slack email address in this portal. Ask a portal administrator for access.',
  'access.space_denied': 'You do not have access to that tenant or workspace in this portal.',
  'access.read_only': 'You have read-only access here, so you cannot approve commands or change the ticket.',
  'access.not_approver':
    'On this portal, approving commands and changing or moving a ticket is limited to its approvers: the people listed in `approvers` for this portal in DUPLO_SLACK_APP_PORTALS (or, where the service may read the portal’s users, a portal user with your email who is not read-only). Ask the service’s operator to add you.',
  'access.identity_not_allowed':
    'That identity is not (or no longer) in the tenant’s `helpdesk-impersonatable-users` setting.',
  'access.no_identities':
    'This tenant has no `helpdesk-impersonatable-users` setting, so the agent cannot act as anyone. A portal administrator adds it under Administrator → Tenants → Settings.',
  'access.scope_not_allowed':
    'One of those scopes is not (or no longer) offered by the workspace or allowed by this service’s operator.',
  'access.no_scopes':
    'This workspace offers no scope this service may use. The operator allows scopes with `allowed_scope_ids` in DUPLO_SLACK_APP_PORTALS (or HELPDESK_ALLOWED_SCOPE_IDS).',
  'agent.unknown': 'That agent is not available there.',
  'agent.failed':
    'The agent stopped with an error instead of an answer. Your message reached it; look at the ticket in the AI HelpDesk, or try again.',
  'thread.not_linked': 'This thread is not linked to a HelpDesk ticket yet. Mention me to create one.',
  'thread.already_linked':
    'This thread is already linked to a ticket. Use Update Context on the ticket card to change it.',
  'thread.busy': 'A ticket is already being created for this thread. Give it a moment.',
  'ticket.closed':
    'This thread’s ticket is closed, so nothing here goes to the agent and nothing was run. Mention me in the thread to reopen it or to create a new ticket.',
  'card.not_found': 'These commands are no longer known to the service.',
  'card.already_submitted': 'These commands were already submitted.',
  'card.changed':
    'Someone changed a decision on this card while you submitted it. Nothing was run: check the choices and Submit again.',
  'card.superseded':
    'The ticket’s context (where it lives, or its permissions) changed after these commands were proposed, so they will not run. Ask the agent again.',
  'card.expired': 'These commands expired before they were submitted. Ask the agent again.',
  'card.stale_command': 'This card no longer matches the commands that were proposed. Nothing was run.',
  'card.hidden_characters':
    'This command carries invisible or direction-changing characters (marked ⟦U+…⟧ on the card), so what you read may not be what would run. It cannot be approved: reject it and ask the agent for the command without them.',
  'card.no_decisions': 'Choose Approve, Reject or Ignore for at least one command before you submit.',
  'card.invalid_transition': 'These commands cannot change state now.',
  'limit.exceeded': 'Too many requests in a short time. Wait a minute and try again.',
  'input.invalid': 'Some of the input was not valid.',
  'store.unavailable': 'The service’s database is not answering. Nothing was changed; try again shortly.',
  'store.conflict': 'Someone else changed this at the same moment. Try again.',
  'slack.not_in_channel': 'I am not a member of this channel. Invite me with `/invite @DuploCloud AI` and try again.',
  'slack.channel_not_found': 'I cannot see this channel.',
  'slack.expired_trigger': 'Slack took too long to open the form. Click the button again.',
  'slack.invalid_blocks': 'Slack refused a message this service built. It is logged.',
  'slack.rate_limited': 'Slack is rate limiting this app, so a message could not be posted. Try again in a minute.',
  'slack.failed': 'A Slack call failed. It is logged.',
} satisfies Record<ErrorCode, string>;

export const wordsFor = (code: ErrorCode): string => replies[code];

export const replyFor = (error: unknown): string => {
  if (!isDomainError(error)) return 'Something failed on our side; it is logged.';
  if (error.code === 'limit.exceeded') return limitWords(error.details) ?? replies[error.code];
  const uncertain = uncertainOutcomeWords(error);
  if (uncertain) return uncertain;
  return replies[error.code];
};

/** Portal calls that change something and must not simply be repeated: the words for what may have happened. */
const unrepeatable: Readonly<Record<string, string>> = {
  createTicket: 'The ticket may have been created anyway: look in the AI HelpDesk before you try again.',
  sendMessage:
    'Your message may have reached the agent anyway: look at the ticket in the AI HelpDesk before you send it again.',
  setTicketStatus:
    'The ticket’s status may have changed in the AI HelpDesk anyway; in Slack the ticket stays as it was. Look at it in the AI HelpDesk before you try again.',
};

/** Socket errors that mean the request never left, as opposed to a connection lost while it was being answered. */
const neverSent = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * "Nothing was changed" is only true when the portal refused the call or it never left. A timeout, a dropped
 * connection, a 5xx or an unreadable 2xx on a call that creates something leaves its outcome unknown.
 */
function uncertainOutcomeWords(error: DomainError): string | undefined {
  const after = unrepeatable[String(error.details.operation)];
  if (!after) return undefined;
  const { code } = error;
  const sent =
    code === 'portal.timeout' ||
    code === 'portal.bad_response' ||
    code === 'portal.unknown' ||
    (code === 'portal.unavailable' && !neverSent.has(String(error.details.errorCode)));
  if (!sent) return undefined;
  return `${portalClause(error).replace(/^./, (first) => first.toUpperCase())}. ${after}`;
}

/** The limit a person hit, its size, and when they may go on (rate-limit.ts LimitDetails). */
function limitWords(details: Readonly<Record<string, unknown>>): string | undefined {
  const { action, scope, capacity, perMinute, retryAfterSeconds } = details;
  if (typeof capacity !== 'number' || typeof perMinute !== 'number' || typeof retryAfterSeconds !== 'number') {
    return undefined;
  }
  const what = action === 'ticket' ? 'tickets created' : 'messages sent to the agent';
  const whose = scope === 'thread' ? 'in one thread' : 'by one person';
  return (
    `Too many ${what} ${whose} in a short time: at most ${capacity} at once, then ${perMinute} a minute, so that ` +
    `nobody floods the DuploCloud portal. Nothing was sent. Try again in ${retryAfterSeconds} s.`
  );
}

/** What went wrong with a portal call, as a clause of a sentence. */
const portalClause = (error: unknown): string => {
  if (!isDomainError(error)) return 'an unexpected error, which is logged';
  switch (error.code) {
    case 'portal.unavailable':
      return typeof error.details.status === 'number'
        ? `the DuploCloud portal answered with an error (HTTP ${error.details.status})`
        : 'the DuploCloud portal is not answering';
    case 'portal.timeout':
      return 'the DuploCloud portal took too long to answer';
    case 'portal.unauthorized':
    case 'portal.forbidden':
      return 'the DuploCloud portal refused the service’s token';
    case 'portal.bad_response':
      return 'the DuploCloud portal sent an answer this service cannot read';
    default:
      return error.code.startsWith('portal.') ? 'the DuploCloud portal call failed' : 'a failure, which is logged';
  }
};

/**
 * Why something could not be shown or recorded after the portal accepted a change, as a clause ("Slack is rate
 * limiting this app"). Unlike replyFor, it never says "nothing was changed" nor "try again": what the portal accepted
 * stands, and is not to be sent again.
 */
export const causeOf = (error: unknown, redact?: (text: string) => string): string => {
  if (!isDomainError(error)) return 'an error on our side, which is logged';
  switch (error.code) {
    case 'agent.failed': {
      // The agent's words are shown only redacted; without a redactor at hand, only that it failed.
      const words = typeof error.details.agentWords === 'string' ? error.details.agentWords.trim() : '';
      return redact && words
        ? `the agent stopped with an error: ${escapeMrkdwn(redact(words))}`
        : 'the agent stopped with an error';
    }
    case 'slack.not_in_channel':
      return 'I am not a member of this channel (invite me with `/invite @DuploCloud AI`)';
    case 'slack.channel_not_found':
      return 'I cannot see this channel';
    case 'slack.invalid_blocks':
      return 'Slack refused a message this service built; it is logged';
    case 'slack.rate_limited':
      return 'Slack is rate limiting this app';
    case 'slack.failed':
    case 'slack.expired_trigger':
      return 'a Slack call failed; it is logged';
    case 'store.unavailable':
      return 'the service’s database is not answering';
    case 'store.conflict':
      return 'someone else changed it at the same moment';
    default:
      return error.code.startsWith('portal.') ? portalClause(error) : 'a failure, which is logged';
  }
};

/**
 * A Submit whose echo failed after the card was claimed: the decisions may have reached the portal, so the card never
 * sends them again; the person checks the ticket and asks the agent again.
 */
export const submitFailedWords = (error: unknown): string =>
  `Sending these decisions to the agent failed: ${portalClause(error)}. They may or may not have reached it, and ` +
  'this card will not send them again. Check the ticket in the AI HelpDesk, then ask the agent here to propose ' +
  'the commands again.';
