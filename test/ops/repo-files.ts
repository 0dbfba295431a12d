import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file is test/ops/repo-files.ts). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const readRepoFile = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

/** Every file under `dir` (relative to the root), as root-relative paths with forward slashes, sorted. */
export function listRepoFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (absolute: string): void => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const path = join(absolute, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(repoRoot, path).split(sep).join('/'));
    }
  };
  walk(join(repoRoot, dir));
  return found.sort();
}

/** Production TypeScript under src/: what `npm run build` compiles (tests excluded, as in tsconfig.build.json). */
export const productionSources = (): string[] =>
  listRepoFiles('src').filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts'));

/**
 * The text with comments blanked, so a call named in a comment is not counted as a call. Crude on purpose: string
 * literals containing `//` (URLs) are kept by only treating `//` as a comment at the start of a line or after
 * whitespace or code punctuation that cannot end a URL scheme.
 */
export function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/(^|[\s;{}(),])\/\/[^\n]*/g, (_match, before: string) => before);
}
