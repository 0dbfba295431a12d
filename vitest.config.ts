import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores: keep parallelism modest so integration servers and PGlite instances do not starve each other.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'test/fakes/**/*.test.ts', 'test/ops/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'architecture', include: ['test/architecture/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          // Collects each file's counters and prints the summary table once every file has run.
          globalSetup: ['test/reliability/support/summary-setup.ts'],
          // Lets the fuzz test collect garbage before it reads RSS, so the before/after numbers mean something.
          execArgv: ['--expose-gc'],
          testTimeout: 60_000,
          // Each file sets its scene up in beforeAll (fakes, an embedded PGlite, a ticket thread). Beside the fuzz
          // test's service process on two busy cores that took over 30 s.
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
