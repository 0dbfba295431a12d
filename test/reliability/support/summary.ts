import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where each reliability file leaves its counters for the summary printed after the run. */
    reliabilitySummaryDir: string;
  }
}

/** What the reliability suite counts. Every file adds to the same names; the summary adds the files up. */
export interface ReliabilityCounters {
  payloadsFuzzed: number;
  faultsInjected: number;
  duplicatesFound: number;
  secretsLeaked: number;
  injectionsLeaked: number;
  signedRequestsRefused: number;
  restarts: number;
  limitsHit: number;
  rssBeforeMb: number;
  rssAfterMb: number;
}

export const emptyCounters = (): ReliabilityCounters => ({
  payloadsFuzzed: 0,
  faultsInjected: 0,
  duplicatesFound: 0,
  secretsLeaked: 0,
  injectionsLeaked: 0,
  signedRequestsRefused: 0,
  restarts: 0,
  limitsHit: 0,
  rssBeforeMb: 0,
  rssAfterMb: 0,
});

/** One file's counters; `save` writes them where the global teardown reads them. */
export function fileCounters(file: string) {
  const counters = emptyCounters();
  return {
    counters,
    add(name: Exclude<keyof ReliabilityCounters, 'rssBeforeMb' | 'rssAfterMb'>, amount = 1): void {
      counters[name] += amount;
    },
    set(name: 'rssBeforeMb' | 'rssAfterMb', value: number): void {
      counters[name] = value;
    },
    save(): void {
      const dir = inject('reliabilitySummaryDir');
      if (!dir) return;
      writeFileSync(join(dir, `${file.replace(/[^a-z0-9-]/gi, '_')}.json`), JSON.stringify(counters));
    },
  };
}
