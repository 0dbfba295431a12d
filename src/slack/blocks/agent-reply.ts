import type { KnownBlock } from '@slack/types';
import { type AgentMarkdownOptions, agentMarkdownToMrkdwn, escapeMrkdwn, splitForSlack } from '../text/index.js';
import { clip, type MessageContent, mrkdwn } from './message.js';

/** Past this much text a reply goes up as a file: Slack refuses messages of ~13k block characters (bolt-js#2509). */
export const InlineReplyLimit = 11_000;
const SectionLimit = 2900;

export type AgentReplyPost =
  | { readonly kind: 'message'; readonly message: MessageContent }
  | {
      readonly kind: 'file';
      readonly summary: MessageContent;
      readonly filename: string;
      readonly content: string;
    };

/**
 * The agent's text as it goes to the thread: Markdown converted to safe mrkdwn (no mentions, no link injection),
 * split into sections; a reply too long for a message goes up as a Markdown file with its beginning shown.
 * `text` is already redacted by the caller. Links show their target unless they go to one of `trustedHosts` (the
 * portals' hosts; none when not given) and their label cannot pass for a button or another site.
 */
export function buildAgentReply(
  agentName: string,
  text: string,
  { trustedHosts = [] }: AgentMarkdownOptions = {},
): AgentReplyPost {
  const body = text.trim().length > 0 ? text : '_(the agent sent no text)_';
  const converted = agentMarkdownToMrkdwn(body, { trustedHosts });
  const fallback = escapeMrkdwn(`${agentName}: ${clip(body.replace(/\s+/g, ' '), 300)}`);
  if (converted.length <= InlineReplyLimit) {
    const blocks: KnownBlock[] = splitForSlack(converted, SectionLimit).map((chunk) => ({
      type: 'section',
      text: mrkdwn(chunk),
    }));
    return { kind: 'message', message: { text: fallback, blocks } };
  }
  const [first = ''] = splitForSlack(converted, SectionLimit);
  return {
    kind: 'file',
    filename: 'agent-reply.md',
    content: body,
    summary: {
      text: fallback,
      blocks: [
        { type: 'section', text: mrkdwn(first) },
        {
          type: 'context',
          elements: [mrkdwn(`The full reply (${Array.from(body).length} characters) is in the attached file.`)],
        },
      ],
    },
  };
}
