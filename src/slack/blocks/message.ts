import type { KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';

/** A message as chat.postMessage / chat.update take it. `text` is the notification fallback and is always set. */
export interface MessageContent {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export const plainText = (text: string, emoji = true): PlainTextElement => ({ type: 'plain_text', text, emoji });

/** `text` must already be safe mrkdwn (escaped). */
export const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });

/** Slack counts characters, not bytes; cut on code points and mark the cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
