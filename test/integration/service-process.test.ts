import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPortalSeed, type FakePortal, startFakePortal } from '../fakes/portal/index.js';
import { type FakeSlack, postToApp, startFakeSlack } from '../fakes/slack/index.js';

const secret = 'process-test-signing-secret';
const root = new URL('../../', import.meta.url).pathname;

interface Started {
  readonly child: ChildProcess;
  /** stdout and stderr as they arrived. */
  readonly output: () => string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
}

/**
 * `npm start`'s program with the given environment: by default run from source with tsx, so most tests need no
 * build; `entry` runs a compiled main.js instead.
 */
function startProcess(env: Record<string, string>, entry?: string): Started {
  const child = spawn(process.execPath, entry ? [entry] : ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    stderr += chunk.toString('utf8');
  });
  // 'close', not 'exit': the pipes are drained by then, so the output is complete.
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, stdout: () => stdout, stderr: () => stderr, exit };
}

/** A loopback port nothing listens on: bound, then freed, so connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

/** Values a failed start must not print: every overridden value long enough to be recognisable. */
const expectNotEchoed = (output: string, override: Record<string, string>) => {
  for (const value of Object.values(override).filter((item) => item.length >= 6)) {
    expect(output).not.toContain(value);
  }
};

// A first boot creates the embedded database (several seconds on a busy 2-core machine).
async function waitForPort(started: Started, timeoutMs = 45_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = started.output().match(/"port":(\d+)[^\n]*duplo-helpdesk-slack started/);
    if (match) return Number(match[1]);
    if (started.child.exitCode !== null) throw new Error(`exited early: ${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`did not start: ${started.output()}`);
}

describe('the service as a process', { timeout: 60_000 }, () => {
  let slack: FakeSlack;
  let portal: FakePortal;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    slack = await startFakeSlack();
    portal = await startFakePortal({ seed: defaultPortalSeed() });
    dataDir = await mkdtemp(join(tmpdir(), 'helpdesk-process-'));
    env = {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: slack.apiUrl,
      DUPLO_SLACK_APP_PORTALS: `- name: acme\n  duplo_host: ${portal.url}\n  duplo_token: ${portal.adminToken}\n`,
      PORT: '0',
      DATA_DIR: dataDir,
    };
  });
  afterAll(async () => {
    await slack?.close();
    await portal?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves health, readiness, metrics and signed Slack requests, and stops on SIGTERM with exit 0', async () => {
    const started = startProcess(env);
    try {
      const base = `http://127.0.0.1:${await waitForPort(started)}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        ready: true,
        checks: [
          { name: 'database', ok: true },
          { name: 'portal:acme', ok: true },
        ],
      });

      const challenge = await postToApp(
        `${base}/slack/events`,
        secret,
        { type: 'url_verification', challenge: 'c-123', token: 'x' },
        { kind: 'event' },
      );
      expect(challenge.status).toBe(200);
      expect(challenge.body).toContain('c-123');
      const forged = await postToApp(
        `${base}/slack/events`,
        secret,
        { type: 'url_verification', challenge: 'c-1' },
        { kind: 'event', signature: 'v0=deadbeef' },
      );
      expect(forged.status).toBe(401);
      const stale = await postToApp(
        `${base}/slack/events`,
        secret,
        { type: 'url_verification', challenge: 'c-2' },
        {
          kind: 'event',
          timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60,
        },
      );
      expect(stale.status).toBe(401);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('process_resident_memory_bytes');
      expect(metrics).toContain('helpdesk_slack_requests_total{kind="http",outcome="bad_signature"}');
      expect(metrics).toContain('helpdesk_portal_calls_total{portal="acme",operation="check",outcome="ok"}');
      expect(metrics).toContain('helpdesk_slack_ack_seconds');

      started.child.kill('SIGTERM');
      expect(await started.exit).toBe(0);
      expect(started.output()).toContain('"msg":"stopped"');
      expect(started.output()).not.toContain(portal.adminToken);
      expect(started.output()).not.toContain(slack.botToken);
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it('listens while the embedded database is created on a first start: /readyz answers 503 "starting", then 200', async () => {
    const freshDir = await mkdtemp(join(tmpdir(), 'helpdesk-first-boot-'));
    const port = await closedPort();
    const started = startProcess({ ...env, DATA_DIR: freshDir, PORT: String(port) });
    const answers: { status: number; database: { ok: boolean; reason?: string } | undefined }[] = [];
    try {
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline && answers.at(-1)?.status !== 200) {
        if (started.child.exitCode !== null) throw new Error(`exited early: ${started.output()}`);
        const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        if (answer) {
          const report = (await answer.json()) as { checks: { name: string; ok: boolean; reason?: string }[] };
          answers.push({ status: answer.status, database: report.checks.find((check) => check.name === 'database') });
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Creating the cluster takes seconds; the server listens from the first of them.
      expect(answers[0]).toEqual({
        status: 503,
        database: {
          name: 'database',
          ok: false,
          reason: expect.stringContaining('The embedded database is starting.'),
        },
      });
      expect(answers.at(-1)).toMatchObject({ status: 200, database: { ok: true } });
      // Once ready it stays ready: no 503 after the first 200.
      expect(answers.findIndex((answer) => answer.status === 200)).toBe(answers.length - 1);
      started.child.kill('SIGTERM');
      expect(await started.exit).toBe(0);
    } finally {
      started.child.kill('SIGKILL');
      await rm(freshDir, { recursive: true, force: true });
    }
  });

  it('reports a failing portal by name on /readyz', async () => {
    const started = startProcess({
      ...env,
      DUPLO_SLACK_APP_PORTALS: JSON.stringify([
        { name: 'broken', duplo_host: portal.url, duplo_token: 'revoked-token' },
      ]),
    });
    try {
      const base = `http://127.0.0.1:${await waitForPort(started)}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      const report = (await ready.json()) as { checks: { name: string; ok: boolean; reason?: string }[] };
      expect(report.checks.find((check) => check.name === 'portal:broken')).toMatchObject({
        ok: false,
        reason: expect.stringContaining('portal.unauthorized'),
      });
      started.child.kill('SIGTERM');
      expect(await started.exit).toBe(0);
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'not-a-token' }, /^duplo-helpdesk-slack: SLACK_BOT_TOKEN: must be a bot token/],
    [{ PORT: 'eighty' }, /^duplo-helpdesk-slack: PORT: /],
    [
      { DUPLO_SLACK_APP_PORTALS: '- duplo_host: nope' },
      /^duplo-helpdesk-slack: DUPLO_SLACK_APP_PORTALS\[0\.duplo_host\]: /,
    ],
    [
      { SLACK_BOT_TOKEN: 'xoxb-wrong-token' },
      /^duplo-helpdesk-slack: SLACK_BOT_TOKEN: Slack did not accept the token \(invalid_auth\)/,
    ],
  ])('exits non-zero with a one-line reason for %j', async (override, expected) => {
    const started = startProcess({ ...env, ...override });
    expect(await started.exit).toBe(1);
    const lines = started.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(started.output()).not.toContain(portal.adminToken);
    expectNotEchoed(started.output(), override);
  });

  it.each([
    [
      'nothing listens',
      async () => `http://127.0.0.1:${await closedPort()}/api/`,
      (url: string) => `duplo-helpdesk-slack: SLACK_API_URL: Slack is not reachable at ${url} (ECONNREFUSED)`,
    ],
    [
      'something else answers',
      async () => `${portal.url}/not-slack/`,
      (url: string) =>
        expect.stringMatching(
          new RegExp(`^duplo-helpdesk-slack: SLACK_API_URL: no Slack Web API answers at ${url} \\(HTTP 4\\d\\d\\)$`),
        ),
    ],
  ])('names SLACK_API_URL, not the token, in one stderr line when %s there', async (_case, apiUrlOf, expected) => {
    const apiUrl = await apiUrlOf();
    const started = startProcess({ ...env, SLACK_API_URL: apiUrl });
    expect(await started.exit).toBe(1);
    const lines = started.stderr().trim().split('\n');
    expect(lines).toEqual([expected(apiUrl)]);
    // The Web API client's retry warnings go to the JSON log on stdout, not as console lines on stderr.
    // (stdout alone: where the stderr line lands among them in the combined output depends on the pipes' timing.)
    const logLines = started.stdout().trim().split('\n').filter(Boolean);
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(started.output()).not.toContain(slack.botToken);
  });

  it('names DATABASE_URL, never its value, in one line when the database cannot be reached', async () => {
    const password = 'db-password-never-printed';
    const override = { DATABASE_URL: `postgresql://postgres:${password}@127.0.0.1:1/test` };
    const started = startProcess({ ...env, ...override });
    expect(await started.exit).toBe(1);
    expect(started.stderr().trim().split('\n')).toEqual([
      'duplo-helpdesk-slack: DATABASE_URL: the database is not reachable (ECONNREFUSED)',
    ]);
    expect(started.output()).not.toContain(password);
    expect(started.output()).not.toContain('postgresql://');
    expectNotEchoed(started.output(), override);
  });

  describe('built with tsc', () => {
    let build: string;

    // Like the image: tsc's output with package.json and node_modules beside it, in a temporary directory so that
    // dist/ is left alone.
    beforeAll(async () => {
      build = await mkdtemp(join(tmpdir(), 'helpdesk-build-'));
      await promisify(execFile)(
        process.execPath,
        [
          join(root, 'node_modules/typescript/bin/tsc'),
          '-p',
          'tsconfig.build.json',
          '--outDir',
          build,
          '--sourceMap',
          'false',
        ],
        { cwd: root },
      );
      await writeFile(join(build, 'package.json'), JSON.stringify({ type: 'module' }));
      await symlink(join(root, 'node_modules'), join(build, 'node_modules'), 'dir');
    }, 60_000);
    afterAll(async () => {
      if (build) await rm(build, { recursive: true, force: true });
    });

    it('starts from the compiled main.js and answers /healthz, /readyz and /metrics', async () => {
      const started = startProcess(env, join(build, 'src/main.js'));
      try {
        const base = `http://127.0.0.1:${await waitForPort(started)}`;
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        const ready = await fetch(`${base}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ ready: true });
        const metrics = await fetch(`${base}/metrics`);
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toContain('helpdesk_portal_calls_total{portal="acme",operation="check"');
        started.child.kill('SIGTERM');
        expect(await started.exit).toBe(0);
        expect(started.stderr()).toBe('');
      } finally {
        started.child.kill('SIGKILL');
      }
    });
  });
});
