import { DomainError } from '../domain/errors.js';
import type { HelpdeskApi } from '../domain/helpdesk.js';
import { badResponse, type PortalCallContext, statusError } from './portal-errors.js';
import type { PortalAnswer, PortalHttp } from './portal-http.js';

/** The two probes of docs/duplocloud-api.md §0, in the order their answers are trusted. */
export const Probes = {
  workspace: '/v1/aiservicedesk/admin/data/workspaces',
  tenant: '/v1/aiservicedesk/admin/tenants/agents',
} as const satisfies Record<HelpdeskApi, string>;

const json = (answer: PortalAnswer): unknown => {
  try {
    return JSON.parse(answer.body);
  } catch {
    return undefined;
  }
};

const ok = (answer: PortalAnswer): boolean => answer.status >= 200 && answer.status < 300;

/** `{success, data: {items: [...]}}`: the workspace HelpDesk's list envelope. */
const speaksWorkspace = (answer: PortalAnswer): boolean => {
  const body = json(answer) as { success?: unknown; data?: { items?: unknown } } | undefined;
  return ok(answer) && typeof body?.success === 'boolean' && Array.isArray(body.data?.items);
};

/** A bare JSON array: the tenant HelpDesk's tenants-with-agents listing. */
const speaksTenant = (answer: PortalAnswer): boolean => ok(answer) && Array.isArray(json(answer));

const describe = (answer: PortalAnswer | DomainError): string =>
  answer instanceof DomainError ? answer.code : ok(answer) ? 'an unexpected body' : `HTTP ${answer.status}`;

/**
 * Which HelpDesk a portal speaks (§0): both probes at once; the workspace envelope wins, then the tenant array.
 * A portal that cannot be reached, or refuses the token on both, fails with that error (it may speak either);
 * one that answers both probes with something else fails with `portal.undetected`, naming what each answered.
 */
export async function detectHelpdesk(http: PortalHttp, context: PortalCallContext): Promise<HelpdeskApi> {
  const probe = (path: string) =>
    http.answer(context, { method: 'GET', path }).catch((error: unknown) => {
      if (error instanceof DomainError) return error;
      throw error;
    });
  const [workspace, tenant] = await Promise.all([probe(Probes.workspace), probe(Probes.tenant)]);
  if (!(workspace instanceof DomainError) && speaksWorkspace(workspace)) return 'workspace';
  if (!(tenant instanceof DomainError) && speaksTenant(tenant)) return 'tenant';

  // Neither: say why in the portal's own terms when both agree (a bad token, an unreachable host).
  const failures = [workspace, tenant].map((answer) => {
    if (answer instanceof DomainError) return answer;
    if (!ok(answer)) return statusError(context, answer.status, answer.body);
    // A 2xx that is not JSON at all is an answer this service cannot read, not a sign of the other generation.
    return json(answer) === undefined ? badResponse(context, 'not JSON', answer.status) : null;
  });
  const [first, second] = failures;
  if (first && second && first.code === second.code && first.code !== 'portal.not_found') throw first;
  const unreachable = failures.find(
    (failure) => failure?.code === 'portal.unavailable' || failure?.code === 'portal.timeout',
  );
  if (unreachable) throw unreachable;
  throw new DomainError(
    'portal.undetected',
    `Portal "${context.portal}" answers neither HelpDesk probe (workspaces: ${describe(workspace)}, ` +
      `tenants/agents: ${describe(tenant)})`,
    { portal: context.portal, operation: context.operation },
  );
}
