import { describe, expect, it } from 'vitest';
import { testThread, ticketLinkOf } from '../../test/support/ticket-links.js';
import type { AccessService } from './access.js';
import { type AgentMessage, emptyMessageData } from './messages.js';
import type { Clock, PortalClient, PortalDirectory, TicketStore } from './ports.js';
import { createRedactor } from './redact.js';
import type { ThreadRef, TicketLink } from './thread-link.js';
import { createTicketService } from './ticket-service.js';

const thread: ThreadRef = testThread;
const actor = { slackUserId: 'U1', teamId: 'T1', email: 'alice@example.com' };
const answer: AgentMessage = { role: 'assistant', content: 'ok', data: emptyMessageData() };

const linkOf = ticketLinkOf;

/** The ticket service over a store that counts its link reads, a portal that answers when told to, and a clock. */
function scene() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock: Clock = { now: () => new Date(now) };
  let current = linkOf();
  let reads = 0;
  let slowReads = false;
  const store = {
    activeLink: async () => {
      reads += 1;
      // The row as it was when the read began; a slow read answers a little later.
      const found = { ...current };
      if (slowReads) await new Promise((resolve) => setTimeout(resolve, 20));
      return found;
    },
    updateLink: async (_id: string, patch: Partial<TicketLink>) => {
      current = { ...current, ...patch };
      return { ...current };
    },
  } as unknown as TicketStore;
  const held: Array<() => void> = [];
  let holding = false;
  const sent: string[] = [];
  const portal = {
    name: 'acme',
    helpdesk: async () => 'tenant',
    sendMessage: async (message: { ticketName: string }) => {
      sent.push(message.ticketName);
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      return answer;
    },
  } as unknown as PortalClient;
  const portals = { get: () => portal, list: () => [portal] } as unknown as PortalDirectory;
  const access = {
    requireSpace: async () => ({ id: 'dev', name: 'dev', readOnly: false }),
    requirePermissions: async () => [{ id: 'dev-deployer', name: 'dev-deployer' }],
  } as unknown as AccessService;
  const tickets = createTicketService({
    portals,
    access,
    store,
    clock,
    newId: () => 'id',
    redactor: createRedactor(),
  });
  return {
    tickets,
    sent,
    reads: () => reads,
    slowReads: () => {
      slowReads = true;
    },
    advance: (ms: number) => {
      now += ms;
    },
    moveTo: (ticketName: string) => {
      current = linkOf({ id: 'link-2', ticketName });
    },
    close: () => {
      current = { ...current, closed: { at: new Date(now), by: 'U2', resolution: 'resolved' } };
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

describe('relay reuses the link its caller just read', () => {
  it('reads the link once when it is handed back at once', async () => {
    const s = scene();
    const link = await s.tickets.activeLink(thread);
    const result = await s.tickets.relay({ thread, actor, text: 'hello', link: link as TicketLink });
    expect(s.reads()).toBe(1);
    expect(result.link).toBe(link);
  });

  it('reads it again after this service wrote the link (a card recorded)', async () => {
    const s = scene();
    const link = (await s.tickets.activeLink(thread)) as TicketLink;
    await s.tickets.recordTicketCard(link.id, '1700000000.000009');
    const result = await s.tickets.relay({ thread, actor, text: 'hello', link });
    expect(s.reads()).toBe(2);
    expect(result.link.cardMessageTs).toBe('1700000000.000009');
  });

  it('reads it again after a change made through changingLink (a close), and refuses a closed ticket', async () => {
    const s = scene();
    const link = (await s.tickets.activeLink(thread)) as TicketLink;
    await s.tickets.changingLink(link, async () => s.close());
    await expect(s.tickets.relay({ thread, actor, text: 'one more thing', link })).rejects.toMatchObject({
      code: 'ticket.closed',
    });
    expect(s.reads()).toBe(2);
    expect(s.sent).toEqual([]);
  });

  it('does not reuse a read that a write of the link overlapped', async () => {
    const s = scene();
    const first = (await s.tickets.activeLink(thread)) as TicketLink;
    // The card is recorded while the next (slow) read runs, and ends before it: that read found the link without it.
    s.slowReads();
    const [link] = await Promise.all([
      s.tickets.activeLink(thread),
      s.tickets.recordTicketCard(first.id, '1700000000.000009'),
    ]);
    expect(link?.cardMessageTs).toBeNull();
    const result = await s.tickets.relay({ thread, actor, text: 'hello', link: link as TicketLink });
    expect(s.reads()).toBe(3);
    expect(result.link.cardMessageTs).toBe('1700000000.000009');
  });

  it('reads it again when it was read over a second ago', async () => {
    const s = scene();
    const link = (await s.tickets.activeLink(thread)) as TicketLink;
    s.advance(1_001);
    await s.tickets.relay({ thread, actor, text: 'hello', link });
    expect(s.reads()).toBe(2);
  });

  it('reads it again, in thread order, when an earlier message of the thread is still going', async () => {
    const s = scene();
    s.hold();
    const first = s.tickets.relay({ thread, actor, text: 'first' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const link = (await s.tickets.activeLink(thread)) as TicketLink;
    // Meanwhile the thread moved to another ticket (another instance, say): the queued message goes there.
    s.moveTo('ticket-2');
    const second = s.tickets.relay({ thread, actor, text: 'second', link });
    s.release();
    await first;
    expect((await second).link.ticketName).toBe('ticket-2');
    expect(s.sent).toEqual(['ticket-1', 'ticket-2']);
  });

  it('reads it when the caller hands a link it did not get from activeLink', async () => {
    const s = scene();
    await s.tickets.relay({ thread, actor, text: 'hello', link: linkOf({ ticketName: 'made up' }) });
    expect(s.reads()).toBe(1);
    expect(s.sent).toEqual(['ticket-1']);
  });
});
