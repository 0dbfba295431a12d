import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hiddenCharactersIn } from '../../domain/command-card.js';
import { revealHiddenCharacters } from './reveal.js';

describe('revealHiddenCharacters', () => {
  it.each([
    ['a right-to-left override', 'rm -rf /\u202Etmp', 'rm -rf /⟦U+202E⟧tmp'],
    ['an isolate pair', 'ls \u2066-la\u2069', 'ls ⟦U+2066⟧-la⟦U+2069⟧'],
    ['a zero-width space', 'kube\u200Bctl', 'kube⟦U+200B⟧ctl'],
    ['a no-break space', 'rm -rf /tmp/a\u00A0/', 'rm -rf /tmp/a⟦U+00A0⟧/'],
    ['a carriage return', 'echo ok\r', 'echo ok⟦U+000D⟧'],
    ['a tag character', 'x\u{E0041}', 'x⟦U+E0041⟧'],
  ])('shows %s', (_name, text, shown) => {
    expect(revealHiddenCharacters(text)).toBe(shown);
  });

  it('leaves tabs, newlines, other scripts and emoji as they are', () => {
    const text = 'echo "café ⚠️ 👩‍💻"\n\tls';
    expect(revealHiddenCharacters(text)).toBe(text);
  });

  it('leaves nothing hidden, and marks each hidden character', () => {
    const hiddenChars = ['\u202E', '\u2067', '\u200B', '\u200F', '\u2063', '\uFEFF', '\u00AD', '\u3000', '\u001B'];
    const hidden = fc.constantFrom(...hiddenChars);
    const piece = fc.oneof(hidden, fc.constantFrom('a', ' ', '\t', '\n', '-', '⚠️', '日'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        const shown = revealHiddenCharacters(text);
        expect(hiddenCharactersIn(shown)).toEqual([]);
        expect(shown.match(/⟦U\+[0-9A-F]{4,6}⟧/g) ?? []).toHaveLength(
          pieces.filter((piece) => hiddenChars.includes(piece)).length,
        );
      }),
      { numRuns: 300 },
    );
  });
});
