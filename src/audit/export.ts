import type { Writable } from 'node:stream';
import type { StoredAuditEntry, TicketStore } from '../domain/ports.js';
import { createRedactor } from '../domain/redact.js';
import type { StoreConfig } from '../store/open-store.js';
import { openPgliteStore } from '../store/pglite.js';
import { openPostgresStore } from '../store/postgres.js';
import { AuditUsage, parseAuditArgs } from './args.js';
import { embeddedDatabaseRefusal } from './embedded-database.js';
import { csvHeader, csvRecord, jsonRecord, toAuditRecord } from './format.js';
import { readStoreConfig } from './store-config.js';

export interface AuditExportIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: Date;
  /** Where the export goes (stdout). */
  readonly out: Writable;
  /** One line for a person (stderr). */
  readonly tell: (line: string) => void;
  /** Entries read per query; default 500. */
  readonly pageSize?: number;
}

/** Exit codes: 0 exported, 1 the database could not be read, 2 a wrong argument or variable. */
export type ExitCode = 0 | 1 | 2;

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** Written when the stream can take it: a long export never holds more than a page in memory. */
const writeTo = (out: Writable) => (text: string) =>
  new Promise<void>((resolve) => {
    if (out.write(text)) resolve();
    else out.once('drain', resolve);
  });

const openFor = (config: StoreConfig): Promise<TicketStore> =>
  config.databaseUrl === undefined
    ? openPgliteStore({ dataDir: config.dataDir })
    : openPostgresStore({ url: config.databaseUrl, poolSize: 1 });

/** `npm run audit`: prints who did what to which ticket, as whom, from `--since` on, oldest first. */
export async function runAuditExport(io: AuditExportIo): Promise<ExitCode> {
  const parsed = parseAuditArgs(io.argv, io.now);
  if (!parsed.ok) {
    io.tell(`audit: ${parsed.error}\n\n${AuditUsage}`);
    return 2;
  }
  if ('help' in parsed) {
    io.tell(AuditUsage);
    return 0;
  }
  const { args } = parsed;
  const where = readStoreConfig(io.env);
  if (!where.ok) {
    io.tell(`audit: ${where.error}`);
    return 2;
  }
  if (where.config.databaseUrl === undefined) {
    const refusal = embeddedDatabaseRefusal(where.config.dataDir);
    if (refusal) {
      io.tell(`audit: ${refusal}`);
      return 1;
    }
  }

  let store: TicketStore;
  try {
    store = await openFor(where.config);
  } catch (error) {
    io.tell(`audit: could not open the database: ${firstLine(error)}`);
    return 1;
  }
  const redactor = createRedactor();
  const write = writeTo(io.out);
  const pageSize = io.pageSize ?? 500;
  let count = 0;
  try {
    if (args.format === 'csv') await write(csvHeader());
    let after: StoredAuditEntry | undefined;
    for (;;) {
      const page = await store.auditPage({
        since: args.since,
        ...(args.portal ? { portal: args.portal } : {}),
        ...(args.ticketName ? { ticketName: args.ticketName } : {}),
        ...(after ? { after } : {}),
        limit: pageSize,
      });
      for (const entry of page) {
        const record = toAuditRecord(entry, redactor);
        await write(args.format === 'csv' ? csvRecord(record) : jsonRecord(record));
      }
      count += page.length;
      after = page.at(-1);
      if (page.length < pageSize) break;
    }
  } catch (error) {
    io.tell(`audit: reading the audit log failed after ${count} entries: ${firstLine(error)}`);
    return 1;
  } finally {
    await store.close();
  }
  io.tell(`audit: ${count} ${count === 1 ? 'entry' : 'entries'} since ${args.since.toISOString()}`);
  return 0;
}
