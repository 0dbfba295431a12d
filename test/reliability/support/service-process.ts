import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type RunningService, type ServiceOptions, startService } from '../../../src/service.js';
import { postToApp } from '../../fakes/slack/index.js';
import { Channel, type Harness, SigningSecret } from '../../support/harness.js';
import { sleep } from './signed-requests.js';

const root = new URL('../../../', import.meta.url).pathname;

/** The service as `npm start` runs it (from source through tsx, so no build is needed), as a child process. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  /** Resolves with the exit code once the process has exited. */
  readonly exit: Promise<number | null>;
  /** Log lines kept (error and fatal ones always; the others up to `keepLines`). */
  readonly lines: string[];
  /** How many lines the process wrote. */
  lineCount(): number;
  /** Lines whose message is `msg`, parsed. */
  logsWithMessage(msg: string): Record<string, unknown>[];
  /** Resident memory of the process now, in MB (Linux /proc). */
  rssMb(): number;
  /** SIGTERM, and the exit code. */
  terminate(): Promise<number | null>;
  kill(): void;
}

/** The environment a service process needs to run against the harness's fakes, on `dataDir`. */
export function serviceEnv(h: Harness, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    SLACK_BOT_TOKEN: h.slack.botToken,
    SLACK_SIGNING_SECRET: SigningSecret,
    SLACK_API_URL: h.slack.apiUrl,
    DUPLO_SLACK_APP_PORTALS: JSON.stringify([
      { name: 'acme', duplo_host: h.portal.url, duplo_token: h.portal.adminToken },
    ]),
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export async function startServiceProcess(
  env: Record<string, string>,
  { keepLines = 5000, startTimeoutMs = 60_000 }: { keepLines?: number; startTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let count = 0;
  let partial = '';
  const take = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      if (!part) continue;
      count += 1;
      // Copied (not a slice of the chunk), and long lines cut, so a flood of logs cannot swell the test process.
      const line = Buffer.from(part.slice(0, 4000)).toString();
      if (lines.length < keepLines || /"level":"(error|fatal)"/.test(line)) lines.push(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const deadline = Date.now() + startTimeoutMs;
  let port: number | undefined;
  while (port === undefined) {
    const started = lines.find((line) => line.includes('duplo-helpdesk-slack started'));
    const match = started?.match(/"port":(\d+)/);
    if (match) port = Number(match[1]);
    else if (child.exitCode !== null) throw new Error(`the service exited at start: ${lines.join('\n')}`);
    else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start in ${startTimeoutMs} ms: ${lines.join('\n')}`);
    } else await sleep(50);
  }
  const pid = child.pid as number;
  return {
    child,
    pid,
    url: `http://127.0.0.1:${port}`,
    exit,
    lines,
    lineCount: () => count,
    logsWithMessage: (msg) =>
      lines
        .filter((line) => line.includes(`"msg":"${msg}"`))
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return { raw: line };
          }
        }),
    rssMb() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      return Math.round(kb / 1024);
    },
    async terminate() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exit;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Waits until neither fake has seen a call for `quietMs` (the child's post-ack work is done), bounded. */
export async function settle(h: Harness, quietMs = 1000, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const seen = h.slack.calls.length + h.portal.calls.length;
    if (seen !== last) {
      last = seen;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) return true;
    await sleep(100);
  }
  return false;
}

/** A service instance in this process on the harness's config (same fakes, same data), with extra options. */
export function startServiceOn(h: Harness, options: ServiceOptions = {}): Promise<RunningService> {
  return startService(h.config, {
    host: '127.0.0.1',
    logDestination: h.logs,
    slackClientOptions: { retryConfig: { retries: 0 }, timeout: 5_000 },
    portalClientOptions: { timeoutMs: 3_000, agentTimeoutMs: 5_000, getRetries: 1, retryBaseDelayMs: 10 },
    ...options,
  });
}

/** The harness, with `service`, `send`, `say` and `mention` going to another instance. */
export function harnessOn(h: Harness, service: RunningService): Harness {
  const send: Harness['send'] = async (payload, kind, extra = {}) => {
    const response = await postToApp(`${service.url}/slack/events`, SigningSecret, payload, { kind, ...extra });
    await service.idle();
    return response;
  };
  const deliver = async (events: readonly unknown[]) => {
    for (const event of events) await send(event, 'event');
  };
  return {
    ...h,
    service,
    send,
    async say(user, text, threadTs) {
      const result = h.slack.userMessage({ user: user.id, channel: Channel, text, ...(threadTs ? { threadTs } : {}) });
      await deliver(result.events);
      return { ts: result.ts };
    },
    async mention(user, text, threadTs) {
      const result = h.slack.mention({ user: user.id, channel: Channel, text, ...(threadTs ? { threadTs } : {}) });
      await deliver(result.events);
      return { ts: result.ts };
    },
  };
}
