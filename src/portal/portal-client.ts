import type { PortalConfig } from '../config.js';
import { DomainError } from '../domain/errors.js';
import type { HelpdeskApi } from '../domain/helpdesk.js';
import type { PortalClient } from '../domain/ports.js';
import type { HelpdeskAdapter } from './helpdesk-adapter.js';
import { detectHelpdesk } from './helpdesk-detection.js';
import { createPortalHttp, type PortalHttpOptions } from './portal-http.js';
import { createTenantHelpdesk } from './tenant-helpdesk.js';
import { createWorkspaceHelpdesk } from './workspace-helpdesk.js';

export interface DetectionObservation {
  readonly portal: string;
  /** The API now known, or null when the portal answered neither probe (or could not be asked). */
  readonly api: HelpdeskApi | null;
  readonly how: 'configured' | 'detected';
  readonly ms: number;
  /** Why it is not known, when it is not: an error code and message, never a token. */
  readonly reason?: string;
  /** It was known before and is no longer the same (an upgraded portal). */
  readonly changed: boolean;
}

export interface PortalClientOptions extends PortalHttpOptions {
  /** Told each time detection settles (start-up, readiness checks, after a listing answered 404). */
  readonly onDetection?: (observation: DetectionObservation) => void;
  /** How long a failed detection is remembered before the next use probes again. Default 5 s. */
  readonly retryDetectionAfterMs?: number;
  readonly now?: () => number;
}

/**
 * One configured portal, whichever HelpDesk it speaks (docs/duplocloud-api.md §0): configured (`api:`), or detected
 * on first use and cached; detected again on every readiness check and after a listing of its generation answered
 * 404. Each call goes to the adapter of that generation.
 */
export function createPortalClient(config: PortalConfig, options: PortalClientOptions = {}): PortalClient {
  const now = options.now ?? Date.now;
  const retryAfterMs = options.retryDetectionAfterMs ?? 5_000;
  const http = createPortalHttp(config, options);
  let known: HelpdeskApi | null = config.api ?? null;
  let stale = false;
  let lastFailure: { readonly error: DomainError; readonly at: number } | null = null;
  let detecting: Promise<HelpdeskApi> | null = null;

  const hooks = {
    onGone: () => {
      if (!config.api) stale = true;
    },
  };
  const adapters: Record<HelpdeskApi, HelpdeskAdapter> = {
    tenant: createTenantHelpdesk(http, config, hooks),
    workspace: createWorkspaceHelpdesk(http, config, hooks, now),
  };

  const detect = (): Promise<HelpdeskApi> => {
    detecting ??= (async () => {
      const started = now();
      const before = known;
      try {
        const api = await http.operation('detect', (context) => detectHelpdesk(http, context));
        known = api;
        stale = false;
        lastFailure = null;
        options.onDetection?.({
          portal: config.name,
          api,
          how: 'detected',
          ms: now() - started,
          changed: before !== null && before !== api,
        });
        return api;
      } catch (error) {
        const failure =
          error instanceof DomainError
            ? error
            : new DomainError('portal.unknown', `Portal "${config.name}": detection failed`, { portal: config.name });
        lastFailure = { error: failure, at: now() };
        options.onDetection?.({
          portal: config.name,
          api: null,
          how: 'detected',
          ms: now() - started,
          reason: `${failure.code}: ${failure.message}`,
          changed: false,
        });
        throw failure;
      }
    })().finally(() => {
      detecting = null;
    });
    return detecting;
  };

  const helpdesk = async (): Promise<HelpdeskApi> => {
    if (config.api) return config.api;
    if (known && !stale) return known;
    // A failed detection, first or again after a listing's 404, is remembered for a while: not one probe per call.
    if (lastFailure && now() - lastFailure.at < retryAfterMs) throw lastFailure.error;
    return detect();
  };

  const adapter = async (): Promise<HelpdeskAdapter> => adapters[await helpdesk()];

  if (config.api) {
    options.onDetection?.({ portal: config.name, api: config.api, how: 'configured', ms: 0, changed: false });
  }

  return {
    name: config.name,
    host: config.host,
    settings: config.settings,
    helpdesk,
    knownHelpdesk: () => known,

    async check() {
      const api = config.api ?? (await detect());
      await adapters[api].check();
      return api;
    },

    findUser: async (username) => (await adapter()).findUser(username),
    userSpaces: async (user) => (await adapter()).userSpaces(user),
    listSpaces: async () => (await adapter()).listSpaces(),
    permissionChoices: async (spaceId) => (await adapter()).permissionChoices(spaceId),
    listAgents: async (spaceId) => (await adapter()).listAgents(spaceId),
    createTicket: async (ticket) => (await adapter()).createTicket(ticket),
    sendMessage: async (message, onEvent) => (await adapter()).sendMessage(message, onEvent),
    getTicket: async (spaceId, ticketName) => (await adapter()).getTicket(spaceId, ticketName),
    reassignAgent: async (spaceId, ticketName, agent) => (await adapter()).reassignAgent(spaceId, ticketName, agent),
    setTicketStatus: async (spaceId, ticketName, change) =>
      (await adapter()).setTicketStatus(spaceId, ticketName, change),

    // The same web path on both generations (§3.8, §4 Link).
    ticketUrl: (spaceId, ticketName) =>
      `${config.host}/app/ai/service-desk/${encodeURIComponent(spaceId)}/tickets/chat/${encodeURIComponent(ticketName)}`,
  };
}
