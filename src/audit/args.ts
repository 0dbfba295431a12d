import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * The audit export's command line (`npm run audit -- --since 7d --format csv`), parsed with node:util and checked with
 * zod. A mistake is one line naming the option, answered with exit code 2 and the usage.
 */

export const AuditUsage = `Usage: npm run audit -- [--since 7d] [--format csv|json] [--portal <name>] [--ticket <name>]

  --since    where the export starts: a duration back from now (30m, 24h, 7d, 2w) or an ISO date or time
             (2026-03-01, 2026-03-01T09:00:00Z); default 7d
  --format   csv (RFC 4180, one header line) or json (JSON Lines: one object per line); default csv
  --portal   only this portal's entries (its name in DUPLO_SLACK_APP_PORTALS)
  --ticket   only this ticket's entries (with --portal when two portals have a ticket of that name)

Reads DATABASE_URL, else the embedded database in DATA_DIR (default ./data), as the service does.`;

export type AuditFormat = 'csv' | 'json';

export interface AuditArgs {
  readonly since: Date;
  readonly format: AuditFormat;
  readonly portal?: string;
  readonly ticketName?: string;
}

export type ParsedAuditArgs =
  | { readonly ok: true; readonly args: AuditArgs }
  | { readonly ok: true; readonly help: true }
  | { readonly ok: false; readonly error: string };

const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const durationPattern = /^(\d{1,6})([mhdw])$/;

/** `--since`: a duration back from `now`, or an ISO date (midnight UTC) or date-time with its offset. */
export const parseSince = (text: string, now: Date): Date | string => {
  const duration = durationPattern.exec(text);
  if (duration) {
    const [, amount, unit] = duration as unknown as [string, string, keyof typeof unitMs];
    return new Date(now.getTime() - Number(amount) * unitMs[unit]);
  }
  if (z.iso.date().safeParse(text).success) return new Date(`${text}T00:00:00Z`);
  if (z.iso.datetime({ offset: true }).safeParse(text).success) return new Date(text);
  if (z.iso.datetime({ local: true }).safeParse(text).success) {
    return 'needs a time zone: end the time with Z (UTC) or an offset such as +02:00';
  }
  return 'must be a duration (30m, 24h, 7d, 2w) or an ISO date or time (2026-03-01, 2026-03-01T09:00:00Z)';
};

const Name = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

const Options = z.object({
  help: z.boolean().optional(),
  since: z.string().default('7d'),
  format: z.enum(['csv', 'json'], { error: 'must be csv or json' }).default('csv'),
  portal: Name.optional(),
  ticket: Name.optional(),
});

export function parseAuditArgs(argv: readonly string[], now: Date): ParsedAuditArgs {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h' },
        since: { type: 'string' },
        format: { type: 'string' },
        portal: { type: 'string' },
        ticket: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node:util names the option ("Unknown option '--sinc'"); its message never holds more than the argument.
    return { ok: false, error: (error as Error).message.split('\n')[0] ?? 'unreadable arguments' };
  }
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `--${String(issue?.path[0] ?? 'arguments')}: ${issue?.message ?? 'is not valid'}` };
  }
  const options = parsed.data;
  if (options.help) return { ok: true, help: true };
  const since = parseSince(options.since.trim(), now);
  if (typeof since === 'string') return { ok: false, error: `--since: ${since}` };
  return {
    ok: true,
    args: {
      since,
      format: options.format,
      ...(options.portal ? { portal: options.portal } : {}),
      ...(options.ticket ? { ticketName: options.ticket } : {}),
    },
  };
}
