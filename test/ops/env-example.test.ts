import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { readRepoFile } from './repo-files.js';

/** .env.example documents every variable config.ts reads, with a comment, and loads as it is. */

const text = readRepoFile('.env.example');
const lines = text.split('\n');

/** The variables of the `Env` schema in src/config.ts (its keys are upper-case, two-space indented). */
function variablesReadByConfig(): string[] {
  const source = readRepoFile('src/config.ts');
  const start = source.indexOf('const Env = z.object({');
  expect(start, 'src/config.ts no longer has `const Env = z.object({`; update this test').toBeGreaterThan(-1);
  const body = source.slice(start, source.indexOf('\n});', start));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1] ?? '').sort();
}

describe('.env.example', () => {
  it('sets every variable config.ts reads, and no other', () => {
    const variables = variablesReadByConfig();
    expect(variables).toContain('SLACK_BOT_TOKEN');
    expect(Object.keys(parse(text)).sort()).toEqual(variables);
  });

  it('puts a comment right above every variable', () => {
    lines.forEach((line, index) => {
      if (/^[A-Z_]+=/.test(line)) expect(lines[index - 1], `comment above ${line}`).toMatch(/^#/);
    });
  });

  it('loads as it is (placeholders in the right shape)', () => {
    const config = loadConfig(parse(text), { readFile: () => '' });
    expect(config).toMatchObject({ slack: { mode: 'socket' }, port: 3000, dataDir: './data', logLevel: 'info' });
    expect(config.portals).toHaveLength(1);
  });

  it('holds placeholders, not real-looking tokens', () => {
    expect(text).not.toMatch(/xox[baprs]-[0-9]{6,}-/);
    expect(text).not.toMatch(/xapp-\d-[A-Z0-9]{6,}-/);
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    for (const [name, value] of Object.entries(parse(text))) {
      if (/TOKEN|SECRET/.test(name) && value) expect(value, name).toMatch(/your-/);
    }
  });
});
