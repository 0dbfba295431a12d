import { openSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileChildren, removeBuild } from './build.js';
import { forkChild, useRuntime } from './children.js';
import { runLoad } from './load.js';
import { answered, createTickets, mentionsIn, newThreads, seedLinksFor, serviceEnv, startFakes } from './workspace.js';

/**
 * `npx tsx bench/profile-relay.ts [--mentions 500] [--connections 20] [--tsx] [--out DIR]`: where the service's CPU
 * goes on the relay path. The service runs alone in its process (bench/service-process.ts, PGlite on disk, the
 * benchmark's fakes and settings, compiled with tsc unless --tsx) under `node --cpu-prof`; after a warm-up, signed
 * mentions in linked threads are fired at it as section 1 does (bench/sections/ack-latency.ts). Only the samples
 * taken between the start of the load and the service going idle again are counted: start-up (PGlite's WebAssembly
 * compile, module loading) is left out. Prints the top self-time entries, grouped by package or module and one by
 * one, the service's CPU time per relayed mention (process.cpuUsage; the fake portal runs in this process, so its
 * time is not in it), and the log lines written per mention, by level. Writes the profile and a summary to --out.
 */

const { values } = parseArgs({
  options: {
    mentions: { type: 'string', default: '500' },
    connections: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '100' },
    tsx: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const mentions = Number(values.mentions);
const connections = Number(values.connections);
const warmup = Number(values.warmup);
const outDir = values.out ?? (await mkdtemp(join(tmpdir(), 'profile-relay-')));
await mkdir(outDir, { recursive: true });
const log = (message: string) => process.stderr.write(`[profile] ${message}\n`);

if (!values.tsx) {
  log('compiling src/ and the child entries with tsc');
  useRuntime(await compileChildren());
}
const fakes = await startFakes();
const dataDir = await mkdtemp(join(tmpdir(), 'profile-relay-data-'));
const logPath = join(outDir, 'service.log');
const logFd = openSync(logPath, 'w');
const profileDir = join(outDir, 'cpuprofile');
await rm(profileDir, { recursive: true, force: true });
const service = await forkChild('service', serviceEnv(fakes, { DATA_DIR: dataDir }), {
  execArgv: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  stdout: logFd,
});
let window: { from: number; to: number } | undefined;
let cpuMicros = 0;
let logBytes: { from: number; to: number } | undefined;
/** Slack and portal calls the measured mentions caused, by method (and the portal's path, ids folded). */
const callsBy = new Map<string, number>();
try {
  const tickets = await createTickets(fakes, 20);
  const linked = async (prefix: string, count: number) => {
    const threads = newThreads(fakes, prefix, count, tickets);
    await service.seedLinks(seedLinksFor(fakes, threads));
    return mentionsIn(fakes, threads);
  };
  log(`warm-up: ${warmup} mentions in linked threads`);
  const warm = await linked('W', warmup);
  await runLoad(`${service.url}/slack/events`, warm.requests, connections);
  await service.idle(120_000);

  const measured = await linked('P', mentions);
  log(`measured: ${mentions} mentions in linked threads at concurrency ${connections}`);
  const fromLog = statSync(logPath).size;
  const slackBefore = fakes.slack.calls.length;
  fakes.portal.resetCalls();
  const from = await service.clockMicros();
  const cpuBefore = await service.cpuMicros();
  const load = await runLoad(`${service.url}/slack/events`, measured.requests, connections);
  if (!(await service.idle(120_000))) throw new Error('the service did not go idle within 2 minutes');
  cpuMicros = (await service.cpuMicros()) - cpuBefore;
  window = { from, to: await service.clockMicros() };
  logBytes = { from: fromLog, to: statSync(logPath).size };
  for (const call of fakes.slack.calls.slice(slackBefore)) {
    const key = `slack ${call.method}${call.ok ? '' : ` (${call.httpStatus === 429 ? '429' : call.error})`}`;
    callsBy.set(key, (callsBy.get(key) ?? 0) + 1);
  }
  for (const call of fakes.portal.calls) {
    // Ids, names and emails folded away: one line per kind of call.
    const path = call.path
      .split('/')
      .map((segment) => (/[\d%]/.test(segment) ? '…' : segment))
      .join('/');
    const key = `portal ${call.method} ${path}`;
    callsBy.set(key, (callsBy.get(key) ?? 0) + 1);
  }
  const replied = answered(fakes, measured.threads);
  log(
    `${load.completed} acked (${load.non2xx} not 2xx), ${replied} answered; ` +
      `${load.requestsPerSecond.toFixed(0)} req/s`,
  );
  if (replied !== mentions) throw new Error(`only ${replied} of ${mentions} mentions were answered`);
} finally {
  await service.stop();
  await fakes.close();
  await rm(dataDir, { recursive: true, force: true });
  if (!values.tsx) await removeBuild();
}

// --- the profile --------------------------------------------------------------------------------------------------

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
if (!file || !window) throw new Error('no profile was written');
const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as Profile;
await writeFile(join(outDir, 'window.json'), JSON.stringify({ ...window, mentions, cpuMicros }));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

/** Which package or module a frame belongs to, as the summary groups them. */
function groupOf({ functionName, url }: CallFrame): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return 'V8/native: (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  if (url.startsWith('wasm://')) return 'pglite (wasm)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    const pkg = scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? '?');
    if (pkg === '@electric-sql/pglite') return 'pglite (js)';
    if (['pino', 'pino-std-serializers', 'sonic-boom', 'fast-redact', '@pinojs/redact', 'thread-stream'].includes(pkg))
      return 'pino';
    return pkg;
  }
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'node: crypto';
  if (url.includes('node:internal/deps/undici') || url.includes('internal/deps/undici')) return 'node: fetch (undici)';
  if (url.startsWith('node:internal/http') || url === 'node:_http_server' || url.startsWith('node:_http'))
    return 'node: http';
  if (url.startsWith('node:internal/streams') || url.startsWith('node:internal/stream') || url === 'node:stream')
    return 'node: streams';
  if (url.startsWith('node:'))
    return `node: ${
      url
        .slice(5)
        .replace(/^internal\//, '')
        .split('/')[0]
    }`;
  const src = url.indexOf('/src/');
  if (src >= 0) return `ours: ${url.slice(src + 1).replace(/\.(js|ts)$/, '')}`;
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return `bench: ${url.slice(bench + 1)}`;
  return url;
}

/**
 * Inclusive time of some stacks: a sample counts when any frame on its stack is one of these (logging through our
 * adapters or pino, the Web API client's own work, Bolt's).
 */
const inclusive: ReadonlyArray<readonly [string, (frame: CallFrame) => boolean]> = [
  ['logging: src/logger (pino setup, Bolt adapter)', (frame) => /\/src\/logger\.(js|ts)$/.test(frame.url)],
  ['logging: pino', (frame) => groupOf(frame) === 'pino'],
  ['logging: Logger.child', (frame) => frame.functionName === 'child' && groupOf(frame) === 'pino'],
  ['@slack/web-api (all it calls)', (frame) => groupOf(frame) === '@slack/web-api'],
  ['@slack/web-api WebClient.makeRequest', (frame) => frame.functionName === 'makeRequest'],
  ['p-retry / p-queue', (frame) => ['p-retry', 'p-queue'].includes(groupOf(frame))],
  ['@slack/bolt (all it calls)', (frame) => groupOf(frame) === '@slack/bolt'],
  ['ours: src/slack/web/thread-poster', (frame) => groupOf(frame) === 'ours: src/slack/web/thread-poster'],
  ['ours: src/domain/redact*', (frame) => groupOf(frame).startsWith('ours: src/domain/redact')],
  ['pglite (all)', (frame) => groupOf(frame).startsWith('pglite')],
];
const inclusiveTotals = new Map<string, number>();
const selfByGroup = new Map<string, number>();
const selfByFunction = new Map<string, number>();
let windowMicros = 0;
let at = profile.startTime;
for (let index = 0; index < profile.samples.length; index++) {
  at += profile.timeDeltas[index] ?? 0;
  // The time up to the next sample is this sample's.
  const spent = profile.timeDeltas[index + 1] ?? 0;
  if (at < window.from || at > window.to) continue;
  const node = nodes.get(profile.samples[index] as number);
  if (!node) continue;
  const group = groupOf(node.callFrame);
  if (group === '(idle)') continue;
  windowMicros += spent;
  const stack: CallFrame[] = [];
  for (let id: number | undefined = node.id; id !== undefined; id = parents.get(id)) {
    const frame = nodes.get(id)?.callFrame;
    if (frame) stack.push(frame);
  }
  for (const [name, matches] of inclusive) {
    if (stack.some(matches)) inclusiveTotals.set(name, (inclusiveTotals.get(name) ?? 0) + spent);
  }
  selfByGroup.set(group, (selfByGroup.get(group) ?? 0) + spent);
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + spent);
}

/** Coarser families for the headline: PGlite, pino, Slack SDKs, crypto, node core, our code, the rest. */
function familyOf(group: string): string {
  if (group.startsWith('pglite')) return 'pglite';
  if (group === 'pino') return 'pino';
  if (group.startsWith('@slack/')) return group;
  if (group === 'node: crypto') return 'crypto';
  if (group.startsWith('ours: ')) return 'our code';
  if (group.startsWith('V8') || group.startsWith('native')) return 'V8/native (GC, program, builtins)';
  if (group.startsWith('node: ')) return 'node core';
  return 'other packages';
}
const byFamily = new Map<string, number>();
for (const [group, micros] of selfByGroup) byFamily.set(familyOf(group), (byFamily.get(familyOf(group)) ?? 0) + micros);

const pct = (micros: number) => ((micros / windowMicros) * 100).toFixed(1).padStart(5);
const ms = (micros: number) => (micros / 1000).toFixed(0).padStart(6);
const top = (map: Map<string, number>, count: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);

const logText = readFileSync(logPath, 'utf8');
const windowLines = logBytes
  ? Buffer.from(logText).subarray(logBytes.from, logBytes.to).toString('utf8').split('\n').filter(Boolean)
  : [];
const linesBy = new Map<string, number>();
for (const line of windowLines) {
  const { level, msg } = JSON.parse(line) as { level?: string; msg?: string };
  const key = `${level} ${msg}`;
  linesBy.set(key, (linesBy.get(key) ?? 0) + 1);
}

const out: string[] = [];
out.push(
  `profile of ${mentions} mentions in linked threads at c=${connections} (after ${warmup} warm-up), ` +
    `${values.tsx ? 'under tsx' : 'compiled'}`,
);
out.push(
  `service CPU: ${(cpuMicros / 1000).toFixed(0)} ms in all, ${(cpuMicros / mentions / 1000).toFixed(3)} ms per ` +
    `relayed mention (process.cpuUsage); busy in the profile window: ${(windowMicros / 1000).toFixed(0)} ms`,
);
out.push(`log lines per mention: ${(windowLines.length / mentions).toFixed(2)}`);
for (const [key, count] of top(linesBy, 15)) out.push(`  ${(count / mentions).toFixed(2).padStart(6)}  ${key}`);
out.push('calls per mention:');
for (const [key, count] of [...callsBy].sort((a, b) => a[0].localeCompare(b[0])))
  out.push(`  ${(count / mentions).toFixed(2).padStart(6)}  ${key}`);
out.push('', 'self time by family (ms, % of busy time):');
for (const [family, micros] of top(byFamily, 20)) out.push(`  ${ms(micros)} ${pct(micros)}%  ${family}`);
out.push('', 'self time by package / module:');
for (const [group, micros] of top(selfByGroup, 30)) out.push(`  ${ms(micros)} ${pct(micros)}%  ${group}`);
out.push('', 'inclusive time (a sample counts when one of these is on its stack):');
for (const [name] of inclusive) {
  const micros = inclusiveTotals.get(name) ?? 0;
  out.push(`  ${ms(micros)} ${pct(micros)}%  ${name}`);
}
out.push('', 'top self-time functions:');
for (const [name, micros] of top(selfByFunction, 30)) out.push(`  ${ms(micros)} ${pct(micros)}%  ${name}`);
const report = out.join('\n');
process.stdout.write(`${report}\n`);
await writeFile(join(outDir, 'summary.txt'), `${report}\n`);
log(`profile, log and summary in ${outDir}`);
