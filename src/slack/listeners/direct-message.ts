import type { SlackDeps } from '../flows/deps.js';
import { answerDirectMessage } from '../flows/direct-messages.js';
import type { MessageArgs } from './types.js';

/**
 * A message in the app's Messages tab (message.im). Each top-level message starts a thread on itself and is answered
 * there like a mention; replies in those threads are taken by the assistant pane's listener (assistant-pane.ts),
 * which answers them the same way. Messages elsewhere are the thread-message listener's.
 */
export async function onDirectMessage(deps: SlackDeps, { event, context }: MessageArgs): Promise<void> {
  await answerDirectMessage(deps, context.log ?? deps.logger, event);
}
