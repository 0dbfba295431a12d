import type { WebClient } from '@slack/web-api';
import type { ChannelDefaults, ChannelRef } from '../../domain/channel-defaults.js';
import type { Logger } from '../../logger.js';
import { buildChannelDefaultsMessage } from '../blocks/channel-defaults.js';
import type { MessageContent } from '../blocks/message.js';
import { buildNotice } from '../blocks/notice.js';
import { buildTicketForm } from '../blocks/ticket-form.js';
import { type DefaultsFormMetadata, serializeFormMetadata } from '../parse/form-metadata.js';
import { replyFor } from '../text/error-replies.js';
import { slackError } from '../web/thread-poster.js';
import { updateView } from '../web/view-updates.js';
import { actorFor } from './agent-replies.js';
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

/** What `/helpdesk defaults` shows for a channel: its defaults, or the operator's that apply where it has none. */
export const channelDefaultsAnswer = (deps: SlackDeps, channelId: string, defaults: ChannelDefaults | null) =>
  buildChannelDefaultsMessage({
    channelId,
    defaults,
    operator: deps.portals.list().map((portal) => ({
      portal: portal.name,
      space: portal.settings.defaultSpace,
      agent: portal.settings.defaultAgent,
    })),
  });

/**
 * Clear defaults under `/helpdesk defaults`: the domain checks the person may (write access to the space they name)
 * and audits it; the answer replaces the message the button was on, or says privately why nothing changed.
 */
export async function clearChannelDefaults(
  deps: SlackDeps,
  log: Logger,
  { channel, userId }: { readonly channel: ChannelRef; readonly userId: string },
  answer: (content: MessageContent, replace: boolean) => Promise<void>,
): Promise<void> {
  try {
    const cleared = await deps.channelDefaults.clear({ channel, actor: await actorFor(deps, userId) });
    log.info({ channelId: channel.channelId, cleared: cleared !== null }, 'channel defaults cleared');
    await answer(channelDefaultsAnswer(deps, channel.channelId, null), true);
  } catch (error) {
    log.info({ err: error, channelId: channel.channelId }, 'channel defaults not cleared');
    await answer(buildNotice(`The defaults were not cleared: ${replyFor(error)}`), false);
  }
}
