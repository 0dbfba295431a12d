import type { SlackDeps } from '../flows/deps.js';
import { cancelTicketHere } from '../flows/ticket-here.js';
import { parseFormMetadata } from '../parse/form-metadata.js';
import type { ViewClosedArgs } from './types.js';

/**
 * The person cancelled a Create Ticket form that asked to hear it (`notify_on_close`: only the ones `/helpdesk new`
 * opened on a thread it started). Other forms' cancels change nothing.
 */
export async function onCreateTicketClosed(
  deps: SlackDeps,
  { ack, body, view, context }: ViewClosedArgs,
): Promise<void> {
  await ack();
  const metadata = parseFormMetadata(view.private_metadata);
  if (metadata?.mode !== 'create' || metadata.startedThread !== true || !metadata.requestTs) return;
  // The thread's team is the installation's: the metadata's own team id is not trusted for it.
  const thread = { ...metadata.thread, teamId: deps.identity.teamId };
  await cancelTicketHere(deps, context.log ?? deps.logger, {
    thread,
    requestTs: metadata.requestTs,
    userId: body.user.id,
  });
}
