import { z } from 'zod';
import type { ThreadRef } from '../../domain/thread-link.js';

/**
 * assistant_thread_started / assistant_thread_context_changed: a person opened a thread in the app's assistant
 * pane, in their DM with the app (docs/slack-platform.md §10). The context (the channel they look at) is not used.
 */
const AssistantThreadEvent = z.object({
  type: z.enum(['assistant_thread_started', 'assistant_thread_context_changed']),
  assistant_thread: z.object({
    user_id: z.string().regex(/^[UW][A-Z0-9]{1,30}$/),
    channel_id: z.string().regex(/^D[A-Z0-9]{1,30}$/),
    thread_ts: z.string().regex(/^\d{1,12}\.\d{1,9}$/),
  }),
});

export interface AssistantThreadOpened {
  readonly userId: string;
  readonly thread: ThreadRef;
}

export function parseAssistantThread(event: unknown, teamId: string): AssistantThreadOpened | null {
  const parsed = AssistantThreadEvent.safeParse(event);
  if (!parsed.success) return null;
  const { user_id, channel_id, thread_ts } = parsed.data.assistant_thread;
  return { userId: user_id, thread: { teamId, channelId: channel_id, threadTs: thread_ts } };
}
