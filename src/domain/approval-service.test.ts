import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakePortal,
  SeedAgents,
  SeedScopes,
  SeedTenants,
  SeedUsers,
  SeedWorkspaceAgents,
  SeedWorkspaces,
  startFakePortal,
} from '../../test/fakes/portal/index.js';
import { createPortalClient } from '../portal/portal-client.js';
import { createPortalDirectory } from '../portal/portal-directory.js';
import { openPgliteStore } from '../store/pglite.js';
import { createAccessService } from './access.js';
import { type ApprovalService, createApprovalService, type SubmitOutcome } from './approval-service.js';
import { type CommandCard, commandDigest } from './command-card.js';
import { DomainError } from './errors.js';
import type { Actor, HelpdeskApi, PortalUser, Space, SpaceAccess } from './helpdesk.js';
import { type AgentMessage, emptyMessageData, type MessageData } from './messages.js';
import type { Clock, OutgoingMessage, PortalClient, PortalDirectory, PortalSettings, TicketStore } from './ports.js';
import { createRedactor } from './redact.js';
import type { ThreadRef, TicketLink } from './thread-link.js';

// ───────────────────────────── helpers ─────────────────────────────

class FakeClock implements Clock {
  private current: number;
  constructor(iso: string) {
    this.current = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance({ minutes = 0, seconds = 0 }: { minutes?: number; seconds?: number }): void {
    this.current += minutes * 60_000 + seconds * 1000;
  }
}

let idCounter = 0;
const newId = () => `card-${++idCounter}`;
const redactor = createRedactor();
let threadCounter = 0;
const nextThread = (): ThreadRef => ({
  teamId: 'T1',
  channelId: 'C1',
  threadTs: `1700000000.${String(++threadCounter).padStart(6, '0')}`,
});

const codeOf = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
};

const reply = (data: Partial<MessageData>, content = 'I propose these.'): AgentMessage => ({
  role: 'assistant',
  content,
  data: { ...emptyMessageData(), ...data },
});

const getPods = 'kubectl get pods -n duploservices-dev';
const restart = 'kubectl rollout restart deployment/web -n duploservices-dev';
const proposal = reply({
  cmds: [
    { command: getPods, execute: false, description: 'See which pods crash' },
    { command: restart, execute: false },
  ],
});

const actor = (name: string, email: string | null = `${name}@acme.io`): Actor => ({
  slackUserId: `U_${name.toUpperCase()}`,
  teamId: 'T1',
  email,
});
const alice = actor('alice');
const bob = actor('bob');
const carol = actor('carol');

const devTenant = { id: 'tenant-dev', name: 'dev' };

interface StubUser {
  readonly user: PortalUser;
  readonly spaces: SpaceAccess[];
}

/** A hand-written portal of either HelpDesk: just enough for access checks, recording every sendMessage. */
class StubPortal implements PortalClient {
  readonly name = 'acme';
  readonly host = 'https://acme.example';
  readonly sent: OutgoingMessage[] = [];
  readonly users = new Map<string, StubUser>();
  settings: PortalSettings = {
    approvers: [],
    allowedScopeIds: null,
    defaultSpace: null,
    defaultAgent: null,
    spaceLabel: null,
  };
  /** Identities (tenant HelpDesk) or scope ids (workspace HelpDesk) the space offers now. */
  identities: string[] = ['dev-deployer', 'dev-reader'];
  /** Workspace HelpDesk: the portal's users cannot be read with the service's token. */
  usersReadable = true;
  answer: (input: OutgoingMessage) => Promise<AgentMessage> = async (input) => {
    const approved = (input.data?.cmds ?? []).filter((cmd) => cmd.execute);
    return reply(
      { executed_cmds: approved.map(({ command }) => ({ command, output: `output of ${command}` })) },
      `Ran ${approved.length}.`,
    );
  };

  constructor(readonly api: HelpdeskApi = 'tenant') {
    const user = (username: string, spaces: SpaceAccess[], readOnly = false): StubUser => ({
      user: { username, roles: ['User'], isAdmin: false, readOnly },
      spaces,
    });
    this.users.set('alice@acme.io', user('alice@acme.io', [{ ...devTenant, readOnly: false }]));
    this.users.set('bob@acme.io', user('bob@acme.io', [{ ...devTenant, readOnly: true }], api === 'workspace'));
    this.users.set('carol@acme.io', user('carol@acme.io', [{ id: 'tenant-prod', name: 'prod', readOnly: false }]));
  }

  async helpdesk() {
    return this.api;
  }
  knownHelpdesk() {
    return this.api;
  }
  async findUser(username: string) {
    if (!this.usersReadable) throw new DomainError('portal.forbidden', 'users cannot be read');
    return this.users.get(username.toLowerCase())?.user ?? null;
  }
  async userSpaces(user: PortalUser) {
    return this.users.get(user.username.toLowerCase())?.spaces ?? [];
  }
  async listSpaces(): Promise<Space[]> {
    return [devTenant];
  }
  async permissionChoices() {
    return this.identities.map((id) => ({ id, name: id }));
  }
  async sendMessage(input: OutgoingMessage) {
    this.sent.push(input);
    return this.answer(input);
  }
  ticketUrl(spaceId: string, ticketName: string) {
    return `${this.host}/app/ai/service-desk/${spaceId}/tickets/chat/${ticketName}`;
  }
  check(): never {
    throw new Error('not used');
  }
  listAgents(): never {
    throw new Error('not used');
  }
  createTicket(): never {
    throw new Error('not used');
  }
  getTicket(): never {
    throw new Error('not used');
  }
  reassignAgent(): never {
    throw new Error('not used');
  }
  setTicketStatus(): never {
    throw new Error('not used');
  }
}

const stubDirectory = (portal: PortalClient): PortalDirectory => createPortalDirectory([portal]);

let store: TicketStore;

beforeAll(async () => {
  store = await openPgliteStore({ dataDir: 'memory' });
});

afterAll(async () => {
  await store?.close();
});

const linkFor = (
  clock: Clock,
  context: { portal: string; spaceId: string; spaceName: string; ticketName: string; api?: HelpdeskApi },
  thread: ThreadRef = nextThread(),
  permission = 'dev-deployer',
) =>
  store.linkThread(
    {
      thread,
      api: 'tenant',
      ...context,
      ticketTitle: 'web is down',
      agentId: 'k8s-1',
      agentName: 'kubernetes-agent',
      permissions: [{ id: permission, name: permission }],
      createdBy: alice.slackUserId,
    },
    clock.now(),
  );

// ───────────────────────────── with a stub portal ─────────────────────────────

describe('approval service (stub portal, PGlite store)', () => {
  let clock: FakeClock;
  let portal: StubPortal;
  let approvals: ApprovalService;
  let link: TicketLink;

  const setup = async () => {
    clock = new FakeClock('2026-03-02T09:00:00Z');
    portal = new StubPortal();
    const portals = stubDirectory(portal);
    approvals = createApprovalService({
      store,
      portals,
      access: createAccessService({ portals, clock }),
      clock,
      newId,
      redactor,
    });
    link = await linkFor(clock, {
      portal: 'acme',
      spaceId: devTenant.id,
      spaceName: devTenant.name,
      ticketName: `dev-${threadCounter}`,
    });
  };

  beforeEach(setup);

  const openProposal = async (): Promise<CommandCard> => {
    const card = (await approvals.openCard(link, proposal))?.card;
    if (!card) throw new Error('expected a card');
    return card;
  };

  const approveFirstRejectSecond = async (card: CommandCard, by: Actor = alice) => {
    await approvals.decide({
      cardId: card.id,
      index: 0,
      decision: 'approve',
      shown: commandDigest(getPods),
      actor: by,
    });
    await approvals.decide({
      cardId: card.id,
      index: 1,
      decision: 'reject',
      reason: ' not in business hours ',
      shown: commandDigest(restart),
      actor: by,
    });
  };

  const auditActions = async () => (await store.auditForTicket('acme', link.ticketName)).map((entry) => entry.action);

  describe('openCard and attachMessage', () => {
    it('opens nothing for a reply that proposes nothing', async () => {
      expect(await approvals.openCard(link, reply({}, 'All good.'))).toBeNull();
      expect(await approvals.openCard(link, reply({ cmds: [{ command: getPods, execute: true }] }))).toBeNull();
    });

    it('opens a pending card for the link, expiring after 30 minutes', async () => {
      const card = await openProposal();
      expect(card).toMatchObject({
        linkId: link.id,
        thread: link.thread,
        portal: 'acme',
        spaceId: devTenant.id,
        ticketName: link.ticketName,
        agentId: 'k8s-1',
        permissions: [{ id: 'dev-deployer', name: 'dev-deployer' }],
        status: 'pending',
        messageTs: null,
        choices: {},
        createdAt: new Date('2026-03-02T09:00:00Z'),
        expiresAt: new Date('2026-03-02T09:30:00Z'),
      });
      expect(card.id).toMatch(/^card-\d+$/);
      expect(card.items.map((item) => [item.kind, item.text, item.description])).toEqual([
        ['cmd', getPods, 'See which pods crash'],
        ['cmd', restart, undefined],
      ]);
      expect(await approvals.get(card.id)).toEqual(card);
    });

    it('remembers the message that shows the card', async () => {
      const card = await openProposal();
      await approvals.attachMessage(card.id, '1700000000.999999');
      expect((await approvals.get(card.id))?.messageTs).toBe('1700000000.999999');
      expect(await approvals.get('card-missing')).toBeNull();
    });
  });

  describe('decide', () => {
    it('records a choice bound to the command and audits it', async () => {
      const card = await openProposal();
      clock.advance({ minutes: 1 });
      const updated = await approvals.decide({
        cardId: card.id,
        index: 1,
        decision: 'reject',
        reason: '  too risky  ',
        shown: commandDigest(restart),
        actor: alice,
      });
      expect(updated.redacted).toBe(0);
      expect(updated.card.choices).toEqual({
        '1': { decision: 'reject', reason: 'too risky', by: alice.slackUserId, at: clock.now() },
      });
      const entries = await store.auditForTicket('acme', link.ticketName);
      expect(entries.at(-1)).toMatchObject({
        action: 'command.decided',
        actor: alice.slackUserId,
        permissions: 'dev-deployer',
        ticketName: link.ticketName,
        detail: { cardId: card.id, index: 1, command: restart, decision: 'reject', reason: 'too risky' },
      });
    });

    it('redacts a rejection reason before it is stored, audited or echoed, and says how many values it replaced', async () => {
      const card = await openProposal();
      const secret = 'hunter2-prod';
      const outcome = await approvals.decide({
        cardId: card.id,
        index: 1,
        decision: 'reject',
        reason: `not with DB_PASSWORD=${secret} in the env`,
        shown: commandDigest(restart),
        actor: alice,
      });
      expect(outcome.redacted).toBe(1);
      expect(outcome.card.choices['1']?.reason).toMatch(/^not with DB_PASSWORD=\[REDACTED:[^\]]+\] in the env$/);
      expect(JSON.stringify(await approvals.get(card.id))).not.toContain(secret);
      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(getPods),
        actor: alice,
      });
      await approvals.submit({ cardId: card.id, actor: alice });
      expect(JSON.stringify(portal.sent)).toContain('DB_PASSWORD=[REDACTED:');
      expect(JSON.stringify(portal.sent)).not.toContain(secret);
      expect(JSON.stringify(await store.auditForTicket('acme', link.ticketName))).not.toContain(secret);
    });

    it('redacts the reasons of choices a Submit brings along', async () => {
      const card = await openProposal();
      const outcome = await approvals.submit({
        cardId: card.id,
        actor: alice,
        choices: {
          '0': { decision: 'approve', by: alice.slackUserId, at: clock.now() },
          '1': {
            decision: 'reject',
            reason: 'token ghp_0123456789abcdefghijABCDEFGHIJ012345',
            by: 'U1',
            at: clock.now(),
          },
        },
      });
      expect(outcome.card.choices['1']?.reason).toMatch(/^token \[REDACTED:[^\]]+\]$/);
      expect(JSON.stringify(portal.sent)).not.toContain('ghp_0123456789');
    });

    it('drops a reason given with anything but a rejection', async () => {
      const card = await openProposal();
      const updated = await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'approve',
        reason: 'sure',
        shown: commandDigest(getPods),
        actor: alice,
      });
      expect(updated.card.choices['0']).toEqual({ decision: 'approve', by: alice.slackUserId, at: clock.now() });
    });

    it('refuses a read-only user, someone without the tenant, without email or without a portal user', async () => {
      const card = await openProposal();
      const decide = (by: Actor) =>
        approvals.decide({ cardId: card.id, index: 0, decision: 'approve', shown: commandDigest(getPods), actor: by });
      expect(await codeOf(decide(bob))).toBe('access.read_only');
      expect(await codeOf(decide(carol))).toBe('access.space_denied');
      expect(await codeOf(decide(actor('dave', null)))).toBe('access.no_email');
      expect(await codeOf(decide(actor('erin')))).toBe('access.no_portal_user');
      expect((await approvals.get(card.id))?.choices).toEqual({});
    });

    it('rechecks access on every click: a user made read-only meanwhile is refused', async () => {
      const card = await openProposal();
      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(getPods),
        actor: alice,
      });
      portal.users.set('alice@acme.io', {
        user: { username: 'alice@acme.io', roles: ['User'], isAdmin: false, readOnly: false },
        spaces: [{ ...devTenant, readOnly: true }],
      });
      expect(
        await codeOf(
          approvals.decide({
            cardId: card.id,
            index: 1,
            decision: 'approve',
            shown: commandDigest(restart),
            actor: alice,
          }),
        ),
      ).toBe('access.read_only');
    });

    it('refuses stale command text, a bad index and an unknown card', async () => {
      const card = await openProposal();
      const base = { cardId: card.id, decision: 'approve', actor: alice } as const;
      expect(await codeOf(approvals.decide({ ...base, index: 0, shown: commandDigest(restart) }))).toBe(
        'card.stale_command',
      );
      expect(await codeOf(approvals.decide({ ...base, index: 5, shown: commandDigest(getPods) }))).toBe(
        'card.not_found',
      );
      expect(
        await codeOf(approvals.decide({ ...base, cardId: 'card-nope', index: 0, shown: commandDigest(getPods) })),
      ).toBe('card.not_found');
      expect((await approvals.get(card.id))?.choices).toEqual({});
    });

    it('refuses a decision on a message that showed another command than the card holds; the same command passes', async () => {
      const card = await openProposal();
      // The message was drawn for a command that is not the card's now (an older card, a crafted payload).
      const changed = commandDigest(getPods.replace('-dev', '-prod'));
      const click = { cardId: card.id, index: 0, actor: alice } as const;
      expect(await codeOf(approvals.itemShown({ ...click, shown: changed }))).toBe('card.stale_command');
      expect(await codeOf(approvals.decide({ ...click, decision: 'approve', shown: changed }))).toBe(
        'card.stale_command',
      );
      expect(await codeOf(approvals.decide({ ...click, decision: 'reject', reason: 'no', shown: changed }))).toBe(
        'card.stale_command',
      );
      expect((await approvals.get(card.id))?.choices).toEqual({});

      expect((await approvals.itemShown({ ...click, shown: commandDigest(getPods) })).text).toBe(getPods);
      const { card: decided } = await approvals.decide({
        ...click,
        decision: 'approve',
        shown: commandDigest(getPods),
      });
      expect(decided.choices['0']?.decision).toBe('approve');
    });

    it('refuses decisions after expiry', async () => {
      const card = await openProposal();
      clock.advance({ minutes: 30 });
      expect(
        await codeOf(
          approvals.decide({
            cardId: card.id,
            index: 0,
            decision: 'approve',
            shown: commandDigest(getPods),
            actor: alice,
          }),
        ),
      ).toBe('card.expired');
      expect((await approvals.get(card.id))?.choices).toEqual({});
    });

    it('refuses decisions once submitted', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      await approvals.submit({ cardId: card.id, actor: alice });
      expect(
        await codeOf(
          approvals.decide({
            cardId: card.id,
            index: 1,
            decision: 'approve',
            shown: commandDigest(restart),
            actor: alice,
          }),
        ),
      ).toBe('card.already_submitted');
    });
  });

  describe('submit', () => {
    it('sends exactly one echo with the right flags and marks the card executed', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      clock.advance({ minutes: 2 });
      const outcome: SubmitOutcome = await approvals.submit({ cardId: card.id, actor: alice });

      expect(portal.sent).toEqual([
        {
          spaceId: devTenant.id,
          ticketName: link.ticketName,
          agentId: 'k8s-1',
          content: 'I approve 1 command and reject 1 command.',
          data: {
            cmds: [
              { command: getPods, execute: true, description: 'See which pods crash' },
              { command: restart, execute: false, rejection_reason: 'not in business hours' },
            ],
          },
          sender: { slackUserId: alice.slackUserId, name: 'alice@acme.io' },
        },
      ]);
      expect(outcome.summary).toEqual({ approved: 1, rejected: 1, ignored: 0, undecided: 0 });
      expect(outcome.executed).toEqual([{ command: getPods, output: `output of ${getPods}` }]);
      expect(outcome.reply.content).toBe('Ran 1.');
      expect(outcome.card).toMatchObject({
        status: 'executed',
        outcome: '1 approved, 1 rejected',
        submittedBy: alice.slackUserId,
        submittedAt: clock.now(),
      });
      expect(await approvals.get(card.id)).toEqual(outcome.card);

      const entries = await store.auditForTicket('acme', link.ticketName);
      const submitted = entries.filter((entry) => ['command.approved', 'command.rejected'].includes(entry.action));
      expect(submitted.map((entry) => [entry.action, entry.detail.command])).toEqual([
        ['command.approved', getPods],
        ['command.rejected', restart],
      ]);
      const executed = entries.filter((entry) => entry.action === 'command.executed');
      expect(executed.map((entry) => entry.detail)).toEqual([
        { cardId: card.id, command: getPods, outputLength: `output of ${getPods}`.length },
      ]);
      expect(JSON.stringify(entries)).not.toContain(`output of ${getPods}`);
    });

    it('acts on choices read from the message state, with recorded choices winning', async () => {
      const card = await openProposal();
      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'ignore',
        shown: commandDigest(getPods),
        actor: alice,
      });
      const at = clock.now();
      const outcome = await approvals.submit({
        cardId: card.id,
        actor: alice,
        choices: {
          '0': { decision: 'approve', by: alice.slackUserId, at },
          '1': { decision: 'approve', by: alice.slackUserId, at },
        },
      });
      expect(portal.sent).toHaveLength(1);
      expect(portal.sent[0]?.data).toEqual({ cmds: [{ command: restart, execute: true }] });
      expect(outcome.summary).toEqual({ approved: 1, rejected: 0, ignored: 1, undecided: 0 });
      expect(outcome.card.outcome).toBe('1 approved, 0 rejected, 1 not answered');
      expect(outcome.card.choices['0']?.decision).toBe('ignore');
      expect(outcome.card.choices['1']?.decision).toBe('approve');
    });

    it('refuses a Submit with no decisions, or only ignores, and sends nothing', async () => {
      const card = await openProposal();
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.no_decisions');
      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'ignore',
        shown: commandDigest(getPods),
        actor: alice,
      });
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.no_decisions');
      expect(portal.sent).toEqual([]);
      expect((await approvals.get(card.id))?.status).toBe('pending');
    });

    it('refuses a read-only user and sends nothing', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: bob }))).toBe('access.read_only');
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: carol }))).toBe('access.space_denied');
      expect(portal.sent).toEqual([]);
      expect((await approvals.get(card.id))?.status).toBe('pending');
    });

    it('refuses when the identity left the tenant list, and sends nothing', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      portal.identities = ['dev-reader'];
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('access.identity_not_allowed');
      portal.identities = [];
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('access.no_identities');
      expect(portal.sent).toEqual([]);
      expect((await approvals.get(card.id))?.status).toBe('pending');
    });

    it('accepts the identity however the tenant spells it now, and sends no identity with the echo', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      portal.identities = ['Dev-Deployer'];
      await approvals.submit({ cardId: card.id, actor: alice });
      expect(portal.sent).toHaveLength(1);
      // Permissions were fixed when the ticket was created (docs/duplocloud-api.md §7, §8).
      expect(JSON.stringify(portal.sent[0])).not.toMatch(/deployer/i);
    });

    it('claims a card without sending anything; the claim is sent once, and a second claim is refused', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      const claim = await approvals.claim({ cardId: card.id, actor: alice });
      expect(claim.card.status).toBe('submitted');
      expect((await approvals.get(card.id))?.status).toBe('submitted');
      expect(portal.sent).toHaveLength(0);
      expect(await codeOf(approvals.claim({ cardId: card.id, actor: alice }))).toBe('card.already_submitted');
      const outcome = await approvals.send(claim);
      expect(outcome.card.status).toBe('executed');
      expect(portal.sent).toHaveLength(1);
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.already_submitted');
      expect(portal.sent).toHaveLength(1);
    });

    it('lets exactly one of 20 concurrent Submits send the echo', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => approvals.submit({ cardId: card.id, actor: alice })),
      );
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const codes = results.flatMap((result) =>
        result.status === 'rejected' && result.reason instanceof DomainError ? [result.reason.code] : [],
      );
      expect(fulfilled).toHaveLength(1);
      expect(codes).toEqual(Array.from({ length: 19 }, () => 'card.already_submitted'));
      expect(portal.sent).toHaveLength(1);
      expect((await approvals.get(card.id))?.status).toBe('executed');
      expect((await auditActions()).filter((action) => action === 'command.approved')).toHaveLength(1);
    });

    it('lets two service instances on one store send one echo', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      const other = createApprovalService({
        store,
        portals: stubDirectory(portal),
        access: createAccessService({ portals: stubDirectory(portal), clock }),
        clock,
        newId,
        redactor,
      });
      const results = await Promise.allSettled([
        approvals.submit({ cardId: card.id, actor: alice }),
        other.submit({ cardId: card.id, actor: alice }),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(portal.sent).toHaveLength(1);
    });

    it('once the portal accepted the echo, a failing store only says what it could not record', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      const down = new DomainError('store.unavailable', 'down');
      // The store takes everything until the echo is accepted, then refuses to record its result.
      const failing = new Proxy(store, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const echoed = portal.sent.length > 0;
            if (echoed && (key === 'transitionCard' || key === 'appendAudit')) return Promise.reject(down);
            return value.apply(target, args);
          };
        },
      });
      const service = createApprovalService({
        store: failing,
        portals: stubDirectory(portal),
        access: createAccessService({ portals: stubDirectory(portal), clock }),
        clock,
        newId,
        redactor,
      });
      const outcome = await service.submit({ cardId: card.id, actor: alice });
      expect(portal.sent).toHaveLength(1);
      expect(outcome.card).toMatchObject({ id: card.id, status: 'executed', outcome: '1 approved, 1 rejected' });
      expect(outcome.executed.map((ran) => ran.command)).toEqual([getPods]);
      expect(outcome.notRecorded).toEqual([
        { record: 'card', error: down },
        { record: 'audit', error: down },
      ]);
      // The store still says submitted; nothing sends it again.
      expect((await approvals.get(card.id))?.status).toBe('submitted');
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.already_submitted');
      expect(portal.sent).toHaveLength(1);
    });

    it('keeps a card whose audit entry the store refused, and says so', async () => {
      const down = new DomainError('store.unavailable', 'down');
      const failing = new Proxy(store, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (key === 'appendAudit') return () => Promise.reject(down);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const service = createApprovalService({
        store: failing,
        portals: stubDirectory(portal),
        access: createAccessService({ portals: stubDirectory(portal), clock }),
        clock,
        newId,
        redactor,
      });
      const opened = await service.openCard(link, proposal);
      expect(opened?.notRecorded).toEqual([{ record: 'audit', error: down }]);
      expect((await approvals.get(opened?.card.id ?? ''))?.status).toBe('pending');
    });

    it('marks the card failed and rethrows when the portal fails; nothing is retried', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      const failure = new DomainError('portal.unavailable', 'The portal is not answering');
      portal.answer = async () => {
        throw failure;
      };
      await expect(approvals.submit({ cardId: card.id, actor: alice })).rejects.toBe(failure);
      expect(portal.sent).toHaveLength(1);
      expect(await approvals.get(card.id)).toMatchObject({ status: 'failed', outcome: 'portal.unavailable' });
      const failed = (await store.auditForTicket('acme', link.ticketName)).filter(
        (entry) => entry.action === 'command.failed',
      );
      expect(failed.map((entry) => entry.detail)).toEqual([{ cardId: card.id, code: 'portal.unavailable' }]);
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.already_submitted');
      expect(portal.sent).toHaveLength(1);
    });

    it('refuses after expiry and marks the card expired', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      clock.advance({ minutes: 30 });
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.expired');
      expect((await approvals.get(card.id))?.status).toBe('expired');
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.expired');
      expect(portal.sent).toEqual([]);
    });

    it('refuses an unknown card', async () => {
      expect(await codeOf(approvals.submit({ cardId: 'card-nope', actor: alice }))).toBe('card.not_found');
    });

    it('never runs a command someone rejected while the Submit checked access', async () => {
      const card = await openProposal();
      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(getPods),
        actor: alice,
      });
      const original = portal.findUser.bind(portal);
      let interleaved = false;
      portal.findUser = async (username) => {
        if (!interleaved) {
          interleaved = true;
          // While this Submit asks the portal about its author, the approved command is rejected.
          await approvals.decide({
            cardId: card.id,
            index: 0,
            decision: 'reject',
            shown: commandDigest(getPods),
            actor: alice,
          });
        }
        return original(username);
      };

      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.changed');
      expect(portal.sent).toEqual([]);
      const current = await approvals.get(card.id);
      expect(current?.status).toBe('pending');
      expect(current?.choices['0']?.decision).toBe('reject');

      // Submitted again, it acts on what the card shows now.
      portal.findUser = original;
      await approvals.submit({ cardId: card.id, actor: alice });
      expect(portal.sent).toHaveLength(1);
      expect(portal.sent[0]?.data?.cmds).toMatchObject([{ command: getPods, execute: false }]);
    });

    it('retires a card once Permissions changed (a new ticket): nothing runs as the old identity', async () => {
      const card = await openProposal();
      await approveFirstRejectSecond(card);
      const context = { portal: 'acme', spaceId: devTenant.id, spaceName: devTenant.name };
      await linkFor(clock, { ...context, ticketName: `${link.ticketName}-reader` }, link.thread, 'dev-reader');

      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.superseded');
      expect(portal.sent).toEqual([]);
      expect(await approvals.get(card.id)).toMatchObject({ status: 'expired', outcome: 'superseded' });
      expect(await auditActions()).toContain('card.superseded');
      // A later click says the same, and still sends nothing.
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.superseded');
      expect(portal.sent).toEqual([]);
    });

    it('retires a card once the thread moved to another ticket, and refuses decisions on it', async () => {
      const card = await openProposal();
      const moved = { portal: 'acme', spaceId: devTenant.id, spaceName: devTenant.name };
      await linkFor(clock, { ...moved, ticketName: `${link.ticketName}-moved` }, link.thread);
      expect(
        await codeOf(
          approvals.decide({
            cardId: card.id,
            index: 0,
            decision: 'approve',
            shown: commandDigest(getPods),
            actor: alice,
          }),
        ),
      ).toBe('card.superseded');
      expect(await approvals.get(card.id)).toMatchObject({ status: 'expired', outcome: 'superseded', choices: {} });
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('card.superseded');
      expect(portal.sent).toEqual([]);
    });
  });

  describe('sweeps', () => {
    // A sweep looks at every card in the store: give each test a store of its own.
    let shared: TicketStore;
    beforeEach(async () => {
      shared = store;
      store = await openPgliteStore({ dataDir: 'memory' });
      await setup();
    });
    afterEach(async () => {
      await store.close();
      store = shared;
    });

    it('expires pending cards past their expiry, once, leaving live and submitted cards alone', async () => {
      const old = await openProposal();
      // Recorded just before expiry: it is updated later than the younger card below.
      clock.advance({ minutes: 29 });
      await approvals.decide({
        cardId: old.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(getPods),
        actor: alice,
      });
      clock.advance({ minutes: -9 });
      const young = await openProposal();
      const done = await openProposal();
      await approvals.decide({
        cardId: done.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(getPods),
        actor: alice,
      });
      await approvals.submit({ cardId: done.id, actor: alice });
      clock.advance({ minutes: 11 }); // 09:31: old expired at 09:30, young expires at 09:50

      const expired = await approvals.expireDue(clock.now(), 1);
      expect(expired.map((card) => [card.id, card.status, card.outcome])).toEqual([[old.id, 'expired', 'expired']]);
      expect(await approvals.expireDue(clock.now(), 10)).toEqual([]);
      expect((await approvals.get(young.id))?.status).toBe('pending');
      expect((await approvals.get(done.id))?.status).toBe('executed');
      expect(await auditActions()).toContain('card.expired');

      clock.advance({ minutes: 30 });
      expect((await approvals.expireDue(clock.now(), 10)).map((card) => card.id)).toEqual([young.id]);
    });

    it('reports cards left submitted by a stopped process as interrupted, without sending anything', async () => {
      const stuck = await openProposal();
      await store.transitionCard(stuck.id, 'pending', 'submitted', {
        at: clock.now(),
        submittedBy: alice.slackUserId,
        choices: {},
      });
      clock.advance({ minutes: 10 });
      const recent = await openProposal();
      await store.transitionCard(recent.id, 'pending', 'submitted', {
        at: clock.now(),
        submittedBy: alice.slackUserId,
      });
      clock.advance({ minutes: 1 });

      const olderThan = new Date(clock.now().getTime() - 5 * 60_000);
      const interrupted = await approvals.interruptedSubmits(olderThan, 10);
      expect(interrupted.map((card) => [card.id, card.status, card.outcome])).toEqual([
        [stuck.id, 'failed', 'interrupted'],
      ]);
      expect(await approvals.interruptedSubmits(olderThan, 10)).toEqual([]);
      expect((await approvals.get(recent.id))?.status).toBe('submitted');
      expect(portal.sent).toEqual([]);
      expect(await auditActions()).toContain('command.failed');
    });
  });
});

// ───────────────────────────── workspace HelpDesk rules, stub portal ─────────────────────────────

describe('approval service on a workspace-scoped HelpDesk (stub portal): approvers decide', () => {
  let clock: FakeClock;
  let portal: StubPortal;
  let approvals: ApprovalService;
  let link: TicketLink;

  beforeEach(async () => {
    clock = new FakeClock('2026-03-02T09:00:00Z');
    portal = new StubPortal('workspace');
    portal.identities = ['scope-full', 'scope-read'];
    const portals = stubDirectory(portal);
    approvals = createApprovalService({
      store,
      portals,
      access: createAccessService({ portals, clock }),
      clock,
      newId,
      redactor,
    });
    link = await linkFor(
      clock,
      {
        portal: 'acme',
        api: 'workspace',
        spaceId: devTenant.id,
        spaceName: devTenant.name,
        ticketName: `W-${++threadCounter}`,
      },
      nextThread(),
      'scope-full',
    );
  });

  const approveFirst = async (by: Actor) => {
    const card = (await approvals.openCard(link, proposal))?.card;
    if (!card) throw new Error('expected a card');
    await approvals.decide({
      cardId: card.id,
      index: 0,
      decision: 'approve',
      shown: commandDigest(getPods),
      actor: by,
    });
    return card;
  };

  it('lets a listed approver (by email or Slack id) decide and submit', async () => {
    portal.settings = { ...portal.settings, approvers: ['carol@acme.io', 'u_dave'] };
    portal.usersReadable = false;
    const card = await approveFirst(carol);
    await approvals.submit({ cardId: card.id, actor: carol });
    const dave = actor('dave', null);
    const next = await approveFirst(dave);
    await approvals.submit({ cardId: next.id, actor: dave });
    expect(portal.sent).toHaveLength(2);
  });

  it('lets a portal user with the email who is not read-only decide, where the users can be read', async () => {
    const card = await approveFirst(alice);
    await approvals.submit({ cardId: card.id, actor: alice });
    expect(portal.sent).toHaveLength(1);
  });

  it('refuses a read-only portal user, anyone unknown, and everyone when the users cannot be read', async () => {
    const card = (await approvals.openCard(link, proposal))?.card;
    if (!card) throw new Error('expected a card');
    const decide = (by: Actor) =>
      approvals.decide({ cardId: card.id, index: 0, decision: 'approve', shown: commandDigest(getPods), actor: by });
    expect(await codeOf(decide(bob))).toBe('access.read_only');
    expect(await codeOf(decide(actor('erin')))).toBe('access.not_approver');
    expect(await codeOf(decide(actor('dave', null)))).toBe('access.not_approver');
    portal.usersReadable = false;
    expect(await codeOf(decide(alice))).toBe('access.not_approver');
    expect((await approvals.get(card.id))?.choices).toEqual({});
    expect(portal.sent).toEqual([]);
  });

  it("refuses to submit once the operator no longer allows the ticket's scope", async () => {
    const card = await approveFirst(alice);
    portal.settings = { ...portal.settings, allowedScopeIds: ['scope-read'] };
    expect(await codeOf(approvals.submit({ cardId: card.id, actor: alice }))).toBe('access.scope_not_allowed');
    expect(portal.sent).toEqual([]);
  });
});

// ───────────────────────────── end to end with the fake portal ─────────────────────────────

describe.each([
  ['tenant', SeedTenants.dev.id, SeedTenants.dev.name, SeedAgents.kubernetes.instanceId, 'dev-deployer'],
  [
    'workspace',
    SeedWorkspaces.platform.id,
    SeedWorkspaces.platform.name,
    SeedWorkspaceAgents.k8s.id,
    SeedScopes.fullAccess.id,
  ],
] as const)(
  'approval service against the fake %s HelpDesk (real HTTP client)',
  (api, spaceId, spaceName, agentId, permission) => {
    let fake: FakePortal;
    let clock: FakeClock;
    let approvals: ApprovalService;
    let client: PortalClient;

    beforeAll(async () => {
      fake = api === 'tenant' ? await startFakePortal() : await startFakePortal({ api: 'workspace' });
    });

    afterAll(async () => {
      await fake?.close();
    });

    beforeEach(() => {
      clock = new FakeClock('2026-03-02T09:00:00Z');
      client = createPortalClient(
        {
          name: 'fake',
          host: fake.url,
          token: fake.adminToken,
          settings: { approvers: [], allowedScopeIds: null, defaultSpace: null, defaultAgent: null, spaceLabel: null },
        },
        { sleep: async () => undefined, random: () => 0 },
      );
      const portals = createPortalDirectory([client]);
      approvals = createApprovalService({
        store,
        portals,
        access: createAccessService({ portals, clock }),
        clock,
        newId,
        redactor,
      });
    });

    const fakeGetPods = `kubectl get pods -n duploservices-${spaceName}`;
    const fakeRestart = `kubectl rollout restart deployment/web -n duploservices-${spaceName}`;
    const aliceOnFake: Actor = { slackUserId: 'U_ALICE', teamId: 'T1', email: SeedUsers.alice };
    const bobOnFake: Actor = { slackUserId: 'U_BOB', teamId: 'T1', email: SeedUsers.bob };
    const sender = { slackUserId: aliceOnFake.slackUserId, name: SeedUsers.alice };

    /** A real ticket whose agent proposed two commands, linked to a new thread, and its card. */
    const proposeOnFake = async () => {
      const thread = nextThread();
      const agent = (await client.listAgents(spaceId)).find((candidate) => candidate.id === agentId);
      if (!agent) throw new Error(`no agent ${agentId}`);
      const permissions = (await client.permissionChoices(spaceId)).filter((choice) => choice.id === permission);
      const created = await client.createTicket({
        spaceId,
        title: 'web is down',
        agent,
        permissions,
        thread,
        history: [],
      });
      const link = await store.linkThread(
        {
          thread,
          portal: 'fake',
          api,
          spaceId,
          spaceName,
          ticketName: created.ticketName,
          ticketTitle: 'web is down',
          agentId: agent.id,
          agentName: agent.label,
          permissions,
          createdBy: aliceOnFake.slackUserId,
        },
        clock.now(),
      );
      const first = await client.sendMessage({
        spaceId,
        ticketName: created.ticketName,
        agentId,
        content: 'The web pods keep crashing',
        sender,
      });
      const card = (await approvals.openCard(link, first))?.card;
      if (!card) throw new Error('the fake agent should propose commands');
      return { card, ticketName: created.ticketName };
    };

    const sendPath = api === 'tenant' ? 'sendmessage' : 'sendMessage(Streaming)?';
    const echoesTo = (ticketName: string) =>
      fake
        .callsTo('POST', new RegExp(`/${ticketName}/${sendPath}$`))
        .filter((call) => call.status === 200)
        .slice(1);

    it('approve one, reject one, Submit: one echo, and exactly the approved command runs', async () => {
      const { card, ticketName } = await proposeOnFake();
      expect(card.items.map((item) => item.text)).toEqual([fakeGetPods, fakeRestart]);
      expect(card.permissions.map((choice) => choice.id)).toEqual([permission]);

      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(fakeGetPods),
        actor: aliceOnFake,
      });
      await approvals.decide({
        cardId: card.id,
        index: 1,
        decision: 'reject',
        reason: 'not now',
        shown: commandDigest(fakeRestart),
        actor: aliceOnFake,
      });
      const outcome = await approvals.submit({ cardId: card.id, actor: aliceOnFake });

      expect(outcome.executed.map((ran) => ran.command)).toEqual([fakeGetPods]);
      expect(outcome.executed[0]?.output).toContain('web-7d4b9c6f5d');
      expect(outcome.card).toMatchObject({ status: 'executed', outcome: '1 approved, 1 rejected' });

      const ticket = fake.ticket(ticketName, spaceId);
      const userMessages = ticket?.messages.filter((message) => message.role === 'user') ?? [];
      expect(userMessages).toHaveLength(2); // the request, then the echo
      expect(userMessages[1]?.content).toBe('I approve 1 command and reject 1 command.');
      expect(userMessages[1]?.data.cmds).toEqual([
        { command: fakeGetPods, execute: true },
        { command: fakeRestart, execute: false, rejection_reason: 'not now' },
      ]);
      expect(userMessages[1]?.user).toEqual({ id: 'U_ALICE', name: SeedUsers.alice });
      expect(ticket?.permissions).toEqual([permission]);
      expect(ticket?.commands.map(({ command, state }) => [command, state])).toEqual([
        [fakeGetPods, 'approved'],
        [fakeRestart, 'rejected'],
      ]);
      expect(ticket?.commands[0]?.output).toBeDefined();
      expect(ticket?.commands[1]?.output).toBeUndefined();
      expect(echoesTo(ticketName)).toHaveLength(1);
    });

    it('sends one echo for racing Submits, and refuses a read-only user before anything is sent', async () => {
      const { card, ticketName } = await proposeOnFake();
      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(fakeGetPods),
        actor: aliceOnFake,
      });
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: bobOnFake }))).toBe('access.read_only');
      expect(echoesTo(ticketName)).toHaveLength(0);

      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => approvals.submit({ cardId: card.id, actor: aliceOnFake })),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(echoesTo(ticketName)).toHaveLength(1);
      expect(fake.ticket(ticketName, spaceId)?.commands.map((command) => command.state)).toEqual([
        'approved',
        'proposed',
      ]);
    });

    it('marks the card failed when the portal refuses the echo (the agent no longer knows the command)', async () => {
      const { card, ticketName } = await proposeOnFake();
      // Someone answered in the web HelpDesk meanwhile: the portal now rejects our echo of the same command.
      await client.sendMessage({
        spaceId,
        ticketName,
        agentId,
        content: '',
        data: { cmds: [{ command: fakeGetPods, execute: false, rejection_reason: 'answered on the web' }] },
        sender,
      });
      await approvals.decide({
        cardId: card.id,
        index: 0,
        decision: 'approve',
        shown: commandDigest(fakeGetPods),
        actor: aliceOnFake,
      });
      expect(await codeOf(approvals.submit({ cardId: card.id, actor: aliceOnFake }))).toBe('portal.rejected');
      expect(await approvals.get(card.id)).toMatchObject({ status: 'failed', outcome: 'portal.rejected' });
      expect(fake.ticket(ticketName, spaceId)?.commands[0]?.state).toBe('rejected');
    });
  },
);
