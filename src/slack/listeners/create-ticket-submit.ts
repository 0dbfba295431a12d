import { TicketNotLinkedError } from '../../domain/after-send.js';
import { DomainError } from '../../domain/errors.js';
import type { ThreadRef } from '../../domain/thread-link.js';
import { threadKey } from '../../domain/thread-link.js';
import type { CreatedTicketResult, ValidatedTicketRequest } from '../../domain/ticket-service.js';
import type { Logger } from '../../logger.js';
import { buildCreateTicketPromptDone } from '../blocks/create-ticket-prompt.js';
import { type AfterSendFailure, notRecordedFailures, reportNotLinked } from '../flows/after-send.js';
import { actorFor, liveTurn, recipientOf, reportFailure, tellRedacted } from '../flows/agent-replies.js';
import type { SlackDeps } from '../flows/deps.js';
import { titleDirectThread } from '../flows/direct-messages.js';
import { showFirstReply } from '../flows/first-reply.js';
import { checkSubmission, readTicketForm } from '../flows/submit-validation.js';
import { showTicketCard } from '../flows/ticket-cards.js';
import { fieldOf } from '../parse/form-fields.js';
import type { FormMetadata, TicketFormMetadata } from '../parse/form-metadata.js';
import { escapeMrkdwn } from '../text/index.js';
import type { ViewSubmitArgs } from './types.js';

/**
 * Create Ticket submitted: check every field again on the server (within Slack's 3 s, else ack and report in the
 * thread), then create the ticket, link the thread, post the ticket card and the agent's first reply.
 */
export async function onCreateTicketSubmit(
  deps: SlackDeps,
  { ack, body, view, context, client }: ViewSubmitArgs,
): Promise<void> {
  const log = context.log ?? deps.logger;
  const form = await readTicketForm(deps, view, ack, {
    accepts: (metadata: FormMetadata): metadata is TicketFormMetadata => metadata.mode !== 'defaults',
    reopen: 'click Create Ticket',
  });
  if (!form) return;
  const { metadata, portal, where } = form;
  const { spaceId, agentId, permissionIds } = form.complete;

  const thread = metadata.thread;
  const userId = body.user.id;
  const validation = (async (): Promise<ValidatedTicketRequest> => {
    // A second Create Ticket for a thread that got its ticket meanwhile is answered in the form, not the thread.
    const existing = await deps.tickets.activeLink(thread);
    // A closed ticket gives the thread up to a new one (it stays in the thread's history).
    if (existing && !existing.closed) {
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
      // The request is thread text shared with the agent (and its first line the ticket's title): redacted when it
      // was remembered, and again by the ticket service before it is kept or sent.
      request: request?.text ?? '',
      requestRedacted: request?.redacted ?? 0,
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
    await createAndShow(deps, log, { thread, userId, validated, promptTs: metadata.promptTs, client });
  } finally {
    done();
  }
}

async function createAndShow(
  deps: SlackDeps,
  log: Logger,
  input: {
    thread: ThreadRef;
    userId: string;
    validated: ValidatedTicketRequest;
    promptTs: string | undefined;
    client: ViewSubmitArgs['client'];
  },
): Promise<void> {
  const { thread, userId, validated } = input;
  const creating = await deps.poster.setStatus(thread, `is creating a ticket in ${validated.spaceName}…`);
  let created: CreatedTicketResult;
  try {
    created = await deps.tickets.createTicket(validated);
  } catch (error) {
    if (creating) await deps.poster.setStatus(thread, '');
    if (error instanceof TicketNotLinkedError) await reportNotLinked(deps, log, { thread, slackUserId: userId, error });
    else await reportFailure(deps, log, thread, userId, error, 'Creating the ticket');
    return;
  }
  // The portal made the ticket and the thread is linked to it: whatever Slack or the store refuses from here on, the
  // person reads that the ticket is open (and where), never that creating it failed.
  const { link } = created;
  deps.metrics.ticketsCreated.inc({ portal: link.portal });
  log.info(
    { ticketName: link.ticketName, portal: link.portal, spaceId: link.spaceId, api: link.api },
    'ticket created',
  );
  const failures: AfterSendFailure[] = [...notRecordedFailures(created.notRecorded)];
  // The ticket card goes up first, then the request goes to the agent: its answer shows under the card as it is
  // written (flows/live-reply.ts).
  const linked = await showTicketCard(deps, log, link, failures);
  await tellRedacted(
    deps,
    log,
    thread,
    userId,
    created.redacted,
    'in the request went to the new ticket as [REDACTED]',
  );
  const turn = liveTurn(deps, log, {
    recipient: recipientOf(validated.actor),
  });
  const [firstReply] = await Promise.all([
    deps.tickets.sendFirstMessage(created.first, turn.listen),
    // In the app's DM (assistant pane), the thread is named after its ticket in the person's history.
    titleDirectThread(input.client, log, link),
    linked.cardMessageTs && input.promptTs
      ? deps.poster
          .update(thread.channelId, input.promptTs, buildCreateTicketPromptDone(userId, link.ticketName))
          .catch((error: unknown) => log.warn({ err: error }, 'could not redraw the Create Ticket prompt'))
      : undefined,
  ]);
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
