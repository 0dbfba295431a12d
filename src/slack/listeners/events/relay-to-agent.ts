import { type ThreadRef, threadKey } from '../../../domain/thread-link.js';
import type { Logger } from '../../../logger.js';
import { actorFor, type Progress, postAgentReply, reportFailure, startProgress } from '../../conversation.js';
import type { SlackDeps } from '../../deps.js';

/** A human message in a linked thread goes to the ticket's agent; its reply comes back into the thread. */
export async function relayToAgent(
  deps: SlackDeps,
  log: Logger,
  input: { thread: ThreadRef; slackUserId: string; text: string; agentName: string },
): Promise<void> {
  let progress: Progress | null = null;
  const { thread, slackUserId, agentName } = input;
  const done = deps.inFlight.begin({ kind: 'relay', thread, slackUserId, agentName });
  try {
    deps.limits.take('relay', { person: input.slackUserId, thread: threadKey(input.thread) });
    const actor = await actorFor(deps, input.slackUserId);
    progress = await startProgress(deps, input.thread, input.agentName);
    const { link, reply } = await deps.tickets.relay({ thread: input.thread, actor, text: input.text });
    deps.metrics.agentReplies.inc({ portal: link.portal, outcome: 'ok' });
    await postAgentReply(deps, link, reply, progress);
  } catch (error) {
    deps.metrics.agentReplies.inc({ portal: 'unknown', outcome: 'error' });
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
    done();
  }
}
