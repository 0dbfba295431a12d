import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether the export may open the embedded database (PGlite) under DATA_DIR. PGlite is one process's database: a
 * second process opening its files while the service has them open can corrupt them. While PGlite has a cluster open
 * its folder holds `postmaster.pid` (with a made-up pid, -42, so whose it is cannot be checked); a clean close
 * removes it. Checked just before opening: a service started in between is not caught.
 */
export function embeddedDatabaseRefusal(dataDir: string): string | null {
  if (dataDir === 'memory') {
    return 'DATA_DIR is "memory": that database lives only inside a running service and has no audit log to export.';
  }
  const folder = join(dataDir, 'pglite');
  if (!existsSync(join(folder, 'PG_VERSION'))) {
    return `There is no embedded database in ${folder}: set DATA_DIR to the service's, or DATABASE_URL.`;
  }
  if (existsSync(join(folder, 'postmaster.pid'))) {
    return [
      `The embedded database in ${folder} is open (it holds postmaster.pid): the service is running, or stopped`,
      'without closing it. It allows one process at a time, so the export does not open it. Stop the service and run',
      'the export again (after a crash, start and stop the service once first), or run the service on PostgreSQL',
      '(DATABASE_URL) and export from there while it runs.',
    ].join(' ');
  }
  return null;
}
