import { buildTicketForm } from '../../blocks/ticket-form.js';
import type { SlackDeps } from '../../deps.js';
import { ActionId } from '../../ids.js';
import { parseViewAction } from '../../parse/block-action.js';
import { parseFormMetadata } from '../../parse/form-metadata.js';
import { type FormValues, parseFormValues } from '../../parse/form-state.js';
import { loadTicketForm } from '../../ticket-form-loader.js';
import { updateView } from '../../view-updates.js';
import type { ButtonArgs } from '../types.js';
import { currentContextOf } from './current-context.js';

/**
 * Portal or Tenant changed in a Create Ticket / Update Context modal: rebuild the dependent selects for this
 * person's access (an options request could not see the just-picked value) and update the view with its hash.
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
  const state = parseFormValues(change.stateValues);
  const values: FormValues =
    change.actionId === ActionId.SelectPortal
      ? { ...(change.selected ? { portal: change.selected } : {}) }
      : { ...state, ...(change.selected ? { tenantId: change.selected } : {}) };
  const current = metadata.mode === 'update' ? await currentContextOf(deps, metadata) : undefined;
  const form = await loadTicketForm(deps, {
    metadata,
    slackUserId: change.userId,
    values,
    ...(current ? { current } : {}),
  });
  await updateView(client, log, { viewId: change.viewId, hash: change.hash }, buildTicketForm(form));
}
