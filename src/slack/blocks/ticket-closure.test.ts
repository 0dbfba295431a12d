import { describe, expect, it } from 'vitest';
import { validateBlocks } from '../../../test/fakes/slack/index.js';
import { ActionId, TicketMenuValue } from './ids.js';
import { buildTicketCard } from './ticket-card.js';
import { buildClosedTicketPrompt, buildClosureNote } from './ticket-closure.js';

const link = {
  id: '7',
  ticketName: 'PLATFORM-3',
  ticketTitle: 'Pods crash',
  portal: 'helpdesk',
  api: 'workspace' as const,
  spaceName: 'platform',
  agentName: 'generic-agent',
  permissions: [{ id: 's1', name: 'full-access' }],
  createdBy: 'UALICE',
};
const url = 'https://helpdesk.acme.io/app/ai/service-desk/w1/tickets/chat/PLATFORM-3';
const closure = { at: new Date('2026-06-01T10:00:00Z'), by: 'UCAROL', resolution: 'resolved' as const };

type Overflow = { accessory?: { options?: { value: string }[] } };
const menuOf = (blocks: readonly unknown[]) =>
  (blocks as Overflow[]).flatMap((block) => block.accessory?.options?.map((option) => option.value) ?? []);

describe('closing a ticket, as Slack shows it', () => {
  it('offers Update Context and Close (Resolved / Unresolved) on an open ticket’s card', () => {
    const card = buildTicketCard({ link, url });
    expect(menuOf(card.blocks)).toEqual([
      TicketMenuValue.UpdateContext,
      TicketMenuValue.CloseResolved,
      TicketMenuValue.CloseUnresolved,
      'open_helpdesk',
    ]);
  });

  it('shows a closed ticket’s card as closed, by whom and how, offering only Reopen and the web link', () => {
    const card = buildTicketCard({ link: { ...link, closed: closure }, url });
    expect(validateBlocks(card.blocks, 'message')).toEqual([]);
    expect(menuOf(card.blocks)).toEqual([TicketMenuValue.Reopen, 'open_helpdesk']);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('*Closed: Resolved* by <@UCAROL> on <!date^1780308000^');
    expect(text).toContain('closed in the AI HelpDesk too');
    expect(card.text).toContain('(closed: Resolved)');
  });

  it('says a tenant-scoped ticket is closed in Slack only', () => {
    const card = buildTicketCard({
      link: { ...link, api: 'tenant', closed: { ...closure, resolution: 'unresolved' } },
      url,
    });
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('*Closed: Unresolved*');
    expect(text).toContain('closed in Slack only: this tenant-scoped HelpDesk keeps no ticket status');
  });

  it('answers a mention in a closed thread with Reopen and Create Ticket', () => {
    const prompt = buildClosedTicketPrompt({ ...link, closed: closure }, '1700000000.000100');
    expect(validateBlocks(prompt.blocks, 'message')).toEqual([]);
    const buttons = (prompt.blocks[1] as { elements: { action_id: string; value: string }[] }).elements;
    expect(buttons.map((button) => [button.action_id, JSON.parse(button.value)])).toEqual([
      [ActionId.ReopenTicket, { linkId: '7' }],
      [ActionId.OpenCreateTicket, { requestTs: '1700000000.000100' }],
    ]);
  });

  it('notes who closed or reopened the ticket in the thread', () => {
    const closed = buildClosureNote({ kind: 'closed', slackUserId: 'UCAROL' }, { ...link, closed: closure });
    expect(closed.text).toContain('<@UCAROL> closed ticket *PLATFORM-3* as *Resolved*');
    const reopened = buildClosureNote({ kind: 'reopened', slackUserId: 'UALICE' }, { ...link, closed: null });
    expect(reopened.text).toContain(
      '<@UALICE> reopened ticket *PLATFORM-3*: messages here go to *generic-agent* again',
    );
  });
});
