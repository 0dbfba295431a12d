import type { ChannelDefaults } from '../../domain/channel-defaults.js';
import { isDomainError } from '../../domain/errors.js';
import { type Agent, describePermissions, type HelpdeskApi } from '../../domain/helpdesk.js';
import type { PortalClient } from '../../domain/ports.js';
import type { TicketLink } from '../../domain/thread-link.js';
import { helpdeskLabels } from '../blocks/helpdesk-labels.js';
import type { ChoiceOption, Choices, CurrentContext, TicketForm } from '../blocks/ticket-form.js';
import { channelOf, type FormMetadata, serializeFormMetadata } from '../parse/form-metadata.js';
import type { FormValues } from '../parse/form-state.js';
import { portalKey, portalWithKey } from '../parse/portal-key.js';
import { replyFor } from '../text/error-replies.js';
import { escapeMrkdwn } from '../text/index.js';
import { actorFor } from './agent-replies.js';
import type { SlackDeps } from './deps.js';

/** The ticket an Update Context form is about, as the form needs it. */
export type CurrentTicket = Pick<
  TicketLink,
  'portal' | 'api' | 'spaceId' | 'spaceName' | 'agentId' | 'agentName' | 'permissions'
>;

export interface FormRequest {
  readonly metadata: FormMetadata;
  readonly slackUserId: string;
  readonly values: FormValues;
  /** Update Context: the ticket's context now, used to prefill and to decide whether to ask about sharing. */
  readonly current?: CurrentTicket;
}

export const currentContextOf = (link: CurrentTicket): CurrentContext => ({
  portal: link.portal,
  api: link.api,
  spaceName: link.spaceName,
  agentName: link.agentName,
  permissions: describePermissions(link.permissions),
});

const unavailable = (reason: string): Choices => ({ status: 'unavailable', reason });

/** The first wanted value the options hold; the only option when there is just one. */
const pick = (options: readonly ChoiceOption[], ...wanted: Array<string | undefined>): string | undefined => {
  for (const value of wanted) if (value && options.some((option) => option.value === value)) return value;
  return options.length === 1 ? options[0]?.value : undefined;
};

/** An operator default names a space or agent by id or by name (docs/duplocloud-api.md §4, the chart's defaults). */
const byIdOrName = (options: readonly ChoiceOption[], wanted: string | null): string | undefined => {
  if (!wanted) return undefined;
  const lower = wanted.trim().toLowerCase();
  return options.find((option) => option.value === wanted || option.label.toLowerCase() === lower)?.value;
};

const sameIds = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\n').toLowerCase() === [...b].sort().join('\n').toLowerCase();

/**
 * The form before any I/O, to open within the trigger's 3 s: the portal (when there is one, or the ticket's), and the
 * rest loading.
 */
export function loadingTicketForm(
  deps: SlackDeps,
  {
    mode,
    metadata,
    current,
    channelId,
    notifyOnClose,
  }: {
    mode: TicketForm['mode'];
    metadata: string;
    current?: CurrentTicket;
    channelId?: string;
    notifyOnClose?: boolean;
  },
): TicketForm {
  const configured = deps.portals.list();
  const portal =
    configured.find((candidate) => candidate.name === current?.portal) ??
    (configured.length === 1 ? configured[0] : undefined);
  const api = portal?.knownHelpdesk() ?? null;
  return {
    mode,
    metadata,
    portals: configured.map((candidate) => ({ key: portalKey(candidate.name), name: candidate.name })),
    portalKey: portal ? portalKey(portal.name) : null,
    helpdesk: portal && api ? { api, spaceLabel: portal.settings.spaceLabel } : null,
    spaceId: null,
    spaces: portal ? { status: 'loading' } : { status: 'hidden' },
    agents: { status: 'hidden' },
    permissions: { status: 'hidden' },
    ...(current ? { current: currentContextOf(current) } : {}),
    ...(channelId ? { channelId } : {}),
    ...(notifyOnClose ? { notifyOnClose } : {}),
  };
}

/**
 * The channel's defaults a Create Ticket (or defaults) form starts from; none for Update Context, which starts from
 * the ticket. A store that does not answer leaves the form without them (the operator's defaults still apply).
 */
async function channelDefaultsFor(deps: SlackDeps, metadata: FormMetadata): Promise<ChannelDefaults | null> {
  if (metadata.mode === 'update') return null;
  try {
    return await deps.channelDefaults.get(channelOf(metadata));
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not read the channel defaults: the form starts without them');
    return null;
  }
}

/**
 * The form a person sees for their own access: Portal → Tenant or Workspace (as its HelpDesk has them, and only
 * those the person may use) → Agent and Permissions (the tenant's identities, or the workspace's allowed scopes).
 * Every failure becomes an inline explanation.
 */
export async function loadTicketForm(deps: SlackDeps, request: FormRequest): Promise<TicketForm> {
  const { metadata, values, current } = request;
  const configured = deps.portals.list();
  const choices = configured.map((candidate) => ({ key: portalKey(candidate.name), name: candidate.name }));
  const channelDefaults = await channelDefaultsFor(deps, metadata);
  const portal: PortalClient | undefined =
    portalWithKey(configured, values.portalKey) ??
    portalWithKey(configured, metadata.portal) ??
    configured.find((candidate) => candidate.name === current?.portal) ??
    configured.find((candidate) => candidate.name === channelDefaults?.portal) ??
    (configured.length === 1 ? configured[0] : undefined);

  const base = {
    mode: metadata.mode,
    portals: choices,
    ...(current ? { current: currentContextOf(current) } : {}),
    ...(metadata.mode === 'defaults' ? { channelId: metadata.channel.channelId } : {}),
    ...(notifiesOnClose(metadata) ? { notifyOnClose: true } : {}),
  } as const;
  const hidden = { status: 'hidden' } as const;
  if (!portal) {
    return {
      ...base,
      metadata: serializeFormMetadata(stripChoice(metadata)),
      portalKey: null,
      helpdesk: null,
      spaceId: null,
      spaces: hidden,
      agents: hidden,
      permissions: hidden,
    };
  }
  const key = portalKey(portal.name);

  let api: HelpdeskApi;
  try {
    api = await deps.access.helpdesk(portal.name);
  } catch (error) {
    return {
      ...base,
      metadata: serializeFormMetadata({ ...stripChoice(metadata), portal: key }),
      portalKey: key,
      helpdesk: null,
      spaceId: null,
      spaces: unavailable(`This portal’s HelpDesk cannot be reached right now: ${replyFor(error)}`),
      agents: hidden,
      permissions: hidden,
    };
  }
  const helpdesk = { api, spaceLabel: portal.settings.spaceLabel };
  const labels = helpdeskLabels(api, portal.settings.spaceLabel);
  const here = current?.portal === portal.name && current.api === api ? current : undefined;
  // The channel's defaults apply in their own portal, while it speaks the HelpDesk they were set for.
  const fromChannel = channelDefaults?.portal === portal.name && channelDefaults.api === api ? channelDefaults : null;
  const startsFromDefaults = metadata.mode !== 'update';
  /** Defaults that are no longer there (or not this person's to use), said in the form rather than dropped silently. */
  const gone: string[] = [];

  let spaces: Choices;
  let spaceOptions: ChoiceOption[] = [];
  let notice: string | undefined;
  try {
    const actor = await actorFor(deps, request.slackUserId);
    const access = await deps.access.spaces(portal.name, actor);
    spaceOptions = access.spaces.map((space) => ({
      label: space.name,
      value: space.id,
      ...(space.readOnly ? { description: api === 'tenant' ? 'read-only' : 'you may not approve here' } : {}),
    }));
    const who = access.username ? ` (${escapeMrkdwn(access.username)})` : '';
    spaces =
      spaceOptions.length > 0
        ? { status: 'ready', options: spaceOptions }
        : unavailable(
            api === 'tenant'
              ? `You${who} have no tenants in ${escapeMrkdwn(portal.name)}. Ask a portal administrator for access.`
              : `The service sees no ${labels.space.toLowerCase()}s in ${escapeMrkdwn(portal.name)}.`,
          );
  } catch (error) {
    if (!isDomainError(error)) deps.logger.error({ err: error, portal: portal.name }, 'loading spaces failed');
    notice = isDomainError(error) && error.code.startsWith('access.') ? replyFor(error) : undefined;
    spaces = unavailable(
      notice
        ? `No ${labels.space.toLowerCase()}s can be shown.`
        : `Could not load ${labels.space.toLowerCase()}s: ${replyFor(error)}`,
    );
  }

  const spaceId =
    spaces.status === 'ready'
      ? pick(
          spaceOptions,
          values.spaceId,
          metadata.portal === key ? metadata.spaceId : undefined,
          here?.spaceId,
          fromChannel?.spaceId,
          startsFromDefaults ? byIdOrName(spaceOptions, portal.settings.defaultSpace) : undefined,
        )
      : undefined;
  if (
    fromChannel &&
    spaces.status === 'ready' &&
    !spaceOptions.some((option) => option.value === fromChannel.spaceId)
  ) {
    gone.push(`${labels.space.toLowerCase()} *${escapeMrkdwn(fromChannel.spaceName)}*`);
  }
  const channelChoice = fromChannel && fromChannel.spaceId === spaceId ? fromChannel : null;
  if (spaces.status === 'ready' && spaceId) spaces = { ...spaces, selected: [spaceId] };

  let agents: Choices = hidden;
  let permissions: Choices = hidden;
  let permissionsChanged = false;
  if (spaceId) {
    const sameSpace = here?.spaceId === spaceId ? here : undefined;
    const [agentResult, permissionResult] = await Promise.allSettled([
      deps.access.agents(portal.name, spaceId),
      // Not cached: an administrator who just edited helpdesk-impersonatable-users expects to see it here.
      deps.access.permissionChoices(portal.name, spaceId, { fresh: true }),
    ]);
    agents =
      agentResult.status === 'fulfilled'
        ? agentChoices(
            agentResult.value,
            values,
            sameSpace?.agentId ?? channelChoice?.agentId,
            startsFromDefaults ? portal : null,
          )
        : unavailable(`Could not load agents: ${replyFor(agentResult.reason)}`);
    if (
      channelChoice &&
      agentResult.status === 'fulfilled' &&
      !agentResult.value.some((agent) => agent.id === channelChoice.agentId)
    ) {
      gone.push(`agent *${escapeMrkdwn(channelChoice.agentName)}*`);
    }
    if (agentResult.status === 'fulfilled' && agentResult.value.length === 0) {
      agents = unavailable(
        `No AI agents are available for this ${labels.space.toLowerCase()} in ${escapeMrkdwn(portal.name)}.`,
      );
    }
    if (permissionResult.status === 'fulfilled') {
      const options = permissionResult.value.map((permission) => ({ label: permission.name, value: permission.id }));
      const known = (ids: readonly string[] | undefined) =>
        (ids ?? []).filter((id) => options.some((option) => option.value === id));
      const chosen = known(values.permissionIds);
      const previous = known((sameSpace ?? channelChoice)?.permissions.map((permission) => permission.id));
      if (channelChoice && !sameSpace && previous.length < channelChoice.permissions.length) {
        gone.push(
          `${labels.permissions.toLowerCase()} *${escapeMrkdwn(describePermissions(channelChoice.permissions))}*`,
        );
      }
      const selected =
        chosen.length > 0
          ? chosen
          : previous.length > 0
            ? previous
            : options.length === 1
              ? [options[0]?.value ?? '']
              : [];
      permissions =
        options.length === 0
          ? unavailable(api === 'tenant' ? noIdentities(portal.name) : noScopes(portal.name, labels.space))
          : {
              status: 'ready',
              options,
              ...(selected.length > 0 ? { selected: api === 'tenant' ? selected.slice(0, 1) : selected } : {}),
            };
      if (sameSpace && selected.length > 0) {
        permissionsChanged = !sameIds(
          selected,
          sameSpace.permissions.map((permission) => permission.id),
        );
      }
    } else {
      permissions = unavailable(
        `Could not load ${labels.permissions.toLowerCase()}: ${replyFor(permissionResult.reason)}`,
      );
    }
  }

  return {
    ...base,
    metadata: serializeFormMetadata({
      ...stripChoice(metadata),
      portal: key,
      ...(spaceId ? { spaceId } : {}),
    }),
    portalKey: key,
    helpdesk,
    spaceId: spaceId ?? null,
    spaces,
    agents,
    permissions,
    ...(notice || gone.length > 0 ? { notice: [notice, defaultsGone(gone)].filter(Boolean).join('\n') } : {}),
    ...(current && spaceId
      ? {
          askShareThread:
            current.portal !== portal.name || current.spaceId !== spaceId || current.api !== api || permissionsChanged,
        }
      : {}),
  };
}

function agentChoices(
  agents: readonly Agent[],
  values: FormValues,
  currentAgentId: string | undefined,
  defaultsFrom: PortalClient | null,
): Choices {
  const options = agents.map((agent) => ({ label: agent.label, value: agent.id }));
  const selected = pick(
    options,
    values.agentId,
    currentAgentId,
    byIdOrName(options, defaultsFrom?.settings.defaultAgent ?? null),
  );
  return { status: 'ready', options, ...(selected ? { selected: [selected] } : {}) };
}

/** Trusted mrkdwn: the names in `gone` are escaped already. */
const defaultsGone = (gone: readonly string[]): string | undefined =>
  gone.length === 0
    ? undefined
    : `This channel’s default ${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} no longer available to you (removed, or not yours to use), so ${gone.length === 1 ? 'it is' : 'they are'} not preselected.`;

const noIdentities = (portal: string) =>
  `This tenant has no \`helpdesk-impersonatable-users\` setting in ${escapeMrkdwn(portal)}, so the agent cannot act as anyone. A portal administrator adds it under Administrator → Tenants → Settings (value \`user1;user2\`).`;

const noScopes = (portal: string, space: string) =>
  `This ${escapeMrkdwn(space.toLowerCase())} in ${escapeMrkdwn(portal)} has no scope this service may use. The operator allows scopes with \`allowed_scope_ids\` in DUPLO_SLACK_APP_PORTALS (or HELPDESK_ALLOWED_SCOPE_IDS).`;

/** A Create Ticket form whose thread `/helpdesk new` started: its cancel is heard (listeners/create-ticket-closed.ts). */
export const notifiesOnClose = (metadata: FormMetadata): boolean =>
  metadata.mode === 'create' && metadata.startedThread === true;

function stripChoice(metadata: FormMetadata): FormMetadata {
  const { portal: _portal, spaceId: _spaceId, ...rest } = metadata;
  return rest;
}
