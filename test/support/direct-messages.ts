import type { ThreadRef } from '../../src/domain/thread-link.js';
import { ActionId } from '../../src/slack/blocks/ids.js';
import { type FakeSlackUser, renderMessageText } from '../fakes/slack/index.js';
import { agentAndPermissions, choosePortal, chooseSpace, submit, type TicketChoice } from './flows.js';
import type { Harness } from './harness.js';

/**
 * People writing to the app in its Messages tab and assistant pane (their DM with the bot, a D… channel): the
 * signed events Slack would send (message.im, assistant_thread_started), delivered to the app over HTTP.
 */
export interface DirectMessages {
  readonly h: Harness;
  channelOf(user: FakeSlackUser): string;
  /** The person writes in their DM with the app, at the top or in a thread. */
  write(user: FakeSlackUser, text: string, threadTs?: string): Promise<{ ts: string }>;
  /** The person opens a new thread in the assistant pane. */
  openAssistantThread(user: FakeSlackUser, contextChannel?: string): Promise<{ threadTs: string }>;
  thread(user: FakeSlackUser, threadTs: string): ThreadRef;
  /** The DM thread as the person reads it, parent first. */
  transcript(user: FakeSlackUser, threadTs: string): string[];
  /** The newest bot message in the DM thread whose rendered text matches. */
  botMessage(user: FakeSlackUser, threadTs: string, pattern: RegExp): { ts: string; text: string };
  /** Create Ticket from the bot's prompt in the DM thread: the modal filled and submitted. */
  createTicket(user: FakeSlackUser, threadTs: string, choice: TicketChoice): Promise<void>;
}

export function directMessages(h: Harness): DirectMessages {
  const channelOf = (user: FakeSlackUser) => h.slack.dmChannelOf(user.id);
  const botMessage: DirectMessages['botMessage'] = (user, threadTs, pattern) => {
    const found = h.slack
      .thread(channelOf(user), threadTs)
      .filter((message) => message.bot_id === h.slack.botId)
      .map((message) => ({ ts: String(message.ts), text: renderMessageText(message) }))
      .reverse()
      .find((message) => pattern.test(message.text));
    if (!found) throw new Error(`no bot message matching ${pattern} in DM thread ${threadTs}`);
    return found;
  };
  return {
    h,
    channelOf,
    async write(user, text, threadTs) {
      const result = h.slack.directMessage({ user: user.id, text, ...(threadTs ? { threadTs } : {}) });
      for (const envelope of result.events) await h.send(envelope, 'event');
      return { ts: result.ts };
    },
    async openAssistantThread(user, contextChannel) {
      const started = h.slack.assistantThreadStarted({ user: user.id, ...(contextChannel ? { contextChannel } : {}) });
      await h.send(started.event, 'event');
      return { threadTs: started.threadTs };
    },
    thread: (user, threadTs) => ({ teamId: h.slack.teamId, channelId: channelOf(user), threadTs }),
    transcript: (user, threadTs) =>
      h.slack.thread(channelOf(user), threadTs).map((message) => renderMessageText(message)),
    botMessage,
    async createTicket(user, threadTs, choice) {
      const prompt = botMessage(user, threadTs, /Create Ticket/);
      const before = new Set(h.slack.openViews(user.id).map((view) => view.id));
      await h.send(
        h.slack.clickButton({
          user: user.id,
          channel: channelOf(user),
          messageTs: prompt.ts,
          actionId: ActionId.OpenCreateTicket,
        }),
        'interaction',
      );
      const view = h.slack.openViews(user.id).find((candidate) => !before.has(candidate.id));
      if (!view) throw new Error('the Create Ticket modal did not open');
      const viewId = String(view.id);
      if (choice.portal) await choosePortal(h, user, viewId, choice.portal);
      await chooseSpace(h, user, viewId, choice.spaceId);
      const outcome = await submit(h, user, viewId, agentAndPermissions(h.slack.view(viewId), choice));
      if (outcome.kind !== 'closed') throw new Error(`Create Ticket was not accepted: ${JSON.stringify(outcome)}`);
    },
  };
}
