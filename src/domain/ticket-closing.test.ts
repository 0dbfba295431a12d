import { describe, expect, it } from 'vitest';
import { testThread, ticketLinkOf } from '../../test/support/ticket-links.js';
import type { AccessService } from './access.js';
import { DomainError } from './errors.js';
import type { TicketStatusChange } from './helpdesk.js';
import type { AuditEntry, Clock, PortalClient, PortalDirectory, TicketStore } from './ports.js';
import type { ThreadRef, TicketClosure, TicketLink } from './thread-link.js';
import { createTicketClosing } from './ticket-closing.js';

const thread: ThreadRef = testThread;
const actor = { slackUserId: 'U1', teamId: 'T1', email: 'alice@example.com' };
const at = new Date('2026-03-02T09:00:00Z');

/** A workspace-scoped ticket of the thread. */
const linkOf = (patch: Partial<TicketLink> = {}): TicketLink =>
  ticketLinkOf({
    portal: 'helpdesk',
    api: 'workspace',
    spaceId: 'w-1',
    spaceName: 'ops',
    permissions: [{ id: 'read', name: 'read' }],
    ...patch,
  });

/** Closing over a store and a portal that record what they were asked, and fail when told to. */
function scene(start: Partial<TicketLink> = {}) {
  let current = linkOf(start);
  const statuses: TicketStatusChange[] = [];
  const audits: AuditEntry[] = [];
  const fail = { storeWrite: false, portal: false, access: false };
  const store = {
    activeLink: async () => ({ ...current }),
    getLink: async () => ({ ...current }),
    closeLink: async (_id: string, closure: TicketClosure) => {
      if (fail.storeWrite) throw new DomainError('store.unavailable', 'The database is not answering');
      current = { ...current, closed: closure };
      return { ...current };
    },
    reopenLink: async () => {
      if (fail.storeWrite) throw new DomainError('store.unavailable', 'The database is not answering');
      current = { ...current, closed: null };
      return { ...current };
    },
    appendAudit: async (entry: AuditEntry) => void audits.push(entry),
  } as unknown as TicketStore;
  const portal = {
    name: 'helpdesk',
    helpdesk: async () => current.api,
    setTicketStatus: async (_space: string, _ticket: string, change: TicketStatusChange) => {
      statuses.push(change);
      if (fail.portal && change.status === 'closed') throw new DomainError('portal.unavailable', 'The portal failed');
    },
  } as unknown as PortalClient;
  const portals = { get: () => portal, list: () => [portal] } as unknown as PortalDirectory;
  const access = {
    requireSpace: async () => {
      if (fail.access) throw new DomainError('access.read_only', 'Read-only');
      return { id: 'w-1', name: 'ops', readOnly: false };
    },
  } as unknown as AccessService;
  const clock: Clock = { now: () => at };
  const closing = createTicketClosing({ portals, access, store, clock });
  return { closing, statuses, audits, fail, current: () => current };
}

describe('closing a ticket from Slack', () => {
  it('closes in the portal, then in the store, and audits who closed it and how', async () => {
    const s = scene();
    const result = await s.closing.close({ thread, actor, linkId: 'link-1', resolution: 'unresolved' });
    expect(result).toMatchObject({ changed: true, inPortal: true, notRecorded: [] });
    expect(s.statuses).toEqual([{ status: 'closed', resolution: 'unresolved' }]);
    expect(s.current().closed).toEqual({ at, by: 'U1', resolution: 'unresolved' });
    expect(s.audits).toMatchObject([{ action: 'ticket.closed', actor: 'U1', detail: { resolution: 'unresolved' } }]);
  });

  it('opens the portal ticket again when the store fails after the portal closed it, and reports the store error', async () => {
    const s = scene();
    s.fail.storeWrite = true;
    await expect(s.closing.close({ thread, actor, linkId: 'link-1', resolution: 'resolved' })).rejects.toMatchObject({
      code: 'store.unavailable',
    });
    expect(s.statuses).toEqual([{ status: 'closed', resolution: 'resolved' }, { status: 'open' }]);
    expect(s.current().closed).toBeNull();
    expect(s.audits).toEqual([]);
  });

  it('closes it again in the portal, as it was, when reopening fails in the store', async () => {
    const s = scene({ closed: { at, by: 'U2', resolution: 'resolved' } });
    s.fail.storeWrite = true;
    await expect(s.closing.reopen({ thread, actor, linkId: 'link-1' })).rejects.toMatchObject({
      code: 'store.unavailable',
    });
    expect(s.statuses).toEqual([{ status: 'open' }, { status: 'closed', resolution: 'resolved' }]);
    expect(s.current().closed).toEqual({ at, by: 'U2', resolution: 'resolved' });
  });

  it('leaves everything open when the portal refuses, and sends nothing for someone without write access', async () => {
    const s = scene();
    s.fail.portal = true;
    await expect(s.closing.close({ thread, actor, linkId: 'link-1', resolution: 'resolved' })).rejects.toMatchObject({
      code: 'portal.unavailable',
    });
    expect(s.current().closed).toBeNull();
    s.fail.access = true;
    await expect(s.closing.close({ thread, actor, linkId: 'link-1', resolution: 'resolved' })).rejects.toMatchObject({
      code: 'access.read_only',
    });
    expect(s.statuses).toHaveLength(1);
    expect(s.audits).toEqual([]);
  });

  it('closes a tenant-scoped ticket in Slack only, and refuses a card that is no longer the thread’s', async () => {
    const s = scene({ api: 'tenant' });
    const result = await s.closing.close({ thread, actor, linkId: 'link-1', resolution: 'resolved' });
    expect(result).toMatchObject({ changed: true, inPortal: false });
    expect(s.statuses).toEqual([]);
    await expect(s.closing.close({ thread, actor, linkId: 'link-0', resolution: 'resolved' })).rejects.toMatchObject({
      code: 'store.conflict',
    });
    // Already closed: nothing is sent or written twice.
    expect(await s.closing.close({ thread, actor, linkId: 'link-1', resolution: 'resolved' })).toMatchObject({
      changed: false,
    });
    expect(s.audits).toHaveLength(1);
  });
});
