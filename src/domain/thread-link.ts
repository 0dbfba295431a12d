import type { HelpdeskApi, Permission, TicketResolution } from './helpdesk.js';

/** A Slack thread: the parent message's ts in a channel of a workspace. */
export interface ThreadRef {
  readonly teamId: string;
  readonly channelId: string;
  readonly threadTs: string;
}

export const threadKey = (thread: ThreadRef): string => `${thread.teamId}/${thread.channelId}/${thread.threadTs}`;

/** The context a ticket runs in: where it lives, which agent handles it and with which permissions. */
export interface TicketContext {
  readonly portal: string; // configured portal name
  /** The HelpDesk API the ticket was opened with: a portal upgraded later cannot reach it by the other one. */
  readonly api: HelpdeskApi;
  /** The tenant (tenant HelpDesk) or workspace (workspace HelpDesk) the ticket lives in. */
  readonly spaceId: string;
  readonly spaceName: string;
  readonly agentId: string;
  readonly agentName: string;
  /** Fixed when the ticket is created: one identity, or the scopes. */
  readonly permissions: readonly Permission[];
}

export interface NewTicketLink extends TicketContext {
  readonly thread: ThreadRef;
  readonly ticketName: string;
  readonly ticketTitle: string;
  readonly createdBy: string; // Slack user id
}

/** A thread ↔ ticket link. One active link per thread; earlier ones stay as history. */
export interface TicketLink extends NewTicketLink {
  readonly id: string;
  readonly active: boolean;
  /** ts of the ticket card message in the thread, once posted. */
  readonly cardMessageTs: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Set while the ticket is closed: the thread stops going to the agent until someone reopens it. */
  readonly closed: TicketClosure | null;
}

/** Who closed a ticket from Slack, when, and how. */
export interface TicketClosure {
  readonly at: Date;
  readonly by: string; // Slack user id
  readonly resolution: TicketResolution;
}

/** Fields of an existing link that may change without a new ticket. Absent means unchanged. */
export interface TicketLinkPatch {
  readonly agentId?: string;
  readonly agentName?: string;
  readonly cardMessageTs?: string;
}
