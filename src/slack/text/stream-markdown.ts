import { escapeMrkdwn } from './escape.js';

/**
 * Settled, redacted agent text as it is streamed into a Slack message (`markdown_text` of chat.startStream /
 * appendStream, docs/slack-platform.md §8). The streamed text is a live preview: when the turn ends the message is
 * replaced by the same formatted blocks a posted reply gets (blocks/agent-reply.ts). Until then it must be as safe:
 * - `&`, `<` and `>` are escaped as in mrkdwn (§7), so `<!channel>`, `<@U…>` and `<url|label>` are only text;
 * - a Markdown link or image (`[label](url)`, `[label][ref]`, `[ref]: url`) is broken apart, so its label cannot
 *   hide where it goes: the URL shows as written.
 * Every rule looks at most two characters, and the pieces it is given end at whitespace (domain/streamed-text.ts),
 * so applying it piece by piece gives the same text as applying it to the whole.
 */
export const streamMarkdown = (settled: string): string => escapeMrkdwn(settled).replace(/\](?=[([:])/g, '] ');
