import type { WebClient } from '@slack/web-api';
import type { ThreadRef } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { buildNewTicketThread, buildNewTicketThreadCancelled } from '../blocks/helpdesk-command.js';
import type { MessageContent } from '../blocks/message.js';
import { buildNotice } from '../blocks/notice.js';
import { replyFor, wordsFor } from '../text/error-replies.js';
import { slackError } from '../web/thread-poster.js';
import type { SlackDeps } from './deps.js';
import { openTicketForm } from './ticket-form-open.js';

export interface TicketHere {
  readonly channelId: string;
  readonly userId: string;
  readonly triggerId: string;
  /** What the person typed after `new`: the ticket's request (may be empty). */
  readonly request: string;
}

/**
 * `/helpdesk new`: Create Ticket for this channel. A ticket lives in a thread, so the bot first starts one with a
 * top-level message (the person's request, redacted, as its text), then opens the Create Ticket modal on the command's
 * trigger for that thread, as the message shortcut does for a message. The trigger lives 3 s
 * (docs/slack-platform.md §1): the membership check is cached and the post is one call, so both fit before views.open.
 * `answer` tells the caller alone why nothing opened.
 */
export async function openTicketFormHere(
  deps: SlackDeps,
  client: WebClient,
  log: Logger,
  here: TicketHere,
  answer: (content: MessageContent) => Promise<void>,
): Promise<void> {
  const { channelId, userId, triggerId, request } = here;
  if (channelId.startsWith('D')) {
    await answer(buildNotice(`Use \`/helpdesk new\` in a channel: a ticket lives in a channel's thread.`));
    return;
  }
  if ((await deps.membership.check(channelId)) === 'not_member') {
    await answer(
      buildNotice(`${wordsFor('slack.not_in_channel')} Until then no ticket can be created from this channel.`),
    );
    return;
  }
  let threadTs: string;
  try {
    const content = buildNewTicketThread(userId, deps.redactor.redact(request).text);
    const posted = await client.chat.postMessage({
      channel: channelId,
      text: content.text,
      blocks: content.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    threadTs = String(posted.ts);
  } catch (error) {
    const coded = slackError('chat.postMessage', error);
    log.warn({ code: coded.code, details: coded.details }, '/helpdesk new: could not start the ticket thread');
    await answer(buildNotice(replyFor(coded)));
    return;
  }
  const thread = { teamId: deps.identity.teamId, channelId, threadTs };
  // The request is kept (redacted by the ticket service) before anyone can submit.
  const saving = deps.tickets.rememberRequest({ thread, requestTs: threadTs, slackUserId: userId, text: request });
  await openTicketForm(deps, client, log, {
    triggerId,
    userId,
    metadata: { v: 2, mode: 'create', thread, requestTs: threadTs, startedThread: true },
  });
  await saving;
}

/**
 * The person cancelled the Create Ticket form `/helpdesk new` opened: the message that started its thread says so
 * (unless a ticket was made for the thread meanwhile), rather than promising a ticket that will not come.
 */
export async function cancelTicketHere(
  deps: SlackDeps,
  log: Logger,
  { thread, requestTs, userId }: { thread: ThreadRef; requestTs: string; userId: string },
): Promise<void> {
  if (await deps.tickets.activeLink(thread)) return;
  const request = await deps.tickets.rememberedRequest(thread, requestTs);
  // Only the person who started the thread cancels it (the form is theirs; the metadata names the thread).
  if (request && request.slackUserId !== userId) return;
  try {
    await deps.poster.update(
      thread.channelId,
      thread.threadTs,
      buildNewTicketThreadCancelled(userId, request?.text ?? ''),
    );
  } catch (error) {
    log.warn({ err: error }, '/helpdesk new: could not mark the thread as cancelled');
  }
}
