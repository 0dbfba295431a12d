import type { CurrentContext } from '../../blocks/ticket-form.js';
import type { SlackDeps } from '../../deps.js';
import type { FormMetadata } from '../../parse/form-metadata.js';

/** The context of the ticket an Update Context modal is about, when it is still the thread's active one. */
export async function currentContextOf(
  deps: SlackDeps,
  metadata: FormMetadata,
): Promise<(CurrentContext & { tenantId: string; linkId: string }) | undefined> {
  if (!metadata.linkId) return undefined;
  const link = await deps.store.getLink(metadata.linkId);
  if (!link) return undefined;
  return {
    linkId: link.id,
    portal: link.portal,
    tenantId: link.tenantId,
    tenantName: link.tenantName,
    agentName: link.agentName,
    identity: link.identity,
  };
}
