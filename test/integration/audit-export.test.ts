import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditExport } from '../../src/audit/export.js';
import type { AuditEntry, TicketStore } from '../../src/domain/ports.js';
import { openPgliteStore } from '../../src/store/pglite.js';
import { openPostgresStore } from '../../src/store/postgres.js';

/** `npm run audit` as an operator runs it: the script in a child process, over the service's own database. */
const runAudit = async (args: readonly string[], env: Record<string, string>) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/audit-cli.ts', ...args],
      // No DATABASE_URL or DATA_DIR from the developer's environment or .env: only what the test gives.
      { env: { PATH: process.env.PATH ?? '', DATABASE_URL: '', DATA_DIR: '', ...env }, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

const entry = (overrides: Partial<AuditEntry>): AuditEntry => ({
  at: hoursAgo(30),
  actor: 'U0ALICE',
  action: 'ticket.created',
  portal: 'prod',
  spaceId: 'dev01',
  ticketName: 'dev01-17',
  permissions: 'alice@example.com',
  detail: { agent: 'kubernetes', channelId: 'C1', threadTs: '1700000000.000100' },
  ...overrides,
});

/** A week of one ticket's life, one entry too old for `--since 7d`, another ticket and another portal. */
const seed = async (store: TicketStore) => {
  await store.appendAudit(entry({ at: hoursAgo(24 * 10), ticketName: 'dev01-3', detail: { old: true } }));
  await store.appendAudit(entry({}));
  await store.appendAudit(
    entry({
      at: hoursAgo(29),
      action: 'command.approved',
      detail: { cardId: 'card-1', index: 0, kind: 'cmd', command: 'kubectl rollout restart deploy/web, -n dev01' },
    }),
  );
  await store.appendAudit(
    entry({
      at: hoursAgo(29),
      actor: 'U0BOB',
      action: 'command.rejected',
      detail: { cardId: 'card-1', index: 1, kind: 'cmd', command: '=rm -rf /', reason: 'not "now"' },
    }),
  );
  await store.appendAudit(
    entry({
      at: hoursAgo(28),
      action: 'command.executed',
      detail: { cardId: 'card-1', command: 'kubectl rollout restart deploy/web, -n dev01', outputLength: 120 },
    }),
  );
  await store.appendAudit(entry({ at: hoursAgo(2), ticketName: 'dev01-18', action: 'ticket.closed', detail: {} }));
  await store.appendAudit(entry({ at: hoursAgo(1), portal: 'staging', ticketName: 'dev01-17', detail: {} }));
};

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('npm run audit on the embedded database', { timeout: 120_000 }, () => {
  let parent: string;
  let dataDir: string;
  let service: TicketStore | undefined;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'audit-export-'));
    dataDir = join(parent, 'data');
    service = await openPgliteStore({ dataDir });
    await seed(service);
  });

  afterAll(async () => {
    await service?.close();
    await rm(parent, { recursive: true, force: true });
  });

  it('refuses to open the database while the service has it open, and says what to do', async () => {
    const run = await runAudit(['--since', '7d'], { DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/is open \(it holds postmaster\.pid\)/);
    expect(run.stderr).toMatch(/Stop the service/);
    expect(run.stderr).toMatch(/DATABASE_URL/);
  });

  it('prints the last 7 days as CSV once the service has stopped', async () => {
    await service?.close();
    service = undefined;
    const run = await runAudit(['--since', '7d', '--format', 'csv'], { DATA_DIR: dataDir });
    expect(run.stderr).toMatch(/audit: 6 entries since /);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\r\n');
    expect(lines[0]).toBe('time,actor,action,portal,space,ticket,as,command,detail,id');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((line) => line.split(',').slice(1, 6).join(' '))).toEqual([
      'U0ALICE ticket.created prod dev01 dev01-17',
      'U0ALICE command.approved prod dev01 dev01-17',
      'U0BOB command.rejected prod dev01 dev01-17',
      'U0ALICE command.executed prod dev01 dev01-17',
      'U0ALICE ticket.closed prod dev01 dev01-18',
      'U0ALICE ticket.created staging dev01 dev01-17',
    ]);
    expect(lines[2]).toContain(',"kubectl rollout restart deploy/web, -n dev01",');
    // The command cell made inert for spreadsheets; the detail quoted, its quotes doubled (jsonb orders its keys).
    expect(lines[3]).toContain(`,alice@example.com,'=rm -rf /,"{`);
    expect(lines[3]).toContain(`""reason"":""not \\""now\\"""`);
  });

  it('prints one ticket of one portal as JSON Lines', async () => {
    const run = await runAudit(['--since', '2d', '--format', 'json', '--portal', 'prod', '--ticket', 'dev01-17'], {
      DATA_DIR: dataDir,
    });
    expect(run.code).toBe(0);
    const records = jsonLines(run.stdout);
    expect(records.map((record) => [record.actor, record.action, record.as, record.command])).toEqual([
      ['U0ALICE', 'ticket.created', 'alice@example.com', ''],
      ['U0ALICE', 'command.approved', 'alice@example.com', 'kubectl rollout restart deploy/web, -n dev01'],
      ['U0BOB', 'command.rejected', 'alice@example.com', '=rm -rf /'],
      ['U0ALICE', 'command.executed', 'alice@example.com', 'kubectl rollout restart deploy/web, -n dev01'],
    ]);
    expect(records[2]?.detail).toEqual({
      cardId: 'card-1',
      index: 1,
      kind: 'cmd',
      command: '=rm -rf /',
      reason: 'not "now"',
    });
  });

  it('answers a wrong argument with exit code 2 and the usage, opening nothing', async () => {
    const run = await runAudit(['--since', 'last week'], { DATA_DIR: join(parent, 'nowhere') });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^audit: --since: must be a duration/);
    expect(run.stderr).toMatch(/Usage: npm run audit/);
  });
});

const databaseUrl = process.env.TEST_DATABASE_URL;

describe.runIf(databaseUrl)('npm run audit on PostgreSQL (DATABASE_URL)', { timeout: 120_000 }, () => {
  const schema = `audit_export_${process.pid}_${randomBytes(4).toString('hex')}`;
  let url: string;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const parsed = new URL(databaseUrl ?? '');
    parsed.searchParams.set('options', `-c search_path=${schema}`);
    url = parsed.toString();
    const store = await openPostgresStore({ url, poolSize: 1 });
    await seed(store);
    await store.close();
  });

  afterAll(async () => {
    await admin?.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin?.end();
  });

  it('reads page after page, none skipped or repeated', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const told: string[] = [];
    const code = await runAuditExport({
      argv: ['--since', '7d', '--format', 'csv'],
      env: { DATABASE_URL: url },
      now: new Date(),
      out,
      tell: (line) => told.push(line),
      pageSize: 2,
    });
    expect(code).toBe(0);
    expect(told).toEqual([expect.stringMatching(/^audit: 6 entries since /)]);
    const ids = printed
      .split('\r\n')
      .slice(1, -1)
      .map((line) => line.split(',').at(-1));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it('reads while the service runs', async () => {
    const service = await openPostgresStore({ url, poolSize: 1 });
    try {
      const run = await runAudit(['--format', 'json'], { DATABASE_URL: url });
      expect(run.code).toBe(0);
      const records = jsonLines(run.stdout);
      expect(records.map((record) => `${record.portal}/${record.ticket} ${record.action}`)).toEqual([
        'prod/dev01-17 ticket.created',
        'prod/dev01-17 command.approved',
        'prod/dev01-17 command.rejected',
        'prod/dev01-17 command.executed',
        'prod/dev01-18 ticket.closed',
        'staging/dev01-17 ticket.created',
      ]);
      expect(new Set(records.map((record) => record.id)).size).toBe(6);
    } finally {
      await service.close();
    }
  });

  it('says so when the database cannot be reached, without printing the URL', async () => {
    const run = await runAudit([], { DATABASE_URL: 'postgresql://audit:s3cret-pass@127.0.0.1:1/none' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^audit: could not open the database: /);
    expect(run.stderr).not.toContain('s3cret-pass');
  });
});
