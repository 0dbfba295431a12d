import type { Decision } from '../../domain/command-card.js';
import { ActionId } from '../blocks/ids.js';
import { buildNotice } from '../blocks/notice.js';
import { buildRejectReasonModal } from '../blocks/reject-reason-modal.js';
import { actorFor } from '../flows/agent-replies.js';
import { refreshCard } from '../flows/command-cards.js';
import type { SlackDeps } from '../flows/deps.js';
import { parseMessageAction } from '../parse/block-action.js';
import { parseDecisionValue, type RejectMetadata } from '../parse/decision-value.js';
import { replyFor } from '../text/error-replies.js';
import { slackError } from '../web/thread-poster.js';
import type { ButtonArgs } from './types.js';

const decisionOf: Record<string, Decision> = {
  [ActionId.Approve]: 'approve',
  [ActionId.Reject]: 'reject',
  [ActionId.Ignore]: 'ignore',
};

/**
 * Approve / Ignore record the clicker's decision at once (bound to the exact command text shown) and redraw the
 * card. Reject first asks for an optional reason in a modal.
 */
export async function onDecideCommand(deps: SlackDeps, { ack, body, client, context }: ButtonArgs): Promise<void> {
  await ack();
  const log = context.log ?? deps.logger;
  const click = parseMessageAction(body);
  const value = parseDecisionValue(click?.value);
  const decision = click ? decisionOf[click.actionId] : undefined;
  if (!click || !value || !decision) {
    log.warn('command decision without a readable value: ignored');
    return;
  }
  const thread = { teamId: deps.identity.teamId, channelId: click.channelId, threadTs: click.threadTs };
  // The button carries a digest of the command its card showed: the approval service refuses the click when the
  // card's command is not that one (an older card, a forged payload), before the modal and when it decides.
  const shown = { cardId: value.cardId, index: value.index, shown: value.digest };
  try {
    if (decision === 'reject' && click.triggerId) {
      const item = await deps.approvals.itemShown(shown);
      const metadata: RejectMetadata = { decision: value, channelId: click.channelId, threadTs: click.threadTs };
      try {
        await client.views.open({
          trigger_id: click.triggerId,
          view: buildRejectReasonModal(deps.redactor.redact(item.text).text, JSON.stringify(metadata)),
        });
        return;
      } catch (error) {
        // Without the modal, reject without a reason rather than lose the click.
        log.warn(
          { err: slackError('views.open', error) },
          'reject reason modal did not open; rejecting without reason',
        );
      }
    }
    const actor = await actorFor(deps, click.userId);
    const { card: updated } = await deps.approvals.decide({ ...shown, decision, actor });
    await refreshCard(deps, updated, log);
  } catch (error) {
    log.warn({ err: error, decision }, 'command decision refused');
    await deps.poster.ephemeral(thread, click.userId, buildNotice(replyFor(error))).catch(() => undefined);
  }
}
