import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeedTenants, SeedWorkspaces } from '../../test/fakes/portal/index.js';
import { Channel, type Harness, startHarness } from '../../test/support/harness.js';

/**
 * Everything the demo runs on this machine: the fake DuploCloud portal, the fake Slack and the real service on the
 * embedded database (PGlite in a temporary DATA_DIR, the default a fresh install uses), wired by the test harness.
 */
export interface DemoStage {
  readonly harness: Harness;
  readonly dataDir: string;
  /** Stops the service, both fakes, and removes the temporary data folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** What `kubectl get pods` prints in dev while the web pods crash: the output the approved command reports. */
export const DevPodsOutput = [
  'NAME                       READY   STATUS             RESTARTS        AGE',
  'web-7d4b9c6f5d-2xkqp       0/1     CrashLoopBackOff   14 (2m11s ago)  47m',
  'web-7d4b9c6f5d-9hj4z       0/1     CrashLoopBackOff   14 (1m53s ago)  47m',
  'web-7d4b9c6f5d-tq8wd       1/1     Running            0               47m',
  'worker-5f6c8d7b9-lm2np     1/1     Running            0               12h',
  'redis-0                    1/1     Running            0               6d2h',
].join('\n');

export async function startStage(): Promise<DemoStage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'duplo-helpdesk-demo-'));
  let harness: Harness;
  try {
    harness = await startHarness({
      env: { DATA_DIR: dataDir },
      // One portal of each HelpDesk generation; the workspace one streams its agents' replies at a visible pace.
      // An agent that writes its answer over about two seconds, so the thread shows it being written.
      workspacePortal: { streaming: { eventDelayMs: 150, deltaChars: 16 } },
      logLevel: 'info',
      serviceOptions: {
        // Opening PGlite takes seconds; the fake Slack's idle keep-alive socket from auth.test may be closed by then,
        // and one retry of a reset connection keeps the demo from failing on that race.
        slackClientOptions: { retryConfig: { retries: 2, minTimeout: 50, maxTimeout: 200 }, timeout: 5_000 },
      },
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  harness.slack.addChannel(Channel, { name: 'helpdesk' });
  harness.portal.setCommandOutput(`kubectl get pods -n duploservices-${SeedTenants.dev.name}`, DevPodsOutput);
  harness.workspace?.setCommandOutput(
    `kubectl get pods -n duploservices-${SeedWorkspaces.platform.name}`,
    DevPodsOutput.replaceAll('web-', 'api-'),
  );

  let stopping: Promise<void> | undefined;
  return {
    harness,
    dataDir,
    stop() {
      stopping ??= (async () => {
        try {
          await harness.stop();
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}
