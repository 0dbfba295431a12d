import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wellFormed, wellFormedDeep } from './well-formed.js';

/** Every Node package.json's engines accepts (22, 24) has String.prototype.toWellFormed (ES2024); the project's lib (ES2023) does not declare it. */
const reference = (text: string): string => (text as unknown as { toWellFormed(): string }).toWellFormed();
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

describe('wellFormed', () => {
  it('replaces lone surrogates with U+FFFD and keeps pairs', () => {
    expect(wellFormed('a\ud800b')).toBe('a\ufffdb');
    expect(wellFormed('a\udc00b')).toBe('a\ufffdb');
    expect(wellFormed('\udc00\ud800')).toBe('\ufffd\ufffd');
    expect(wellFormed('\ud800\ud83d\ude00\ude00')).toBe('\ufffd😀\ufffd');
    expect(wellFormed('end\ud83d')).toBe('end\ufffd');
    expect(wellFormed('😀 ok')).toBe('😀 ok');
    expect(wellFormed('')).toBe('');
  });

  it('does what String.prototype.toWellFormed does, on any UTF-16 text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = wellFormed(text);
        expect(out).toBe(reference(text));
        expect(isWellFormed(out)).toBe(true);
        expect(out).toHaveLength(text.length);
        expect(wellFormed(out)).toBe(out);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves well-formed text as it is (the same string)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(wellFormed(text)).toBe(text);
      }),
    );
  });

  it('makes the strings of a JSON-like value well-formed, keys included, and keeps other values', () => {
    const at = new Date(0);
    const bytes = Buffer.from('x');
    const value = { text: 'a\ud800', list: ['\udc00', 1, null, true], 'k\ud800': { at, bytes } };
    const out = wellFormedDeep(value);
    expect(out).toEqual({ text: 'a\ufffd', list: ['\ufffd', 1, null, true], 'k\ufffd': { at, bytes } });
    expect(out['k\ufffd' as keyof typeof out]).toEqual({ at, bytes });
    expect(value.text).toBe('a\ud800');
    expect(wellFormedDeep('\ud800')).toBe('\ufffd');
    expect(wellFormedDeep(undefined)).toBeUndefined();
  });

  it('gives JSON.stringify nothing to escape as a lone surrogate, on any value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 20 }), (value, text) => {
        const json = JSON.stringify(wellFormedDeep({ value, text, [text]: text }));
        expect(json).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
        expect(isWellFormed(json)).toBe(true);
      }),
    );
  });

  it('copies shared and cyclic structure without looping', () => {
    const shared = { a: '\ud800' };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    const out = wellFormedDeep(cyclic) as Record<string, unknown>;
    expect(out.self).toBe(out);
    expect(out.shared).toBe(out.again);
    expect(out.shared).toEqual({ a: '\ufffd' });
  });
});
