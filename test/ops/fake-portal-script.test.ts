import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

/** `npm run fake-portal` as a person runs it, with FAKE_PORTAL_USERS set to `users`, on free ports. */
const startScript = (users: string, env: Record<string, string> = {}) =>
  spawn(process.execPath, ['--import', 'tsx', 'test/fakes/portal/start.ts'], {
    env: { ...process.env, FAKE_PORTAL_PORT: '0', FAKE_PORTAL_USERS: users, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

type Script = ChildProcessByStdio<null, Readable, Readable>;

interface PortalEntry {
  readonly name: string;
  readonly duplo_host: string;
  readonly duplo_token: string;
  readonly api: 'tenant' | 'workspace';
}

/** Waits for the export line and returns its portals. */
const exportedPortals = async (child: Script): Promise<{ raw: string; output: () => string }> => {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await expect.poll(() => output, { timeout: 15_000, interval: 50 }).toMatch(/^export DUPLO_SLACK_APP_PORTALS='/m);
  return { raw: /^export DUPLO_SLACK_APP_PORTALS='(.*)'$/m.exec(output)?.[1] ?? '', output: () => output };
};

const get = async (portal: PortalEntry, path: string) => {
  const response = await fetch(`${portal.duplo_host}${path}`, {
    headers: { authorization: `Bearer ${portal.duplo_token}` },
  });
  return { status: response.status, json: (await response.json()) as unknown };
};

const stop = async (child: Script): Promise<number | null> => {
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  return code as number | null;
};

/** The line it prints starts a service, and the people it was given exist on each portal. */
describe('npm run fake-portal', () => {
  it('starts both generations by default and prints one export line the config accepts', async () => {
    const child = startScript('Me@Example.com, you@example.com');
    try {
      const { raw, output } = await exportedPortals(child);
      const entries = JSON.parse(raw) as PortalEntry[];
      expect(entries.map((entry) => [entry.name, entry.api])).toEqual([
        ['fake-tenant', 'tenant'],
        ['fake-workspace', 'workspace'],
      ]);
      expect(entries[0]?.duplo_host).not.toBe(entries[1]?.duplo_host);
      const config = loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
        DUPLO_SLACK_APP_PORTALS: raw,
      });
      expect(config.portals.map((portal) => portal.name)).toEqual(['fake-tenant', 'fake-workspace']);
      const [tenant, workspace] = entries;
      if (!tenant || !workspace) throw new Error('two portals expected');

      // Each answers its own detection probe (docs §0) and 404s the other's.
      expect(Array.isArray((await get(tenant, '/v1/aiservicedesk/admin/tenants/agents')).json)).toBe(true);
      expect((await get(tenant, '/v1/aiservicedesk/admin/data/workspaces')).status).toBe(404);
      expect((await get(workspace, '/v1/aiservicedesk/admin/data/workspaces')).json).toMatchObject({
        success: true,
        data: { items: [{ name: 'platform' }, { name: 'data' }] },
      });
      expect((await get(workspace, '/v1/aiservicedesk/admin/tenants/agents')).status).toBe(404);

      // Gen A: the added people have read-write access to dev and staging.
      expect((await get(tenant, `/v3/admin/user/${encodeURIComponent('me@example.com')}/tenantAccess`)).json).toEqual([
        expect.objectContaining({ AccountName: 'dev', Policy: { IsReadOnly: false } }),
        expect.objectContaining({ AccountName: 'staging', Policy: { IsReadOnly: false } }),
      ]);
      // Both: they are portal users (not read-only); nobody else is.
      for (const portal of [tenant, workspace]) {
        const users = (await get(portal, '/admin/GetAllUserRoles')).json as { Username: string; IsReadOnly: boolean }[];
        const usernames = users.map((user) => user.Username);
        expect(usernames).toEqual(expect.arrayContaining(['me@example.com', 'you@example.com']));
        expect(usernames).not.toContain('nobody@example.com');
        expect(users.find((user) => user.Username === 'me@example.com')?.IsReadOnly).toBe(false);
      }
      expect(output()).toContain('Gen A (tenant) portal on http://127.0.0.1:');
      expect(output()).toContain('Gen B (workspace) HelpDesk on http://127.0.0.1:');
      expect(output()).toContain('k8s-agent 66a0f2c3d4e5f6a7b8c90202 (streams)');
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('starts one generation with FAKE_PORTAL_API and a fixed token with FAKE_PORTAL_TOKEN', async () => {
    const child = startScript('', { FAKE_PORTAL_API: 'workspace', FAKE_PORTAL_TOKEN: 'fixed-token-1' });
    try {
      const { raw } = await exportedPortals(child);
      const entries = JSON.parse(raw) as PortalEntry[];
      expect(entries).toEqual([
        {
          name: 'fake-workspace',
          duplo_host: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          duplo_token: 'fixed-token-1',
          api: 'workspace',
        },
      ]);
      const [workspace] = entries;
      if (!workspace) throw new Error('one portal expected');
      expect((await get(workspace, '/admin/GetUserRoleInfo')).json).toMatchObject({ Username: 'admin@acme.io' });
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('refuses FAKE_PORTAL_USERS that are not emails, and an unknown FAKE_PORTAL_API, saying which', async () => {
    for (const [users, env, words] of [
      ['me@example.com,not-an-email', {}, 'not an email: not-an-email'],
      ['', { FAKE_PORTAL_API: 'v2' }, 'FAKE_PORTAL_API must be tenant, workspace or both; not v2'],
    ] as const) {
      const child = startScript(users, env);
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => {
        errors += chunk.toString();
      });
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      expect(errors).toContain(words);
    }
  });
});
