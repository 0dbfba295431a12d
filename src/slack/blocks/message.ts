import type { KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';
import { withoutBidiControls } from '../text/bidi.js';

/** A message as chat.postMessage / chat.update take it. `text` is the notification fallback and is always set. */
export interface MessageContent {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/**
 * Slack refuses a section whose text is over 3000 characters (docs/slack-platform.md §4); builders stay a little under it, so
 * what they measure and what Slack counts may differ by a few characters without a refusal.
 */
export const SectionTextMax = 2_950;

/**
 * The characters of text in a message's blocks: every string under a `text` key (text objects, markdown blocks,
 * rich text). Slack refuses a message whose blocks carry too much text (`msg_blocks_too_long`, undocumented:
 * ~12,000 text characters "with a buffer for block containers", bolt-js#2509).
 */
export function blocksTextLength(blocks: unknown): number {
  let total = 0;
  const walk = (value: unknown, key: string | null): void => {
    if (typeof value === 'string') {
      if (key === 'text') total += value.length;
    } else if (Array.isArray(value)) {
      for (const entry of value) walk(entry, null);
    } else if (value !== null && typeof value === 'object') {
      for (const [name, entry] of Object.entries(value)) walk(entry, name);
    }
  };
  walk(blocks, null);
  return total;
}

/** Plain text as Slack shows it, without bidirectional controls (text/bidi.ts): labels and names read as written. */
export const plainText = (text: string, emoji = true): PlainTextElement => ({
  type: 'plain_text',
  text: withoutBidiControls(text),
  emoji,
});

/** `text` must already be safe mrkdwn (escaped). */
export const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });

/** Slack counts characters, not bytes; cut on code points and mark the cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
