import { type FakePortal, startFakePortal } from './fake-portal.js';
import type { HelpdeskApi } from './model.js';
import {
  defaultPortalSeed,
  defaultWorkspaceSeed,
  SeedAgents,
  SeedScopes,
  SeedTenants,
  SeedUsers,
  SeedWorkspaceAgents,
  SeedWorkspaces,
} from './seed.js';

/**
 * `npm run fake-portal`: fake DuploCloud portals with the default seeds, for running the service by hand.
 * - FAKE_PORTAL_API: `tenant` (Gen A), `workspace` (Gen B) or `both` (default): one portal per generation.
 * - FAKE_PORTAL_PORT (default 8480): the Gen A portal's port. FAKE_PORTAL_WORKSPACE_PORT (default the Gen A port
 *   + 1, so 8481; 0 when FAKE_PORTAL_PORT is 0): the Gen B portal's port. 0 picks a free one.
 * - FAKE_PORTAL_TOKEN (default random per portal): the admin token of every portal started.
 * - FAKE_PORTAL_USERS: comma-separated emails (their Slack emails) added as people: on Gen A with read-write access
 *   to dev and staging, on Gen B as users. So a real Slack workspace can try the service against these portals.
 * It prints one `export DUPLO_SLACK_APP_PORTALS='[…]'` line naming every portal started, with its `api`.
 */

const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

const portNumber = (name: string, raw: string | undefined, fallback: number): number => {
  const port = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`${name} must be a port number (0-65535)`);
  return port;
};

const mode = (process.env.FAKE_PORTAL_API ?? 'both').trim().toLowerCase();
if (mode !== 'tenant' && mode !== 'workspace' && mode !== 'both') {
  fail(`FAKE_PORTAL_API must be tenant, workspace or both; not ${mode}`);
}
const apis: HelpdeskApi[] = mode === 'both' ? ['tenant', 'workspace'] : [mode as HelpdeskApi];

const tenantPort = portNumber('FAKE_PORTAL_PORT', process.env.FAKE_PORTAL_PORT, 8480);
const workspacePort = portNumber(
  'FAKE_PORTAL_WORKSPACE_PORT',
  process.env.FAKE_PORTAL_WORKSPACE_PORT,
  tenantPort === 0 ? 0 : tenantPort + 1,
);
const adminToken = process.env.FAKE_PORTAL_TOKEN?.trim();
const extraUsers = (process.env.FAKE_PORTAL_USERS ?? '')
  .split(',')
  .map((email) => email.trim().toLowerCase())
  .filter(Boolean);
const notEmails = extraUsers.filter((email) => !/^[^@\s]+@[^@\s]+$/.test(email));
if (notEmails.length > 0) {
  fail(`FAKE_PORTAL_USERS must be comma-separated emails; not an email: ${notEmails.join(', ')}`);
}

const token = adminToken ? { adminToken } : {};

const startTenantPortal = (): Promise<FakePortal> => {
  const seed = defaultPortalSeed();
  return startFakePortal({
    api: 'tenant',
    seed: {
      ...seed,
      users: [
        ...seed.users,
        ...extraUsers.map((username) => ({
          username,
          roles: ['User'],
          access: [
            { tenantId: SeedTenants.dev.id, readOnly: false },
            { tenantId: SeedTenants.staging.id, readOnly: false },
          ],
        })),
      ],
    },
    port: tenantPort,
    ...token,
  });
};

const startWorkspacePortal = (): Promise<FakePortal> => {
  const seed = defaultWorkspaceSeed();
  return startFakePortal({
    api: 'workspace',
    seed: { ...seed, users: [...seed.users, ...extraUsers.map((username) => ({ username, roles: ['User'] }))] },
    port: workspacePort,
    ...token,
  });
};

const describePortal = (portal: FakePortal): string[] =>
  portal.api === 'tenant'
    ? [
        `Gen A (tenant) portal on ${portal.url}`,
        `  Admin token (${portal.adminUser}): ${portal.adminToken}`,
        `  Tenants: ${Object.values(SeedTenants)
          .map((tenant) => `${tenant.name} ${tenant.id}`)
          .join(', ')}`,
        `  Users: ${[...Object.values(SeedUsers), ...extraUsers].join(', ')}`,
        `  Agents: ${Object.values(SeedAgents)
          .map((agent) => `${agent.name} (${agent.instanceId})`)
          .join(', ')}`,
      ]
    : [
        `Gen B (workspace) HelpDesk on ${portal.url}`,
        `  Admin token (${portal.adminUser}): ${portal.adminToken}`,
        `  Workspaces: ${Object.values(SeedWorkspaces)
          .map((workspace) => `${workspace.name} ${workspace.id}`)
          .join(', ')}`,
        `  Users: ${[SeedUsers.admin, SeedUsers.alice, SeedUsers.bob, ...extraUsers].join(', ')}`,
        `  Agents: ${Object.values(SeedWorkspaceAgents)
          .map((agent) => `${agent.name} ${agent.id}${'streaming' in agent && agent.streaming ? ' (streams)' : ''}`)
          .join(', ')}`,
        `  Scopes: ${Object.values(SeedScopes)
          .map((scope) => `${scope.name} ${scope.id}`)
          .join(', ')}`,
      ];

const portals: FakePortal[] = [];
try {
  for (const api of apis) portals.push(await (api === 'tenant' ? startTenantPortal() : startWorkspacePortal()));
} catch (error) {
  await Promise.all(portals.map((portal) => portal.close()));
  fail(`could not start the fake portal: ${error instanceof Error ? error.message : String(error)}`);
}

for (const portal of portals) for (const line of describePortal(portal)) console.log(line);
const entries = portals.map((portal) => ({
  name: `fake-${portal.api}`,
  duplo_host: portal.url,
  duplo_token: portal.adminToken,
  api: portal.api,
}));
console.log('Paste into the shell that starts the service:');
console.log(`export DUPLO_SLACK_APP_PORTALS='${JSON.stringify(entries)}'`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the fake portal${portals.length > 1 ? 's' : ''}`);
  Promise.all(portals.map((portal) => portal.close())).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('fake portal did not close cleanly', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
