import { escapeMrkdwn, escapeTrustedMrkdwn } from '../text/index.js';
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
