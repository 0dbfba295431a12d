import type { CommandCard } from '../../domain/command-card.js';
import type { AgentMessage } from '../../domain/messages.js';
import type { TicketLink } from '../../domain/thread-link.js';
import type { Logger } from '../../logger.js';
import { buildCommandCard } from '../blocks/command-card.js';
import { buildCommandOutput } from '../blocks/command-output.js';
import type { MessageContent } from '../blocks/message.js';
import { type AfterSendFailure, notRecordedFailures } from './after-send.js';
import type { SlackDeps } from './deps.js';

/** The card as Slack shows it, with the link's agent and space names. */
export async function renderCard(deps: SlackDeps, card: CommandCard): Promise<MessageContent> {
  // Names are decoration: a store that cannot answer must not keep a card from showing its state.
  const link = await deps.tickets.linkById(card.linkId).catch(() => null);
  return buildCommandCard({
    card,
    agentName: link?.agentName ?? 'The agent',
    spaceName: link?.spaceName ?? card.spaceId,
    portal: card.portal,
    api: link?.api ?? 'tenant',
    redact: (text) => deps.redactor.redact(text).text,
  });
}

/**
 * Redraws a card's message from the given state of it (the store's, or the state a Submit reached that the store
 * could not record). A failure is logged and returned, never thrown; null when it was redrawn or has no message.
 */
export async function refreshCard(deps: SlackDeps, card: CommandCard, log: Logger): Promise<{ error: unknown } | null> {
  if (!card.messageTs) return null;
  try {
    await deps.poster.update(card.thread.channelId, card.messageTs, await renderCard(deps, card));
    return null;
  } catch (error) {
    log.warn({ err: error, cardId: card.id }, 'could not redraw a command card');
    return { error };
  }
}

/**
 * The agent proposed commands (or tool calls / approvals): post a command card for them. The agent's reply was
 * accepted already, so nothing here throws: a card the store could not keep, or Slack could not show, is returned
 * as a failure to report, with what the person can do (ask again).
 */
export async function postProposals(
  deps: SlackDeps,
  link: TicketLink,
  reply: AgentMessage,
): Promise<AfterSendFailure[]> {
  const what = 'the commands the agent proposed';
  const advice = 'Ask the agent to propose them again.';
  let opened: Awaited<ReturnType<SlackDeps['approvals']['openCard']>>;
  try {
    opened = await deps.approvals.openCard(link, reply);
  } catch (error) {
    return [{ what, failed: 'recorded', error, advice }];
  }
  if (!opened) return [];
  const failures = notRecordedFailures(opened.notRecorded);
  let ts: string;
  try {
    ts = await deps.poster.post(link.thread, await renderCard(deps, opened.card));
  } catch (error) {
    return [...failures, { what, failed: 'shown', error, advice }];
  }
  try {
    await deps.approvals.attachMessage(opened.card.id, ts);
  } catch (error) {
    failures.push({
      what: 'which message shows the command card',
      failed: 'recorded',
      error,
      advice: 'The card will not redraw as people decide on it; its Submit still works.',
    });
  }
  return failures;
}

/**
 * Each executed command's output in the thread: redacted, as code, or as a file when long. Each is posted on its
 * own, so one Slack refuses (or a failed upload) does not keep the others from the thread; a failure is logged and,
 * once every output was tried, the first one is thrown for the caller to report.
 */
export async function postOutputs(
  deps: SlackDeps,
  link: Pick<TicketLink, 'thread'>,
  executed: readonly { command: string; output: string }[],
  /** How many outputs of this turn were posted before these (they are numbered on from there). */
  firstIndex = 0,
): Promise<void> {
  const failures: unknown[] = [];
  for (const [index, { command, output }] of executed.entries()) {
    try {
      await postOutput(
        deps,
        link,
        deps.redactor.redact(command).text,
        deps.redactor.redact(output).text,
        firstIndex + index,
      );
    } catch (error) {
      deps.logger.warn({ err: error, index, of: executed.length }, 'could not post a command output; going on');
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

async function postOutput(
  deps: SlackDeps,
  link: Pick<TicketLink, 'thread'>,
  command: string,
  output: string,
  index: number,
): Promise<void> {
  const post = buildCommandOutput(command, output, index);
  if (post.kind === 'message') {
    await deps.poster.post(link.thread, post.message);
    return;
  }
  await deps.poster.uploadText(link.thread, {
    filename: post.filename,
    title: post.filename,
    content: post.content,
    initialComment: post.summary,
  });
}
