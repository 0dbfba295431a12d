/** A Slack thread: the parent message's ts in a channel of a workspace. */
export interface ThreadRef {
  readonly teamId: string;
  readonly channelId: string;
  readonly threadTs: string;
}

export const threadKey = (thread: ThreadRef): string => `${thread.teamId}/${thread.channelId}/${thread.threadTs}`;

/** The context a ticket runs in: where it lives, which agent handles it and as whom commands run. */
export interface TicketContext {
  readonly portal: string; // configured portal name
  readonly tenantId: string;
  readonly tenantName: string;
  readonly agentName: string;
  readonly agentInstanceId: string;
  readonly identity: string; // the portal username the agent assumes
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
}

/** Fields of an existing link that may change without a new ticket. Absent means unchanged. */
export interface TicketLinkPatch {
  readonly agentName?: string;
  readonly agentInstanceId?: string;
  readonly identity?: string;
  readonly cardMessageTs?: string;
}
