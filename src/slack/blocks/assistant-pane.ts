import { withoutBidiControls } from '../text/bidi.js';
import { type MessageContent, mrkdwn } from './message.js';

/** What assistant.threads.setSuggestedPrompts takes: at most four prompts, each a title and the message it sends. */
export interface SuggestedPrompts {
  readonly title: string;
  readonly prompts: readonly { readonly title: string; readonly message: string }[];
}

/** Slack shows up to four suggested prompts (docs/slack-platform.md §10). */
export const MaxSuggestedPrompts = 4;

/** The prompts a new assistant thread offers: what people ask the HelpDesk most, each one message away from a ticket. */
export const DefaultSuggestedPrompts: SuggestedPrompts = {
  title: 'Ask the DuploCloud AI HelpDesk',
  prompts: [
    { title: 'Why are my pods crashing?', message: 'Pods in my tenant keep crashing. Can you find out why?' },
    { title: 'Check a deployment', message: 'Is my latest deployment healthy? Show me what changed and what failed.' },
    { title: 'Explain a cost spike', message: 'Our cloud costs went up this week. What caused it?' },
    { title: 'Review access', message: 'Who can access my tenant, and with which permissions?' },
  ],
};

/** The first message of a new assistant thread: what the bot does here and how a ticket starts. */
export const buildAssistantGreeting = (): MessageContent => {
  const words =
    'Hi! Ask me anything about your DuploCloud infrastructure. I will offer *Create Ticket*: you choose the portal, tenant, agent and permissions, and the agent answers right here.';
  return { text: words.replaceAll('*', ''), blocks: [{ type: 'section', text: mrkdwn(words) }] };
};

/** At most this many characters of a thread title: the history list shows one line. */
export const ThreadTitleMax = 80;

/**
 * The assistant thread's title once a ticket is linked: the ticket's title (already redacted by the ticket service;
 * people and agents wrote it, so bidi controls go) and its name. Plain text: Slack renders titles without markup.
 */
export function assistantThreadTitle(ticketTitle: string, ticketName: string): string {
  const title = withoutBidiControls(ticketTitle).replace(/\s+/g, ' ').trim();
  const suffix = ` (${withoutBidiControls(ticketName)})`;
  const room = Math.max(0, ThreadTitleMax - suffix.length);
  const shown = title.length > room ? `${title.slice(0, Math.max(0, room - 1)).trimEnd()}…` : title;
  return shown ? `${shown}${suffix}` : withoutBidiControls(ticketName).slice(0, ThreadTitleMax);
}
