import { IMPERSONATABLE_USERS_KEY, type PortalSeed, type WorkspacePortalSeed } from './model.js';

// ───────────────────────────── Gen A (tenant) ─────────────────────────────

/** Tenants of the default seed. Reference these instead of spelling ids in tests. */
export const SeedTenants = {
  dev: { id: '3f6d2c1a-8b4e-4f7a-9c2d-1e5b7a9c0d11', name: 'dev' },
  staging: { id: '7a1e9b42-5c3d-4e8f-a6b1-2d4c6e8f0a22', name: 'staging' },
  prod: { id: 'c9b8a7d6-1e2f-4a3b-8c4d-5e6f7a8b9c33', name: 'prod' },
} as const;

/** Users of the default seeds (portal usernames are emails). */
export const SeedUsers = {
  /** Administrator: every tenant. The admin token belongs to this user (both generations). */
  admin: 'admin@acme.io',
  /** Gen A: dev read-write, staging read-write. Gen B: a user. */
  alice: 'alice@acme.io',
  /** Gen A: dev read-only, nothing else. Gen B: a read-only user. */
  bob: 'bob@acme.io',
  /** Gen A: prod read-write. Gen B: not a user. */
  carol: 'carol@acme.io',
} as const;

/**
 * Gen A agents of the default seed. Both are hosted in dev (`agentHostTenantId`), the tenant DuploCloud installs
 * the AI agents in.
 */
export const SeedAgents = {
  /** Serves every tenant; answers on `sendmessage`. */
  kubernetes: {
    id: 'agent-k8s',
    name: 'kubernetes-agent',
    instanceId: 'k8s-1',
    friendlyName: 'Kubernetes Agent',
    hostTenantId: '3f6d2c1a-8b4e-4f7a-9c2d-1e5b7a9c0d11',
  },
  /** Serves prod only; no friendly name. */
  cost: {
    id: 'agent-cost',
    name: 'cost-agent',
    instanceId: 'cost-1',
    hostTenantId: '3f6d2c1a-8b4e-4f7a-9c2d-1e5b7a9c0d11',
  },
} as const;

/** The `helpdesk-impersonatable-users` lists of the default seed (prod has none). */
export const SeedIdentities = {
  dev: ['dev-deployer', 'dev-reader'],
  staging: ['staging-deployer'],
} as const;

/** A realistic Gen A portal: three tenants, an admin and three users with different access, two agents. */
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

// ───────────────────────────── Gen B (workspace) ─────────────────────────────

/** Scopes of the default workspace seed (`providerId`: the cloud account they act in). */
export const SeedScopes = {
  fullAccess: { id: '66a0f1e2d3c4b5a697881101', name: 'full-access', providerId: '66a0f0aa11bb22cc33dd4401' },
  clusterAdmin: { id: '66a0f1e2d3c4b5a697881102', name: 'cluster-admin', providerId: '66a0f0aa11bb22cc33dd4401' },
  readOnly: { id: '66a0f1e2d3c4b5a697881103', name: 'read-only', providerId: '66a0f0aa11bb22cc33dd4401' },
} as const;

/** Agents of the default workspace seed. */
export const SeedWorkspaceAgents = {
  /** Answers on `sendMessage`. In both workspaces. */
  generic: { id: '66a0f2c3d4e5f6a7b8c90201', name: 'generic-agent' },
  /** Streams (`metaData.STREAMING_ENABLED: "true"`), though its `doesSupportStreaming` says false. Platform only. */
  k8s: { id: '66a0f2c3d4e5f6a7b8c90202', name: 'k8s-agent', streaming: true, doesSupportStreaming: false },
} as const;

/** Workspaces of the default workspace seed. */
export const SeedWorkspaces = {
  /** Both agents; scopes full-access, cluster-admin, read-only. Tickets are named PLATFORM-1, PLATFORM-2… */
  platform: { id: '66a0f3a1b2c3d4e5f6a70301', name: 'platform' },
  /** generic-agent only; scope read-only only. */
  data: { id: '66a0f3a1b2c3d4e5f6a70302', name: 'data' },
} as const;

/**
 * A realistic Gen B HelpDesk: two workspaces, a streaming and a non-streaming agent, three scopes, an admin, a user
 * and a read-only user, with the portal's admin API reachable.
 */
export const defaultWorkspaceSeed = (): WorkspacePortalSeed => ({
  adminUser: SeedUsers.admin,
  adminApi: true,
  users: [
    { username: SeedUsers.admin, roles: ['Administrator'] },
    { username: SeedUsers.alice, roles: ['User'] },
    { username: SeedUsers.bob, roles: ['User'], isReadOnly: true },
  ],
  workspaces: [
    {
      ...SeedWorkspaces.platform,
      scopes: [{ ...SeedScopes.fullAccess }, { ...SeedScopes.clusterAdmin }, { ...SeedScopes.readOnly }],
      agents: [SeedWorkspaceAgents.generic.id, SeedWorkspaceAgents.k8s.id],
    },
    {
      ...SeedWorkspaces.data,
      scopes: [{ ...SeedScopes.readOnly }],
      agents: [SeedWorkspaceAgents.generic.id],
    },
  ],
  agents: [{ ...SeedWorkspaceAgents.generic }, { ...SeedWorkspaceAgents.k8s }],
});
