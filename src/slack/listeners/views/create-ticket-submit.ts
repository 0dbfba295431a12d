import { TicketNotLinkedError } from '../../../domain/after-send.js';
import { DomainError } from '../../../domain/errors.js';
import type { ThreadRef, TicketLink } from '../../../domain/thread-link.js';
import { threadKey } from '../../../domain/thread-link.js';
import type { CreatedTicketResult, FirstReply, ValidatedTicketRequest } from '../../../domain/ticket-service.js';
import type { Logger } from '../../../logger.js';
import {
  type AfterSendFailure,
  inTheHelpDesk,
  notRecordedFailures,
  reportAfterSend,
  reportNotLinked,
} from '../../after-send.js';
import { buildCreateTicketPromptDone } from '../../blocks/create-ticket-prompt.js';
import { actorFor, type LiveTurn, liveTurn, postAgentReply, reportFailure, tellRedacted } from '../../conversation.js';
import type { SlackDeps } from '../../deps.js';
import { parseFormMetadata } from '../../parse/form-metadata.js';
import { parseFormValues } from '../../parse/form-state.js';
import { portalWithKey } from '../../parse/portal-key.js';
import { checkSubmission } from '../../submit-validation.js';
import { escapeMrkdwn } from '../../text/index.js';
import { ticketCardFor } from '../../ticket-cards.js';
import type { ViewSubmitArgs } from '../types.js';
import { completeForm, fieldLocator, fieldOf } from './form-fields.js';

/**
 * Create Ticket submitted: check every field again on the server (within Slack's 3 s, else ack and report in the
 * thread), then create the ticket, link the thread, post the ticket card and the agent's first reply.
 */
export async function onCreateTicketSubmit(
  deps: SlackDeps,
  { ack, body, view, context }: ViewSubmitArgs,
): Promise<void> {
  const log = context.log ?? deps.logger;
  const metadata = parseFormMetadata(view.private_metadata);
  // Slack always sends the view's state; a malformed payload may not, and then every field reads as empty.
  const stateValues = view.state?.values ?? {};
  const values = parseFormValues(stateValues);
  const where = fieldLocator(stateValues);
  const outOfDate = () =>
    ack({
      response_action: 'errors',
      errors: { [where('portal')]: 'This form is out of date. Close it and click Create Ticket again.' },
    });
  if (!metadata) {
    await outOfDate();
    return;
  }
  const complete = completeForm(values);
  if (!complete.ok) {
    await ack({ response_action: 'errors', errors: { [where(complete.field)]: complete.message } });
    return;
  }
  const portal = portalWithKey(deps.portals.list(), complete.value.portalKey);
  if (!portal) {
    await outOfDate();
    return;
  }
  const { spaceId, agentId, permissionIds } = complete.value;

  const thread = metadata.thread;
  const userId = body.user.id;
  const validation = (async (): Promise<ValidatedTicketRequest> => {
    // A second Create Ticket for a thread that got its ticket meanwhile is answered in the form, not the thread.
    const existing = await deps.tickets.activeLink(thread);
    if (existing) {
      throw new DomainError('thread.already_linked', `The thread is already linked to ${existing.ticketName}`);
    }
    deps.limits.take('ticket', { person: userId, thread: threadKey(thread) });
    // The message shortcut works in any channel: a ticket whose thread cannot show it would be a silent half-success.
    if ((await deps.membership.check(thread.channelId)) === 'not_member') {
      throw new DomainError('slack.not_in_channel', `The bot is not in channel ${thread.channelId}`);
    }
    const actor = await actorFor(deps, userId);
    const request = metadata.requestTs ? await deps.tickets.rememberedRequest(thread, metadata.requestTs) : null;
    return deps.tickets.validateCreate({
      thread,
      actor,
      portal: portal.name,
      spaceId,
      agentId,
      permissionIds,
      // The request is thread text shared with the agent (and its first line the ticket's title): the ticket service
      // redacts it before it is kept or sent.
      request: request?.text ?? '',
    });
  })();
  const validated = await checkSubmission(deps, log, {
    validation,
    ack,
    receivedAt: context.receivedAt,
    blockFor: (error) => where(fieldOf(error)),
    thread,
    userId,
    what: 'Creating the ticket',
  });
  if (!validated) return;

  const done = deps.inFlight.begin({ kind: 'create', thread, slackUserId: userId });
  try {
    await createAndShow(deps, log, { thread, userId, validated, promptTs: metadata.promptTs });
  } finally {
    done();
  }
}

async function createAndShow(
  deps: SlackDeps,
  log: Logger,
  input: { thread: ThreadRef; userId: string; validated: ValidatedTicketRequest; promptTs: string | undefined },
): Promise<void> {
  const { thread, userId, validated } = input;
  const creating = await deps.poster.setStatus(thread, `is creating a ticket in ${validated.spaceName}…`);
  // The ticket card goes up as soon as the ticket is linked, just before the request goes to the agent: the answer
  // then shows under it as it is written (live-reply.ts).
  const failures: AfterSendFailure[] = [];
  let cardShown: Promise<TicketLink> | null = null;
  const turn = liveTurn(deps, log, {
    recipient: { userId: validated.actor.slackUserId, teamId: validated.actor.teamId },
    progress: async () => {
      await cardShown;
      return null;
    },
  });
  let created: CreatedTicketResult;
  try {
    created = await deps.tickets.createTicket(validated, (link) => {
      cardShown = showTicketCard(deps, log, link, failures);
      return turn.listen(link);
    });
  } catch (error) {
    await turn.fail(error);
    if (creating) await deps.poster.setStatus(thread, '');
    if (error instanceof TicketNotLinkedError) await reportNotLinked(deps, log, { thread, slackUserId: userId, error });
    else await reportFailure(deps, log, thread, userId, error, 'Creating the ticket');
    return;
  }
  // The portal made the ticket and the thread is linked to it: whatever Slack or the store refuses from here on, the
  // person reads that the ticket is open (and where), never that creating it failed.
  const { link, firstReply } = created;
  await tellRedacted(
    deps,
    log,
    thread,
    userId,
    created.redacted,
    'in the request went to the new ticket as [REDACTED]',
  );
  deps.metrics.ticketsCreated.inc({ portal: link.portal });
  log.info(
    { ticketName: link.ticketName, portal: link.portal, spaceId: link.spaceId, api: link.api },
    'ticket created',
  );
  failures.unshift(...notRecordedFailures(created.notRecorded));
  const linked = await (cardShown ?? showTicketCard(deps, log, link, failures));
  if (linked.cardMessageTs && input.promptTs) {
    await deps.poster
      .update(thread.channelId, input.promptTs, buildCreateTicketPromptDone(userId, link.ticketName))
      .catch((error: unknown) => log.warn({ err: error }, 'could not redraw the Create Ticket prompt'));
  }
  await showFirstReply(deps, log, {
    link: linked,
    userId,
    firstReply,
    statusShown: creating,
    failures,
    opened: `Ticket *${escapeMrkdwn(link.ticketName)}* is open`,
    firstMessage: 'the request',
    closing: 'There is no need to create it or send the request again.',
    turn,
  });
}

/**
 * Posts a new ticket's card in its thread and records which message shows it; what fails is added to `failures`.
 * Returns the link as it now is.
 */
export async function showTicketCard(
  deps: SlackDeps,
  log: Logger,
  link: TicketLink,
  failures: AfterSendFailure[],
): Promise<TicketLink> {
  let cardTs: string;
  try {
    cardTs = await deps.poster.post(link.thread, ticketCardFor(deps, link));
  } catch (error) {
    // The thread is linked: the next message in it still reaches the ticket, and brings its card back.
    failures.push({
      what: 'the ticket card',
      failed: 'shown',
      error,
      advice: `The ticket is ${inTheHelpDesk(deps, link)}; the next message here brings its card back.`,
    });
    return link;
  }
  try {
    return await deps.tickets.recordTicketCard(link.id, cardTs);
  } catch (error) {
    log.warn({ err: error }, 'could not record the ticket card message');
    failures.push({ what: 'which message shows the ticket card', failed: 'recorded', error });
    return { ...link, cardMessageTs: cardTs };
  }
}

/**
 * The agent's answer to a new ticket's first message, or what became of that message; then, once, what could not be
 * shown or recorded since the portal made the ticket (`failures`, and those of the answer), after `opened`.
 */
export async function showFirstReply(
  deps: SlackDeps,
  log: Logger,
  {
    link,
    userId,
    firstReply,
    statusShown,
    failures = [],
    opened,
    firstMessage,
    closing,
    turn,
  }: {
    link: TicketLink;
    userId: string;
    firstReply: FirstReply;
    statusShown: boolean;
    /** What already could not be shown or recorded (the ticket card). */
    failures?: readonly AfterSendFailure[];
    /** What the portal did, as the start of a sentence: "Ticket *dev-1* is open". */
    opened: string;
    /** What the first message was, as the person knows it: "the request". */
    firstMessage: string;
    closing: string;
    /** The live turn that was told the answer as it came (Create Ticket); without one the answer is posted whole. */
    turn?: LiveTurn;
  },
): Promise<void> {
  const { thread } = link;
  const all = [...failures];
  let done = opened;
  try {
    if (firstReply.state === 'answered') {
      deps.metrics.agentReplies.inc({ portal: link.portal, outcome: 'ok' });
      done = `${opened} and ${firstMessage} reached *${escapeMrkdwn(link.agentName)}*`;
      all.push(
        ...(await (turn ? turn.finish(link, firstReply.reply) : postAgentReply(deps, link, firstReply.reply, null))),
      );
    } else {
      if (statusShown) await deps.poster.setStatus(thread, '');
      if (firstReply.state === 'failed') {
        deps.metrics.agentReplies.inc({ portal: link.portal, outcome: 'error' });
        // Part of the answer may be in the thread already: it stays, made final, and is never posted again.
        const closed = turn ? await turn.fail(firstReply.error) : { shown: false, failures: [] };
        if (closed.shown) {
          done = `${opened} and ${firstMessage} reached *${escapeMrkdwn(link.agentName)}*`;
          all.push(...closed.failures, {
            what: 'the rest of the agent’s answer',
            failed: 'shown',
            error: firstReply.error,
            advice: 'What it said so far is above; ask it to go on.',
          });
        } else {
          // The ticket exists and is linked: only the first message is in doubt. Replying in the thread retries it.
          await reportFailure(
            deps,
            log,
            thread,
            userId,
            firstReply.error,
            `Ticket ${escapeMrkdwn(link.ticketName)} is open, but sending it the request`,
          );
        }
      }
    }
  } catch (error) {
    all.push({ what: 'the agent’s first answer', failed: 'shown', error });
  }
  if (all.length > 0) await reportAfterSend(deps, log, { thread, slackUserId: userId, done, failures: all, closing });
}
