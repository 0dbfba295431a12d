import type { DomainError } from '../../../domain/errors.js';
import { BlockId } from '../../ids.js';
import { blockIdFor, type FormValues } from '../../parse/form-state.js';

/** Which input an error belongs to, so the person sees it beside the field they can fix. */
export const fieldOf = (error: DomainError): string => {
  if (error.code === 'agent.unknown') return BlockId.Agent;
  if (error.code === 'access.identity_not_allowed' || error.code === 'access.no_identities') return BlockId.Identity;
  if (error.code === 'access.tenant_denied' || error.code === 'access.read_only') return BlockId.Tenant;
  return BlockId.Portal;
};

/** The block id a field has in this view (tenant, agent and identity blocks carry suffixes), else Portal's. */
export const fieldLocator =
  (stateValues: unknown) =>
  (base: string): string =>
    blockIdFor(stateValues, base) ?? blockIdFor(stateValues, BlockId.Portal) ?? BlockId.Portal;

type Completed =
  | { ok: true; value: { portal: string; tenantId: string; agentName: string; identity: string } }
  | { ok: false; field: string; message: string };

/** Slack enforces required inputs, but a tenant without identities has no Permissions input to enforce. */
export function completeForm(values: FormValues): Completed {
  const { portal, tenantId, agentName, identity } = values;
  if (!portal) return { ok: false, field: BlockId.Portal, message: 'Choose a portal.' };
  if (!tenantId) return { ok: false, field: BlockId.Tenant, message: 'Choose a tenant you can access.' };
  if (!agentName) return { ok: false, field: BlockId.Agent, message: 'Choose an agent; this tenant has none listed.' };
  if (!identity) {
    return {
      ok: false,
      field: BlockId.Identity,
      message: 'Choose the identity the agent assumes; this tenant has none configured.',
    };
  }
  return { ok: true, value: { portal, tenantId, agentName, identity } };
}
