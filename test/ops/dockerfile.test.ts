import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { imageEnv, instructionsOf, parseCopy, parseDockerfile, parseEnv, type Stage } from './dockerfile-parser.js';
import { enginesNode, satisfies } from './node-versions.js';
import { listRepoFiles, productionSources, readRepoFile, withoutComments } from './repo-files.js';

/** No Docker engine here: the Dockerfile is parsed and its promises checked against package.json and tsconfig. */

const of = instructionsOf;

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const build = stages[0] as Stage;
const runtime = stages.at(-1) as Stage;
const packageJson = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };

describe('the Dockerfile parser', () => {
  it('joins continuation lines, skips comments and splits stages', () => {
    const parsed = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'ARG BASE=node:24-bookworm-slim',
        'FROM node:24-bookworm-slim AS build',
        'RUN npm ci \\',
        '  # a comment inside a continuation',
        '  && npm run build',
        '',
        'FROM --platform=linux/amd64 node:24-bookworm-slim',
        'ENV A=1 \\',
        '    B="two words"',
        'COPY --from=build --chown=node:node /app/dist ./dist',
      ].join('\n'),
    );
    expect(parsed.map((stage) => [stage.image, stage.name, stage.instructions.map((i) => i.keyword)])).toEqual([
      ['node:24-bookworm-slim', 'build', ['RUN']],
      ['node:24-bookworm-slim', null, ['ENV', 'COPY']],
    ]);
    expect(parsed[0]?.instructions[0]?.args).toBe('npm ci && npm run build');
    expect(parseEnv(parsed[1]?.instructions[0]?.args ?? '')).toEqual({ A: '1', B: 'two words' });
    expect(parseCopy(parsed[1]?.instructions[1]?.args ?? '')).toEqual({
      from: 'build',
      sources: ['/app/dist'],
      destination: './dist',
    });
    expect(() => parseDockerfile('RUN true')).toThrow(/before FROM/);
    expect(() => parseDockerfile('FROM node:24 \\')).toThrow(/continuation/);
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, both on one minor of Node 24 (LTS), slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // Pinned to the minor .ci/run tests on (its NODE_IMAGE_VERSION; test/ops/ci-run.test.ts), not a moving `node:24`.
    for (const stage of stages) expect(stage.image).toMatch(/^node:24\.\d+-bookworm-slim$/);
    expect(new Set(stages.map((stage) => stage.image)).size).toBe(1);
    expect(build.name).toBe('build');
  });

  it('ships a Node that package.json engines accepts', () => {
    const [, major, minor] = /^node:(\d+)\.(\d+)-/.exec(runtime.image) ?? [];
    expect(satisfies([Number(major), Number(minor), 0], enginesNode())).toBe(true);
  });

  it('installs with the lockfile, compiles, then drops dev dependencies in the build stage', () => {
    const runs = of(build, 'RUN').map((instruction) => instruction.args);
    const all = runs.join(' && ');
    expect(all).toMatch(/\bnpm ci\b/);
    expect(all).toMatch(/\bnpm run build\b/);
    expect(all).toMatch(/\bnpm prune --omit=dev\b|\bnpm ci [^&]*--omit=dev\b/);
    expect(all.indexOf('npm run build')).toBeLessThan(all.search(/--omit=dev/));
  });

  it('copies into the build stage everything tsconfig.build.json compiles', () => {
    const buildConfig = JSON.parse(readRepoFile('tsconfig.build.json')) as { extends?: string; include: string[] };
    const copied = of(build, 'COPY').flatMap((instruction) => parseCopy(instruction.args).sources);
    for (const needed of [...buildConfig.include, 'package.json', 'package-lock.json', 'tsconfig.build.json']) {
      expect(copied, needed).toContain(needed);
    }
    if (buildConfig.extends) expect(copied).toContain(posix.normalize(buildConfig.extends));
  });

  it('compiles sources that import nothing outside what the build stage copies', () => {
    const copied = of(build, 'COPY').flatMap((instruction) => parseCopy(instruction.args).sources);
    const outside = productionSources().flatMap((file) =>
      [
        ...withoutComments(readRepoFile(file)).matchAll(
          /\bfrom\s+['"](\.[^'"]+)['"]|\bimport\s*\(\s*['"](\.[^'"]+)['"]/g,
        ),
      ]
        .map((match) => posix.normalize(posix.join(posix.dirname(file), match[1] ?? match[2] ?? '')))
        .filter((target) => !copied.some((source) => target === source || target.startsWith(`${source}/`)))
        .map((target) => `${file} → ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('ships only package*.json, production node_modules and dist/ from the build stage', () => {
    expect(of(runtime, 'ADD')).toEqual([]);
    const copies = of(runtime, 'COPY').map((instruction) => parseCopy(instruction.args));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      expect(copy.from, `COPY ${copy.sources.join(' ')} must come from the build stage`).toBe(build.name);
      for (const source of copy.sources) {
        expect(['/app/package.json', '/app/package-lock.json', '/app/node_modules', '/app/dist']).toContain(source);
      }
    }
  });

  it('runs as the non-root node user with /data as its volume', () => {
    const users = of(runtime, 'USER').map((instruction) => instruction.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).toMatch(/^(node|1000)$/);
    expect(of(runtime, 'VOLUME').map((instruction) => instruction.args)).toEqual(['/data']);
    const runs = of(runtime, 'RUN')
      .map((instruction) => instruction.args)
      .join(' ');
    expect(runs).toMatch(/chown (node|1000)(:(node|1000))? \/data/);
  });

  it('sets the production environment, and the config loader accepts it', () => {
    const env = imageEnv(stages);
    expect(env).toMatchObject({ NODE_ENV: 'production', DATA_DIR: '/data', PORT: '3000' });
    expect(of(runtime, 'EXPOSE').map((instruction) => instruction.args)).toEqual([env.PORT]);
    const config = loadConfig({
      ...env,
      SLACK_BOT_TOKEN: 'xoxb-placeholder',
      SLACK_APP_TOKEN: 'xapp-placeholder',
      DUPLO_SLACK_APP_PORTALS: '[{"duplo_host": "https://portal.example.com", "duplo_token": "placeholder"}]',
    });
    expect(config).toMatchObject({ dataDir: '/data', port: 3000 });
  });

  it('checks health on /healthz with node itself and stops on SIGTERM', () => {
    const [healthcheck] = of(runtime, 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/\bCMD node -e .*fetch\(.*\/healthz/);
    expect(healthcheck?.args).toContain('process.env.PORT');
    expect(readRepoFile('src/http/service-http-server.ts')).toContain("'/healthz'");
    expect(of(runtime, 'STOPSIGNAL').map((instruction) => instruction.args)).toEqual(['SIGTERM']);
  });

  it('starts what `npm start` starts: the compiled src/main.ts', () => {
    const [cmd] = of(runtime, 'CMD');
    const command = JSON.parse(cmd?.args ?? 'null') as string[];
    // npm runs the script through sh: `exec` makes node replace it, so a supervisor's SIGTERM to npm reaches node
    // instead of leaving it orphaned. The image's exec-form CMD has no shell and starts node directly.
    const start = packageJson.scripts.start ?? '';
    expect(start).toMatch(/^exec /);
    expect(command).toEqual(start.replace(/^exec /, '').split(' '));
    const [runtimeBinary, entry] = command;
    expect(runtimeBinary).toBe('node');

    // tsc maps <rootDir>/src/main.ts to <outDir>/src/main.js.
    const base = JSON.parse(readRepoFile('tsconfig.json')) as { compilerOptions: Record<string, string> };
    const buildConfig = JSON.parse(readRepoFile('tsconfig.build.json')) as {
      compilerOptions?: Record<string, string | boolean>;
    };
    const options = { ...base.compilerOptions, ...buildConfig.compilerOptions };
    const output = posix.join(
      String(options.outDir),
      posix.relative(String(options.rootDir), 'src/main.ts').replace(/\.ts$/, '.js'),
    );
    expect(entry).toBe(output);
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json');
  });

  it('has src/main.ts, the entry point the image starts', () => {
    expect(listRepoFiles('src')).toContain('src/main.ts');
  });

  it('keeps dependencies, build output, data and git out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'dist', 'data', '.git', 'coverage', '.env']) expect(ignored).toContain(entry);
  });
});

describe('the image labels', () => {
  const packageInfo = JSON.parse(readRepoFile('package.json')) as {
    name: string;
    version: string;
    license: string;
    description: string;
  };
  const labels = parseEnv(
    of(runtime, 'LABEL')
      .map((label) => label.args)
      .join(' '),
  );
  const args = Object.fromEntries(of(runtime, 'ARG').map((arg) => arg.args.split('=') as [string, string]));

  it('carries the OCI labels, in step with package.json', () => {
    expect(labels['org.opencontainers.image.title']).toBe(packageInfo.name);
    expect(labels['org.opencontainers.image.description']).toBe(packageInfo.description);
    expect(labels['org.opencontainers.image.licenses']).toBe(packageInfo.license);
    expect(labels['org.opencontainers.image.version']).toBe(`\${VERSION}`);
    expect(args.VERSION).toBe(packageInfo.version);
    expect(labels['org.opencontainers.image.revision']).toBe(`\${REVISION}`);
  });
});
