import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openPgliteStore } from './pglite.js';
import { storableParams } from './sql-executor.js';

describe('storableParams', () => {
  it('drops NUL characters and JSON-escaped NULs, and nothing else', () => {
    const json = JSON.stringify({ text: 'a\u0000b', keep: 'c:\\u0000d' });
    expect(storableParams(['a\u0000b', json, 7, null, true])).toEqual([
      'ab',
      JSON.stringify({ text: 'ab', keep: 'c:\\u0000d' }),
      7,
      null,
      true,
    ]);
    expect(JSON.parse(storableParams([json])[0] as string)).toEqual({ text: 'ab', keep: 'c:\\u0000d' });
  });

  it('makes lone surrogates and their JSON escapes U+FFFD, and keeps pairs and escaped backslashes', () => {
    const json = JSON.stringify({ text: 'a\ud800b', low: '\udc00', pair: '😀', typed: '\\ud800' });
    expect(json).toContain('\\ud800');
    expect(JSON.parse(storableParams([json])[0] as string)).toEqual({
      text: 'a\ufffdb',
      low: '\ufffd',
      pair: '😀',
      typed: '\\ud800',
    });
    expect(storableParams(['x\ud800y', '{"a":"\\ud83d\\ude00"}', '{"a":"\\uDC00\\uD800"}'])).toEqual([
      'x\ufffdy',
      '{"a":"\\ud83d\\ude00"}',
      '{"a":"\\ufffd\\ufffd"}',
    ]);
  });

  it('turns any JSON.stringify output into JSON that parses to the well-formed value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const [stored] = storableParams([JSON.stringify({ text })]);
        const expected = (text as unknown as { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '');
        expect(JSON.parse(stored as string)).toEqual({ text: expected });
      }),
      { numRuns: 1000 },
    );
  });

  // Boots an in-memory PGlite: a few seconds alone, over 20 s on a saturated machine.
  it('lets the store keep text and JSON with lone surrogates in them', { timeout: 90_000 }, async () => {
    const store = await openPgliteStore({ dataDir: 'memory' });
    try {
      await store.appendAudit({
        at: new Date(),
        actor: 'U1',
        action: 'command.executed',
        portal: 'acme',
        spaceId: 't',
        ticketName: 'n\ud800',
        detail: { command: 'echo \ud800', 'k\udc00': 1 },
      });
      expect((await store.auditForTicket('acme', 'n\ufffd'))[0]?.detail).toEqual({
        command: 'echo \ufffd',
        'k\ufffd': 1,
      });
    } finally {
      await store.close();
    }
  });

  it('lets the store keep text and JSON with NULs in them', async () => {
    const store = await openPgliteStore({ dataDir: 'memory' });
    try {
      expect(await store.recordEvent('Ev\u0000NUL', new Date())).toBe(true);
      expect(await store.recordEvent('EvNUL', new Date())).toBe(false);
      await store.appendAudit({
        at: new Date(),
        actor: 'U1',
        action: 'test',
        portal: 'acme',
        spaceId: 't',
        ticketName: 'n\u0000',
        detail: { reason: 'nul \u0000 here' },
      });
      expect((await store.auditForTicket('acme', 'n'))[0]?.detail).toEqual({ reason: 'nul  here' });
    } finally {
      await store.close();
    }
  });
});
