import type { FakePortalServer } from './fake-portal.js';
import { HttpError, isAdmin, ok, parseBody, type Route, requireAdmin } from './http.js';
import type { FakeTenant, FakeUser } from './model.js';
import { MetadataBody } from './wire-schemas.js';

/**
 * The DuploCloud portal's own API (docs/duplocloud-api.md §2): people, tenants, tenant settings. A Gen A portal
 * serves all of it. A Gen B HelpDesk serves only the two user endpoints, and only while `portal.adminApi` is true
 * (it sits on a DuploCloud portal host); otherwise they are 404 like any unknown route.
 */
export const adminRoutes = (portal: FakePortalServer): Route[] => {
  const userJson = (user: FakeUser) => ({ Username: user.username, Roles: user.roles, IsReadOnly: user.isReadOnly });
  const metadataJson = (tenant: FakeTenant) =>
    [...tenant.settings].map(([Key, Value]) => ({ Key, Value }) satisfies { Key: string; Value: string });
  const tenantJson = (tenant: FakeTenant) => ({
    TenantId: tenant.id,
    AccountName: tenant.name,
    PlanID: tenant.planId,
    InfraOwner: tenant.infraOwner,
    Metadata: metadataJson(tenant),
  });
  const reachable = (): void => {
    if (!portal.adminApi) throw new HttpError(404, 'Resource not found');
  };

  const users: Route[] = [
    {
      method: 'GET',
      pattern: /^\/admin\/GetUserRoleInfo$/,
      handle: ({ user }) => {
        reachable();
        return ok(userJson(user));
      },
    },
    {
      method: 'GET',
      pattern: /^\/admin\/GetAllUserRoles$/,
      handle: ({ user }) => {
        reachable();
        requireAdmin(user);
        // IsConfirmed: the real listing carries more fields than we read; clients must tolerate extras.
        return ok([...portal.users.values()].map((each) => ({ ...userJson(each), IsConfirmed: true })));
      },
    },
  ];
  if (portal.api === 'workspace') return users;

  return [
    ...users,
    {
      method: 'GET',
      pattern: /^\/admin\/GetTenantsForUser$/,
      handle: ({ user }) =>
        ok(
          [...portal.tenants.values()].filter((tenant) => isAdmin(user) || user.access.has(tenant.id)).map(tenantJson),
        ),
    },
    {
      method: 'GET',
      pattern: /^\/v3\/admin\/user\/(?<username>[^/]+)\/tenantAccess$/,
      handle: ({ user }, { username }) => {
        requireAdmin(user);
        const subject = portal.user(username ?? '');
        if (!subject) throw new HttpError(404, 'User not found');
        // Explicit grants only: an Administrator's implicit access to every tenant is not listed here.
        const grants = [...subject.access].flatMap(([tenantId, policy]) => {
          const tenant = portal.tenants.get(tenantId);
          return tenant
            ? [{ TenantId: tenant.id, AccountName: tenant.name, Policy: { IsReadOnly: policy.readOnly } }]
            : [];
        });
        return ok(grants);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)$/,
      handle: ({ user }, { tenantId }) => ok(tenantJson(portal.tenantFor(user, tenantId ?? ''))),
    },
    {
      method: 'GET',
      pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)\/metadata$/,
      handle: ({ user }, { tenantId }) => ok(metadataJson(portal.tenantFor(user, tenantId ?? ''))),
    },
    {
      method: 'POST',
      pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)\/metadata$/,
      handle: (context, { tenantId }) => {
        requireAdmin(context.user);
        const tenant = portal.tenantFor(context.user, tenantId ?? '');
        const body = parseBody(context, MetadataBody);
        tenant.settings.set(body.Key, body.Value);
        return ok({ Key: body.Key, Value: body.Value });
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/v3\/admin\/tenant\/(?<tenantId>[^/]+)\/metadata\/(?<key>[^/]+)$/,
      handle: ({ user }, { tenantId, key }) => {
        requireAdmin(user);
        const tenant = portal.tenantFor(user, tenantId ?? '');
        if (!tenant.settings.delete(key ?? '')) throw new HttpError(404, 'Setting not found');
        return { status: 204 };
      },
    },
  ];
};
