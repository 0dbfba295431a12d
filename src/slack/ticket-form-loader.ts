import { isDomainError } from '../domain/errors.js';
import type { ChoiceOption, Choices, CurrentContext, TicketForm } from './blocks/ticket-form.js';
import type { SlackDeps } from './deps.js';
import { replyFor } from './error-replies.js';
import { type FormMetadata, serializeFormMetadata } from './parse/form-metadata.js';
import type { FormValues } from './parse/form-state.js';
import { escapeMrkdwn } from './text/index.js';

export interface FormRequest {
  readonly metadata: FormMetadata;
  readonly slackUserId: string;
  readonly values: FormValues;
  /** Update Context: the ticket's context now, used to prefill and to decide whether to ask about sharing. */
  readonly current?: CurrentContext & { readonly tenantId: string };
}

const unavailable = (reason: string): Choices => ({ status: 'unavailable', reason });

const pick = (options: readonly ChoiceOption[], ...wanted: Array<string | undefined>): string | undefined => {
  for (const value of wanted) if (value && options.some((option) => option.value === value)) return value;
  return options.length === 1 ? options[0]?.value : undefined;
};

/**
 * The form a person sees for their own access: Portal → Tenant (only tenants they may access) → Agent and
 * Permissions (the tenant's helpdesk-impersonatable-users). Every failure becomes an inline explanation.
 */
export async function loadTicketForm(deps: SlackDeps, request: FormRequest): Promise<TicketForm> {
  const { metadata, values, current } = request;
  const portals = deps.portals.list().map((portal) => portal.name);
  const portal =
    [values.portal, metadata.portal, current?.portal, portals.length === 1 ? portals[0] : undefined].find(
      (name): name is string => !!name && portals.includes(name),
    ) ?? null;

  const base = {
    mode: metadata.mode,
    portals,
    ...(current ? { current } : {}),
  } as const;
  if (!portal) {
    return {
      ...base,
      metadata: serializeFormMetadata(stripChoice(metadata)),
      portal: null,
      tenantId: null,
      tenants: { status: 'hidden' },
      agents: { status: 'hidden' },
      identities: { status: 'hidden' },
    };
  }

  let tenants: Choices;
  let tenantOptions: ChoiceOption[] = [];
  let notice: string | undefined;
  try {
    const user = await deps.users.get(request.slackUserId);
    const access = await deps.access.userAccess(portal, user.email);
    tenantOptions = access.tenants.map((tenant) => ({
      label: tenant.name,
      value: tenant.id,
      ...(tenant.readOnly ? { description: 'read-only' } : {}),
    }));
    tenants =
      tenantOptions.length > 0
        ? { status: 'ready', options: tenantOptions }
        : unavailable(
            `You (${escapeMrkdwn(access.user.username)}) have no tenants in ${escapeMrkdwn(portal)}. Ask a portal administrator for access.`,
          );
  } catch (error) {
    if (!isDomainError(error)) deps.logger.error({ err: error, portal }, 'loading tenants failed');
    notice = isDomainError(error) && error.code.startsWith('access.') ? replyFor(error) : undefined;
    tenants = unavailable(notice ? 'No tenants can be shown.' : `Could not load tenants: ${replyFor(error)}`);
  }

  const tenantId =
    tenants.status === 'ready'
      ? pick(
          tenantOptions,
          values.tenantId,
          metadata.portal === portal ? metadata.tenantId : undefined,
          current?.portal === portal ? current.tenantId : undefined,
        )
      : undefined;
  if (tenants.status === 'ready' && tenantId) tenants = { ...tenants, selected: tenantId };

  let agents: Choices = { status: 'hidden' };
  let identities: Choices = { status: 'hidden' };
  if (tenantId) {
    const sameTenant = current?.portal === portal && current.tenantId === tenantId;
    const [agentResult, identityResult] = await Promise.allSettled([
      deps.access.agents(portal, tenantId),
      // Not cached: an administrator who just edited helpdesk-impersonatable-users expects to see it here.
      deps.access.identities(portal, tenantId, { fresh: true }),
    ]);
    if (agentResult.status === 'fulfilled') {
      const options = agentResult.value.map((agent) => ({ label: agent.name, value: agent.name }));
      const selected = pick(options, values.agentName, sameTenant ? current?.agentName : undefined);
      agents =
        options.length === 0
          ? unavailable(`No AI agents are available for this tenant in ${escapeMrkdwn(portal)}.`)
          : { status: 'ready', options, ...(selected ? { selected } : {}) };
    } else {
      agents = unavailable(`Could not load agents: ${replyFor(agentResult.reason)}`);
    }
    if (identityResult.status === 'fulfilled') {
      const options = identityResult.value.map((name) => ({ label: name, value: name }));
      const selected = pick(options, values.identity, sameTenant ? current?.identity : undefined);
      identities =
        options.length === 0
          ? unavailable(noIdentities(portal))
          : { status: 'ready', options, ...(selected ? { selected } : {}) };
    } else {
      identities = unavailable(`Could not load permissions: ${replyFor(identityResult.reason)}`);
    }
  }

  return {
    ...base,
    metadata: serializeFormMetadata({
      ...stripChoice(metadata),
      portal,
      ...(tenantId ? { tenantId } : {}),
    }),
    portal,
    tenantId: tenantId ?? null,
    tenants,
    agents,
    identities,
    ...(notice ? { notice } : {}),
    ...(current && tenantId ? { askShareThread: current.portal !== portal || current.tenantId !== tenantId } : {}),
  };
}

const noIdentities = (portal: string) =>
  `This tenant has no \`helpdesk-impersonatable-users\` setting in ${escapeMrkdwn(portal)}, so the agent cannot act as anyone. A portal administrator adds it under Administrator → Tenants → Settings (value \`user1;user2\`).`;

function stripChoice(metadata: FormMetadata): FormMetadata {
  const { portal: _portal, tenantId: _tenantId, ...rest } = metadata;
  return rest;
}
