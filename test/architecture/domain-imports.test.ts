import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * src/domain/ holds the rules, not the transports: it must not import Slack, HTTP, database or logging libraries, nor
 * the adapters in src/slack, src/portal and src/store (STYLE.md §5). Tests in src/domain are exempt: they may wire
 * real adapters. Imports are read with a regex over the source text, which is enough for the forms we write.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const domainDir = join(root, 'src', 'domain');

const forbiddenPackages = [/^@slack\//, /^axios(\/|$)/, /^pg(\/|$)/, /^pino(\/|$)/, /^@electric-sql\/pglite(\/|$)/];
// src/observability: request correlation is carried by adapters, never by the rules (src/observability/correlation.ts).
const forbiddenFolders = ['src/slack', 'src/portal', 'src/store', 'src/observability'];

// `import x from 'm'`, `import type { X } from 'm'`, `export * from 'm'`, `import 'm'`, `import('m')`, `require('m')`
const importPattern =
  /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?[\w*{}\s,$]+?\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function specifiersOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(importPattern)].map((match) => match[1] ?? '');
}

/** Why `specifier`, imported from `file` (root-relative), breaks the rule; null when it is allowed. */
function violation(file: string, specifier: string): string | null {
  if (specifier.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    const folder = forbiddenFolders.find((dir) => target === dir || target.startsWith(`${dir}/`));
    return folder ? `${file} imports ${specifier} (${folder})` : null;
  }
  return forbiddenPackages.some((pattern) => pattern.test(specifier)) ? `${file} imports ${specifier}` : null;
}

function domainSources(dir: string = domainDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return domainSources(path);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')
      ? [relative(root, path).split(sep).join('/')]
      : [];
  });
}

describe('src/domain imports', () => {
  it('reads every import form, and flags forbidden packages and adapter folders', () => {
    const source = [
      "import { App } from '@slack/bolt';",
      "import type { WebClient } from '@slack/web-api';",
      "import axios from 'axios';",
      "import pg from 'pg';",
      "import { pino } from 'pino';",
      "import { PGlite } from '@electric-sql/pglite';",
      "export { openStore } from '../store/open-store.js';",
      "const portal = await import('../portal/index.js');",
      "import '../slack/ids.js';",
      "import {\n  a,\n  b,\n} from '../slack/blocks/ticket-card.js';",
      "import { z } from 'zod';",
      "import { rules } from '@secretlint/secretlint-rule-preset-recommend';",
      "import type { ThreadRef } from './thread-link.js';",
      "import { something } from 'pg-format-like-but-not-pg';",
      "// import { nope } from 'pg';",
    ].join('\n');
    const found = specifiersOf(source);
    expect(found).toHaveLength(14);
    expect(found.map((specifier) => violation('src/domain/x.ts', specifier)).filter(Boolean)).toEqual([
      'src/domain/x.ts imports @slack/bolt',
      'src/domain/x.ts imports @slack/web-api',
      'src/domain/x.ts imports axios',
      'src/domain/x.ts imports pg',
      'src/domain/x.ts imports pino',
      'src/domain/x.ts imports @electric-sql/pglite',
      'src/domain/x.ts imports ../store/open-store.js (src/store)',
      'src/domain/x.ts imports ../portal/index.js (src/portal)',
      'src/domain/x.ts imports ../slack/ids.js (src/slack)',
      'src/domain/x.ts imports ../slack/blocks/ticket-card.js (src/slack)',
    ]);
  });

  it('finds the domain sources', () => {
    expect(domainSources()).toContain('src/domain/ports.ts');
  });

  it('imports no Slack, HTTP, database or logging library and no adapter', () => {
    const violations = domainSources().flatMap((file) =>
      specifiersOf(readFileSync(join(root, file), 'utf8'))
        .map((specifier) => violation(file, specifier))
        .filter((message): message is string => message !== null),
    );
    expect(violations).toEqual([]);
  });

  it('does not read process.env (config.ts is the only reader)', () => {
    const readers = domainSources().filter((file) =>
      /\bprocess\s*\.\s*env\b/.test(readFileSync(join(root, file), 'utf8').replace(/\/\/.*$/gm, '')),
    );
    expect(readers).toEqual([]);
  });
});
