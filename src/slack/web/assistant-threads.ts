import type { WebClient } from '@slack/web-api';
import type { ThreadRef } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { wellFormed } from '../../well-formed.js';
import type { SuggestedPrompts } from '../blocks/assistant-pane.js';
import { slackError } from './thread-poster.js';

/**
 * The assistant pane's own calls (docs/slack-platform.md §10): suggested prompts when a thread opens and the
 * thread's title in the person's history. Both need `assistant:write`, work only in an assistant thread, and are
 * decoration: a refusal is logged and never stops the conversation. Returns whether Slack took it.
 */
export interface AssistantThreads {
  setSuggestedPrompts(thread: ThreadRef, prompts: SuggestedPrompts): Promise<boolean>;
  setTitle(thread: ThreadRef, title: string): Promise<boolean>;
}

export function createAssistantThreads({
  client,
  logger,
}: {
  client: Pick<WebClient, 'assistant'>;
  logger: Logger;
}): AssistantThreads {
  const attempt = async (method: string, thread: ThreadRef, work: () => Promise<unknown>): Promise<boolean> => {
    try {
      await work();
      return true;
    } catch (error) {
      const coded = slackError(method, error);
      logger.info(
        { method, channelId: thread.channelId, threadTs: thread.threadTs, slackError: coded.details.slackError },
        'the assistant pane did not take this (not an assistant thread, or no assistant:write)',
      );
      return false;
    }
  };
  return {
    setSuggestedPrompts: (thread, { title, prompts }) =>
      attempt('assistant.threads.setSuggestedPrompts', thread, () =>
        client.assistant.threads.setSuggestedPrompts({
          channel_id: thread.channelId,
          thread_ts: thread.threadTs,
          title: wellFormed(title),
          prompts: prompts.map((prompt) => ({ title: wellFormed(prompt.title), message: wellFormed(prompt.message) })),
        }),
      ),
    setTitle: (thread, title) =>
      attempt('assistant.threads.setTitle', thread, () =>
        client.assistant.threads.setTitle({
          channel_id: thread.channelId,
          thread_ts: thread.threadTs,
          title: wellFormed(title),
        }),
      ),
  };
}
