import { isDomainError } from '../domain/errors.js';
import type { Actor } from '../domain/helpdesk.js';
import type { AgentMessage } from '../domain/messages.js';
import type { ThreadRef, TicketLink } from '../domain/thread-link.js';
import type { Logger } from '../logger.js';
import { type AfterSendFailure, inTheHelpDesk } from './after-send.js';
import { buildAgentReply } from './blocks/agent-reply.js';
import { buildNotice, buildProgressPlaceholder } from './blocks/notice.js';
import { postOutputs, postProposals } from './command-cards.js';
import type { SlackDeps } from './deps.js';
import { replyFor } from './error-replies.js';
import { escapeMrkdwn } from './text/index.js';

/** The Slack user as the domain needs them. Users of another workspace (Slack Connect) keep their own team. */
export async function actorFor(deps: SlackDeps, slackUserId: string): Promise<Actor> {
  const user = await deps.users.get(slackUserId);
  return {
    slackUserId,
    teamId: user.teamId ?? deps.identity.teamId,
    email: user.email,
    ...(user.displayName ? { displayName: user.displayName } : {}),
  };
}

/** Progress while the agent works: the thread status line where Slack allows it, else a placeholder to update. */
export interface Progress {
  /** Posts `content` in place of the placeholder when there is one; returns false when it must be posted anew. */
  readonly placeholderTs: string | null;
  clear(): Promise<void>;
}

export async function startProgress(deps: SlackDeps, thread: ThreadRef, agentName: string): Promise<Progress> {
  if (await deps.poster.setStatus(thread, `${agentName} is working on it…`)) {
    return { placeholderTs: null, clear: async () => void (await deps.poster.setStatus(thread, '')) };
  }
  try {
    const ts = await deps.poster.post(thread, buildProgressPlaceholder(agentName));
    return { placeholderTs: ts, clear: async () => undefined };
  } catch {
    return { placeholderTs: null, clear: async () => undefined };
  }
}

/**
 * Hosts whose links in an agent's answer may show by their label alone: the thread's own portal (where the ticket
 * is). Every other link shows its target (blocks/agent-reply.ts).
 */
export function trustedHostsFor(
  deps: SlackDeps,
  link: Pick<TicketLink, 'portal' | 'spaceId' | 'ticketName'>,
): string[] {
  try {
    return [new URL(deps.tickets.ticketUrl(link)).host];
  } catch {
    return [];
  }
}

/** What postAgentReply calls the agent's answer when Slack did not take it. */
export const AgentAnswer = 'the agent’s answer';

/**
 * Posts what the agent said: its text (redacted, converted to safe mrkdwn, split or uploaded when long), then
 * hands any proposed commands to the command-card flow. The portal already accepted what the agent answers, so this
 * never throws: each step that Slack or the store refuses is returned, for the caller to report as not shown or not
 * recorded (reportAfterSend), and the steps after it still run.
 */
export async function postAgentReply(
  deps: SlackDeps,
  link: TicketLink,
  reply: AgentMessage,
  progress: Progress | null,
): Promise<AfterSendFailure[]> {
  // Outputs of commands the agent ran come first, then what it says about them, then anything new it proposes. An
  // output Slack would not take must not cost the thread the agent's answer or its next proposals: those go on,
  // and the failure is reported after them.
  const failures: AfterSendFailure[] = [];
  if (reply.data.executed_cmds.length > 0) {
    await progress?.clear();
    try {
      await postOutputs(deps, link, reply.data.executed_cmds);
    } catch (error) {
      failures.push({
        what: 'some command outputs',
        failed: 'shown',
        error,
        advice: `Read them on the ticket ${inTheHelpDesk(deps, link)}.`,
      });
    }
  }
  const redacted = deps.redactor.redact(reply.content);
  const post = buildAgentReply(link.agentName, redacted.text, { trustedHosts: trustedHostsFor(deps, link) });
  const message = post.kind === 'message' ? post.message : post.summary;
  const readIt = `Read it on the ticket ${inTheHelpDesk(deps, link)}.`;
  let answered = false;
  try {
    if (progress?.placeholderTs) await deps.poster.update(link.thread.channelId, progress.placeholderTs, message);
    else await deps.poster.post(link.thread, message);
    answered = true;
    if (post.kind === 'file') {
      await deps.poster.uploadText(link.thread, {
        filename: post.filename,
        title: `Reply from ${link.agentName}`,
        content: post.content,
      });
    }
  } catch (error) {
    await progress?.clear();
    const what = answered ? 'the file with the agent’s whole answer' : AgentAnswer;
    failures.push({ what, failed: 'shown', error, advice: readIt });
  }
  failures.push(...(await postProposals(deps, link, reply)));
  return failures;
}

/**
 * Tells a person privately that secret-looking values in what they wrote were replaced before anything kept, showed
 * or sent it (`what`: "went to the agent as [REDACTED]"). Never throws: a notice that cannot be posted is logged.
 */
export async function tellRedacted(
  deps: SlackDeps,
  log: Logger,
  thread: ThreadRef,
  slackUserId: string,
  count: number,
  what: string,
): Promise<void> {
  if (count <= 0) return;
  const values = count === 1 ? '1 value that looks' : `${count} values that look`;
  try {
    await deps.poster.ephemeral(
      thread,
      slackUserId,
      buildNotice(`${values} like a secret ${what}. Secrets stay out of tickets.`),
    );
  } catch (error) {
    log.warn({ err: error }, 'could not tell the sender about a redaction');
  }
}

/** Codes about the person's own action (their access, their limits, their duplicate click): told only to them. */
const personalCodes = new Set(['limit.exceeded', 'thread.already_linked', 'thread.busy', 'card.already_submitted']);
const channelCodes = new Set(['slack.not_in_channel', 'slack.channel_not_found']);

/** Tells the person what failed: problems with their own action privately to them, everything else in the thread. */
export async function reportFailure(
  deps: SlackDeps,
  log: Logger,
  thread: ThreadRef,
  slackUserId: string,
  error: unknown,
  what: string,
): Promise<void> {
  const words = replyFor(error);
  if (isDomainError(error)) log.warn({ code: error.code, details: error.details, what }, `${what} failed`);
  else log.error({ err: error, what }, `${what} failed`);
  // When the thread itself cannot take a message (the bot was removed from the channel, or it is gone), a post
  // would fail the same way: try the person privately, and otherwise say in the log what an admin should do.
  const unreachable = isDomainError(error) && channelCodes.has(error.code);
  const privately =
    unreachable || (isDomainError(error) && (error.code.startsWith('access.') || personalCodes.has(error.code)));
  try {
    if (privately) await deps.poster.ephemeral(thread, slackUserId, buildNotice(words));
    else await deps.poster.post(thread, buildNotice(`${what} failed. ${words}`));
  } catch (postError) {
    if (isDomainError(postError) && channelCodes.has(postError.code)) {
      log.warn(
        { code: postError.code, channelId: thread.channelId, what },
        'cannot post in this channel (invite the bot, or the channel is gone): the person was not told',
      );
    } else log.error({ err: postError, what }, 'could not tell the user about a failure');
  }
}
