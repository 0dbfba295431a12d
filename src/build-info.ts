import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** What this build of the service is: its version (package.json) and the Node it runs on. */
export interface BuildInfo {
  readonly version: string;
  readonly node: string;
}

const PackageJson = z.object({ name: z.literal('duplo-helpdesk-slack'), version: z.string().min(1) });

/**
 * The service's package.json, found by walking up from this module: `src/` when run from source, `dist/src/` when
 * compiled (the image keeps package.json beside dist/, see the Dockerfile). `unknown` when none is found.
 */
function packageVersion(from: string): string {
  let dir = from;
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const parsed = PackageJson.safeParse(JSON.parse(readFileSync(candidate, 'utf8')));
      if (parsed.success) return parsed.data.version;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return 'unknown';
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  cached ??= { version: packageVersion(dirname(fileURLToPath(import.meta.url))), node: process.version };
  return cached;
}
