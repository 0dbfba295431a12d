import type { AccessService } from './access.js';
import { type NotRecorded, recordAfterSend } from './after-send.js';
import {
  approvalEcho,
  type CardChoice,
  type CardItem,
  type CommandCard,
  cardItemsFrom,
  checkDecision,
  checkShown,
  checkStillOpen,
  checkSubmit,
  type Decision,
  type DecisionSummary,
  describeDecisions,
  echoWords,
  isPastExpiry,
  mergeChoices,
  SupersededOutcome,
  summarizeDecisions,
} from './command-card.js';
import { DomainError, isDomainError } from './errors.js';
import { type Actor, describePermissions, samePermissions } from './helpdesk.js';
import type { AgentMessage, ExecutedCommand } from './messages.js';
import type { AgentEventListener, AuditEntry, Clock, IdSource, PortalDirectory, TicketStore } from './ports.js';
import type { Redactor } from './redact.js';
import type { TicketLink } from './thread-link.js';
import { senderOf } from './ticket-service.js';

export interface DecideInput {
  readonly cardId: string;
  readonly index: number;
  readonly decision: Decision;
  /**
   * Feedback for the agent on a rejection, as the person typed it; ignored for other decisions. It is redacted here,
   * before it is stored, audited, shown on the card or sent to the agent.
   */
  readonly reason?: string;
  /**
   * What the clicked message carried of the command it showed (its digest, commandDigest): the decision is refused
   * (card.stale_command) when it is not the card's command now.
   */
  readonly shown: string;
  readonly actor: Actor;
}

export interface DecideOutcome {
  readonly card: CommandCard;
  /** How many secret-looking values the reason held: each was replaced before anything kept or showed it. */
  readonly redacted: number;
}

export interface SubmitInput {
  readonly cardId: string;
  readonly actor: Actor;
  /**
   * Decisions read from the Slack message state, keyed by item index; choices recorded per click win. Their reasons
   * are redacted like those of `decide`.
   */
  readonly choices?: Readonly<Record<string, CardChoice>>;
}

/**
 * A Submit that won the card: it is `submitted` in the store and its decisions are audited; nothing was sent yet.
 * Only `claim` makes one, and `send` takes it once.
 */
export interface ClaimedSubmit {
  readonly card: CommandCard;
  readonly actor: Actor;
  readonly choices: Readonly<Record<string, CardChoice>>;
  readonly summary: DecisionSummary;
}

export interface SubmitOutcome {
  /**
   * The card after the echo: `executed` (or `failed` with outcome 'interrupted' when a sweep got there first). When
   * the store could not record it (see `notRecorded`), the card as it now is: `executed`, though the store still says
   * `submitted`.
   */
  readonly card: CommandCard;
  /** The agent's answer to the echo: text to post, and possibly new proposals. */
  readonly reply: AgentMessage;
  readonly executed: readonly ExecutedCommand[];
  readonly summary: DecisionSummary;
  /** Store writes that failed after the portal accepted the echo: the decisions were sent; only these are missing. */
  readonly notRecorded: readonly NotRecorded[];
}

export interface OpenedCard {
  readonly card: CommandCard;
  /** The card is stored; its audit entry may not be. */
  readonly notRecorded: readonly NotRecorded[];
}

export interface ApprovalService {
  /**
   * A pending card for the reply's proposals; null when the reply proposes nothing. Throws when the store cannot keep
   * the card (the reply itself was already accepted: the caller says the proposals could not be recorded).
   */
  openCard(link: TicketLink, reply: AgentMessage): Promise<OpenedCard | null>;
  /** Remembers the Slack message that shows the card. */
  attachMessage(cardId: string, messageTs: string): Promise<void>;
  /**
   * The item a clicked message stood for (`shown`: the digest it carried), before anything is asked of the person
   * (the Reject reason modal). Throws card.not_found, or card.stale_command when the message shows another command.
   */
  itemShown(input: Pick<DecideInput, 'cardId' | 'index' | 'shown'>): Promise<CardItem>;
  /** Records one person's Approve / Reject / Ignore on one item while the card is pending. */
  decide(input: DecideInput): Promise<DecideOutcome>;
  /**
   * The first half of a Submit: checks the card, the decisions and the person's access, then claims the card with
   * the one conditional update that makes a Submit act once (double clicks, Slack retries, many instances). Throws
   * card.* and access.* refusals; nothing is sent. The caller shows the claimed card, then calls `send`.
   */
  claim(input: SubmitInput): Promise<ClaimedSubmit>;
  /**
   * The second half: sends a claimed card's decisions to the agent, once. A portal failure marks the card failed and
   * is rethrown (never retried: the portal may have received it). Once the portal accepted the echo it never throws:
   * a store write that fails after it is in the outcome's `notRecorded`. `onEvent` is told the agent's answer step by
   * step as the agent gives it (live replies).
   */
  send(claimed: ClaimedSubmit, onEvent?: AgentEventListener): Promise<SubmitOutcome>;
  /** `claim` then `send`, for callers that show nothing in between. */
  submit(input: SubmitInput, onEvent?: AgentEventListener): Promise<SubmitOutcome>;
  /** Pending cards past their expiry, now marked expired (so their messages can be updated). */
  expireDue(now: Date, limit: number): Promise<CommandCard[]>;
  /** Cards stuck in `submitted` since before `olderThan` (the process stopped mid-Submit), now failed 'interrupted'. */
  interruptedSubmits(olderThan: Date, limit: number): Promise<CommandCard[]>;
  /**
   * One card this instance left in `submitted` (it is stopping with the echo in flight), now failed 'interrupted';
   * null when it is no longer `submitted` (the echo finished, or another instance's sweep got there first).
   */
  interrupt(cardId: string): Promise<CommandCard | null>;
  get(cardId: string): Promise<CommandCard | null>;
}

export const DefaultCardTtlMs = 30 * 60_000;

/** What a person may write as a rejection reason; the Slack input has its own limit, this guards the echo. */
const ReasonLimit = 2000;

/** How many recently updated pending cards an expiry sweep looks through for ones past expiry. */
const ExpiryScanWindow = 200;

export function createApprovalService({
  store,
  portals,
  access,
  clock,
  newId,
  redactor,
  cardTtlMs = DefaultCardTtlMs,
}: {
  store: TicketStore;
  portals: PortalDirectory;
  access: AccessService;
  clock: Clock;
  newId: IdSource;
  /** Text people type (rejection reasons) passes through it before it is kept, shown or sent. */
  redactor: Redactor;
  cardTtlMs?: number;
}): ApprovalService {
  const load = async (cardId: string): Promise<CommandCard> => {
    const card = await store.getCard(cardId);
    if (!card) throw new DomainError('card.not_found', `No command card ${cardId}`, { cardId });
    return card;
  };

  const audit = (
    card: CommandCard,
    actor: string,
    action: string,
    detail: Readonly<Record<string, unknown>>,
    at: Date = clock.now(),
  ): Promise<void> =>
    store.appendAudit({
      at,
      actor,
      action,
      portal: card.portal,
      spaceId: card.spaceId,
      ticketName: card.ticketName,
      permissions: describePermissions(card.permissions),
      detail: { cardId: card.id, ...detail },
    } satisfies AuditEntry);

  const itemDetail = (item: CardItem, index: number) => ({ index, kind: item.kind, command: item.text });

  /** A rejection reason as it may be kept: trimmed, redacted, then cut (a cut secret no longer looks like one). */
  const safeReason = (typed: string | undefined): { reason: string | undefined; redacted: number } => {
    const trimmed = typed?.trim();
    if (!trimmed) return { reason: undefined, redacted: 0 };
    const redacted = redactor.redact(trimmed);
    return { reason: redacted.text.slice(0, ReasonLimit), redacted: redacted.count };
  };

  const safeChoices = (
    supplied: Readonly<Record<string, CardChoice>> | undefined,
  ): Readonly<Record<string, CardChoice>> | undefined => {
    if (!supplied) return supplied;
    const out: Record<string, CardChoice> = {};
    for (const [key, choice] of Object.entries(supplied)) {
      const { reason: _typed, ...rest } = choice;
      const { reason } = safeReason(choice.reason);
      out[key] = { ...rest, ...(reason ? { reason } : {}) };
    }
    return out;
  };

  /** Only people who may change the ticket may decide (docs/duplocloud-api.md §7): asked of the portal now. */
  const requireWriter = (card: CommandCard, actor: Actor) =>
    access.requireSpace(card.portal, actor, card.spaceId, { write: true, fresh: true });

  /**
   * A card runs in the context it was proposed in. Once Update Context moved the thread to another ticket (another
   * space, or other permissions), the card is retired (expired, outcome 'superseded') rather than run in the old one.
   */
  const requireCurrentContext = async (card: CommandCard, link: TicketLink | null, at: Date): Promise<void> => {
    if (card.status !== 'pending') return;
    if (link?.active && samePermissions(link.permissions, card.permissions)) return;
    const retired = await store.transitionCard(card.id, 'pending', 'expired', { at, outcome: SupersededOutcome });
    if (retired) {
      await audit(retired, 'system', 'card.superseded', { active: link?.active ?? false }, at);
    }
    throw new DomainError('card.superseded', `Card ${card.id} was proposed in an earlier context`, { cardId: card.id });
  };

  /**
   * A closed ticket runs nothing, whatever was chosen: said before anything else about the card. The card stays
   * pending, so it may be decided once the ticket is reopened (until it expires).
   */
  const requireOpenTicket = (card: CommandCard, link: TicketLink | null): void => {
    if (card.status !== 'pending') return;
    if (link?.active && link.closed) {
      throw new DomainError('ticket.closed', `Card ${card.id}: the ticket is closed`, { cardId: card.id });
    }
  };

  /** The card's ticket link, read once for the checks of a pending card (closed? still its context?). */
  const linkOfPending = (card: CommandCard): Promise<TicketLink | null> =>
    card.status === 'pending' ? store.getLink(card.linkId) : Promise.resolve(null);

  /** After a conditional update lost, say why from the card as it is now. */
  const lostRace = async (cardId: string): Promise<never> => {
    const current = await store.getCard(cardId);
    if (current?.status === 'pending') {
      throw new DomainError('card.changed', `Card ${cardId} changed during the Submit`, { cardId });
    }
    if (current) checkStillOpen(current, clock.now()); // throws: the card is no longer pending
    throw new DomainError('card.not_found', `No command card ${cardId}`, { cardId });
  };

  // Never re-send an interrupted echo: the portal may have received it before the process stopped.
  const interrupt = async (cardId: string): Promise<CommandCard | null> => {
    const moved = await store.transitionCard(cardId, 'submitted', 'failed', {
      at: clock.now(),
      outcome: 'interrupted',
    });
    if (moved) await audit(moved, 'system', 'command.failed', { code: 'interrupted' });
    return moved;
  };

  const expire = async (card: CommandCard, at: Date): Promise<CommandCard | null> => {
    const expired = await store.transitionCard(card.id, 'pending', 'expired', { at, outcome: 'expired' });
    if (expired) await audit(expired, 'system', 'card.expired', {}, at);
    return expired;
  };

  const service: ApprovalService = {
    get: (cardId) => store.getCard(cardId),

    async openCard(link, reply) {
      const items = cardItemsFrom(reply.data);
      if (items.length === 0) return null;
      const now = clock.now();
      const card = await store.createCard({
        id: newId(),
        linkId: link.id,
        thread: link.thread,
        portal: link.portal,
        spaceId: link.spaceId,
        ticketName: link.ticketName,
        agentId: link.agentId,
        permissions: link.permissions,
        items,
        createdAt: now,
        expiresAt: new Date(now.getTime() + cardTtlMs),
      });
      const notRecorded: NotRecorded[] = [];
      await recordAfterSend(notRecorded, 'audit', () =>
        audit(card, 'system', 'card.opened', { items: items.length }, now),
      );
      return { card, notRecorded };
    },

    async attachMessage(cardId, messageTs) {
      await store.setCardMessageTs(cardId, messageTs, clock.now());
    },

    async itemShown({ cardId, index, shown }) {
      return checkShown(await load(cardId), { index, shown });
    },

    async decide({ cardId, index, decision, reason, shown, actor }) {
      const card = await load(cardId);
      const link = await linkOfPending(card);
      requireOpenTicket(card, link);
      const item = checkDecision(card, { index, shown, decision, now: clock.now() });
      await requireCurrentContext(card, link, clock.now());
      await requireWriter(card, actor);
      const kept = safeReason(decision === 'reject' ? reason : undefined);
      const at = clock.now();
      const choice: CardChoice = {
        decision,
        ...(kept.reason ? { reason: kept.reason } : {}),
        by: actor.slackUserId,
        at,
      };
      const updated = await store.recordChoice(card.id, index, choice, at);
      if (!updated) return lostRace(card.id);
      await audit(
        updated,
        actor.slackUserId,
        'command.decided',
        { ...itemDetail(item, index), decision, ...(kept.reason ? { reason: kept.reason } : {}) },
        at,
      );
      return { card: updated, redacted: kept.redacted };
    },

    async claim({ cardId, actor, choices: supplied }) {
      const card = await load(cardId);
      const link = await linkOfPending(card);
      requireOpenTicket(card, link);
      const now = clock.now();
      if (card.status === 'pending' && isPastExpiry(card, now)) {
        await expire(card, now);
        throw new DomainError('card.expired', `Card ${card.id} expired`, { cardId: card.id });
      }
      const choices = mergeChoices(card, safeChoices(supplied));
      checkSubmit(card, { now, choices });
      await requireCurrentContext(card, link, now);
      await requireWriter(card, actor);
      await access.requirePermissions(
        card.portal,
        card.spaceId,
        card.permissions.map((permission) => permission.id),
      );

      // The one conditional update that makes Submit act once: double clicks, Slack retries, many instances. It
      // also requires the choices to be those read above: a decision someone recorded while this Submit checked
      // access is never overwritten by the older view of the card (the Submit is refused; nothing is sent).
      const submittedAt = clock.now();
      const submitted = await store.transitionCard(card.id, 'pending', 'submitted', {
        at: submittedAt,
        submittedBy: actor.slackUserId,
        choices,
        expectedChoices: card.choices,
      });
      if (!submitted) return lostRace(card.id);

      const summary = summarizeDecisions(submitted, choices);
      for (const [index, item] of submitted.items.entries()) {
        const choice = choices[String(index)];
        if (choice?.decision !== 'approve' && choice?.decision !== 'reject') continue;
        await audit(
          submitted,
          actor.slackUserId,
          choice.decision === 'approve' ? 'command.approved' : 'command.rejected',
          { ...itemDetail(item, index), by: choice.by, ...(choice.reason ? { reason: choice.reason } : {}) },
          submittedAt,
        );
      }
      return { card: submitted, actor, choices, summary };
    },

    async send({ card: submitted, actor, choices, summary }, onEvent) {
      let reply: AgentMessage;
      try {
        reply = await portals.get(submitted.portal).sendMessage(
          {
            spaceId: submitted.spaceId,
            ticketName: submitted.ticketName,
            agentId: submitted.agentId,
            content: echoWords(summary),
            data: approvalEcho(submitted, choices),
            sender: senderOf(actor),
          },
          onEvent,
        );
      } catch (error) {
        const code = isDomainError(error) ? error.code : 'internal';
        try {
          const failed = await store.transitionCard(submitted.id, 'submitted', 'failed', {
            at: clock.now(),
            outcome: code,
          });
          if (failed) await audit(failed, actor.slackUserId, 'command.failed', { code });
        } catch {
          // The store failing too must not hide the portal error; the card stays `submitted` and
          // interruptedSubmits reports it later.
        }
        throw error;
      }

      // The portal accepted the echo: from here on nothing throws, and nothing is sent again. What the store cannot
      // write is reported as not recorded.
      const doneAt = clock.now();
      const executed = reply.data.executed_cmds;
      const notRecorded: NotRecorded[] = [];
      const outcome = describeDecisions(summary);
      const finished =
        (await recordAfterSend(
          notRecorded,
          'card',
          async () =>
            (await store.transitionCard(submitted.id, 'submitted', 'executed', { at: doneAt, outcome })) ??
            (await load(submitted.id)), // a sweep marked it interrupted meanwhile: report the reply anyway
        )) ?? ({ ...submitted, status: 'executed', outcome, updatedAt: doneAt } satisfies CommandCard);
      for (const ran of executed) {
        // Outputs go to the thread through the redactor, never into the audit log.
        await recordAfterSend(notRecorded, 'audit', () =>
          audit(
            finished,
            actor.slackUserId,
            'command.executed',
            { command: ran.command, outputLength: ran.output.length },
            doneAt,
          ),
        );
      }
      return { card: finished, reply, executed, summary, notRecorded };
    },

    async submit(input, onEvent) {
      return service.send(await service.claim(input), onEvent);
    },

    async expireDue(now, limit) {
      if (limit <= 0) return [];
      // cardsInStatus orders by last update, not by expiry. A card last updated before now - ttl is past expiry
      // for sure; a wider look at recently updated ones catches the rest (a choice recorded just before expiry
      // puts a card behind younger, live ones). Pending cards are few: people answer or they expire.
      const certain = await store.cardsInStatus('pending', new Date(now.getTime() - cardTtlMs), limit);
      const recent =
        certain.length < limit ? await store.cardsInStatus('pending', now, Math.max(limit * 4, ExpiryScanWindow)) : [];
      const due = new Map<string, CommandCard>();
      for (const card of [...certain, ...recent]) {
        if (due.size >= limit) break;
        if (isPastExpiry(card, now)) due.set(card.id, card);
      }
      const expired: CommandCard[] = [];
      for (const card of due.values()) {
        const moved = await expire(card, clock.now());
        if (moved) expired.push(moved);
      }
      return expired;
    },

    async interruptedSubmits(olderThan, limit) {
      if (limit <= 0) return [];
      const stuck = await store.cardsInStatus('submitted', olderThan, limit);
      const failed: CommandCard[] = [];
      for (const card of stuck) {
        const moved = await interrupt(card.id);
        if (moved) failed.push(moved);
      }
      return failed;
    },

    interrupt,
  };
  return service;
}
