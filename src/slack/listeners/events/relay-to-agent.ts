import { type ThreadRef, type TicketLink, threadKey } from '../../../domain/thread-link.js';
import type { Logger } from '../../../logger.js';
import {
  actorFor,
  type Progress,
  postAgentReply,
  reportFailure,
  startProgress,
  tellRedacted,
} from '../../conversation.js';
import type { SlackDeps } from '../../deps.js';
import { ticketCardFor } from '../../ticket-cards.js';

/**
 * A human message in a linked thread goes to the ticket's agent (the ticket service redacts it like any text people
 * write; the sender is told privately when something was); its reply comes back into the thread.
 */
export async function relayToAgent(
  deps: SlackDeps,
  log: Logger,
  input: { thread: ThreadRef; slackUserId: string; text: string; agentName: string },
): Promise<void> {
  // Started by onAccepted, inside the relay, without holding the message back: the status (or placeholder) and the
  // redaction notice go to Slack while the message goes to the portal. Both are awaited before this relay ends.
  let progressShown: Promise<Progress> | null = null;
  let notified: Promise<void> | null = null;
  const progressOf = async (): Promise<Progress | null> => (progressShown ? await progressShown : null);
  const { thread, slackUserId, agentName } = input;
  const done = deps.inFlight.begin({ kind: 'relay', thread, slackUserId, agentName });
  try {
    deps.limits.take('relay', { person: input.slackUserId, thread: threadKey(input.thread) });
    const actor = await actorFor(deps, input.slackUserId);
    // The ticket service redacts the text before it goes out, and says how many values it replaced.
    const { link, reply } = await deps.tickets.relay({
      thread: input.thread,
      actor,
      text: input.text,
      onAccepted: async ({ redacted }) => {
        progressShown = startProgress(deps, input.thread, input.agentName);
        notified = tellRedacted(
          deps,
          log,
          input.thread,
          input.slackUserId,
          redacted,
          'went to the agent as [REDACTED]',
        );
      },
    });
    deps.metrics.agentReplies.inc({ portal: link.portal, outcome: 'ok' });
    if (!link.cardMessageTs) await restoreTicketCard(deps, log, link);
    await postAgentReply(deps, link, reply, await progressOf());
  } catch (error) {
    deps.metrics.agentReplies.inc({ portal: 'unknown', outcome: 'error' });
    const progress = await progressOf();
    await progress?.clear();
    if (progress?.placeholderTs) {
      await deps.poster
        .update(input.thread.channelId, progress.placeholderTs, {
          text: 'The agent did not answer.',
          blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: '_The agent did not answer._' }] }],
        })
        .catch(() => undefined);
    }
    await reportFailure(deps, log, input.thread, input.slackUserId, error, 'Sending your message to the agent');
  } finally {
    await notified;
    done();
  }
}

/** A linked thread whose ticket card never made it to Slack (it failed when the ticket was created) gets it now. */
async function restoreTicketCard(deps: SlackDeps, log: Logger, link: TicketLink): Promise<void> {
  try {
    const ts = await deps.poster.post(link.thread, ticketCardFor(deps, link));
    await deps.store.updateLink(link.id, { cardMessageTs: ts }, deps.clock.now());
  } catch (error) {
    log.warn({ err: error }, 'could not post the missing ticket card');
  }
}
