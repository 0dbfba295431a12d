import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './dockerfile-parser.js';
import {
  ciVariable,
  compareVersions,
  enginesNode,
  parseEnginesRange,
  parseVersion,
  satisfies,
} from './node-versions.js';
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

  it("tests on the Node the image ships and on the lowest Node package.json's engines accepts", () => {
    const image = parseVersion(ciVariable('NODE_IMAGE_VERSION'));
    const floor = parseVersion(ciVariable('NODE_FLOOR_VERSION'));
    const engines = enginesNode();
    // The image's Node: the major.minor every Dockerfile stage pins (node:24.22-bookworm-slim → 24.22.x).
    for (const stage of parseDockerfile(readRepoFile('Dockerfile'))) {
      expect(stage.image, 'Dockerfile and NODE_IMAGE_VERSION move together').toBe(
        `node:${image[0]}.${image[1]}-bookworm-slim`,
      );
    }
    expect(satisfies(image, engines)).toBe(true);
    // The floor: exactly the lowest version engines accepts, on another line than the image's.
    const floors = parseEnginesRange(engines).map((alternative) => alternative.floor);
    expect(floors).toContainEqual(floor);
    for (const other of floors) expect(compareVersions(floor, other)).toBeLessThanOrEqual(0);
    expect(floor[0]).not.toBe(image[0]);
  });

  it('says which Node lines package.json supports: 22 from 22.13 and 24 on, not the end-of-life 20', () => {
    const engines = enginesNode();
    for (const accepted of ['22.13.0', '22.23.5', '24.0.0', '24.22.3']) {
      expect(satisfies(parseVersion(accepted), engines), accepted).toBe(true);
    }
    for (const refused of ['20.20.2', '21.7.3', '22.12.0', '23.11.1']) {
      expect(satisfies(parseVersion(refused), engines), refused).toBe(false);
    }
  });

  it("runs every project on the image's Node and the unit and integration projects on the floor too", () => {
    const line = (pattern: RegExp) => commands.filter((command) => pattern.test(command));
    // The image's Node is first on PATH for everything after the downloads, and its run selects no project.
    expect(commands).toContain('export PATH="$image_bin:$PATH"');
    const imageRuns = line(/^npm test\b/);
    expect(imageRuns).toHaveLength(1);
    expect(imageRuns[0]).not.toContain('--project');
    const floorRuns = line(/^PATH="\$floor_bin:\$PATH" .*\bnpm test\b/);
    expect(floorRuns).toHaveLength(1);
    // One worker beside the image's two (vitest reads VITEST_MAX_WORKERS for every project; --maxWorkers does not).
    expect(floorRuns[0]).toContain('VITEST_MAX_WORKERS=1');
    const projects = [...(floorRuns[0] ?? '').matchAll(/--project (\w+)/g)].map((match) => match[1]);
    expect(projects.sort()).toEqual(['integration', 'unit']);
    // Those are projects vitest.config.ts defines.
    for (const project of projects) expect(readRepoFile('vitest.config.ts')).toContain(`name: '${project}'`);
  });

  it('takes each Node from the npm registry, checks it runs, and keeps it out of the repository', () => {
    expect(script).toMatch(/npm pack [^\n]*"node-\$os-\$arch@\$version"/);
    expect(script).toContain('"$dir/bin/node" --version');
    const cache = commands.find((command) => command.startsWith('NODE_CACHE=')) ?? '';
    expect(cache).toMatch(/\$HOME|XDG_CACHE_HOME/);
  });

  it('uses only scripts package.json defines', () => {
    const scripts = Object.keys((JSON.parse(readRepoFile('package.json')) as { scripts: object }).scripts);
    const used = [...script.matchAll(/^\s*npm run ([\w:-]+)/gm)].map((match) => match[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(scripts).toContain(name);
  });
});
