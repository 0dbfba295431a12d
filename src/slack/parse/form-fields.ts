import type { DomainError } from '../../domain/errors.js';
import { BlockId } from '../blocks/ids.js';
import { blockIdFor, type FormValues } from './form-state.js';

/** The inputs of a ticket form a problem can be shown beside; each may sit under either generation's block. */
export type FormField = 'portal' | 'space' | 'agent' | 'permissions';

const blocksOf: Readonly<Record<FormField, readonly string[]>> = {
  portal: [BlockId.Portal],
  space: [BlockId.Tenant, BlockId.Workspace],
  agent: [BlockId.Agent],
  permissions: [BlockId.Identity, BlockId.Scopes],
};

/** Which input an error belongs to, so the person sees it beside the field they can fix. */
export const fieldOf = (error: DomainError): FormField => {
  if (error.code === 'agent.unknown') return 'agent';
  if (
    error.code === 'access.identity_not_allowed' ||
    error.code === 'access.no_identities' ||
    error.code === 'access.scope_not_allowed' ||
    error.code === 'access.no_scopes'
  ) {
    return 'permissions';
  }
  if (
    error.code === 'access.space_denied' ||
    error.code === 'access.read_only' ||
    error.code === 'access.not_approver'
  ) {
    return 'space';
  }
  return 'portal';
};

/** The block id a field has in this view (space, agent and permissions blocks carry suffixes), else Portal's. */
export const fieldLocator =
  (stateValues: unknown) =>
  (field: FormField): string =>
    blockIdFor(stateValues, ...blocksOf[field]) ?? blockIdFor(stateValues, BlockId.Portal) ?? BlockId.Portal;

export interface CompleteForm {
  readonly portalKey: string;
  readonly spaceId: string;
  readonly agentId: string;
  readonly permissionIds: readonly string[];
}

type Completed = { ok: true; value: CompleteForm } | { ok: false; field: FormField; message: string };

/** Slack enforces required inputs, but a space without identities or scopes has no input to enforce. */
export function completeForm(values: FormValues): Completed {
  const { portalKey, spaceId, agentId, permissionIds } = values;
  if (!portalKey) return { ok: false, field: 'portal', message: 'Choose a portal.' };
  if (!spaceId) return { ok: false, field: 'space', message: 'Choose where the ticket lives (a tenant or workspace).' };
  if (!agentId) return { ok: false, field: 'agent', message: 'Choose an agent; none is listed here.' };
  if (!permissionIds || permissionIds.length === 0) {
    return {
      ok: false,
      field: 'permissions',
      message: 'Choose what the agent runs with (an identity or scopes); none is configured here.',
    };
  }
  return { ok: true, value: { portalKey, spaceId, agentId, permissionIds } };
}
