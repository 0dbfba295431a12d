import { DomainError, isDomainError } from './errors.js';
import type { Actor, Agent, HelpdeskApi, Permission, PortalUser, SpaceAccess } from './helpdesk.js';
import type { Clock, PortalClient, PortalDirectory } from './ports.js';

/**
 * Who may do what, per HelpDesk generation (docs/duplocloud-api.md §7).
 * - Tenant HelpDesk: Slack person → email → portal user (case-insensitive Username) → the tenants they may access
 *   (Administrator: all); changes need read-write access to the ticket's tenant.
 * - Workspace HelpDesk, failing closed: anyone may use any workspace the service sees, with the scopes the operator
 *   allows; approving, changing and moving need the person among the portal's `approvers`, or, where the token can
 *   read the portal's users, a portal user with their email who is not read-only.
 * Option lists may come from a short cache; every action re-checks against the portal (`fresh`).
 */
export interface AccessService {
  helpdesk(portal: string): Promise<HelpdeskApi>;
  /** The spaces this person may use, each with whether they may change things there; `username` names them. */
  spaces(
    portal: string,
    actor: Actor,
    options?: { fresh?: boolean },
  ): Promise<{ readonly spaces: SpaceAccess[]; readonly username: string | null }>;
  /** The space, when this person may use it (and change things in it when `write`). */
  requireSpace(
    portal: string,
    actor: Actor,
    spaceId: string,
    options: { write: boolean; fresh?: boolean },
  ): Promise<SpaceAccess>;
  /** What a ticket in this space may run with: the tenant's identities, or the workspace's allowed scopes. */
  permissionChoices(portal: string, spaceId: string, options?: { fresh?: boolean }): Promise<Permission[]>;
  /** The permissions as the portal names them now, when they are (still) allowed in the space. Always fresh. */
  requirePermissions(portal: string, spaceId: string, ids: readonly string[]): Promise<Permission[]>;
  agents(portal: string, spaceId: string): Promise<Agent[]>;
  requireAgent(portal: string, spaceId: string, agentId: string): Promise<Agent>;
}

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

/** Portal answers that mean "the token cannot read the portal's users", as opposed to a portal that is down. */
const usersUnreadable = (error: unknown): boolean =>
  isDomainError(error) && ['portal.forbidden', 'portal.unauthorized', 'portal.not_found'].includes(error.code);

/**
 * Slack Connect: people of other organisations' workspaces share channels with the installing workspace. They may
 * not use the service (create, talk to an agent, approve, change or move) unless the operator allows their team.
 */
export interface TeamPolicy {
  /** The workspace the app is installed in. */
  readonly home: string;
  /** Other teams whose people may use the service. */
  readonly allowed: readonly string[];
}

export function createAccessService({
  portals,
  clock,
  teams,
  cacheMs = 60_000,
}: {
  portals: PortalDirectory;
  clock: Clock;
  /** Absent: every team may (tests of other rules). */
  teams?: TeamPolicy;
  cacheMs?: number;
}): AccessService {
  const cache = new Map<string, Cached<unknown>>();

  const requireTeam = (actor: Actor, portal: string): void => {
    if (!teams || actor.teamId === teams.home || teams.allowed.includes(actor.teamId)) return;
    throw new DomainError('access.external_team', `Team ${actor.teamId} is not allowed`, {
      portal,
      teamId: actor.teamId,
    });
  };

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

  /** The portal and the API it speaks now; cache keys carry the API, so an upgraded portal never reads stale lists. */
  const open = async (portalName: string): Promise<{ portal: PortalClient; api: HelpdeskApi; key: string }> => {
    const portal = portals.get(portalName);
    const api = await portal.helpdesk();
    return { portal, api, key: `${portal.name}:${api}` };
  };

  const portalUser = async (
    portal: PortalClient,
    key: string,
    email: string,
    fresh: boolean,
  ): Promise<PortalUser | null> => cached(`user:${key}:${email.toLowerCase()}`, fresh, () => portal.findUser(email));

  /** Tenant HelpDesk: the portal user behind the person, or a refusal saying why there is none. */
  const requireTenantUser = async (portal: PortalClient, key: string, actor: Actor, fresh: boolean) => {
    if (!actor.email) {
      throw new DomainError('access.no_email', 'Slack does not share an email address for this user', {
        portal: portal.name,
      });
    }
    const user = await portalUser(portal, key, actor.email, fresh);
    if (!user) {
      throw new DomainError('access.no_portal_user', `No user ${actor.email} in portal ${portal.name}`, {
        portal: portal.name,
      });
    }
    return user;
  };

  const tenantSpaces = async (portal: PortalClient, key: string, actor: Actor, fresh: boolean) => {
    const user = await requireTenantUser(portal, key, actor, fresh);
    const spaces = await cached(`spaces:${key}:${user.username.toLowerCase()}`, fresh, () => portal.userSpaces(user));
    return { user, spaces };
  };

  const allSpaces = (portal: PortalClient, key: string, fresh: boolean) =>
    cached(`spaces:${key}:*`, fresh, () => portal.listSpaces());

  /**
   * Workspace HelpDesk: may this person change things (approve, change, move)? Listed approvers may; otherwise a
   * portal user with their email who is not read-only, where the portal's users can be read. Unknown means no.
   */
  const changerVerdict = async (
    portal: PortalClient,
    key: string,
    actor: Actor,
    fresh: boolean,
  ): Promise<'approver' | 'read_only' | 'not_approver'> => {
    const listed = new Set(portal.settings.approvers);
    if (listed.has(actor.slackUserId.toLowerCase()) || (actor.email && listed.has(actor.email.toLowerCase()))) {
      return 'approver';
    }
    if (!actor.email) return 'not_approver';
    let user: PortalUser | null;
    try {
      user = await portalUser(portal, key, actor.email, fresh);
    } catch (error) {
      if (usersUnreadable(error)) return 'not_approver';
      throw error;
    }
    if (!user) return 'not_approver';
    return user.readOnly ? 'read_only' : 'approver';
  };

  const permissionChoices: AccessService['permissionChoices'] = async (portalName, spaceId, options = {}) => {
    const { portal, api, key } = await open(portalName);
    const listed = await cached(`permissions:${key}:${spaceId}`, options.fresh ?? false, () =>
      portal.permissionChoices(spaceId),
    );
    const allowed = portal.settings.allowedScopeIds;
    if (api === 'tenant' || allowed === null) return listed;
    const allowedIds = new Set(allowed.map((id) => id.toLowerCase()));
    return listed.filter((scope) => allowedIds.has(scope.id.toLowerCase()));
  };

  const agents: AccessService['agents'] = async (portalName, spaceId) => {
    const { portal, key } = await open(portalName);
    return cached(`agents:${key}:${spaceId}`, false, () => portal.listAgents(spaceId));
  };

  return {
    helpdesk: async (portalName) => (await open(portalName)).api,

    permissionChoices,
    agents,

    async spaces(portalName, actor, options = {}) {
      requireTeam(actor, portalName);
      const { portal, api, key } = await open(portalName);
      const fresh = options.fresh ?? false;
      if (api === 'tenant') {
        const { user, spaces } = await tenantSpaces(portal, key, actor, fresh);
        return { spaces, username: user.username };
      }
      const listed = await allSpaces(portal, key, fresh);
      // Shown as a hint only (every action checks again): a portal that cannot say reads as read-only.
      const verdict = await changerVerdict(portal, key, actor, fresh).catch(() => 'not_approver' as const);
      return { spaces: listed.map((space) => ({ ...space, readOnly: verdict !== 'approver' })), username: null };
    },

    async requireSpace(portalName, actor, spaceId, { write, fresh = true }) {
      requireTeam(actor, portalName);
      const { portal, api, key } = await open(portalName);
      const details = { portal: portal.name, spaceId };
      if (api === 'tenant') {
        const { user, spaces } = await tenantSpaces(portal, key, actor, fresh);
        const tenant = spaces.find((candidate) => candidate.id.toLowerCase() === spaceId.toLowerCase());
        if (!tenant) throw new DomainError('access.space_denied', `${user.username} cannot access ${spaceId}`, details);
        if (write && tenant.readOnly) {
          throw new DomainError('access.read_only', `${user.username} has read-only access to ${tenant.name}`, details);
        }
        return tenant;
      }
      const space = (await allSpaces(portal, key, fresh)).find((candidate) => candidate.id === spaceId);
      if (!space) throw new DomainError('access.space_denied', `No workspace ${spaceId} in ${portal.name}`, details);
      if (!write) return { ...space, readOnly: false };
      const verdict = await changerVerdict(portal, key, actor, true);
      if (verdict === 'read_only') {
        throw new DomainError('access.read_only', `${actor.email} is a read-only user of ${portal.name}`, details);
      }
      if (verdict === 'not_approver') {
        throw new DomainError('access.not_approver', `${actor.slackUserId} is not an approver of ${portal.name}`, {
          ...details,
          setting: 'approvers',
        });
      }
      return { ...space, readOnly: false };
    },

    async requirePermissions(portalName, spaceId, ids) {
      const { api } = await open(portalName);
      const details = { portal: portalName, spaceId };
      const choices = await permissionChoices(portalName, spaceId, { fresh: true });
      const find = (id: string) => choices.find((choice) => choice.id.toLowerCase() === id.toLowerCase());
      if (api === 'tenant') {
        if (choices.length === 0) {
          throw new DomainError('access.no_identities', 'The tenant has no helpdesk-impersonatable-users', details);
        }
        const match = ids.length === 1 && ids[0] !== undefined ? find(ids[0]) : undefined;
        if (!match) {
          throw new DomainError('access.identity_not_allowed', `${ids.join(',')} is not in the tenant's list`, details);
        }
        return [match];
      }
      if (choices.length === 0) {
        throw new DomainError('access.no_scopes', 'The workspace offers no scope the operator allows', details);
      }
      const matches = [...new Set(ids)].map((id) => ({ id, match: find(id) }));
      const missing = matches.filter((entry) => !entry.match).map((entry) => entry.id);
      if (matches.length === 0 || missing.length > 0) {
        throw new DomainError('access.scope_not_allowed', `Scopes not allowed: ${missing.join(',') || '(none)'}`, {
          ...details,
          scopes: missing.join(','),
        });
      }
      return matches.map((entry) => entry.match as Permission);
    },

    async requireAgent(portalName, spaceId, agentId) {
      const match = (await agents(portalName, spaceId)).find((agent) => agent.id === agentId);
      if (!match) {
        throw new DomainError('agent.unknown', `No agent ${agentId} in ${spaceId}`, { portal: portalName, spaceId });
      }
      return match;
    },
  };
}
