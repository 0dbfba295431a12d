import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { emptyCounters, type ReliabilityCounters } from './summary.js';

let dir: string | undefined;
let started = 0;

/** Vitest global setup for the reliability project: a folder for the files' counters, read back at the end. */
export function setup(project: TestProject): void {
  dir = mkdtempSync(join(tmpdir(), 'helpdesk-reliability-'));
  started = Date.now();
  project.provide('reliabilitySummaryDir', dir);
}

/** Prints the suite's summary: what was thrown at the service and what got through (which must be nothing). */
export function teardown(): void {
  if (!dir) return;
  const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  const total = emptyCounters();
  for (const name of files) {
    const counters = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Partial<ReliabilityCounters>;
    for (const key of Object.keys(total) as (keyof ReliabilityCounters)[]) {
      const value = counters[key] ?? 0;
      total[key] = key.startsWith('rss') ? Math.max(total[key], value) : total[key] + value;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (files.length === 0) return;
  console.log('\nReliability summary');
  console.table({
    'files reporting': files.length,
    'payloads fuzzed': total.payloadsFuzzed,
    'faults injected': total.faultsInjected,
    'signed requests refused (bad/missing/stale/replayed)': total.signedRequestsRefused,
    'restarts (SIGTERM and in-process)': total.restarts,
    'abuse limits hit': total.limitsHit,
    'duplicates found': total.duplicatesFound,
    'secrets leaked': total.secretsLeaked,
    'mention/link injections leaked': total.injectionsLeaked,
    'RSS before fuzz (MB)': total.rssBeforeMb,
    'RSS after fuzz (MB)': total.rssAfterMb,
    'wall time (s)': Math.round((Date.now() - started) / 1000),
  });
}
