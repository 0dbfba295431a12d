import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * src/slack/blocks/ holds pure Block Kit builders: data in, messages and views out. They call no Slack Web API, store,
 * portal or logger; they may use the domain's types and rules, the Slack text helpers and the ids of actions and
 * blocks, and the Block Kit types. Tests in the folder are exempt. Imports are read with the regex the domain's
 * architecture test uses (domain-imports.test.ts).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const blocksDir = join(root, 'src', 'slack', 'blocks');

const allowedPackages = new Set(['@slack/types']);
const allowedTargets = [/^src\/domain\//, /^src\/slack\/blocks\//, /^src\/slack\/text\//, /^src\/slack\/ids\.js$/];

const importPattern =
  /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?[\w*{}\s,$]+?\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function specifiersOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(importPattern)].map((match) => match[1] ?? '');
}

function violation(file: string, specifier: string): string | null {
  if (specifier.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    return allowedTargets.some((pattern) => pattern.test(target)) ? null : `${file} imports ${specifier}`;
  }
  return allowedPackages.has(specifier) ? null : `${file} imports ${specifier}`;
}

const blockSources = (): string[] =>
  readdirSync(blocksDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(root, join(blocksDir, entry.name)).split(sep).join('/'));

describe('src/slack/blocks imports', () => {
  it('flags the Web API, the store, the portal, the logger and other Slack modules', () => {
    const file = 'src/slack/blocks/x.ts';
    expect(
      [
        '@slack/web-api',
        'pino',
        '../../store/open-store.js',
        '../../portal/index.js',
        '../../logger.js',
        '../thread-poster.js',
        '../deps.js',
      ].map((specifier) => violation(file, specifier)),
    ).not.toContain(null);
    expect(
      ['@slack/types', '../../domain/helpdesk.js', '../text/index.js', '../ids.js', './message.js'].map((specifier) =>
        violation(file, specifier),
      ),
    ).toEqual([null, null, null, null, null]);
  });

  it('builds with nothing but the domain, the Slack text helpers, the ids and Block Kit types', () => {
    const sources = blockSources();
    expect(sources).toContain('src/slack/blocks/notice.ts');
    const violations = sources.flatMap((file) =>
      specifiersOf(readFileSync(join(root, file), 'utf8'))
        .map((specifier) => violation(file, specifier))
        .filter((message): message is string => message !== null),
    );
    expect(violations).toEqual([]);
  });
});
