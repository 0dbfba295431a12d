import { ActionId } from '../blocks/ids.js';
import { buildTicketForm } from '../blocks/ticket-form.js';
import { currentTicketOf } from '../flows/current-ticket.js';
import type { SlackDeps } from '../flows/deps.js';
import { loadTicketForm } from '../flows/ticket-form-loader.js';
import { parseViewAction, type ViewActionChange } from '../parse/block-action.js';
import { parseFormMetadata } from '../parse/form-metadata.js';
import { type FormValues, parseFormValues } from '../parse/form-state.js';
import { updateView } from '../web/view-updates.js';
import type { ButtonArgs } from './types.js';

/** The form's values with the change just made (view state lags behind the action that caused this request). */
function valuesAfter(change: ViewActionChange, state: FormValues): FormValues {
  const chosen = change.selected ?? undefined;
  switch (change.actionId) {
    case ActionId.SelectPortal:
      return chosen ? { portalKey: chosen } : {};
    case ActionId.SelectTenant:
    case ActionId.SelectWorkspace: {
      const { spaceId: _old, ...rest } = state;
      return { ...rest, ...(chosen ? { spaceId: chosen } : {}) };
    }
    case ActionId.SelectIdentity: {
      const { permissionIds: _old, ...rest } = state;
      return { ...rest, ...(chosen ? { permissionIds: [chosen] } : {}) };
    }
    case ActionId.SelectScopes: {
      const { permissionIds: _old, ...rest } = state;
      return { ...rest, ...(change.selectedMany.length > 0 ? { permissionIds: change.selectedMany } : {}) };
    }
    default:
      return state;
  }
}

/**
 * Portal, Tenant/Workspace or (on Update Context) Permissions changed in a ticket modal: rebuild the dependent
 * fields for this person's access (an options request could not see the just-picked value) and update the view
 * with its hash.
 */
export async function onFormSelect(deps: SlackDeps, { ack, body, client, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const change = parseViewAction(body);
  const metadata = parseFormMetadata(change?.privateMetadata);
  if (!change || !metadata) {
    log.warn('form selection without readable view metadata: ignored');
    return;
  }
  const values = valuesAfter(change, parseFormValues(change.stateValues));
  const current = metadata.mode === 'update' ? await currentTicketOf(deps, metadata) : undefined;
  const form = await loadTicketForm(deps, {
    metadata,
    slackUserId: change.userId,
    values,
    ...(current ? { current } : {}),
  });
  await updateView(client, log, { viewId: change.viewId, hash: change.hash }, buildTicketForm(form));
}
