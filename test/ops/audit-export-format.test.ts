import { describe, expect, it } from 'vitest';
import { parseAuditArgs, parseSince } from '../../src/audit/args.js';
import { embeddedDatabaseRefusal } from '../../src/audit/embedded-database.js';
import { csvField, csvHeader, csvRecord, jsonRecord, toAuditRecord } from '../../src/audit/format.js';
import { readStoreConfig } from '../../src/audit/store-config.js';
import type { StoredAuditEntry } from '../../src/domain/ports.js';
import { createRedactor } from '../../src/domain/redact.js';

const now = new Date('2026-03-09T12:00:00Z');
const redactor = createRedactor();

const entry = (overrides: Partial<StoredAuditEntry> = {}): StoredAuditEntry => ({
  id: '42',
  at: new Date('2026-03-08T09:15:00.250Z'),
  actor: 'U0ALICE',
  action: 'command.approved',
  portal: 'prod',
  spaceId: 'dev01',
  ticketName: 'dev01-17',
  permissions: 'alice@example.com',
  detail: { cardId: 'card-1', index: 0, kind: 'cmd', command: 'kubectl get pods -n dev01' },
  ...overrides,
});

/** Splits RFC 4180 text into records of fields: a reader that follows the RFC, to check what the writer made. */
const readCsv = (text: string): string[][] => {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      i++;
    } else field += char;
  }
  expect(field, 'text after the last CRLF').toBe('');
  return records;
};

describe('audit export: --since', () => {
  it.each([
    ['30m', '2026-03-09T11:30:00.000Z'],
    ['24h', '2026-03-08T12:00:00.000Z'],
    ['7d', '2026-03-02T12:00:00.000Z'],
    ['2w', '2026-02-23T12:00:00.000Z'],
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T09:30:00Z', '2026-03-01T09:30:00.000Z'],
    ['2026-03-01T09:30:00+02:00', '2026-03-01T07:30:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect((parseSince(text, now) as Date).toISOString()).toBe(expected);
  });

  it.each([
    ['7', /duration/],
    ['7y', /duration/],
    ['-7d', /duration/],
    ['yesterday', /duration/],
    ['2026-02-30', /duration/],
    ['2026-03-01T09:30:00', /time zone/],
  ])('refuses %s', (text, message) => {
    expect(parseSince(text, now)).toMatch(message);
  });
});

describe('audit export: arguments', () => {
  it('defaults to the last 7 days as CSV', () => {
    expect(parseAuditArgs([], now)).toEqual({
      ok: true,
      args: { since: new Date('2026-03-02T12:00:00Z'), format: 'csv' },
    });
  });

  it('takes a format, a portal and a ticket', () => {
    expect(
      parseAuditArgs(['--since', '24h', '--format', 'json', '--portal', 'prod', '--ticket', 'dev01-17'], now),
    ).toEqual({
      ok: true,
      args: { since: new Date('2026-03-08T12:00:00Z'), format: 'json', portal: 'prod', ticketName: 'dev01-17' },
    });
    expect(parseAuditArgs(['--since=2026-03-01', '--format=csv'], now)).toMatchObject({ ok: true });
    expect(parseAuditArgs(['--help'], now)).toEqual({ ok: true, help: true });
  });

  it.each([
    [['--format', 'xml'], /^--format: must be csv or json$/],
    [['--since', 'soon'], /^--since: must be a duration/],
    [['--ticket', ' '], /^--ticket: must not be empty$/],
    [['--sinse', '7d'], /Unknown option '--sinse'/],
    [['7d'], /positional argument/],
    [['--since'], /argument missing/],
  ])('says what is wrong with %j', (argv, message) => {
    const parsed = parseAuditArgs(argv, now);
    expect(parsed.ok).toBe(false);
    expect(parsed).toMatchObject({ error: expect.stringMatching(message) });
  });
});

describe('audit export: CSV', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 says, and leaves plain fields alone', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('one\ntwo')).toBe('"one\ntwo"');
    expect(csvField('one\r\ntwo')).toBe('"one\r\ntwo"');
    expect(csvField('')).toBe('');
  });

  it.each(['=HYPERLINK("http://evil")', '+1+2', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'makes %j inert for spreadsheets',
    (text) => {
      const [[read]] = readCsv(`${csvField(text)}\r\n`) as [[string]];
      expect(read).toBe(`'${text}`);
    },
  );

  it('prints a header and one record per entry, each ending in CRLF, that an RFC 4180 reader reads back', () => {
    const tricky = entry({
      id: '43',
      action: 'command.rejected',
      detail: { command: '=cmd|"/c calc"!A1, then\nmore', reason: 'not "now"' },
    });
    const text = csvHeader() + csvRecord(toAuditRecord(entry(), redactor)) + csvRecord(toAuditRecord(tricky, redactor));
    const records = readCsv(text);
    expect(records).toEqual([
      ['time', 'actor', 'action', 'portal', 'space', 'ticket', 'as', 'command', 'detail', 'id'],
      [
        '2026-03-08T09:15:00.250Z',
        'U0ALICE',
        'command.approved',
        'prod',
        'dev01',
        'dev01-17',
        'alice@example.com',
        'kubectl get pods -n dev01',
        '{"cardId":"card-1","index":0,"kind":"cmd","command":"kubectl get pods -n dev01"}',
        '42',
      ],
      [
        '2026-03-08T09:15:00.250Z',
        'U0ALICE',
        'command.rejected',
        'prod',
        'dev01',
        'dev01-17',
        'alice@example.com',
        `'=cmd|"/c calc"!A1, then\nmore`,
        JSON.stringify(tricky.detail),
        '43',
      ],
    ]);
  });

  it('prints an action it does not know like any other, and an entry without permissions with an empty "as"', () => {
    const { permissions: _permissions, ...withoutPermissions } = entry();
    const closed = { ...withoutPermissions, action: 'ticket.closed', detail: { status: 'resolved' } };
    const [record] = readCsv(csvRecord(toAuditRecord(closed, redactor)));
    expect(record?.slice(2, 9)).toEqual([
      'ticket.closed',
      'prod',
      'dev01',
      'dev01-17',
      '',
      '',
      '{"status":"resolved"}',
    ]);
  });
});

describe('audit export: JSON Lines', () => {
  it('prints one object per line with the same fields, detail as an object', () => {
    const text =
      jsonRecord(toAuditRecord(entry(), redactor)) + jsonRecord(toAuditRecord(entry({ id: '43' }), redactor));
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual([
      {
        time: '2026-03-08T09:15:00.250Z',
        actor: 'U0ALICE',
        action: 'command.approved',
        portal: 'prod',
        space: 'dev01',
        ticket: 'dev01-17',
        as: 'alice@example.com',
        command: 'kubectl get pods -n dev01',
        detail: { cardId: 'card-1', index: 0, kind: 'cmd', command: 'kubectl get pods -n dev01' },
        id: '42',
      },
      expect.objectContaining({ id: '43' }),
    ]);
  });

  it('redacts a secret that reached the log before a rule caught it', () => {
    const leaked = entry({ detail: { command: 'curl -H "Authorization: Bearer xoxb-1234567890-abcdefghijkl"' } });
    const line = jsonRecord(toAuditRecord(leaked, redactor));
    expect(line).not.toContain('xoxb-1234567890-abcdefghijkl');
    expect(line).toContain('[REDACTED:');
  });
});

describe('audit export: where the database is', () => {
  it('reads DATABASE_URL, else DATA_DIR (default ./data), as the service does, never echoing a value', () => {
    expect(readStoreConfig({})).toEqual({ ok: true, config: { dataDir: './data' } });
    expect(readStoreConfig({ DATA_DIR: '/data', DATABASE_URL: '' })).toEqual({
      ok: true,
      config: { dataDir: '/data' },
    });
    expect(readStoreConfig({ DATABASE_URL: 'postgresql://u:p@db/helpdesk' })).toEqual({
      ok: true,
      config: { databaseUrl: 'postgresql://u:p@db/helpdesk', dataDir: './data' },
    });
    const bad = readStoreConfig({ DATABASE_URL: 'mysql://u:secret@db' });
    expect(bad).toEqual({ ok: false, error: 'DATABASE_URL: must be a postgres:// or postgresql:// URL' });
  });

  it('refuses a throwaway or missing embedded database', () => {
    expect(embeddedDatabaseRefusal('memory')).toMatch(/no audit log/);
    expect(embeddedDatabaseRefusal('/nonexistent/helpdesk-data')).toMatch(
      /There is no embedded database in \/nonexistent\/helpdesk-data\/pglite/,
    );
  });
});
