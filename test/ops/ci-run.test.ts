import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot } from './repo-files.js';

/** .ci/run is what CI executes; these checks need no network and do not run it. */

const script = readRepoFile('.ci/run');
const commands = script
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

describe('.ci/run', () => {
  it('is an executable bash script that parses', () => {
    expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(statSync(join(repoRoot, '.ci/run')).mode & 0o111).not.toBe(0);
    const check = spawnSync('bash', ['-n', join(repoRoot, '.ci/run')], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('stops at the first failure', () => {
    expect(commands).toContain('set -euo pipefail');
  });

  it('installs, prepares PostgreSQL, then lints, typechecks, builds and tests, in that order', () => {
    const order = ['npm ci', 'ensure_postgres', 'npm run lint', 'npm run typecheck', 'npm run build', 'npm test'];
    const positions = order.map((command) =>
      commands.findIndex((line) => line === command || line.startsWith(`${command} `)),
    );
    expect(
      positions.every((position) => position >= 0),
      `${order} all present`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('gives the tests the PostgreSQL database `test` on loopback', () => {
    // Evaluate the script's own variable lines, without the environment's TEST_DATABASE_URL.
    const variables = commands.filter((line) =>
      /^(PGHOST_ADDR|PGPORT_NUM|TEST_DB)=|^export TEST_DATABASE_URL=/.test(line),
    );
    const evaluated = spawnSync('bash', ['-c', `${variables.join('\n')}\necho "$TEST_DATABASE_URL"`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(evaluated.stdout.trim()).toBe('postgresql://postgres@127.0.0.1:5432/test');
    expect(script).toContain('pg_ctlcluster --skip-systemctl-redirect');
    expect(script).toContain('apt-get install -y -qq postgresql');
  });

  it('uses only scripts package.json defines', () => {
    const scripts = Object.keys((JSON.parse(readRepoFile('package.json')) as { scripts: object }).scripts);
    const used = [...script.matchAll(/^\s*npm run ([\w:-]+)/gm)].map((match) => match[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(scripts).toContain(name);
  });
});
