import { describePermissions } from '../../domain/helpdesk.js';
import type { TicketLink } from '../../domain/thread-link.js';
import { escapeMrkdwn, escapeTrustedMrkdwn } from '../text/index.js';
import { helpdeskLabels } from './helpdesk-labels.js';
import { type MessageContent, mrkdwn } from './message.js';

/**
 * A short message in a thread or an ephemeral reply: what failed and what to do. `words` is our prose and may carry
 * mrkdwn emphasis and mentions of `mentions` (by default any user mention, as callers that name the person write
 * one); names in it should be escaped by the caller, and anything else that looks like markup (`<!channel>`, a link)
 * is escaped here, in the blocks and in the notification text alike.
 */
export const buildNotice = (
  words: string,
  detail?: string,
  mentions: readonly string[] | 'any' = 'any',
): MessageContent => {
  const safe = escapeTrustedMrkdwn(words, mentions);
  return {
    text: safe,
    blocks: [
      { type: 'section', text: mrkdwn(`:warning: ${safe}`) },
      ...(detail ? [{ type: 'context' as const, elements: [mrkdwn(escapeMrkdwn(detail))] }] : []),
    ],
  };
};

/**
 * A one-line note in a thread (who changed the ticket's context, and how): `note` is our mrkdwn with its names
 * escaped, mentioning only the people in `mentions`, shown in a context block; the notification text is the same
 * words, made safe the same way as a notice.
 */
export const buildThreadNote = (note: string, mentions: readonly string[]): MessageContent => {
  const safe = escapeTrustedMrkdwn(note, mentions);
  return { text: safe, blocks: [{ type: 'context', elements: [mrkdwn(safe)] }] };
};

/**
 * The placeholder shown while the agent works, where Slack has no thread status line: the agent's name comes from
 * the portal, so it is escaped in the notification text too.
 */
export const buildProgressPlaceholder = (agentName: string, update?: string): MessageContent => {
  const doing = update ? `: ${escapeMrkdwn(update)}` : ' is working on it…';
  return {
    text: `${escapeMrkdwn(agentName)}${doing}`,
    blocks: [{ type: 'context', elements: [mrkdwn(`:hourglass_flowing_sand: _${escapeMrkdwn(agentName)}${doing}_`)] }],
  };
};

/** The progress placeholder ended with a short note (our prose) instead of "working on it…". */
export const buildPlaceholderNote = (note: string): MessageContent => ({
  text: note,
  blocks: [{ type: 'context', elements: [mrkdwn(`_${note}_`)] }],
});

/**
 * Tells a person privately that `count` secret-looking values in what they wrote were replaced before anything kept,
 * showed or sent it; `what` says where they went ("went to the agent as [REDACTED]").
 */
export const buildRedactionNotice = (count: number, what: string): MessageContent => {
  const values = count === 1 ? '1 value that looks' : `${count} values that look`;
  return buildNotice(`${values} like a secret ${what}. Secrets stay out of tickets.`);
};

/** Where a ticket lives, as notes name it: its space (tenant or workspace) in bold, then its portal. */
export const ticketPlace = (link: Pick<TicketLink, 'spaceName' | 'portal'>): string =>
  `*${escapeMrkdwn(link.spaceName)}* (${escapeMrkdwn(link.portal)})`;

/** What Update Context did, as the thread's note says it (who did it is mentioned, no one else). */
export type ContextChangeNote =
  | {
      /** A new ticket took the thread over: in another space, or with other permissions (fixed at creation). */
      readonly kind: 'moved';
      readonly userId: string;
      readonly because: 'space' | 'permissions';
      readonly link: Pick<TicketLink, 'spaceName' | 'portal' | 'api' | 'permissions'>;
      /** What the portal's operator calls a workspace (PortalSettings.spaceLabel). */
      readonly spaceLabel: string | null;
      /** Share Thread Context = Yes: the thread's messages went along, with `redactions` values replaced first. */
      readonly shared: boolean;
      readonly redactions: number;
      /** A New Message went to the new ticket (what went, when the thread's messages did not). */
      readonly newMessage: boolean;
    }
  /** Same ticket, another agent. */
  | { readonly kind: 'agent'; readonly userId: string; readonly agentName: string };

export function buildContextChangeNote(change: ContextChangeNote): MessageContent {
  const who = `<@${change.userId}>`;
  if (change.kind === 'agent') {
    return buildThreadNote(`${who} updated the context: agent → *${escapeMrkdwn(change.agentName)}*.`, [change.userId]);
  }
  const { link, redactions } = change;
  const where = ticketPlace(link);
  const labels = helpdeskLabels(link.api, change.spaceLabel);
  const what =
    change.because === 'space'
      ? `moved this thread to ${where}`
      : `opened a new ticket in ${where} with ${labels.permissions.toLowerCase()} *${escapeMrkdwn(describePermissions(link.permissions))}* (a ticket’s permissions are fixed when it is created)`;
  const note = change.shared
    ? `${who} ${what} and shared its messages with the new ticket. ${redactions === 1 ? '1 value that looked like a secret was' : `${redactions} values that looked like secrets were`} redacted first.`
    : `${who} ${what}. The earlier messages were not shared${change.newMessage ? '; only the new message was' : ''}.`;
  return buildThreadNote(note, [change.userId]);
}
