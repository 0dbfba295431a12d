import { escapeMrkdwn } from '../text/index.js';
import { type MessageContent, mrkdwn } from './message.js';

/** A short message in a thread or an ephemeral reply: what failed and what to do. `words` is trusted prose. */
export const buildNotice = (words: string, detail?: string): MessageContent => ({
  text: words,
  blocks: [
    { type: 'section', text: mrkdwn(`:warning: ${words}`) },
    ...(detail ? [{ type: 'context' as const, elements: [mrkdwn(escapeMrkdwn(detail))] }] : []),
  ],
});
