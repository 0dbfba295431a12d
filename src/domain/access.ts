import { DomainError } from './errors.js';
import type { Agent, Clock, PortalDirectory, TenantAccess, UserAccess } from './ports.js';

/**
 * Who may do what, decided from the portal's own data (reference §2, §3):
 * Slack user → email → portal user (case-insensitive Username) → tenants (Administrator: all).
 * Option lists may come from a short cache; every action re-checks against the portal (`fresh`).
 */
export interface AccessService {
  /** The portal user behind an email and the tenants they may access. */
  userAccess(portal: string, email: string | null, options?: { fresh?: boolean }): Promise<UserAccess>;
  /** The tenant, when this user may access it (and write to it when `write`). */
  requireTenant(
    portal: string,
    email: string | null,
    tenantId: string,
    options: { write: boolean; fresh?: boolean },
  ): Promise<TenantAccess>;
  identities(portal: string, tenantId: string, options?: { fresh?: boolean }): Promise<string[]>;
  /** The identity as the tenant spells it, when it is in the tenant's list now. */
  requireIdentity(portal: string, tenantId: string, identity: string): Promise<string>;
  agents(portal: string, tenantId: string): Promise<Agent[]>;
  requireAgent(portal: string, tenantId: string, agentName: string): Promise<Agent>;
}

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

export function createAccessService({
  portals,
  clock,
  cacheMs = 60_000,
}: {
  portals: PortalDirectory;
  clock: Clock;
  cacheMs?: number;
}): AccessService {
  const cache = new Map<string, Cached<unknown>>();

  const cached = async <T>(key: string, fresh: boolean, load: () => Promise<T>): Promise<T> => {
    const now = clock.now().getTime();
    const hit = cache.get(key) as Cached<T> | undefined;
    if (!fresh && hit && hit.until > now) return hit.value;
    const value = await load();
    cache.set(key, { value, until: now + cacheMs });
    if (cache.size > 5_000) {
      for (const [entryKey, entry] of cache) if (entry.until <= now) cache.delete(entryKey);
    }
    return value;
  };

  const userAccess: AccessService['userAccess'] = async (portalName, email, options = {}) => {
    const portal = portals.get(portalName);
    if (!email) {
      throw new DomainError('access.no_email', 'Slack does not share an email address for this user', {
        portal: portal.name,
      });
    }
    const access = await cached(`user:${portal.name}:${email.toLowerCase()}`, options.fresh ?? false, () =>
      portal.userAccess(email),
    );
    if (!access) {
      throw new DomainError('access.no_portal_user', `No user ${email} in portal ${portal.name}`, {
        portal: portal.name,
      });
    }
    return access;
  };

  const identities: AccessService['identities'] = async (portalName, tenantId, options = {}) => {
    const portal = portals.get(portalName);
    return cached(`identities:${portal.name}:${tenantId}`, options.fresh ?? false, () =>
      portal.impersonatableUsers(tenantId),
    );
  };

  const agents: AccessService['agents'] = async (portalName, tenantId) => {
    const portal = portals.get(portalName);
    return cached(`agents:${portal.name}:${tenantId}`, false, () => portal.listAgents(tenantId));
  };

  return {
    userAccess,
    identities,
    agents,

    async requireTenant(portalName, email, tenantId, { write, fresh = true }) {
      const { user, tenants } = await userAccess(portalName, email, { fresh });
      const tenant = tenants.find((candidate) => candidate.id === tenantId);
      if (!tenant) {
        throw new DomainError('access.tenant_denied', `${user.username} cannot access tenant ${tenantId}`, {
          portal: portalName,
          tenantId,
        });
      }
      if (write && tenant.readOnly) {
        throw new DomainError('access.read_only', `${user.username} has read-only access to ${tenant.name}`, {
          portal: portalName,
          tenantId,
        });
      }
      return tenant;
    },

    async requireIdentity(portalName, tenantId, identity) {
      const allowed = await identities(portalName, tenantId, { fresh: true });
      if (allowed.length === 0) {
        throw new DomainError('access.no_identities', 'The tenant has no helpdesk-impersonatable-users', {
          portal: portalName,
          tenantId,
        });
      }
      const match = allowed.find((name) => name.toLowerCase() === identity.toLowerCase());
      if (!match) {
        throw new DomainError('access.identity_not_allowed', `${identity} is not in the tenant's list`, {
          portal: portalName,
          tenantId,
        });
      }
      return match;
    },

    async requireAgent(portalName, tenantId, agentName) {
      const match = (await agents(portalName, tenantId)).find((agent) => agent.name === agentName);
      if (!match) {
        throw new DomainError('agent.unknown', `No agent ${agentName} for this tenant`, {
          portal: portalName,
          tenantId,
        });
      }
      return match;
    },
  };
}
