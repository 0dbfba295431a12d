import type { AccessService } from '../../domain/access.js';
import type { ApprovalService } from '../../domain/approval-service.js';
import type { ChannelDefaultsService } from '../../domain/channel-defaults-service.js';
import type { Housekeeping } from '../../domain/housekeeping.js';
import type { OpenStreamLedger } from '../../domain/open-streams.js';
import type { Clock, PortalDirectory } from '../../domain/ports.js';
import type { RateLimiter } from '../../domain/rate-limit.js';
import type { Redactor } from '../../domain/redact.js';
import type { TicketClosing } from '../../domain/ticket-closing.js';
import type { TicketService } from '../../domain/ticket-service.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { PortalStatus } from '../blocks/app-home.js';
import type { InFlightWork } from '../runtime/in-flight.js';
import type { ChannelMembership } from '../web/channel-membership.js';
import type { Permalinks } from '../web/permalinks.js';
import type { SlackUserDirectory } from '../web/slack-users.js';
import type { ThreadHistory } from '../web/thread-history.js';
import type { ThreadPoster } from '../web/thread-poster.js';
import type { LiveReplies } from './live-replies.js';

/** What Slack listeners need. Listeners stay thin: payload in, one domain call, Block Kit out. */
export interface SlackDeps {
  /** The workspace the app is installed in and the bot's own user id (from auth.test at start). */
  readonly identity: { readonly teamId: string; readonly botUserId: string };
  readonly portals: PortalDirectory;
  readonly access: AccessService;
  readonly tickets: TicketService;
  readonly approvals: ApprovalService;
  /** Closing and reopening tickets from Slack. */
  readonly closing: TicketClosing;
  /** What Create Ticket preselects in a channel (/helpdesk defaults). */
  readonly channelDefaults: ChannelDefaultsService;
  /** The replies being streamed into threads, recorded so a sweep can close those a stopped process left open. */
  readonly streams: OpenStreamLedger;
  /** What the sweeper prunes: old processed events, requests nobody turned into a ticket. */
  readonly housekeeping: Housekeeping;
  readonly users: SlackUserDirectory;
  readonly poster: ThreadPoster;
  /** Thread history on its own Web API client (rate limits must not stall acks and modals). */
  readonly history: ThreadHistory;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Links to Slack messages (App Home: a ticket's thread), cached. */
  readonly permalinks: Permalinks;
  /** Whether each configured portal answers with its token (readiness checks, cached briefly). Never throws. */
  readonly portalStatus: () => Promise<readonly PortalStatus[]>;
  /** How long a modal submission may spend validating before it acks and reports problems in the thread. */
  readonly submitBudgetMs: number;
  /** Per-person and per-thread limits on relays and ticket creation (per instance). */
  readonly limits: RateLimiter;
  /** Relays, Submits and creations under way, for shutdown to report if it cannot wait for them. */
  readonly inFlight: InFlightWork;
  /** Whether the bot is in a channel (a ticket is created only where its thread can show it). */
  readonly membership: ChannelMembership;
  /** Agent turns shown as they happen: Slack's streaming budget, turn order per thread, refusals. */
  readonly live: LiveReplies;
}
