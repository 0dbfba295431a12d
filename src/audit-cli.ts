import { config as loadDotenv } from 'dotenv';
import { runAuditExport } from './audit/export.js';

/**
 * `npm run audit -- --since 7d --format csv|json [--portal <name>] [--ticket <name>]`: the audit log of the service's
 * database on stdout (see README, "Audit export"). Reads .env and the environment as the service does.
 */
loadDotenv({ quiet: true });

// `npm run audit | head`: the reader went away; what it took was printed, and that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await runAuditExport({
  argv: process.argv.slice(2),
  env: process.env,
  now: new Date(),
  out: process.stdout,
  tell: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
