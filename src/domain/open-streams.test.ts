import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../store/pglite.js';
import { createHousekeeping } from './housekeeping.js';
import { createOpenStreamLedger } from './open-streams.js';
import type { TicketStore } from './ports.js';

let store: TicketStore;

beforeAll(async () => {
  store = await openPgliteStore({ dataDir: 'memory' });
});

afterAll(async () => {
  await store?.close();
});

const t0 = new Date('2025-06-01T10:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
const thread = (channelId: string) => ({ teamId: 'T1', channelId, threadTs: '1700000000.000100' });

describe('open stream ledger', () => {
  it('stamps streams with its clock: one still written into is not abandoned, a closed one is gone', async () => {
    let now = t0;
    const streams = createOpenStreamLedger({ store, clock: { now: () => now } });
    const open = { messageTs: '1700000001.000001', agentName: 'k8s-agent', owner: 'instance-a' };
    await streams.opened({ ...open, thread: thread('CLIVE') });
    await streams.opened({ ...open, thread: thread('CGONE') });
    await streams.opened({ ...open, thread: thread('CSHUT') });
    now = minutes(5);
    await streams.stillWriting('CLIVE', open.messageTs);
    await streams.closed('CSHUT', open.messageTs);

    expect(await streams.claimAbandoned(minutes(1), 10)).toEqual([{ ...open, thread: thread('CGONE'), startedAt: t0 }]);
    expect(await streams.claimAbandoned(minutes(1), 10)).toEqual([]);
    expect((await streams.claimAbandoned(minutes(6), 10)).map((stream) => stream.thread.channelId)).toEqual(['CLIVE']);
  });
});

describe('housekeeping', () => {
  it('prunes processed events and unclaimed requests older than their cutoffs, and says how many', async () => {
    await store.recordEvent('Ev-old', t0);
    await store.recordEvent('Ev-new', minutes(10));
    await store.saveRequest({ thread: thread('CREQ'), requestTs: '1.000001', slackUserId: 'U1', text: 'old' }, t0);
    await store.saveRequest(
      { thread: thread('CREQ'), requestTs: '2.000002', slackUserId: 'U1', text: 'new' },
      minutes(10),
    );

    const housekeeping = createHousekeeping({ store });
    expect(await housekeeping.prune({ eventsBefore: minutes(5), requestsBefore: minutes(5) })).toEqual({
      events: 1,
      requests: 1,
    });
    expect(await store.recordEvent('Ev-old', minutes(11))).toBe(true);
    expect(await store.recordEvent('Ev-new', minutes(11))).toBe(false);
    expect(await store.getRequest(thread('CREQ'), '1.000001')).toBeNull();
    expect((await store.getRequest(thread('CREQ'), '2.000002'))?.text).toBe('new');
  });
});
