import { Assistant, type AssistantConfig } from '@slack/bolt';
import type { SlackDeps } from '../flows/deps.js';
import { answerDirectMessage, greetAssistantThread } from '../flows/direct-messages.js';
import { parseAssistantThread } from '../parse/assistant-thread.js';

/**
 * The assistant pane (Slack's AI app surface): Bolt's Assistant takes assistant_thread_started and the person's
 * messages in threads of their DM with the app
 * (docs/slack-platform.md §10). A new thread gets a greeting and suggested prompts; a message there is answered like
 * any direct message (Create Ticket, or relayed to the linked ticket's agent with the thread's status line).
 *
 * Bolt claims every `message` in a thread of an im (it cannot tell an assistant thread from a plain DM thread) and
 * stops it there, so this handles both; a top-level DM has no thread_ts and reaches the message listener
 * (listeners/direct-message.ts) instead.
 */
export function createAssistantPane(deps: SlackDeps): Assistant {
  const config: AssistantConfig = {
    // Bolt's default store keeps the viewed channel in one process-wide field (shared by every thread, lost on a
    // restart, unseen by other replicas) and reads and rewrites it through conversations.replies (limited to one
    // call a minute for new apps, docs/slack-platform.md §5) and chat.update of the bot's first message. The service
    // does not use that context, so it keeps none: nothing to share between replicas, no Slack calls. (Without a
    // threadContextChanged handler Bolt calls this store's save; the app does not subscribe to that event anyway.)
    threadContextStore: { get: async () => ({}), save: async () => undefined },
    threadStarted: async ({ event, client, context }) => {
      const log = context.log ?? deps.logger;
      const opened = parseAssistantThread(event, deps.identity.teamId);
      if (!opened) {
        log.info('assistant_thread_started with unexpected fields: ignored');
        return;
      }
      await greetAssistantThread(deps, client, log, opened);
    },
    userMessage: async ({ event, context }) => {
      await answerDirectMessage(deps, context.log ?? deps.logger, event);
    },
  };
  return new Assistant(config);
}
