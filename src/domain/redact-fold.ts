/**
 * What the redactor's detectors read when the text hides what it spells (issue 12: a secret split to slip past the
 * detectors). A zero-width space inside a key name (`pass\u200Bword=…`) or a token (`ghp_…\u200B…`) shows the same
 * in Slack and copies into a terminal as the same secret once a person deletes what they cannot see; a fullwidth
 * `ｐａｓｓｗｏｒｄ` or a Cyrillic `а` in `pаssword` reads as the Latin word. The detectors run on a folded view:
 *
 * - removed: format characters (Cf: zero-width U+200B–U+200D, word joiner and invisible operators U+2060–U+2064,
 *   U+FEFF, soft hyphen U+00AD, bidirectional controls, tags…) and the other default-ignorable code points
 *   (variation selectors, combining grapheme joiner, Hangul fillers);
 * - replaced one for one: fullwidth ASCII U+FF01–U+FF5E by ASCII, spaces other than U+0020 (no-break, thin,
 *   ideographic…) by U+0020, and the Cyrillic and Greek letters that look like Latin ones by those letters.
 *
 * What they find is mapped back onto the original text, so the marker replaces the secret with every hidden
 * character inside it. Control characters (tab, line feed…) are kept: they end lines and values. One pass over the
 * text: linear time, and text without any of these characters is read as it is.
 */

const FOLDABLE =
  /[\p{Cf}\p{Default_Ignorable_Code_Point}\u00A0\u2000-\u200A\u202F\u205F\u3000\uFF01-\uFF5E\u0391-\u03C9\u0400-\u045F]/u;
const REMOVED = /^[\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;
const SPACES = /^[\u00A0\u2000-\u200A\u202F\u205F\u3000]$/u;

/** Cyrillic and Greek letters drawn like Latin ones (Unicode confusables, the letters of one code unit each). */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'B',
  е: 'e',
  к: 'k',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  һ: 'h',
  ԁ: 'd',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  // Greek
  ο: 'o',
  ι: 'i',
  ν: 'v',
  α: 'a',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};

export interface FoldedText {
  /** What the detectors read. */
  readonly text: string;
  /** For each UTF-16 index of `text` (and its length), the index in the original text. */
  readonly origin: (index: number) => number;
}

/** The folded view of `text`, or null when there is nothing to fold (the detectors read the text itself). */
export function foldForDetection(text: string): FoldedText | null {
  if (!FOLDABLE.test(text)) return null;
  const parts: string[] = [];
  // origins[i] is where folded code unit i came from; a code point of two units keeps both.
  const origins: number[] = [];
  let index = 0;
  for (const char of text) {
    const at = index;
    index += char.length;
    if (REMOVED.test(char)) continue;
    const code = char.charCodeAt(0);
    let folded = char;
    if (code >= 0xff01 && code <= 0xff5e) folded = String.fromCharCode(code - 0xfee0);
    else if (SPACES.test(char)) folded = ' ';
    else folded = LOOK_ALIKES[char] ?? char;
    parts.push(folded);
    for (let unit = 0; unit < folded.length; unit += 1) origins.push(at + unit);
  }
  const folded = parts.join('');
  const length = text.length;
  return {
    text: folded,
    // An end index maps past the last unit it covers, so the hidden characters inside a span stay inside it.
    origin: (position) =>
      position >= origins.length ? length : position <= 0 ? (origins[0] ?? 0) : (origins[position] ?? length),
  };
}

/** A span of the folded text as a span of the original: from its first character to just after its last. */
export const originalSpan = (folded: FoldedText, start: number, end: number): [number, number] => {
  const from = folded.origin(start);
  const lastUnit = folded.origin(end - 1);
  return [from, end > start ? lastUnit + 1 : from];
};
