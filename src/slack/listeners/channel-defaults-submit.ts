import { isDomainError } from '../../domain/errors.js';
import { buildChannelDefaultsSaved } from '../blocks/channel-defaults.js';
import { actorFor } from '../flows/agent-replies.js';
import type { SlackDeps } from '../flows/deps.js';
import { readTicketForm } from '../flows/submit-validation.js';
import { fieldOf } from '../parse/form-fields.js';
import type { DefaultsFormMetadata, FormMetadata } from '../parse/form-metadata.js';
import { remainingBudgetMs, withinBudget } from '../runtime/submit-budget.js';
import { replyFor } from '../text/error-replies.js';
import type { ViewSubmitArgs } from './types.js';

/**
 * The channel defaults modal saved: the domain checks the person's write access and that every choice exists now,
 * keeps and audits them. A refusal is shown beside its field; success replaces the form with what was kept. Past
 * Slack's deadline the form closes and the outcome is logged (the next `/helpdesk defaults` shows it).
 */
export async function onChannelDefaultsSubmit(deps: SlackDeps, { ack, body, view, context }: ViewSubmitArgs) {
  const log = context.log ?? deps.logger;
  const form = await readTicketForm(deps, view, ack, {
    accepts: (metadata: FormMetadata): metadata is DefaultsFormMetadata => metadata.mode === 'defaults',
    reopen: 'run /helpdesk defaults',
  });
  if (!form) return;
  const { metadata, portal, where, complete } = form;
  const saving = (async () =>
    deps.channelDefaults.set({
      channel: metadata.channel,
      actor: await actorFor(deps, body.user.id),
      portal: portal.name,
      spaceId: complete.spaceId,
      agentId: complete.agentId,
      permissionIds: complete.permissionIds,
    }))();
  const outcome = await withinBudget(saving, remainingBudgetMs(deps.submitBudgetMs, context.receivedAt));
  if (outcome.state === 'failed') {
    if (!isDomainError(outcome.error)) log.error({ err: outcome.error }, 'saving the channel defaults failed');
    const field = isDomainError(outcome.error) ? fieldOf(outcome.error) : 'portal';
    await ack({ response_action: 'errors', errors: { [where(field)]: replyFor(outcome.error) } });
    return;
  }
  if (outcome.state === 'done') {
    log.info({ channelId: metadata.channel.channelId, portal: portal.name }, 'channel defaults set');
    await ack({ response_action: 'update', view: buildChannelDefaultsSaved(outcome.value) });
    return;
  }
  await ack();
  try {
    await outcome.later;
    log.info({ channelId: metadata.channel.channelId, portal: portal.name }, 'channel defaults set (after the ack)');
  } catch (error) {
    log.warn({ err: error, channelId: metadata.channel.channelId }, 'channel defaults not set (after the ack)');
  }
}
