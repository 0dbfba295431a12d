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
