import { startFakePortal } from './fake-portal.js';
import { defaultPortalSeed, SeedAgents, SeedTenants, SeedUsers } from './seed.js';

/**
 * `npm run fake-portal`: the fake DuploCloud portal with the default seed, for running the service by hand.
 * FAKE_PORTAL_PORT (default 8480) and FAKE_PORTAL_TOKEN (default random) choose the port and the admin token.
 * FAKE_PORTAL_USERS adds people, comma-separated emails (their Slack emails), with read-write access to dev and
 * staging, so a real workspace can try the service against this portal.
 */

const port = Number(process.env.FAKE_PORTAL_PORT ?? 8480);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('FAKE_PORTAL_PORT must be a port number (0-65535)');
  process.exit(1);
}
const adminToken = process.env.FAKE_PORTAL_TOKEN?.trim();
const extraUsers = (process.env.FAKE_PORTAL_USERS ?? '')
  .split(',')
  .map((email) => email.trim().toLowerCase())
  .filter(Boolean);
const notEmails = extraUsers.filter((email) => !/^[^@\s]+@[^@\s]+$/.test(email));
if (notEmails.length > 0) {
  console.error(`FAKE_PORTAL_USERS must be comma-separated emails; not an email: ${notEmails.join(', ')}`);
  process.exit(1);
}
const seed = defaultPortalSeed();

const portal = await startFakePortal({
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
  port,
  ...(adminToken ? { adminToken } : {}),
});

const portals = [{ name: 'fake', duplo_host: portal.url, duplo_token: portal.adminToken }];
console.log(`Fake DuploCloud portal listening on ${portal.url}`);
console.log(`Admin token (${portal.adminUser}): ${portal.adminToken}`);
console.log(
  `Tenants: ${Object.values(SeedTenants)
    .map((tenant) => `${tenant.name} ${tenant.id}`)
    .join(', ')}`,
);
console.log(`Users: ${[...Object.values(SeedUsers), ...extraUsers].join(', ')}`);
console.log(
  `Agents: ${Object.values(SeedAgents)
    .map((agent) => `${agent.name} (${agent.instanceId})`)
    .join(', ')}`,
);
console.log('Paste into the shell that starts the service:');
console.log(`export DUPLO_SLACK_APP_PORTALS='${JSON.stringify(portals)}'`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the fake portal`);
  portal.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('fake portal did not close cleanly', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
