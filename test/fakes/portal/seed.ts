import { IMPERSONATABLE_USERS_KEY, type PortalSeed } from './model.js';

/** Tenants of the default seed. Reference these instead of spelling ids in tests. */
export const SeedTenants = {
  dev: { id: '3f6d2c1a-8b4e-4f7a-9c2d-1e5b7a9c0d11', name: 'dev' },
  staging: { id: '7a1e9b42-5c3d-4e8f-a6b1-2d4c6e8f0a22', name: 'staging' },
  prod: { id: 'c9b8a7d6-1e2f-4a3b-8c4d-5e6f7a8b9c33', name: 'prod' },
} as const;

/** Users of the default seed (portal usernames are emails). */
export const SeedUsers = {
  /** Administrator: every tenant. The admin token belongs to this user. */
  admin: 'admin@acme.io',
  /** dev read-write, staging read-write. */
  alice: 'alice@acme.io',
  /** dev read-only, nothing else. */
  bob: 'bob@acme.io',
  /** prod read-write. */
  carol: 'carol@acme.io',
} as const;

/** Agents of the default seed. */
export const SeedAgents = {
  /** Serves every tenant. */
  kubernetes: { id: 'agent-k8s', name: 'kubernetes-agent', instanceId: 'k8s-1' },
  /** Serves prod only. */
  cost: { id: 'agent-cost', name: 'cost-agent', instanceId: 'cost-1' },
} as const;

/** The `helpdesk-impersonatable-users` lists of the default seed (prod has none). */
export const SeedIdentities = {
  dev: ['dev-deployer', 'dev-reader'],
  staging: ['staging-deployer'],
} as const;

/** A realistic portal: three tenants, an admin and three users with different access, two agents. */
export const defaultPortalSeed = (): PortalSeed => ({
  adminUser: SeedUsers.admin,
  tenants: [
    {
      ...SeedTenants.dev,
      planId: 'default',
      infraOwner: 'default',
      settings: { [IMPERSONATABLE_USERS_KEY]: SeedIdentities.dev.join(';') },
    },
    {
      ...SeedTenants.staging,
      planId: 'default',
      infraOwner: 'default',
      settings: { [IMPERSONATABLE_USERS_KEY]: SeedIdentities.staging.join(';') },
    },
    { ...SeedTenants.prod, planId: 'prod', infraOwner: 'prod' },
  ],
  users: [
    { username: SeedUsers.admin, roles: ['Administrator'] },
    {
      username: SeedUsers.alice,
      roles: ['User'],
      access: [
        { tenantId: SeedTenants.dev.id, readOnly: false },
        { tenantId: SeedTenants.staging.id, readOnly: false },
      ],
    },
    { username: SeedUsers.bob, roles: ['User'], access: [{ tenantId: SeedTenants.dev.id, readOnly: true }] },
    { username: SeedUsers.carol, roles: ['User'], access: [{ tenantId: SeedTenants.prod.id, readOnly: false }] },
  ],
  agents: [{ ...SeedAgents.kubernetes }, { ...SeedAgents.cost, allowedTenants: [SeedTenants.prod.id] }],
});
