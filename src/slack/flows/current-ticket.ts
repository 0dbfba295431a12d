import type { FormMetadata } from '../parse/form-metadata.js';
import type { SlackDeps } from './deps.js';
import type { CurrentTicket } from './ticket-form-loader.js';

/** The ticket an Update Context modal is about. */
export async function currentTicketOf(deps: SlackDeps, metadata: FormMetadata): Promise<CurrentTicket | undefined> {
  if (metadata.mode === 'defaults' || !metadata.linkId) return undefined;
  return (await deps.tickets.linkById(metadata.linkId)) ?? undefined;
}
