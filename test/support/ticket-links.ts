import type { ThreadRef, TicketLink } from '../../src/domain/thread-link.js';

/** A thread for unit tests of the domain. */
export const testThread: ThreadRef = { teamId: 'T1', channelId: 'C1', threadTs: '1700000000.000001' };

/** An open tenant-scoped ticket link of `testThread`, changed by `patch` (domain unit tests). */
export const ticketLinkOf = (patch: Partial<TicketLink> = {}): TicketLink => ({
  id: 'link-1',
  thread: testThread,
  portal: 'acme',
  api: 'tenant',
  spaceId: 'dev',
  spaceName: 'dev',
  ticketName: 'ticket-1',
  ticketTitle: 'a ticket',
  agentId: 'agent-1',
  agentName: 'Kubernetes',
  permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
  createdBy: 'U1',
  active: true,
  cardMessageTs: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  closed: null,
  ...patch,
});
