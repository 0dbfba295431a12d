import type { ThreadRef } from './thread-link.js';

/**
 * A command card: the agent's proposed commands (and tool calls / approvals) shown in a thread with
 * Approve / Reject / Ignore each and one Submit. Lifecycle:
 *   pending → submitted → executed | failed
 *   pending → expired
 * Only the store's conditional update moves a card out of `pending`, so one Submit acts, once.
 */
export const CardStatuses = ['pending', 'submitted', 'executed', 'failed', 'expired'] as const;
export type CardStatus = (typeof CardStatuses)[number];

export const Decisions = ['approve', 'reject', 'ignore'] as const;
export type Decision = (typeof Decisions)[number];

export type CardItemKind = 'cmd' | 'tool_call' | 'approval';

export interface CardItem {
  readonly kind: CardItemKind;
  /** Exactly the text shown on the card; a decision is bound to it. */
  readonly text: string;
  readonly description?: string;
  /** The agent's JSON for this item, echoed back with execute:true|false. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface CardChoice {
  readonly decision: Decision;
  readonly reason?: string;
  readonly by: string; // Slack user id
  readonly at: Date;
}

export interface NewCommandCard {
  readonly id: string;
  readonly linkId: string;
  readonly thread: ThreadRef;
  readonly portal: string;
  readonly tenantId: string;
  readonly ticketName: string;
  readonly identity: string;
  readonly items: readonly CardItem[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface CommandCard extends NewCommandCard {
  readonly status: CardStatus;
  readonly messageTs: string | null;
  /** Keyed by item index (as a string, JSON-friendly). */
  readonly choices: Readonly<Record<string, CardChoice>>;
  readonly submittedBy: string | null;
  readonly submittedAt: Date | null;
  readonly updatedAt: Date;
  /** Outcome text once executed or failed (error code, or a short summary). */
  readonly outcome: string | null;
}
