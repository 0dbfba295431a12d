import type { NotRecorded, TicketNotLinkedError } from '../../domain/after-send.js';
import { isDomainError } from '../../domain/errors.js';
import type { ThreadRef, TicketLink } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { buildNotice } from '../blocks/notice.js';
import { causeOf } from '../text/error-replies.js';
import { escapeMrkdwn } from '../text/index.js';
import type { SlackDeps } from './deps.js';

/**
 * Something Slack did not show, or the store did not keep, after a portal accepted a change (a message, an approval
 * echo, a new ticket, a reassigned agent). What the portal accepted stands: the person is told what reached it and
 * what could not be shown or recorded, never that it failed, and nothing is sent again.
 */
export interface AfterSendFailure {
  /** What it was, as a person reads it and the log names it: "the agent’s answer". */
  readonly what: string;
  /** Slack did not take it ('shown'), or the store did not keep it ('recorded'). */
  readonly failed: 'shown' | 'recorded';
  readonly error: unknown;
  /** What the person may do about it, as a sentence. */
  readonly advice?: string;
  /** Only logged: nothing anyone needs to act on (a creation lease, which runs out by itself). */
  readonly quiet?: boolean;
  /** Doing it again is the remedy (a reassignment the store did not keep): the closing "no need to… again" is left out. */
  readonly redo?: boolean;
}

/** Store writes the domain could not make after the portal accepted a change, as failures to report. */
export function notRecordedFailures(notRecorded: readonly NotRecorded[]): AfterSendFailure[] {
  return notRecorded.map(({ record, error }) => ({ ...recordWords[record], failed: 'recorded', error }));
}

const recordWords: Record<NotRecorded['record'], Pick<AfterSendFailure, 'what' | 'advice' | 'quiet' | 'redo'>> = {
  card: {
    what: 'that these decisions were sent',
    advice: 'If it still cannot when it next checks, this card may later be shown as interrupted.',
  },
  link: {
    what: 'the new agent',
    advice:
      'Until it does, messages here still go to the earlier agent: choose the new one again with Update Context once the service is back.',
    redo: true,
  },
  audit: { what: 'the audit log entry' },
  lease: { what: 'the end of the ticket-creation lock (it runs out by itself)', quiet: true },
};

/** "in the AI HelpDesk (url)": where a person finds a ticket, and what Slack did not show of it. */
export function inTheHelpDesk(deps: SlackDeps, ticket: Pick<TicketLink, 'portal' | 'spaceId' | 'ticketName'>): string {
  try {
    return `in the AI HelpDesk (${escapeMrkdwn(deps.tickets.ticketUrl(ticket))})`;
  } catch {
    return 'in the AI HelpDesk';
  }
}

const channelCodes = new Set(['slack.not_in_channel', 'slack.channel_not_found']);

/**
 * Logs each failure (what failed, after what), then tells the thread once: "`done`, but X could not be shown here
 * (why); the service could not record Y (why). Advice. `closing`". When the thread itself cannot take a message,
 * the person is told privately. Never throws.
 */
export async function reportAfterSend(
  deps: SlackDeps,
  log: Logger,
  input: {
    readonly thread: ThreadRef;
    readonly slackUserId: string;
    /** What the portal accepted, as the start of a sentence: "Your message reached *kubernetes-agent*". */
    readonly done: string;
    readonly failures: readonly AfterSendFailure[];
    /** The last sentence: "There is no need to send it again." (left out when a failure's remedy is to redo it) */
    readonly closing: string;
  },
): Promise<void> {
  const { thread, slackUserId, done, failures, closing } = input;
  for (const failure of failures) {
    const msg = `after the portal accepted it, could not ${failure.failed === 'shown' ? 'show' : 'record'} ${failure.what}`;
    if (isDomainError(failure.error)) {
      log.warn({ code: failure.error.code, details: failure.error.details, what: failure.what, done }, msg);
    } else log.error({ err: failure.error, what: failure.what, done }, msg);
  }
  const told = new Map<string, AfterSendFailure>();
  for (const failure of failures) {
    const key = `${failure.failed}:${failure.what}`;
    if (!failure.quiet && !told.has(key)) told.set(key, failure);
  }
  if (told.size === 0) return;
  // One clause per kind and cause: "X and Y could not be shown here (why)", "the service could not record X or Y (why)".
  const grouped = new Map<string, { failed: AfterSendFailure['failed']; cause: string; whats: string[] }>();
  for (const failure of told.values()) {
    const cause = causeOf(failure.error, (text) => deps.redactor.redact(text).text);
    const key = `${failure.failed}:${cause}`;
    const group = grouped.get(key) ?? { failed: failure.failed, cause, whats: [] };
    group.whats.push(failure.what);
    grouped.set(key, group);
  }
  const clauses = [...grouped.values()].map(({ failed, cause, whats }) =>
    failed === 'shown'
      ? `${listed(whats, 'and')} could not be shown here (${cause})`
      : `the service could not record ${listed(whats, 'or')} (${cause})`,
  );
  const advice = [...new Set([...told.values()].flatMap((failure) => (failure.advice ? [failure.advice] : [])))];
  const redo = [...told.values()].some((failure) => failure.redo);
  const words = [`${done}, but ${clauses.join('; ')}.`, ...advice, ...(redo ? [] : [closing])].join(' ');
  const unreachable = failures.some((failure) => isDomainError(failure.error) && channelCodes.has(failure.error.code));
  await tell(deps, log, thread, slackUserId, words, unreachable);
}

/**
 * The portal created a ticket that the store could not link to the thread: the ticket exists (creating it again would
 * make a second one), the thread keeps what it had, and nothing was sent to the new ticket's agent.
 */
export async function reportNotLinked(
  deps: SlackDeps,
  log: Logger,
  input: {
    readonly thread: ThreadRef;
    readonly slackUserId: string;
    readonly error: TicketNotLinkedError;
    /** The ticket the thread stays on (Update Context), or none (Create Ticket). */
    readonly previous?: TicketLink;
  },
): Promise<void> {
  const { ticket } = input.error;
  const cause = input.error.cause;
  if (isDomainError(cause)) log.warn({ code: cause.code, details: cause.details, ...ticket }, input.error.message);
  else log.error({ err: cause, ...ticket }, input.error.message);
  const name = `*${escapeMrkdwn(ticket.ticketName)}*`;
  const where = inTheHelpDesk(deps, ticket);
  const words = input.previous
    ? `Ticket ${name} was created in *${escapeMrkdwn(ticket.spaceName)}* for this thread, but the thread could not be ` +
      `moved to it (${causeOf(cause)}). This thread stays on ticket *${escapeMrkdwn(input.previous.ticketName)}*, ` +
      `and nothing was sent to the new one (it is ${where}). Updating the context again opens another ticket.`
    : `Ticket ${name} was created, but this thread could not be linked to it (${causeOf(cause)}), so the request was ` +
      `not sent to its agent. Open it ${where}; Create Ticket here again would open a second one.`;
  const unreachable = isDomainError(cause) && channelCodes.has(cause.code);
  await tell(deps, log, input.thread, input.slackUserId, words, unreachable);
}

/** "a", "a and b", "a, b and c". */
const listed = (items: readonly string[], word: 'and' | 'or'): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;

/** A notice in the thread, or privately when the thread cannot take it (or refused it). Never throws. */
async function tell(
  deps: SlackDeps,
  log: Logger,
  thread: ThreadRef,
  slackUserId: string,
  words: string,
  privately: boolean,
): Promise<void> {
  let failure: unknown;
  try {
    if (privately) await deps.poster.ephemeral(thread, slackUserId, buildNotice(words));
    else await deps.poster.post(thread, buildNotice(words));
    return;
  } catch (error) {
    failure = error;
  }
  if (!privately) {
    try {
      await deps.poster.ephemeral(thread, slackUserId, buildNotice(words));
      return;
    } catch {
      // The first error says why the thread could not be told.
    }
  }
  if (isDomainError(failure) && channelCodes.has(failure.code)) {
    log.warn(
      { code: failure.code, channelId: thread.channelId },
      'cannot post in this channel (invite the bot, or the channel is gone): the person was not told',
    );
  } else log.error({ err: failure }, 'could not tell the person what could not be shown or recorded');
}
