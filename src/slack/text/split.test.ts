import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMessageLimits, isTooLongForMessage, splitForSlack, truncateLabel } from './split.js';

describe('splitForSlack', () => {
  it('returns short text whole and empty text as no pieces', () => {
    expect(splitForSlack('hello')).toEqual(['hello']);
    expect(splitForSlack('x'.repeat(2900))).toEqual(['x'.repeat(2900)]);
    expect(splitForSlack('')).toEqual([]);
  });

  it('cuts after whole lines', () => {
    const line = `${'word '.repeat(19)}end\n`; // 99 characters
    const text = line.repeat(25);
    const pieces = splitForSlack(text, 1000);
    expect(pieces.map((piece) => piece.length)).toEqual([990, 990, 495]);
    expect(pieces.every((piece) => piece.endsWith('end\n'))).toBe(true);
    expect(pieces.join('')).toBe(text);
  });

  it('cuts a line too long for a piece at a space, else hard', () => {
    expect(splitForSlack(`${'abcd '.repeat(60)}`, 100).every((piece) => piece.length <= 100)).toBe(true);
    expect(splitForSlack(`${'abcd '.repeat(60)}`, 100)[0]).toBe('abcd '.repeat(19));
    expect(splitForSlack('x'.repeat(250), 100)).toEqual(['x'.repeat(96), 'x'.repeat(96), 'x'.repeat(58)]);
  });

  it('closes a code block at a cut and reopens it in the next piece', () => {
    const text = `Output:\n\`\`\`\n${'pod-x Running\n'.repeat(20)}\`\`\`\nDone.`;
    const pieces = splitForSlack(text, 120);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(120);
      expect((piece.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(pieces[0]?.startsWith('Output:\n```\npod-x Running\n')).toBe(true);
    expect(pieces[0]?.endsWith('pod-x Running\n```')).toBe(true);
    expect(pieces[1]?.startsWith('```\npod-x Running\n')).toBe(true);
    expect(pieces.at(-1)?.endsWith('```\nDone.')).toBe(true);
    expect(pieces.join('').replace(/```\n?/g, '')).toBe(text.replace(/```\n?/g, ''));
  });

  it('does not cut inside an escape, a link or a surrogate pair', () => {
    const filler = 'a'.repeat(95);
    expect(splitForSlack(`${filler}&amp;bbbbbbbbbb`, 100)[0]).toBe(filler);
    expect(splitForSlack(`${filler}<https://x.example|x>`, 100)[0]).toBe(filler);
    expect(splitForSlack(`${'a'.repeat(95)}👍🏽👍🏽`, 100)[0]).toBe(`${'a'.repeat(95)}`);
  });

  it('rejects a maximum too small to hold a reopened code block', () => {
    expect(() => splitForSlack('x'.repeat(100), 10)).toThrow(RangeError);
  });

  const plainText = fc
    .array(fc.constantFrom('word', ' ', '\n', 'ünïcode', '👍🏽', '&amp;', '&lt;', '<https://x.example/a|link>', 'x'), {
      maxLength: 300,
    })
    .map((parts) => parts.join(''));

  it('keeps every piece within the limit and loses nothing', () => {
    fc.assert(
      fc.property(plainText, fc.integer({ min: 40, max: 400 }), (text, max) => {
        const pieces = splitForSlack(text, max);
        expect(pieces.join('')).toBe(text);
        for (const piece of pieces) {
          expect(piece.length).toBeGreaterThan(0);
          expect(piece.length).toBeLessThanOrEqual(max);
          expect(piece).not.toMatch(/&[a-z]{0,3}$/); // no escape cut in half
          expect(piece.charCodeAt(piece.length - 1) >= 0xd800 && piece.charCodeAt(piece.length - 1) <= 0xdbff).toBe(
            false,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps code blocks balanced in every piece but the last, within the limit, adding only fences', () => {
    const fenced = fc
      .array(
        fc.constantFrom('```', '```\n', '``````', '\n', 'code', ' ', '`', 'line\n', '<https://x.example|x>', '&amp;'),
        {
          maxLength: 300,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fenced, fc.integer({ min: 40, max: 300 }), (text, max) => {
        const pieces = splitForSlack(text, max);
        pieces.forEach((piece, index) => {
          expect(piece.length).toBeLessThanOrEqual(max);
          if (index < pieces.length - 1) expect((piece.match(/```/g) ?? []).length % 2).toBe(0);
        });
        // Only backticks and newlines are ever added.
        expect(pieces.join('').replace(/[`\n]/g, '')).toBe(text.replace(/[`\n]/g, ''));
      }),
      { numRuns: 500 },
    );
  });
});

describe('truncateLabel', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateLabel('Create Ticket', 75)).toBe('Create Ticket');
    expect(truncateLabel('x'.repeat(75), 75)).toBe('x'.repeat(75));
  });

  it('cuts with an ellipsis within the limit', () => {
    expect(truncateLabel('a tenant with a very long name', 10)).toBe('a tenant…');
    expect(truncateLabel('abcdef', 1)).toBe('…');
    expect(truncateLabel('abcdef', 0)).toBe('');
  });

  it('never splits an emoji, a flag or an accent', () => {
    expect(truncateLabel('ok 👍🏽👍🏽', 6)).toBe('ok…');
    expect(truncateLabel('🇫🇷🇩🇪🇮🇹', 6)).toBe('🇫🇷…');
    expect(truncateLabel('cafe\u0301 au lait', 6)).toBe('cafe\u0301…');
  });

  it('always fits, and keeps a prefix of the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.integer({ min: 1, max: 80 }), (text, max) => {
        const label = truncateLabel(text, max);
        expect(label.length).toBeLessThanOrEqual(max);
        if (label !== text) {
          expect(label.endsWith('…')).toBe(true);
          expect(text.startsWith(label.slice(0, -1))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('isTooLongForMessage', () => {
  it('checks characters and lines against the limits', () => {
    expect(isTooLongForMessage('short', { maxChars: 10, maxLines: 2 })).toBe(false);
    expect(isTooLongForMessage('x'.repeat(11), { maxChars: 10, maxLines: 2 })).toBe(true);
    expect(isTooLongForMessage('a\nb', { maxChars: 10, maxLines: 2 })).toBe(false);
    expect(isTooLongForMessage('a\nb\n', { maxChars: 10, maxLines: 2 })).toBe(false); // a final newline adds no line
    expect(isTooLongForMessage('a\nb\nc', { maxChars: 10, maxLines: 2 })).toBe(true);
  });

  it('defaults to the message limits', () => {
    expect(isTooLongForMessage('x'.repeat(defaultMessageLimits.maxChars))).toBe(false);
    expect(isTooLongForMessage('x'.repeat(defaultMessageLimits.maxChars + 1))).toBe(true);
    expect(isTooLongForMessage('line\n'.repeat(defaultMessageLimits.maxLines + 1))).toBe(true);
    expect(isTooLongForMessage('x', { maxLines: 0 })).toBe(true);
  });
});
