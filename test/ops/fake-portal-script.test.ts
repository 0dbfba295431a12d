import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createHttpPortalClient } from '../../src/portal/http-portal-client.js';

/** `npm run fake-portal` as a person runs it, with FAKE_PORTAL_USERS set to `users`, on a free port. */
const startScript = (users: string) =>
  spawn(process.execPath, ['--import', 'tsx', 'test/fakes/portal/start.ts'], {
    env: { ...process.env, FAKE_PORTAL_PORT: '0', FAKE_PORTAL_USERS: users },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** The line it prints starts a service, and the people it was given exist. */
describe('npm run fake-portal', () => {
  it('prints an export line the config accepts, knows the added people, and stops on SIGTERM', async () => {
    const child = startScript('Me@Example.com, you@example.com');
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      await expect.poll(() => output, { timeout: 15_000, interval: 50 }).toMatch(/^export DUPLO_SLACK_APP_PORTALS='/m);
      const portals = /^export DUPLO_SLACK_APP_PORTALS='(.*)'$/m.exec(output)?.[1] ?? '';
      const config = loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
        DUPLO_SLACK_APP_PORTALS: portals,
      });
      const [portal] = config.portals;
      if (!portal) throw new Error('no portal');
      const client = createHttpPortalClient(portal, { getRetries: 0 });
      expect((await client.userAccess('me@example.com'))?.tenants.map((tenant) => tenant.name)).toEqual([
        'dev',
        'staging',
      ]);
      expect(await client.userAccess('you@example.com')).not.toBeNull();
      expect(await client.userAccess('nobody@example.com')).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses FAKE_PORTAL_USERS that are not emails, saying which', async () => {
    const child = startScript('me@example.com,not-an-email');
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(errors).toContain('not an email: not-an-email');
  });
});
