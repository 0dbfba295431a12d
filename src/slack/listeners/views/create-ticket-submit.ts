import { type DomainError, isDomainError } from '../../../domain/errors.js';
import type { ValidatedTicketRequest } from '../../../domain/ticket-service.js';
import { buildTicketCard } from '../../blocks/ticket-card.js';
import { actorFor, postAgentReply, reportFailure } from '../../conversation.js';
import type { SlackDeps } from '../../deps.js';
import { replyFor } from '../../error-replies.js';
import { BlockId } from '../../ids.js';
import { parseFormMetadata } from '../../parse/form-metadata.js';
import { blockIdFor, type FormValues, parseFormValues } from '../../parse/form-state.js';
import type { ViewSubmitArgs } from '../types.js';

/** Which input an error belongs to, so the person sees it beside the field they can fix. */
const fieldOf = (error: DomainError): string => {
  if (error.code === 'agent.unknown') return BlockId.Agent;
  if (error.code === 'access.identity_not_allowed' || error.code === 'access.no_identities') return BlockId.Identity;
  if (error.code === 'access.tenant_denied' || error.code === 'access.read_only') return BlockId.Tenant;
  return BlockId.Portal;
};

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
  const values = parseFormValues(view.state.values);
  const where = (base: string) =>
    blockIdFor(view.state.values, base) ?? blockIdFor(view.state.values, BlockId.Portal) ?? BlockId.Portal;
  if (!metadata) {
    await ack({
      response_action: 'errors',
      errors: { [where(BlockId.Portal)]: 'This form is out of date. Close it and click Create Ticket again.' },
    });
    return;
  }
  const complete = completeForm(values);
  if (!complete.ok) {
    await ack({ response_action: 'errors', errors: { [where(complete.field)]: complete.message } });
    return;
  }

  const thread = metadata.thread;
  const userId = body.user.id;
  const validation = (async (): Promise<ValidatedTicketRequest> => {
    const actor = await actorFor(deps, userId);
    const request = metadata.requestTs ? await deps.store.getRequest(thread, metadata.requestTs) : null;
    return deps.tickets.validateCreate({
      thread,
      actor,
      ...complete.value,
      request: request?.text ?? '',
    });
  })();
  validation.catch(() => undefined); // handled below; avoids an unhandled rejection while we race the budget

  const outcome = await Promise.race([
    validation.then(
      (validated) => ({ state: 'valid' as const, validated }),
      (error: unknown) => ({ state: 'invalid' as const, error }),
    ),
    new Promise<{ state: 'pending' }>((resolve) =>
      setTimeout(() => resolve({ state: 'pending' }), deps.submitBudgetMs),
    ),
  ]);
  if (outcome.state === 'invalid' && isDomainError(outcome.error)) {
    await ack({ response_action: 'errors', errors: { [where(fieldOf(outcome.error))]: replyFor(outcome.error) } });
    return;
  }
  await ack();

  let validated: ValidatedTicketRequest;
  try {
    validated = outcome.state === 'valid' ? outcome.validated : await validation;
  } catch (error) {
    await reportFailure(deps, log, thread, userId, error, 'Creating the ticket');
    return;
  }

  const creating = await deps.poster.setStatus(thread, `is creating a ticket in ${validated.tenantName}…`);
  try {
    const { link, firstReply } = await deps.tickets.createTicket(validated);
    deps.metrics.ticketsCreated.inc({ portal: link.portal });
    log.info({ ticketName: link.ticketName, portal: link.portal, tenantId: link.tenantId }, 'ticket created');
    const cardTs = await deps.poster.post(thread, buildTicketCard({ link, url: deps.tickets.ticketUrl(link) }));
    const linked = await deps.store.updateLink(link.id, { cardMessageTs: cardTs }, deps.clock.now());
    if (firstReply) await postAgentReply(deps, linked, firstReply, null);
    else if (creating) await deps.poster.setStatus(thread, '');
  } catch (error) {
    if (creating) await deps.poster.setStatus(thread, '');
    await reportFailure(deps, log, thread, userId, error, 'Creating the ticket');
  }
}

type Completed =
  | { ok: true; value: { portal: string; tenantId: string; agentName: string; identity: string } }
  | { ok: false; field: string; message: string };

/** Slack enforces required inputs, but a tenant without identities has no Permissions input to enforce. */
function completeForm(values: FormValues): Completed {
  const { portal, tenantId, agentName, identity } = values;
  if (!portal) return { ok: false, field: BlockId.Portal, message: 'Choose a portal.' };
  if (!tenantId) return { ok: false, field: BlockId.Tenant, message: 'Choose a tenant you can access.' };
  if (!agentName) return { ok: false, field: BlockId.Agent, message: 'Choose an agent; this tenant has none listed.' };
  if (!identity) {
    return {
      ok: false,
      field: BlockId.Identity,
      message: 'Choose the identity the agent assumes; this tenant has none configured.',
    };
  }
  return { ok: true, value: { portal, tenantId, agentName, identity } };
}
