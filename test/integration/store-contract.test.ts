import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelDefaults } from '../../src/domain/channel-defaults.js';
import type { CardItem, NewCommandCard } from '../../src/domain/command-card.js';
import type { TicketStore } from '../../src/domain/ports.js';
import type { NewTicketLink, ThreadRef } from '../../src/domain/thread-link.js';
import { migrate } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open-store.js';
import { ensurePgliteCluster, openPgliteStore, pgliteExecutor } from '../../src/store/pglite.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { SqlExecutor } from '../../src/store/sql-executor.js';
import { createSqlTicketStore } from '../../src/store/sql-ticket-store.js';

type OpenedStore = TicketStore & { readonly executor: SqlExecutor };

/** One engine under test: `open` gives another store on the same data where the engine allows it. */
interface Engine {
  open(): Promise<OpenedStore>;
  dispose(): Promise<void>;
}

const databaseUrl = process.env.TEST_DATABASE_URL;

const pgliteEngine = async (): Promise<Engine> => ({
  // PGlite is one process-local connection: "another store" is another in-memory database.
  open: () => openPgliteStore({ dataDir: 'memory' }),
  dispose: async () => {},
});

/**
 * The engine as the service runs it without DATABASE_URL: PGlite on disk, in its worker thread (src/store/pglite.ts).
 * "Another store" is another data dir: a second engine on the same files is not something PGlite allows.
 */
const pgliteWorkerEngine = async (): Promise<Engine> => {
  const parent = await mkdtemp(join(tmpdir(), 'store-contract-worker-'));
  return {
    open: async () => openPgliteStore({ dataDir: await mkdtemp(join(parent, 'data-')) }),
    dispose: () => rm(parent, { recursive: true, force: true }),
  };
};

const withSearchPath = (url: string, schema: string): string => {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
};

/** A uniquely named schema per run, so parallel and repeated runs on one server never see each other's rows. */
const freshSchema = async (url: string) => {
  const schema = `store_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    url: withSearchPath(url, schema),
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
};

const postgresEngine = async (url: string): Promise<Engine> => {
  const schema = await freshSchema(url);
  return { open: () => openPostgresStore({ url: schema.url, poolSize: 5 }), dispose: schema.drop };
};

const engines: [string, () => Promise<Engine>][] = [
  ['pglite', pgliteEngine],
  ['pglite in its worker thread', pgliteWorkerEngine],
  ...(databaseUrl ? [['postgres', () => postgresEngine(databaseUrl)] as [string, () => Promise<Engine>]] : []),
];

const t0 = new Date('2026-03-02T09:00:00Z');
const minutes = (n: number, from = t0) => new Date(from.getTime() + n * 60_000);

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}-${++sequence}`;
const newThread = (teamId = 'T1'): ThreadRef => ({
  teamId,
  channelId: unique('C'),
  threadTs: `17000${sequence}.000100`,
});

const newLink = (thread: ThreadRef, overrides: Partial<NewTicketLink> = {}): NewTicketLink => ({
  thread,
  portal: 'prod',
  api: 'tenant',
  spaceId: 'tenant-1',
  spaceName: 'dev01',
  ticketName: unique('ticket'),
  ticketTitle: 'Pods crash-loop in dev01',
  agentId: 'instance-1',
  agentName: 'kubernetes',
  permissions: [{ id: 'alice@example.com', name: 'alice@example.com' }],
  createdBy: 'U1',
  ...overrides,
});

const items: CardItem[] = [
  { kind: 'cmd', text: 'kubectl get pods -n dev01', description: 'List pods', raw: { command: 'kubectl get pods' } },
  { kind: 'cmd', text: 'kubectl delete pod web-1', raw: { command: 'kubectl delete pod web-1', nested: { a: [1] } } },
];

const newCard = (linkId: string, overrides: Partial<NewCommandCard> = {}): NewCommandCard => ({
  id: unique('card'),
  linkId,
  thread: newThread(),
  portal: 'prod',
  spaceId: 'tenant-1',
  ticketName: unique('ticket'),
  agentId: 'instance-1',
  permissions: [{ id: 'alice@example.com', name: 'alice@example.com' }],
  items,
  createdAt: t0,
  expiresAt: minutes(30),
  ...overrides,
});

const appliedMigrations = async (executor: SqlExecutor) =>
  (await executor.query('SELECT name FROM schema_migrations ORDER BY name')).map((row) => row.name);

describe.each(engines)('TicketStore on %s', (_engine, makeEngine) => {
  let engine: Engine;
  let store: OpenedStore;

  beforeAll(async () => {
    engine = await makeEngine();
    store = await engine.open();
  });

  afterAll(async () => {
    await store?.close();
    await engine?.dispose();
  });

  describe('thread links', () => {
    it('links a thread, finds it by thread and id, and lists it for its creator', async () => {
      const thread = newThread();
      const creator = unique('U');
      expect(await store.activeLink(thread)).toBeNull();

      const link = await store.linkThread(newLink(thread, { createdBy: creator }), t0);
      expect(link).toMatchObject({
        thread,
        portal: 'prod',
        api: 'tenant',
        spaceId: 'tenant-1',
        spaceName: 'dev01',
        agentId: 'instance-1',
        agentName: 'kubernetes',
        permissions: [{ id: 'alice@example.com', name: 'alice@example.com' }],
        createdBy: creator,
        active: true,
        cardMessageTs: null,
        createdAt: t0,
        updatedAt: t0,
        closed: null,
      });
      expect(link.id).toMatch(/^\d+$/);
      expect(await store.activeLink(thread)).toEqual(link);
      expect(await store.getLink(link.id)).toEqual(link);
      expect(await store.activeLink({ ...thread, threadTs: '1.2' })).toBeNull();
      expect(await store.linkHistory(thread)).toEqual([link]);
      expect(await store.activeLinksCreatedBy('T1', creator, 10)).toEqual([link]);
      expect(await store.activeLinksCreatedBy('T2', creator, 10)).toEqual([]);
    });

    it('answers null for unknown or malformed link ids', async () => {
      expect(await store.getLink('999999999')).toBeNull();
      expect(await store.getLink('not-a-number')).toBeNull();
      expect(await store.getLink('')).toBeNull();
    });

    it('updates only the fields a patch names', async () => {
      const link = await store.linkThread(newLink(newThread()), t0);
      const moved = await store.updateLink(link.id, { agentName: 'aws', agentId: 'instance-2' }, minutes(1));
      expect(moved).toMatchObject({
        agentName: 'aws',
        agentId: 'instance-2',
        permissions: [{ id: 'alice@example.com', name: 'alice@example.com' }],
      });
      expect(moved.updatedAt).toEqual(minutes(1));
      expect(moved.createdAt).toEqual(t0);

      const carded = await store.updateLink(link.id, { cardMessageTs: '1700.5' }, minutes(2));
      expect(carded).toMatchObject({ agentName: 'aws', agentId: 'instance-2', cardMessageTs: '1700.5' });
      expect(await store.getLink(link.id)).toEqual(carded);
    });

    it('refuses to update a link that does not exist', async () => {
      await expect(store.updateLink('999999999', { agentName: 'x' }, t0)).rejects.toMatchObject({
        code: 'thread.not_linked',
      });
      await expect(store.updateLink('nope', { agentName: 'x' }, t0)).rejects.toMatchObject({
        code: 'thread.not_linked',
      });
    });

    it('relinking keeps the earlier link as history with exactly one active', async () => {
      const thread = newThread();
      const creator = unique('U');
      const first = await store.linkThread(newLink(thread, { createdBy: creator, spaceName: 'dev01' }), t0);
      const second = await store.linkThread(
        newLink(thread, {
          createdBy: creator,
          api: 'workspace',
          spaceName: 'prod01',
          permissions: [
            { id: 'scope-1', name: 'full-access' },
            { id: 'scope-2', name: 'read-only' },
          ],
        }),
        minutes(5),
      );

      expect(await store.activeLink(thread)).toEqual(second);
      const history = await store.linkHistory(thread);
      expect(history.map((link) => [link.id, link.active, link.api, link.spaceName])).toEqual([
        [first.id, false, 'tenant', 'dev01'],
        [second.id, true, 'workspace', 'prod01'],
      ]);
      expect(history[1]?.permissions).toEqual([
        { id: 'scope-1', name: 'full-access' },
        { id: 'scope-2', name: 'read-only' },
      ]);
      expect(history[0]?.updatedAt).toEqual(minutes(5));
      expect(await store.getLink(first.id)).toMatchObject({ active: false });
      expect((await store.activeLinksCreatedBy('T1', creator, 10)).map((link) => link.id)).toEqual([second.id]);
    });

    it('lists a creator’s active links newest first, up to the limit', async () => {
      const creator = unique('U');
      const links = [];
      for (let n = 0; n < 3; n += 1)
        links.push(await store.linkThread(newLink(newThread(), { createdBy: creator }), minutes(n)));
      const listed = await store.activeLinksCreatedBy('T1', creator, 2);
      expect(listed.map((link) => link.id)).toEqual([links[2]?.id, links[1]?.id]);
    });

    it('closes an open active link once, lists it as closed rather than open, and reopens it once', async () => {
      const thread = newThread();
      const creator = unique('U');
      const link = await store.linkThread(newLink(thread, { createdBy: creator }), t0);
      const closure = { at: minutes(3), by: 'U2', resolution: 'unresolved' as const };
      const closed = await store.closeLink(link.id, closure);
      expect(closed).toMatchObject({ id: link.id, active: true, closed: closure, updatedAt: minutes(3) });
      expect(await store.activeLink(thread)).toEqual(closed);
      // A second close, or one racing it, changes nothing.
      expect(await store.closeLink(link.id, { ...closure, by: 'U3', resolution: 'resolved' })).toBeNull();
      expect(await store.getLink(link.id)).toEqual(closed);
      expect(await store.activeLinksCreatedBy('T1', creator, 10)).toEqual([]);
      expect(await store.closedLinksCreatedBy('T1', creator, 10)).toEqual([closed]);

      const reopened = await store.reopenLink(link.id, minutes(4));
      expect(reopened).toMatchObject({ id: link.id, active: true, closed: null, updatedAt: minutes(4) });
      expect(await store.reopenLink(link.id, minutes(5))).toBeNull();
      expect(await store.activeLinksCreatedBy('T1', creator, 10)).toEqual([reopened]);
      expect(await store.closedLinksCreatedBy('T1', creator, 10)).toEqual([]);
    });

    it('neither closes nor reopens a link that is history or unknown; a new link takes a closed thread over', async () => {
      const thread = newThread();
      const creator = unique('U');
      const first = await store.linkThread(newLink(thread, { createdBy: creator }), t0);
      await store.closeLink(first.id, { at: minutes(1), by: 'U1', resolution: 'resolved' });
      const second = await store.linkThread(newLink(thread, { createdBy: creator }), minutes(2));
      expect(second.closed).toBeNull();
      expect(await store.activeLink(thread)).toEqual(second);
      expect(await store.getLink(first.id)).toMatchObject({ active: false, closed: { resolution: 'resolved' } });
      expect(await store.reopenLink(first.id, minutes(3))).toBeNull();
      expect(await store.closeLink(first.id, { at: minutes(3), by: 'U1', resolution: 'resolved' })).toBeNull();
      expect(await store.closedLinksCreatedBy('T1', creator, 10)).toEqual([]);
      expect(await store.closeLink('999999999', { at: t0, by: 'U1', resolution: 'resolved' })).toBeNull();
      expect(await store.reopenLink('nope', t0)).toBeNull();
    });

    it('lists a creator’s closed links most recently closed first, up to the limit', async () => {
      const creator = unique('U');
      const links = [];
      for (let n = 0; n < 3; n += 1)
        links.push(await store.linkThread(newLink(newThread(), { createdBy: creator }), t0));
      for (const [n, at] of [
        [0, 9],
        [1, 7],
        [2, 8],
      ] as const) {
        await store.closeLink(links[n]?.id ?? '', { at: minutes(at), by: creator, resolution: 'resolved' });
      }
      const listed = await store.closedLinksCreatedBy('T1', creator, 2);
      expect(listed.map((link) => link.id)).toEqual([links[0]?.id, links[2]?.id]);
    });

    it('of 10 concurrent closes of one link exactly one wins', async () => {
      const link = await store.linkThread(newLink(newThread()), t0);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          store.closeLink(link.id, { at: minutes(n), by: `U${n}`, resolution: 'resolved' }),
        ),
      );
      expect(results.filter((result) => result !== null)).toHaveLength(1);
    });

    it('20 concurrent links of one thread leave exactly one active and all in history', async () => {
      const thread = newThread();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          store.linkThread(newLink(thread, { ticketName: `race-${n}` }), minutes(n)),
        ),
      );
      expect(results).toHaveLength(20);
      const history = await store.linkHistory(thread);
      expect(history).toHaveLength(20);
      expect(history.filter((link) => link.active)).toHaveLength(1);
      const active = await store.activeLink(thread);
      expect(active).not.toBeNull();
      expect(history.find((link) => link.active)?.id).toBe(active?.id);
    });
  });

  describe('command cards', () => {
    it('creates a pending card and reads it back with its items', async () => {
      const card = newCard('42');
      const created = await store.createCard(card);
      expect(created).toEqual({
        ...card,
        status: 'pending',
        messageTs: null,
        choices: {},
        submittedBy: null,
        submittedAt: null,
        updatedAt: t0,
        outcome: null,
      });
      expect(await store.getCard(card.id)).toEqual(created);
      expect(await store.getCard('no-such-card')).toBeNull();
    });

    it('refuses a second card with the same id', async () => {
      const card = newCard('42');
      await store.createCard(card);
      await expect(store.createCard(card)).rejects.toMatchObject({ code: 'store.conflict' });
    });

    it('records choices while pending and the message ts', async () => {
      const card = await store.createCard(newCard('42'));
      await store.setCardMessageTs(card.id, '1700.777', minutes(1));
      const approve = { decision: 'approve', by: 'U1', at: minutes(2) } as const;
      const reject = { decision: 'reject', reason: 'too risky', by: 'U2', at: minutes(3) } as const;
      await store.recordChoice(card.id, 0, approve, minutes(2));
      const after = await store.recordChoice(card.id, 1, reject, minutes(3));
      expect(after).toMatchObject({ messageTs: '1700.777', status: 'pending', updatedAt: minutes(3) });
      expect(after?.choices).toEqual({ '0': approve, '1': reject });

      const changed = await store.recordChoice(
        card.id,
        0,
        { decision: 'ignore', by: 'U3', at: minutes(4) },
        minutes(4),
      );
      expect(changed?.choices['0']).toEqual({ decision: 'ignore', by: 'U3', at: minutes(4) });
      expect(await store.getCard(card.id)).toEqual(changed);
    });

    it('refuses a message ts or a bad index for an unknown card or item', async () => {
      await expect(store.setCardMessageTs('no-such-card', '1.1', t0)).rejects.toMatchObject({ code: 'card.not_found' });
      const card = await store.createCard(newCard('42'));
      await expect(
        store.recordChoice(card.id, -1, { decision: 'approve', by: 'U1', at: t0 }, t0),
      ).rejects.toMatchObject({ code: 'input.invalid' });
    });

    it('moves a card once: the loser of a transition gets null and later choices are refused', async () => {
      const card = await store.createCard(newCard('42'));
      const choices = { '0': { decision: 'approve', by: 'U1', at: minutes(1) } } as const;
      const submitted = await store.transitionCard(card.id, 'pending', 'submitted', {
        at: minutes(2),
        submittedBy: 'U1',
        choices,
      });
      expect(submitted).toMatchObject({
        status: 'submitted',
        submittedBy: 'U1',
        submittedAt: minutes(2),
        updatedAt: minutes(2),
        choices,
      });
      expect(
        await store.transitionCard(card.id, 'pending', 'submitted', { at: minutes(3), submittedBy: 'U2' }),
      ).toBeNull();
      expect(
        await store.recordChoice(card.id, 1, { decision: 'reject', by: 'U2', at: minutes(3) }, minutes(3)),
      ).toBeNull();

      const executed = await store.transitionCard(card.id, 'submitted', 'executed', { at: minutes(4), outcome: 'ok' });
      expect(executed).toMatchObject({ status: 'executed', outcome: 'ok', submittedBy: 'U1', submittedAt: minutes(2) });
      expect(executed?.choices).toEqual(choices);
      expect(await store.transitionCard('no-such-card', 'pending', 'expired', { at: t0 })).toBeNull();
    });

    it('moves a card only while its choices are those the caller read', async () => {
      const card = await store.createCard(newCard('42'));
      const approve = { decision: 'approve', by: 'U1', at: minutes(1) } as const;
      const read = await store.recordChoice(card.id, 0, approve, minutes(1));
      // Someone else's choice lands between the caller's read and its update.
      const reject = { decision: 'reject', reason: 'no', by: 'U2', at: minutes(2) } as const;
      await store.recordChoice(card.id, 0, reject, minutes(2));
      const stale = await store.transitionCard(card.id, 'pending', 'submitted', {
        at: minutes(3),
        submittedBy: 'U1',
        choices: read?.choices ?? {},
        expectedChoices: read?.choices ?? {},
      });
      expect(stale).toBeNull();
      expect(await store.getCard(card.id)).toMatchObject({ status: 'pending', choices: { '0': reject } });

      const current = await store.getCard(card.id);
      const submitted = await store.transitionCard(card.id, 'pending', 'submitted', {
        at: minutes(4),
        submittedBy: 'U1',
        choices: current?.choices ?? {},
        expectedChoices: current?.choices ?? {},
      });
      expect(submitted).toMatchObject({ status: 'submitted', choices: { '0': reject } });
    });

    it('refuses transitions outside the card lifecycle', async () => {
      const card = await store.createCard(newCard('42'));
      await expect(store.transitionCard(card.id, 'pending', 'executed', { at: t0 })).rejects.toMatchObject({
        code: 'card.invalid_transition',
      });
      await expect(store.transitionCard(card.id, 'expired', 'pending', { at: t0 })).rejects.toMatchObject({
        code: 'card.invalid_transition',
      });
      expect((await store.getCard(card.id))?.status).toBe('pending');
    });

    it('of 20 concurrent submits exactly one wins', async () => {
      const card = await store.createCard(newCard('42'));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          store.transitionCard(card.id, 'pending', 'submitted', { at: minutes(1), submittedBy: `U${n}` }),
        ),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      expect((await store.getCard(card.id))?.submittedBy).toBe(winners[0]?.submittedBy);
    });

    it('lists cards in a status last updated before a time, oldest first', async () => {
      // Year 2001, so cards of the other tests (2026) never fall before the cut-off.
      const old = new Date('2001-01-01T00:00:00Z');
      const a = await store.createCard(newCard('42', { createdAt: old, expiresAt: minutes(30, old) }));
      const b = await store.createCard(newCard('42', { createdAt: minutes(1, old), expiresAt: minutes(31, old) }));
      const c = await store.createCard(newCard('42', { createdAt: minutes(2, old), expiresAt: minutes(32, old) }));
      await store.transitionCard(c.id, 'pending', 'expired', { at: minutes(3, old) });

      const pending = await store.cardsInStatus('pending', minutes(10, old), 10);
      expect(pending.map((card) => card.id)).toEqual([a.id, b.id]);
      expect((await store.cardsInStatus('pending', minutes(1, old), 10)).map((card) => card.id)).toEqual([a.id]);
      expect((await store.cardsInStatus('pending', minutes(10, old), 1)).map((card) => card.id)).toEqual([a.id]);
      expect((await store.cardsInStatus('expired', minutes(10, old), 10)).map((card) => card.id)).toEqual([c.id]);
    });
  });

  describe('events', () => {
    it('is true the first time an event id is seen and false after', async () => {
      const eventId = unique('Ev');
      expect(await store.recordEvent(eventId, t0)).toBe(true);
      expect(await store.recordEvent(eventId, minutes(1))).toBe(false);
      expect(await store.recordEvent(unique('Ev'), t0)).toBe(true);
    });

    it('of 20 concurrent records of one event exactly one is first', async () => {
      const eventId = unique('Ev');
      const results = await Promise.all(Array.from({ length: 20 }, () => store.recordEvent(eventId, t0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('prunes events received before a time and counts them', async () => {
      const old = new Date('2001-01-01T00:00:00Z');
      const [first, second, kept] = [unique('Ev'), unique('Ev'), unique('Ev')];
      await store.recordEvent(first, old);
      await store.recordEvent(second, minutes(1, old));
      await store.recordEvent(kept, minutes(10, old));
      expect(await store.pruneEvents(minutes(5, old))).toBe(2);
      expect(await store.pruneEvents(minutes(5, old))).toBe(0);
      expect(await store.recordEvent(first, t0)).toBe(true);
      expect(await store.recordEvent(kept, t0)).toBe(false);
    });
  });

  describe('thread requests', () => {
    it('saves a request once, reads it back, and prunes old ones', async () => {
      const thread = newThread();
      const request = {
        thread,
        requestTs: '1700000000.000200',
        slackUserId: 'U1',
        text: 'pods crash in dev, DB_PASSWORD=[REDACTED:password]',
        redacted: 1,
      };
      expect(await store.getRequest(thread, request.requestTs)).toBeNull();
      await store.saveRequest(request, t0);
      await store.saveRequest({ ...request, text: 'a retry must not overwrite' }, minutes(1));
      expect(await store.getRequest(thread, request.requestTs)).toEqual(request);
      expect(await store.getRequest({ ...thread, channelId: 'C-other' }, request.requestTs)).toBeNull();
      const later = { ...request, requestTs: '1700000000.000300', text: 'second', redacted: 0 };
      await store.saveRequest(later, minutes(30));
      expect(await store.pruneRequests(minutes(10))).toBeGreaterThanOrEqual(1);
      expect(await store.getRequest(thread, request.requestTs)).toBeNull();
      expect(await store.getRequest(thread, later.requestTs)).toEqual(later);
    });
  });

  describe('leases', () => {
    it('is held by one owner until it expires or is released', async () => {
      const key = unique('thread');
      expect(await store.acquireLease(key, 'a', minutes(1), t0)).toBe(true);
      expect(await store.acquireLease(key, 'b', minutes(1), t0)).toBe(false);
      expect(await store.acquireLease(key, 'a', minutes(2), minutes(0.5))).toBe(true); // its own: extended
      expect(await store.acquireLease(key, 'b', minutes(3), minutes(1.5))).toBe(false); // extension holds
      expect(await store.acquireLease(key, 'b', minutes(3), minutes(2))).toBe(true); // expired: taken over

      await store.releaseLease(key, 'a'); // not the owner any more: no effect
      expect(await store.acquireLease(key, 'a', minutes(4), minutes(2.5))).toBe(false);
      await store.releaseLease(key, 'b');
      expect(await store.acquireLease(key, 'a', minutes(4), minutes(2.5))).toBe(true);
    });

    it('of 20 concurrent owners exactly one gets a free key', async () => {
      const key = unique('job');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) => store.acquireLease(key, `owner-${n}`, minutes(1), t0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('open streams', () => {
    const streamIn = (ts: string, at: Date) => ({
      thread: { teamId: 'T1', channelId: unique('C'), threadTs: '1700000000.000100' },
      messageTs: ts,
      agentName: 'Ops <Agent>',
      owner: 'instance-a',
      startedAt: at,
    });

    it('hands each stream its instance stopped renewing to one sweep, once, with what a note needs', async () => {
      const live = streamIn('1700000001.000001', t0);
      const stale = streamIn('1700000002.000002', t0);
      await store.recordStream(live, t0);
      await store.recordStream(stale, t0);
      await store.renewStream(live.thread.channelId, live.messageTs, minutes(5));

      expect(await store.claimStaleStreams(minutes(1), 10)).toEqual([stale]);
      expect(await store.claimStaleStreams(minutes(1), 10)).toEqual([]);
      await store.forgetStream(live.thread.channelId, live.messageTs);
      expect(await store.claimStaleStreams(minutes(60), 10)).toEqual([]);
    });

    it('of 10 sweeps at once, each stale stream goes to exactly one', async () => {
      const streams = Array.from({ length: 6 }, (_, n) => streamIn(`1700000003.00000${n}`, t0));
      for (const stream of streams) await store.recordStream(stream, t0);
      const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimStaleStreams(minutes(1), 2)));
      const claimed = claims.flat().map((stream) => `${stream.thread.channelId}/${stream.messageTs}`);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claimed.sort()).toEqual(streams.map((stream) => `${stream.thread.channelId}/${stream.messageTs}`).sort());
    });
  });

  describe('audit', () => {
    it('appends entries and reads one ticket’s back in order', async () => {
      const ticketName = unique('ticket');
      const created = {
        at: t0,
        actor: 'U1',
        action: 'ticket.created',
        portal: 'prod',
        spaceId: 'tenant-1',
        ticketName,
        permissions: 'alice@example.com',
        detail: { title: 'Pods crash', nested: { list: [1, 'two'] } },
      };
      const approved = { ...created, at: minutes(1), action: 'command.approved', detail: { index: 0 } };
      const { permissions: _permissions, ...withoutIdentity } = {
        ...created,
        at: minutes(2),
        action: 'command.executed',
      };
      await store.appendAudit(approved);
      await store.appendAudit(created);
      await store.appendAudit(withoutIdentity);
      await store.appendAudit({ ...created, portal: 'staging' });
      await store.appendAudit({ ...created, ticketName: unique('ticket') });

      const entries = await store.auditForTicket('prod', ticketName);
      expect(entries.map(({ id: _id, ...entry }) => entry)).toEqual([created, approved, withoutIdentity]);
      expect(entries[2]).not.toHaveProperty('permissions');
      expect(new Set(entries.map((entry) => entry.id)).size).toBe(3);
      expect(await store.auditForTicket('prod', 'no-such-ticket')).toEqual([]);
    });

    it('reads the log from a time on, a page at a time, in the order it was written', async () => {
      const portal = unique('portal');
      const entry = (at: Date, ticketName: string, action: string) => ({
        at,
        actor: 'U1',
        action,
        portal,
        spaceId: 'tenant-1',
        ticketName,
        detail: { action },
      });
      // Written out of time order, and two at the same instant: pages follow (at, id), not insertion alone.
      await store.appendAudit(entry(minutes(5), 'ticket-b', 'command.executed'));
      await store.appendAudit(entry(minutes(-10), 'ticket-a', 'ticket.created')); // before `since`
      await store.appendAudit(entry(minutes(1), 'ticket-a', 'command.approved'));
      await store.appendAudit(entry(minutes(1), 'ticket-a', 'command.rejected'));
      await store.appendAudit(entry(minutes(3), 'ticket-b', 'ticket.created'));
      await store.appendAudit({ ...entry(minutes(2), 'ticket-a', 'elsewhere'), portal: unique('portal') });

      const pages: string[][] = [];
      let after: { at: Date; id: string } | undefined;
      for (;;) {
        const page = await store.auditPage({ since: t0, portal, limit: 2, ...(after ? { after } : {}) });
        if (page.length === 0) break;
        pages.push(page.map((read) => read.action));
        const last = page.at(-1);
        after = last && { at: last.at, id: last.id };
      }
      expect(pages).toEqual([
        ['command.approved', 'command.rejected'],
        ['ticket.created', 'command.executed'],
      ]);

      const one = await store.auditPage({ since: t0, portal, ticketName: 'ticket-b', limit: 10 });
      expect(one.map(({ id: _id, ...read }) => read)).toEqual([
        entry(minutes(3), 'ticket-b', 'ticket.created'),
        entry(minutes(5), 'ticket-b', 'command.executed'),
      ]);
      expect(await store.auditPage({ since: minutes(6), portal, limit: 10 })).toEqual([]);
      await expect(store.auditPage({ since: t0, portal, limit: 1, after: { at: t0, id: '1; DROP' } })).rejects.toThrow(
        /not an audit entry id/,
      );
    });
  });

  describe('channel defaults', () => {
    const defaultsFor = (channelId: string, overrides: Partial<ChannelDefaults> = {}): ChannelDefaults => ({
      channel: { teamId: 'T1', channelId },
      portal: 'prod',
      api: 'tenant',
      spaceId: 'tenant-1',
      spaceName: 'dev01',
      agentId: 'instance-1',
      agentName: 'kubernetes',
      permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
      setBy: 'U1',
      setAt: t0,
      ...overrides,
    });

    it('has none for a channel nobody set, keeps what was set, and replaces it on the next set', async () => {
      const channelId = unique('C');
      expect(await store.channelDefaults({ teamId: 'T1', channelId })).toBeNull();
      const first = defaultsFor(channelId);
      await store.setChannelDefaults(first);
      expect(await store.channelDefaults({ teamId: 'T1', channelId })).toEqual(first);
      // Another team's channel of the same id is another channel.
      expect(await store.channelDefaults({ teamId: 'T2', channelId })).toBeNull();

      const second = defaultsFor(channelId, {
        portal: 'helpdesk',
        api: 'workspace',
        spaceId: 'ws-1',
        spaceName: 'platform',
        agentId: 'agent-1',
        agentName: 'generic',
        permissions: [
          { id: 'scope-1', name: 'full-access' },
          { id: 'scope-2', name: 'read-only' },
        ],
        setBy: 'U2',
        setAt: minutes(5),
      });
      await store.setChannelDefaults(second);
      expect(await store.channelDefaults({ teamId: 'T1', channelId })).toEqual(second);
    });

    it('lists the channels whose defaults a person set last, newest first, up to the limit', async () => {
      const setter = unique('U');
      const [a, b, c] = [unique('C'), unique('C'), unique('C')];
      await store.setChannelDefaults(defaultsFor(a, { setBy: setter, setAt: minutes(1) }));
      await store.setChannelDefaults(defaultsFor(b, { setBy: setter, setAt: minutes(3) }));
      await store.setChannelDefaults(defaultsFor(c, { setBy: setter, setAt: minutes(2) }));
      const listed = await store.channelDefaultsSetBy('T1', setter, 2);
      expect(listed.map((defaults) => defaults.channel.channelId)).toEqual([b, c]);
      // Someone else set c since: it is theirs now.
      await store.setChannelDefaults(defaultsFor(c, { setBy: 'U-other', setAt: minutes(4) }));
      expect((await store.channelDefaultsSetBy('T1', setter, 10)).map((d) => d.channel.channelId)).toEqual([b, a]);
      expect(await store.channelDefaultsSetBy('T2', setter, 10)).toEqual([]);
    });
  });

  describe('engine', () => {
    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('applies migrations once: running them again changes nothing', async () => {
      const names = migrations.map((migration) => migration.name);
      expect(await appliedMigrations(store.executor)).toEqual(names);
      expect(await migrate(store.executor)).toEqual([]);
      expect(await appliedMigrations(store.executor)).toEqual(names);
    });

    it('rolls a failed transaction back', async () => {
      const eventId = unique('Ev');
      await expect(
        store.executor.transaction(async (tx) => {
          await tx.query('INSERT INTO processed_events (event_id, received_at) VALUES ($1, $2)', [eventId, t0]);
          await tx.query('SELECT * FROM no_such_table');
        }),
      ).rejects.toThrow();
      expect(await store.recordEvent(eventId, t0)).toBe(true);
    });

    it('fails with store.unavailable once closed', async () => {
      const other = await engine.open();
      await other.close();
      await expect(other.ping()).rejects.toMatchObject({ code: 'store.unavailable' });
      await expect(other.recordEvent('Ev-closed', t0)).rejects.toMatchObject({ code: 'store.unavailable' });
      await other.close(); // closing twice is harmless
    });
  });
});

// Each test here boots an on-disk PGlite cluster: seconds alone, and over 20 s on a saturated 2-core machine.
describe('upgrading a database made before the HelpDesk generations (migration 003)', { timeout: 90_000 }, () => {
  it('keeps every link and card: tenant links with their identity as the one permission, cards with their agent', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite();
    const executor = pgliteExecutor(db);
    try {
      expect(await migrate(executor, migrations.slice(0, 2))).toEqual(['001_initial', '002_thread_requests']);
      await executor.query(
        `INSERT INTO thread_links (team_id, channel_id, thread_ts, portal, tenant_id, tenant_name, ticket_name,
           ticket_title, agent_name, agent_instance_id, identity, created_by, created_at, updated_at)
         VALUES ('T1', 'C1', '1.1', 'acme', 'tenant-1', 'dev', 'dev-1', 'web', 'k8s', 'k8s-1', 'dev-deployer', 'U1',
           $1, $1)`,
        [t0],
      );
      await executor.query(
        `INSERT INTO command_cards (id, link_id, team_id, channel_id, thread_ts, portal, tenant_id, ticket_name,
           identity, items, created_at, updated_at, expires_at)
         VALUES ('card-old', '1', 'T1', 'C1', '1.1', 'acme', 'tenant-1', 'dev-1', 'dev-deployer', $1::jsonb, $2, $2, $3)`,
        [JSON.stringify(items), t0, minutes(30)],
      );
      await executor.query(
        `INSERT INTO audit_log (at, actor, action, portal, tenant_id, ticket_name, identity)
         VALUES ($1, 'U1', 'ticket.created', 'acme', 'tenant-1', 'dev-1', 'dev-deployer')`,
        [t0],
      );
      expect(await migrate(executor)).toEqual(migrations.slice(2).map((migration) => migration.name));

      const store = createSqlTicketStore(executor);
      const permissions = [{ id: 'dev-deployer', name: 'dev-deployer' }];
      expect(await store.activeLink({ teamId: 'T1', channelId: 'C1', threadTs: '1.1' })).toMatchObject({
        api: 'tenant',
        spaceId: 'tenant-1',
        spaceName: 'dev',
        agentId: 'k8s-1',
        agentName: 'k8s',
        permissions,
      });
      expect(await store.getCard('card-old')).toMatchObject({ spaceId: 'tenant-1', agentId: 'k8s-1', permissions });
      expect(await store.auditForTicket('acme', 'dev-1')).toMatchObject([
        { spaceId: 'tenant-1', permissions: 'dev-deployer' },
      ]);
    } finally {
      await db.close();
    }
  });
});

// Each test here boots an on-disk PGlite cluster: seconds alone, and over 20 s on a saturated 2-core machine.
describe('TicketStore on a PGlite data dir', { timeout: 90_000 }, () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'store-contract-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps data across close and reopen, and does not migrate twice', async () => {
    const thread = newThread();
    const first = await openPgliteStore({ dataDir });
    const link = await first.linkThread(newLink(thread), t0);
    expect(await first.recordEvent('Ev-persist', t0)).toBe(true);
    await first.close();
    await access(join(dataDir, 'pglite', 'PG_VERSION'));

    const reopened = await openStore({ dataDir });
    try {
      expect(await reopened.activeLink(thread)).toEqual(link);
      expect(await reopened.recordEvent('Ev-persist', t0)).toBe(false);
      const executor = (reopened as OpenedStore).executor;
      expect(await appliedMigrations(executor)).toEqual(migrations.map((migration) => migration.name));
      expect(await migrate(executor)).toEqual([]);
    } finally {
      await reopened.close();
    }
  });
});

// Each test here boots an on-disk PGlite cluster: seconds alone, and over 20 s on a saturated 2-core machine.
describe('creating the embedded database', { timeout: 90_000 }, () => {
  let parent: string;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'store-cluster-'));
  });

  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('makes the cluster in a child process and moves it into place whole', async () => {
    const dir = join(parent, 'fresh', 'pglite');
    await ensurePgliteCluster(dir);
    await access(join(dir, 'PG_VERSION'));
    expect(await readdir(join(parent, 'fresh'))).toEqual(['pglite']);
    // A second call finds the cluster and leaves it alone.
    const before = await readdir(dir);
    await ensurePgliteCluster(dir);
    expect(await readdir(dir)).toEqual(before);
  });

  it('takes an empty folder (a freshly mounted volume) as a place for a new cluster', async () => {
    const dir = join(parent, 'empty', 'pglite');
    await mkdir(dir, { recursive: true });
    await ensurePgliteCluster(dir);
    await access(join(dir, 'PG_VERSION'));
  });

  it('refuses a folder holding something other than a database, says where, and leaves nothing behind', async () => {
    const dir = join(parent, 'occupied', 'pglite');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'not a database');
    await expect(ensurePgliteCluster(dir)).rejects.toThrow(`Could not create the embedded database in ${dir}`);
    expect(await readdir(join(parent, 'occupied'))).toEqual(['pglite']);
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });
});

// Registered only when a server is configured (no skipped tests otherwise). The URL is not in the title: it may hold a password.
const postgresServers = databaseUrl ? [{ url: databaseUrl }] : [];

describe.each(postgresServers)('TicketStore on PostgreSQL with two service instances', ({ url }) => {
  let engine: Engine;
  let instances: OpenedStore[] = [];

  beforeAll(async () => {
    engine = await postgresEngine(url);
    // Two pools opened together on one empty schema, like two replicas starting at once.
    const opened = await Promise.allSettled([engine.open(), engine.open()]);
    instances = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await engine?.dispose();
  });

  it('migrated once although both started together', async () => {
    const names = migrations.map((migration) => migration.name);
    for (const instance of instances) expect(await appliedMigrations(instance.executor)).toEqual(names);
  });

  it('lets exactly one instance submit a card', async () => {
    const [a, b] = instances as [OpenedStore, OpenedStore];
    const card = await a.createCard(newCard('42'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        (n % 2 === 0 ? a : b).transitionCard(card.id, 'pending', 'submitted', { at: t0, submittedBy: `U${n}` }),
      ),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it('lets exactly one instance handle an event', async () => {
    const [a, b] = instances as [OpenedStore, OpenedStore];
    const eventId = unique('Ev');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? a : b).recordEvent(eventId, t0)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('leaves one active link when both instances link one thread', async () => {
    const [a, b] = instances as [OpenedStore, OpenedStore];
    const thread = newThread();
    await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? a : b).linkThread(newLink(thread), t0)));
    const history = await b.linkHistory(thread);
    expect(history).toHaveLength(20);
    expect(history.filter((link) => link.active)).toHaveLength(1);
  });

  it('opens PostgreSQL through openStore when a database URL is given', async () => {
    const schema = await freshSchema(url);
    try {
      const store = await openStore({ databaseUrl: schema.url, dataDir: '/nonexistent' });
      await store.ping();
      await store.close();
    } finally {
      await schema.drop();
    }
  });
});

describe('opening a store', () => {
  it('reports an unreachable PostgreSQL server as store.unavailable', async () => {
    await expect(
      openStore({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/test', dataDir: 'memory' }),
    ).rejects.toMatchObject({
      code: 'store.unavailable',
    });
  });
});
