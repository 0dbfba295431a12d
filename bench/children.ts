import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildRuntime } from './build.js';
import { type ChildAsk, ChildMessage, type SeedLinks } from './ipc.js';

/** A process under test, started by the benchmark, spoken to over IPC. */
export interface BenchChild {
  readonly url: string;
  readonly pid: number;
  /** performance.now() when the process was forked. */
  readonly forkedAt: number;
  rss(): Promise<number>;
  /** true once the process has no work in flight (false when `timeoutMs` passed first). */
  idle(timeoutMs?: number): Promise<boolean>;
  seedLinks(links: SeedLinks): Promise<number>;
  /** Bytes of the embedded database engine's own memory (its WebAssembly and worker heaps, within the RSS); 0 if none. */
  engineMemory(): Promise<number>;
  /** CPU time used so far, user + system, in µs (the service only). */
  cpuMicros(): Promise<number>;
  /** Its monotonic clock in µs (the service only): where a --cpu-prof profile's samples fall. */
  clockMicros(): Promise<number>;
  /** Asks it to stop cleanly and waits for the exit; kills it (by pid) if it does not go within 30 s. */
  stop(): Promise<void>;
}

export type ChildScript = 'service' | 'bare-bolt';

const entries: Record<ChildScript, string> = { service: 'service-process', 'bare-bolt': 'bare-bolt-process' };

let runtime: ChildRuntime = { kind: 'tsx' };

/** Every child forked from now on runs this way (see build.ts). */
export const useRuntime = (chosen: ChildRuntime): void => {
  runtime = chosen;
};

export const currentRuntime = (): ChildRuntime => runtime;

const launch = (script: ChildScript): { path: string; execArgv: string[] } =>
  runtime.kind === 'compiled'
    ? { path: join(runtime.dir, 'bench', `${entries[script]}.js`), execArgv: [] }
    : {
        path: fileURLToPath(new URL(`./${entries[script]}.ts`, import.meta.url)),
        execArgv: ['--import', import.meta.resolve('tsx')],
      };

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Only what the child needs: never the benchmark's own environment (a DATABASE_URL there must not leak in). */
const baseEnv = (): Record<string, string> => {
  const keep: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[key];
    if (value !== undefined) keep[key] = value;
  }
  return keep;
};

/** Forks a child (compiled or under tsx); resolves when it has said `ready` (or rejects with its stderr). */
export function forkChild(
  script: ChildScript,
  env: Record<string, string>,
  options: {
    readonly readyTimeoutMs?: number;
    /** More node flags (bench/profile-relay.ts: --cpu-prof). */
    readonly execArgv?: readonly string[];
    /** Where its stdout (the JSON log) goes: a file descriptor; default discarded. */
    readonly stdout?: number;
  } = {},
): Promise<BenchChild> & { readonly process: ChildProcess; readonly forkedAt: number } {
  const { path, execArgv } = launch(script);
  const forkedAt = performance.now();
  const child = fork(path, [], {
    cwd: repoRoot,
    env: { ...baseEnv(), ...env },
    execArgv: [...(options.execArgv ?? []), ...execArgv],
    // stdout carries the service's JSON logs: discarded, as a log shipper would take them off the process.
    stdio: ['ignore', options.stdout ?? 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, { resolve: (value: number | boolean) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let readyUrl: ((url: string) => void) | undefined;

  child.on('message', (raw: unknown) => {
    const parsed = ChildMessage.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.kind === 'ready') {
      readyUrl?.(message.url);
      return;
    }
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(`${script} process: ${message.error}`));
  });
  void exited.then((code) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`${script} process exited (${code}) before answering. ${stderr.trim()}`));
    }
    pending.clear();
  });

  const ask = (request: ChildAsk): Promise<number | boolean> =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || !child.connected) {
        reject(new Error(`${script} process is not running. ${stderr.trim()}`));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, ...request });
    });

  const ready = new Promise<BenchChild>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} process did not start within ${options.readyTimeoutMs ?? 60_000} ms. ${stderr}`));
    }, options.readyTimeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} process exited (${code}) while starting. ${stderr.trim()}`));
    });
    readyUrl = (url) => {
      clearTimeout(timer);
      let stopped: Promise<void> | undefined;
      resolve({
        url,
        pid: child.pid ?? -1,
        forkedAt,
        rss: async () => Number(await ask({ kind: 'rss' })),
        idle: async (timeoutMs = 60_000) => (await ask({ kind: 'idle', timeoutMs })) === true,
        seedLinks: async (links) => Number(await ask({ kind: 'seed-links', links })),
        engineMemory: async () => Number(await ask({ kind: 'engine-memory' })),
        cpuMicros: async () => Number(await ask({ kind: 'cpu' })),
        clockMicros: async () => Number(await ask({ kind: 'clock' })),
        stop: () => {
          stopped ??= (async () => {
            if (child.exitCode !== null) return;
            await ask({ kind: 'stop' }).catch(() => undefined);
            const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
            await exited;
            clearTimeout(timer);
          })();
          return stopped;
        },
      });
    };
  });
  return Object.assign(ready, { process: child, forkedAt });
}
