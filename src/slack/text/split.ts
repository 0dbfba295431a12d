/**
 * Sizing text for Slack. Lengths are UTF-16 code units (`string.length`): never fewer than the characters Slack
 * counts, so a piece that fits here fits there, and cuts never split a surrogate pair.
 */

/** A section block's text allows 3000 characters (docs/slack-platform.md §4); 2900 leaves room for a caller's prefix. */
export const defaultSectionChars = 2900;

const FENCE = '```';
const REOPEN = `${FENCE}\n`;
/** Room kept at the end of a piece for a closing fence (with a newline when the piece ends in a backtick). */
const CLOSE_RESERVE = FENCE.length + 1;

/**
 * Long mrkdwn split into pieces of at most `maxChars`, cut after a line where one fits, else at a space, else hard;
 * never inside an escape (`&amp;`), a link (`<url|label>`), a surrogate pair or a backtick run. A piece that ends
 * inside a ``` code block is closed there and the next piece reopens it, so every piece renders alone.
 * Without code fences, `pieces.join('')` is the input. Empty text gives no pieces.
 */
export function splitForSlack(text: string, maxChars: number = defaultSectionChars): string[] {
  if (maxChars < REOPEN.length + CLOSE_RESERVE + 8) throw new RangeError(`maxChars ${maxChars} is too small`);
  if (text.length <= maxChars) return text.length > 0 ? [text] : [];
  const pieces: string[] = [];
  let position = 0;
  let open = false; // inside a code block at `position`
  while (position < text.length) {
    const prefix = open ? REOPEN : '';
    const rest = text.length - position;
    if (prefix.length + rest <= maxChars) {
      pieces.push(prefix + text.slice(position));
      break;
    }
    let cut = chooseCut(text, position, maxChars - prefix.length - CLOSE_RESERVE);
    let piece = text.slice(position, position + cut);
    let endsOpen = endsInsideBlock(open, piece);
    // A closing fence right after the cut would leave the next piece an empty block: take it along if it fits.
    const run = endsOpen ? backtickRunLength(text, position + cut) : 0;
    if (run >= FENCE.length) {
      const longer = text.slice(position, position + cut + run);
      const longerEndsOpen = endsInsideBlock(open, longer);
      if (prefix.length + longer.length + (longerEndsOpen ? CLOSE_RESERVE : 0) <= maxChars) {
        cut += run;
        piece = longer;
        endsOpen = longerEndsOpen;
      }
    }
    const close = endsOpen ? (piece.endsWith('`') ? `\n${FENCE}` : FENCE) : '';
    pieces.push(prefix + piece + close);
    position += cut;
    open = endsOpen;
  }
  return pieces;
}

/** Slack pairs ``` left to right: an odd number of them flips whether the text after them is code. */
const endsInsideBlock = (startsInside: boolean, text: string): boolean => {
  let count = 0;
  for (let at = text.indexOf(FENCE); at >= 0; at = text.indexOf(FENCE, at + FENCE.length)) count += 1;
  return startsInside !== (count % 2 === 1);
};

const backtickRunLength = (text: string, from: number): number => {
  let end = from;
  while (text[end] === '`') end += 1;
  return end - from;
};

/** How many characters from `start` go in the next piece (at least one, at most `budget`). */
const chooseCut = (text: string, start: number, budget: number): number => {
  const window = text.slice(start, start + budget);
  const newline = window.lastIndexOf('\n');
  if (newline >= 0 && window.slice(0, newline).trim() !== '') return newline + 1;
  // No line end fits: prefer a space in the last fifth of the window, so words stay whole.
  const space = window.search(/\s(?=\S*$)/);
  const cut = backOffUnsafeCut(text, start, space >= Math.floor(budget * 0.8) ? space + 1 : budget);
  if (cut > 0) return cut;
  // Backing off left nothing (one huge link or escape at the start): cut hard, keeping a surrogate pair whole.
  return isLowSurrogate(text.charCodeAt(start + budget)) ? budget - 1 : budget;
};

const LOOKAHEAD = 3100;

/** Moves a cut back so it does not fall inside a surrogate pair, an escape, a `<link>` or a backtick run. */
const backOffUnsafeCut = (text: string, start: number, cut: number): number => {
  let at = start + cut;
  if (isLowSurrogate(text.charCodeAt(at))) at -= 1;
  const before = text.slice(start, at);
  const after = text.slice(at, at + LOOKAHEAD);
  const entity = /&[#a-z0-9]{0,7}$/i.exec(before);
  if (entity && /^[#a-z0-9]*;/i.test(after.slice(0, 8))) at = start + entity.index;
  const opener = before.lastIndexOf('<');
  if (opener >= 0 && before.lastIndexOf('>') < opener && after.includes('>')) at = Math.min(at, start + opener);
  while (at > start && text[at - 1] === '`' && text[at] === '`') at -= 1;
  return at - start;
};

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A label, option text or title cut to `max` characters with an ellipsis, on a grapheme boundary so no emoji,
 * flag or accent is split. Text that fits is returned as is.
 */
export function truncateLabel(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length + segment.length > max - 1) break;
    kept += segment;
  }
  return `${kept.trimEnd()}…`;
}

export interface MessageLimits {
  readonly maxChars: number;
  readonly maxLines: number;
}

/**
 * Posted inline, a reply of up to ~11,000 characters stays under the ~13k block text at which Slack refuses a
 * message (docs/slack-platform.md §4, bolt-js#2509); 150 lines is about as much as a thread reader scrolls through.
 */
export const defaultMessageLimits: MessageLimits = { maxChars: 11_000, maxLines: 150 };

/** True when text should go up as a file rather than as a message. */
export function isTooLongForMessage(text: string, limits: Partial<MessageLimits> = {}): boolean {
  const { maxChars, maxLines } = { ...defaultMessageLimits, ...limits };
  if (text.length > maxChars) return true;
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < text.length - 1; at = text.indexOf('\n', at + 1)) lines += 1;
  return lines > maxLines;
}
