import { isDomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/helpdesk.js';
import type { AgentMessage } from '../../domain/messages.js';
import type { AgentEventListener } from '../../domain/ports.js';
import type { ThreadRef, TicketLink } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { buildNotice, buildProgressPlaceholder, buildRedactionNotice } from '../blocks/notice.js';
import { replyFor } from '../text/error-replies.js';
import type { StreamRecipient } from '../web/thread-poster.js';
import type { AfterSendFailure } from './after-send.js';
import type { SlackDeps } from './deps.js';
import { AgentAnswerWords, type LiveReply, openLiveReply } from './live-reply.js';

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

/** What a live reply calls the agent's answer when Slack did not take it. */
export const AgentAnswer = AgentAnswerWords;

/**
 * Posts a whole reply the agent gave (outputs, text, proposals), as a live reply told the turn at once (one path:
 * live-reply.ts). The portal already accepted what the agent answers, so this never throws: each step that Slack
 * or the store refuses is returned, for the caller to report as not shown or not recorded (reportAfterSend).
 */
export async function postAgentReply(
  deps: SlackDeps,
  link: TicketLink,
  reply: AgentMessage,
  progress: Progress | null,
): Promise<AfterSendFailure[]> {
  const live = openLiveReply(deps, deps.logger, { link, recipient: NoRecipient, progress: Promise.resolve(progress) });
  return live.finish(reply);
}

/** A turn told at once is posted, never streamed: it has no recipient to stream to. */
const NoRecipient = { userId: '', teamId: '' };

/** One agent turn shown live in its thread, opened when the domain names the ticket the message goes to. */
export interface LiveTurn {
  /** For the domain (TurnListener): opens the live reply on the ticket's link. */
  readonly listen: (link: TicketLink) => AgentEventListener;
  /** The turn ended with `reply`: everything shown; what could not be is returned. */
  finish(link: TicketLink, reply: AgentMessage): Promise<AfterSendFailure[]>;
  /** The turn failed: what was shown stays; `shown` says whether any of the answer reached the thread. */
  fail(error: unknown): Promise<{ readonly shown: boolean; readonly failures: AfterSendFailure[] }>;
}

/** Whom a live reply is streamed on behalf of: the person whose message the agent answers (docs/slack-platform.md §8). */
export const recipientOf = (actor: Actor): StreamRecipient => ({ userId: actor.slackUserId, teamId: actor.teamId });

export function liveTurn(
  deps: SlackDeps,
  log: Logger,
  { recipient, progress }: { recipient: StreamRecipient; progress?: () => Promise<Progress | null> },
): LiveTurn {
  let live: LiveReply | null = null;
  const open = (link: TicketLink) =>
    openLiveReply(deps, log, { link, recipient, progress: progress?.() ?? Promise.resolve(null) });
  return {
    listen(link) {
      live = open(link);
      return live.onEvent;
    },
    finish: (link, reply) => (live ?? open(link)).finish(reply),
    fail: async (error) => (live ? live.fail(error) : { shown: false, failures: [] }),
  };
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
  try {
    await deps.poster.ephemeral(thread, slackUserId, buildRedactionNotice(count, what));
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
