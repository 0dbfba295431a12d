import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineEvent, type PgliteTicketStore, startPgliteStore } from './pglite.js';

const thread = { teamId: 'T1', channelId: 'C1', threadTs: '1700.1' };
const at = new Date('2026-03-02T09:00:00Z');

describe('the embedded engine in its worker thread', () => {
  let dataDir: string;
  let store: PgliteTicketStore;
  const events: EngineEvent['kind'][] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pglite-worker-'));
    store = startPgliteStore({ dataDir, restartDelayMs: 10, onEngineEvent: (event) => events.push(event.kind) });
  });

  afterAll(async () => {
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says it is starting (store.unavailable) until the first start is done, and calls made meanwhile wait', async () => {
    await expect(store.ping()).rejects.toMatchObject({
      code: 'store.unavailable',
      message: 'The embedded database is starting.',
    });
    const early = store.recordEvent('Ev-early', at);
    await store.ready;
    expect(await early).toBe(true);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('keeps a transaction to itself: a statement outside it waits until it commits', async () => {
    let outside: Promise<unknown> | undefined;
    await store.executor.transaction(async (tx) => {
      await tx.query('INSERT INTO processed_events (event_id, received_at) VALUES ($1, $2)', ['Ev-tx', at]);
      outside = store.executor.query('SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1', ['Ev-tx']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tx.transaction(async (nested) => nested.query('SELECT 1'));
    });
    expect(await outside).toEqual([{ n: 1 }]);
  });

  it('reports its own memory', async () => {
    const memory = await store.engineMemory();
    expect(memory.wasmBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(memory.heapBytes).toBeGreaterThan(0);
  });

  it('after a crash, fails the calls in flight as store.unavailable, restarts, and keeps the data', async () => {
    const link = await store.linkThread(
      {
        thread,
        portal: 'prod',
        api: 'tenant',
        spaceId: 'tenant-1',
        spaceName: 'dev01',
        ticketName: 'ticket-1',
        ticketTitle: 'Pods crash-loop',
        agentId: 'instance-1',
        agentName: 'kubernetes',
        permissions: [{ id: 'alice@example.com', name: 'alice@example.com' }],
        createdBy: 'U1',
      },
      at,
    );
    const inFlight = store.executor.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await store.crashEngine();
      await tx.query('SELECT 2');
    });
    await expect(inFlight).rejects.toMatchObject({ code: 'store.unavailable' });
    await expect(store.ping()).rejects.toMatchObject({ message: 'The embedded database is restarting.' });
    // Calls made while it restarts wait for it.
    expect(await store.activeLink(thread)).toEqual(link);
    await expect(store.ping()).resolves.toBeUndefined();
    expect(events).toEqual(['crashed', 'restarted']);
  });

  it('stops with the store: calls after close fail as store.unavailable', async () => {
    const other = startPgliteStore({ dataDir: join(dataDir, 'other') });
    await other.ready;
    await other.close();
    await expect(other.ping()).rejects.toMatchObject({ code: 'store.unavailable' });
    await expect(other.recordEvent('Ev-closed', at)).rejects.toMatchObject({ code: 'store.unavailable' });
  });
});
