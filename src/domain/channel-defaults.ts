import type { TicketContext } from './thread-link.js';

/** A Slack channel of a workspace. */
export interface ChannelRef {
  readonly teamId: string;
  readonly channelId: string;
}

/**
 * What Create Ticket preselects in a channel (/helpdesk defaults): a ticket context, kept with its names as they were
 * when set, and who set it. Every id is checked again when a ticket is created from it.
 */
export interface ChannelDefaults extends TicketContext {
  readonly channel: ChannelRef;
  readonly setBy: string; // Slack user id
  readonly setAt: Date;
}
