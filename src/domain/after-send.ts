/**
 * What a portal accepted stands, whatever fails after it. A message, an approval echo, a new ticket or a reassigned
 * agent the portal took is never sent or made again by this service; a store write that fails after it is reported
 * as not recorded (and logged), never as a failure of what the portal did.
 */

/** A store write that failed after the portal accepted the change it records. */
export interface NotRecorded {
  /**
   * What the store could not keep: a card's result (`executed`), an audit entry, a link change (a reassigned agent),
   * or the release of a creation lease (it runs out by itself).
   */
  readonly record: 'card' | 'audit' | 'link' | 'lease';
  readonly error: unknown;
}

/** Runs a store write that follows an accepted change: a failure is added to `into`, never thrown. */
export async function recordAfterSend<T>(
  into: NotRecorded[],
  record: NotRecorded['record'],
  write: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    into.push({ record, error });
    return undefined;
  }
}

/**
 * The portal created a ticket, but the thread could not be linked to it (the store failed): the ticket exists, the
 * thread keeps what it had, and nothing was sent to the new ticket's agent. Creating it again would make a second one.
 */
export class TicketNotLinkedError extends Error {
  override readonly name = 'TicketNotLinkedError';
  readonly ticket: {
    readonly portal: string;
    readonly spaceId: string;
    readonly spaceName: string;
    readonly ticketName: string;
  };

  constructor(ticket: TicketNotLinkedError['ticket'], cause: unknown) {
    super(`Ticket ${ticket.ticketName} was created in ${ticket.portal}, but the thread could not be linked to it`, {
      cause,
    });
    this.ticket = ticket;
  }
}
