import type { WebClient } from '@slack/web-api';
import type { ChannelRef } from '../../domain/channel-defaults.js';
import type { Logger } from '../../logger.js';
import type { MessageContent } from '../blocks/message.js';
import { buildNotice } from '../blocks/notice.js';
import { buildTicketForm } from '../blocks/ticket-form.js';
import { type DefaultsFormMetadata, serializeFormMetadata } from '../parse/form-metadata.js';
import { replyFor } from '../text/error-replies.js';
import { slackError } from '../web/thread-poster.js';
import { updateView } from '../web/view-updates.js';
import type { SlackDeps } from './deps.js';
import { loadingTicketForm, loadTicketForm } from './ticket-form-loader.js';

/**
 * The channel defaults modal: the ticket form's Portal, space, Agent and permissions fields (one builder, the same
 * access rules and refresh), opened at once on the trigger and filled for this person by `views.update`. It starts
 * from the channel's defaults. `answer` tells the person alone when Slack would not open it.
 */
export async function openChannelDefaultsForm(
  deps: SlackDeps,
  client: WebClient,
  log: Logger,
  opening: { readonly triggerId: string; readonly userId: string; readonly channel: ChannelRef },
  answer: (content: MessageContent) => Promise<void>,
): Promise<void> {
  const metadata: DefaultsFormMetadata = { v: 2, mode: 'defaults', channel: opening.channel };
  const first = buildTicketForm(
    loadingTicketForm(deps, {
      mode: 'defaults',
      metadata: serializeFormMetadata(metadata),
      channelId: opening.channel.channelId,
    }),
  );
  let opened: { id: string; hash: string | null };
  try {
    const result = await client.views.open({ trigger_id: opening.triggerId, view: first });
    opened = { id: String(result.view?.id), hash: result.view?.hash ?? null };
  } catch (error) {
    const coded = slackError('views.open', error);
    log.warn({ code: coded.code, details: coded.details }, 'could not open the channel defaults modal');
    await answer(buildNotice(replyFor(coded)));
    return;
  }
  const form = await loadTicketForm(deps, { metadata, slackUserId: opening.userId, values: {} });
  await updateView(client, log, { viewId: opened.id, hash: opened.hash }, buildTicketForm(form));
}
