import type { StoredAuditEntry } from '../domain/ports.js';
import type { Redactor } from '../domain/redact.js';

/**
 * One audit entry as the export prints it. Any action prints the same way: the columns are the log's own, and
 * `command` is the detail's command when it names one (what was decided or what ran).
 */
export interface AuditRecord {
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly portal: string;
  readonly space: string;
  readonly ticket: string;
  /** The ticket's permissions when it was written: the identity (or scopes) it ran as. */
  readonly as: string;
  readonly command: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly id: string;
}

export const AuditColumns = [
  'time',
  'actor',
  'action',
  'portal',
  'space',
  'ticket',
  'as',
  'command',
  'detail',
  'id',
] as const satisfies readonly (keyof AuditRecord)[];

/**
 * The entry as printed. What went into the log was redacted when it was written; it passes the redactor again on the
 * way out, as everything shown does, so an entry written before a rule existed does not print a secret.
 */
export function toAuditRecord(entry: StoredAuditEntry, redactor: Redactor): AuditRecord {
  const detail = redactor.redactDeep(entry.detail) as Record<string, unknown>;
  const text = (value: string) => redactor.redact(value).text;
  return {
    time: entry.at.toISOString(),
    actor: text(entry.actor),
    action: text(entry.action),
    portal: text(entry.portal),
    space: text(entry.spaceId),
    ticket: text(entry.ticketName),
    as: text(entry.permissions ?? ''),
    command: typeof detail.command === 'string' ? detail.command : '',
    detail,
    id: entry.id,
  };
}

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV Injection").
const formulaStart = /^[=+\-@\t\r]/;

/** One CSV field: formula-looking text made inert with a leading single quote, then quoted as RFC 4180 requires. */
export const csvField = (value: string): string => {
  const inert = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
};

const csvLine = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\r\n`;

/** RFC 4180: CRLF after every record, the header included. */
export const csvHeader = (): string => csvLine(AuditColumns);

export const csvRecord = (record: AuditRecord): string =>
  csvLine(AuditColumns.map((column) => (column === 'detail' ? JSON.stringify(record.detail) : String(record[column]))));

/** JSON Lines: one object per line, so a long export is streamed and read line by line (jq, a log shipper). */
export const jsonRecord = (record: AuditRecord): string =>
  `${JSON.stringify(Object.fromEntries(AuditColumns.map((column) => [column, record[column]])))}\n`;
