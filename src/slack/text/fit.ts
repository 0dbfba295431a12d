import { codeBlock, escapeMrkdwn } from './escape.js';

/**
 * Fitting untrusted text into Slack's character limits. The limit applies to what Slack receives, and escaping
 * grows text (`<none>` becomes `&lt;none&gt;`, six characters more), so text is escaped first and cut after.
 * Lengths are UTF-16 code units (`string.length`), as in split.ts: never fewer than the characters Slack counts.
 */

const ELLIPSIS = '…';
const OPEN = '```\n';
const CLOSE = '\n```';
/** The longest escape escapeMrkdwn writes (`&amp;`). */
const LONGEST_ESCAPE = '&amp;'.length;

/** Text that fitted, and whether anything was cut to make it fit. */
export interface Fitted {
  readonly text: string;
  readonly cut: boolean;
}

/**
 * Already escaped mrkdwn cut to at most `max` characters, ending in `…` when cut. A cut never falls inside an
 * escape (`&amp;`, `&lt;`, `&gt;`) or a surrogate pair: the escape or character is left out whole instead.
 */
export function fitEscaped(escaped: string, max: number): Fitted {
  if (escaped.length <= max) return { text: escaped, cut: false };
  if (max < ELLIPSIS.length) return { text: '', cut: true };
  let end = max - ELLIPSIS.length;
  const entity = escaped.lastIndexOf('&', end - 1);
  if (entity >= 0 && end - entity < LONGEST_ESCAPE) {
    const semicolon = escaped.indexOf(';', entity);
    if (semicolon >= end && /^&[#a-z0-9]{1,8};/i.test(escaped.slice(entity, semicolon + 1))) end = entity;
  }
  if (end > 0 && isHighSurrogate(escaped.charCodeAt(end - 1))) end -= 1;
  return { text: `${escaped.slice(0, end)}${ELLIPSIS}`, cut: true };
}

/**
 * Untrusted text escaped for mrkdwn, in at most `max` characters of escaped text. Escaping never shortens text,
 * so only the first `max + 1` characters can reach the result: the rest is not even escaped.
 */
export function escapeToFit(text: string, max: number): Fitted {
  const head = text.length > max ? text.slice(0, max + 1) : text;
  return fitEscaped(escapeMrkdwn(head), max);
}

/**
 * Untrusted text as a code block (see codeBlock) of at most `max` characters, fences included; the body ends in
 * `…` when it was cut. The fences stay whole, so a cut block is still one block.
 */
export function codeBlockToFit(text: string, max: number): Fitted {
  const bodyMax = max - OPEN.length - CLOSE.length;
  if (bodyMax < 2) throw new RangeError(`a code block needs more than ${max} characters`);
  // Escaping and breaking backtick runs never shorten text, so a sliced head always overflows and is cut below,
  // and a backtick run cut by the slice lies past anything that can be kept.
  const head = text.length > bodyMax ? text.slice(0, bodyMax + 1) : text;
  const full = codeBlock(head);
  if (full.length <= max) return { text: full, cut: false };
  const body = fitEscaped(full.slice(OPEN.length, -CLOSE.length), bodyMax);
  return { text: `${OPEN}${body.text}${CLOSE}`, cut: true };
}

/**
 * Shares `total` characters among texts of the given lengths: each gets all it needs when that fits, and the
 * longest ones share what is left equally (never more than they need). The shares sum to at most `total`.
 */
export function shareBudget(lengths: readonly number[], total: number): number[] {
  const shares = lengths.map(() => 0);
  const order = lengths.map((_, index) => index).sort((a, b) => (lengths[a] ?? 0) - (lengths[b] ?? 0));
  let left = Math.max(0, Math.floor(total));
  order.forEach((index, position) => {
    const fair = Math.floor(left / (order.length - position));
    const share = Math.min(Math.max(0, lengths[index] ?? 0), fair);
    shares[index] = share;
    left -= share;
  });
  return shares;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
