import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeBlock, escapeMrkdwn } from './escape.js';
import { codeBlockToFit, escapeToFit, fitEscaped, shareBudget } from './fit.js';

/** Text with what grows when escaped, backtick runs, emoji (surrogate pairs) and plain letters. */
const hostileText = fc
  .array(fc.constantFrom('<', '>', '&', '<none>', '&&', '`', '```', '😀', '\n', ' ', 'a', 'kubectl', 'é'), {
    maxLength: 120,
  })
  .map((parts) => parts.join(''));

const withoutEllipsis = (text: string) => (text.endsWith('…') ? text.slice(0, -1) : text);

/** True when every `&` starts a whole escape: nothing was cut in half. */
const escapesWhole = (text: string) => !/&(?!(?:amp|lt|gt);)/.test(text);

const endsInLoneSurrogate = (text: string) => /[\uD800-\uDBFF]$/.test(text);

describe('fitEscaped', () => {
  it('keeps text that fits, and marks a cut with …', () => {
    expect(fitEscaped('abc', 3)).toEqual({ text: 'abc', cut: false });
    expect(fitEscaped('abcd', 3)).toEqual({ text: 'ab…', cut: true });
    expect(fitEscaped('abcd', 0)).toEqual({ text: '', cut: true });
  });

  it('leaves out an escape that does not fit whole, never half of it', () => {
    // 'a&amp;b' cut to 4: 'a&a…' would show a broken escape.
    expect(fitEscaped('a&amp;b', 4)).toEqual({ text: 'a…', cut: true });
    expect(fitEscaped('a&amp;b', 7)).toEqual({ text: 'a&amp;b', cut: false });
    expect(fitEscaped('a&amp;bc', 7)).toEqual({ text: 'a&amp;…', cut: true });
    expect(fitEscaped('&lt;none&gt;', 6)).toEqual({ text: '&lt;n…', cut: true });
    expect(fitEscaped('&lt;none&gt;', 10)).toEqual({ text: '&lt;none…', cut: true });
  });

  it('never splits a surrogate pair', () => {
    expect(fitEscaped('a😀b', 3)).toEqual({ text: 'a…', cut: true });
  });
});

describe('escapeToFit', () => {
  it('measures after escaping', () => {
    // Cut before escaping, 10 characters of `<none>` were 24 after it.
    expect(escapeToFit('<none><none>', 10)).toEqual({ text: '&lt;none…', cut: true });
    expect(escapeToFit('<none>', 12)).toEqual({ text: '&lt;none&gt;', cut: false });
  });

  it('stays within the budget, keeps escapes whole, and is a prefix of the escaped text, for any text', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 0, max: 200 }), (text, max) => {
        const fitted = escapeToFit(text, max);
        const escaped = escapeMrkdwn(text);
        expect(fitted.text.length).toBeLessThanOrEqual(max);
        expect(fitted.cut).toBe(escaped.length > max);
        if (!fitted.cut) expect(fitted.text).toBe(escaped);
        else expect(fitted.text.endsWith('…') || fitted.text === '').toBe(true);
        const kept = withoutEllipsis(fitted.text);
        expect(escaped.startsWith(kept)).toBe(true);
        expect(escapesWhole(kept)).toBe(true);
        expect(endsInLoneSurrogate(kept)).toBe(false);
        expect(kept).not.toMatch(/[<>]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('does not escape a huge text just to show its start', () => {
    const huge = '<none> '.repeat(500_000);
    const started = performance.now();
    expect(escapeToFit(huge, 300).text).toHaveLength(300);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('codeBlockToFit', () => {
  it('is codeBlock when that fits', () => {
    expect(codeBlockToFit('ls <dir>', 100)).toEqual({ text: codeBlock('ls <dir>'), cut: false });
    expect(codeBlockToFit('', 10)).toEqual({ text: codeBlock(''), cut: false });
  });

  it('cuts the body after escaping and keeps both fences', () => {
    expect(codeBlockToFit('<none><none>', 18)).toEqual({ text: '```\n&lt;none…\n```', cut: true });
    expect(() => codeBlockToFit('x', 9)).toThrow(RangeError);
  });

  it('fits, stays one block, and keeps escapes whole, for any text', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 10, max: 200 }), (text, max) => {
        const fitted = codeBlockToFit(text, max);
        expect(fitted.text.length).toBeLessThanOrEqual(max);
        expect(fitted.cut).toBe(codeBlock(text).length > max);
        expect(fitted.text.match(/```/g)).toHaveLength(2);
        expect(fitted.text.startsWith('```\n')).toBe(true);
        expect(fitted.text.endsWith('\n```')).toBe(true);
        const body = withoutEllipsis(fitted.text.slice(4, -4));
        expect(codeBlock(text).slice(4, -4).startsWith(body)).toBe(true);
        expect(escapesWhole(body)).toBe(true);
        expect(endsInLoneSurrogate(body)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('shareBudget', () => {
  it('gives each what it needs when all fit, and splits the rest among the longest', () => {
    expect(shareBudget([10, 20, 30], 100)).toEqual([10, 20, 30]);
    expect(shareBudget([10, 200, 300], 100)).toEqual([10, 45, 45]);
    expect(shareBudget([300, 10, 200], 100)).toEqual([45, 10, 45]);
    expect(shareBudget([50, 50], 0)).toEqual([0, 0]);
    expect(shareBudget([50, 50], -5)).toEqual([0, 0]);
    expect(shareBudget([], 10)).toEqual([]);
  });

  it('never gives more than needed or than the total, and is fair to those it cuts', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(5_000), { maxLength: 25 }), fc.nat(20_000), (lengths, total) => {
        const shares = shareBudget(lengths, total);
        const sum = shares.reduce((a, b) => a + b, 0);
        expect(sum).toBeLessThanOrEqual(total);
        shares.forEach((share, index) => {
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(lengths[index] ?? 0);
          // Someone cut short gets no less than anyone else, bar the rounding.
          if (share < (lengths[index] ?? 0)) for (const other of shares) expect(other).toBeLessThanOrEqual(share + 1);
        });
        // Only rounding is left unused.
        const needed = lengths.reduce((a, b) => a + b, 0);
        expect(sum).toBeGreaterThanOrEqual(Math.min(needed, total) - lengths.length);
      }),
      { numRuns: 500 },
    );
  });
});
