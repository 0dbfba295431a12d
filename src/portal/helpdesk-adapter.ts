import type { PortalClient } from '../domain/ports.js';

/**
 * What one HelpDesk generation's adapter implements (tenant-helpdesk.ts, workspace-helpdesk.ts). The portal client
 * (portal-client.ts) picks the adapter of the generation a portal speaks and adds detection, naming and links.
 */
export type HelpdeskAdapter = Omit<
  PortalClient,
  'name' | 'host' | 'settings' | 'helpdesk' | 'knownHelpdesk' | 'check' | 'ticketUrl'
> & {
  /** The token works on this HelpDesk (readiness). */
  check(): Promise<void>;
};

/** What an adapter is given besides the HTTP plumbing. */
export interface AdapterHooks {
  /**
   * Called when a listing that every portal of this generation serves answered 404: the portal changed (it was
   * upgraded), so the generation is detected again on its next use.
   */
  readonly onGone: () => void;
}
