import { createHash } from 'node:crypto';
import { DomainError } from './errors.js';
import type { Permission } from './helpdesk.js';
import type { MessageData, ProposedCommand } from './messages.js';
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
  /**
   * The hidden characters in `text` (`U+202E`, …; see hiddenCharactersIn), when it has any: what the card shows of
   * it may not be what runs, so it cannot be approved. Checks read the text as well, so an item stored without
   * this field is refused all the same.
   */
  readonly hiddenCharacters?: readonly string[];
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
  readonly spaceId: string;
  readonly ticketName: string;
  /** The agent that proposed the items. */
  readonly agentId: string;
  /** The ticket's permissions when the items were proposed: a card never runs under others. */
  readonly permissions: readonly Permission[];
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

// ───────────────────────────── State machine ─────────────────────────────

/** Where each status may go. The store enforces the same table; anything else is a caller bug. */
export const Transitions: Readonly<Record<CardStatus, readonly CardStatus[]>> = {
  pending: ['submitted', 'expired'],
  submitted: ['executed', 'failed'],
  executed: [],
  failed: [],
  expired: [],
};

export const TerminalStatuses: readonly CardStatus[] = ['executed', 'failed', 'expired'];

export const canTransition = (from: CardStatus, to: CardStatus): boolean => Transitions[from].includes(to);

export const isTerminal = (status: CardStatus): boolean => TerminalStatuses.includes(status);

/** Expiry is inclusive: at `expiresAt` exactly the card no longer takes decisions. */
export const isPastExpiry = (card: Pick<NewCommandCard, 'expiresAt'>, now: Date): boolean =>
  now.getTime() >= card.expiresAt.getTime();

// ───────────────────────────── Hidden characters ─────────────────────────────

/**
 * Characters that make text read differently from what it is, as they reach a command card: in a command, what a
 * person approves must be what runs. The rule, for every item's text (a command, a tool call, an approval):
 *
 * - allowed: printable characters, the space, tab and line feed;
 * - hidden: every other control character (Cc: NUL, ESC, carriage return, …, U+0080–U+009F), every format character
 *   (Cf: bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, marks U+200E/U+200F and
 *   U+061C, zero-width U+200B–U+200D, word joiner and invisible operators U+2060–U+2064, U+FEFF, soft hyphen U+00AD,
 *   tags U+E0001–U+E007F, …), every default-ignorable code point (variation selectors, Hangul fillers, …), line and
 *   paragraph separators, every space but U+0020 (no-break, en, em, thin, ideographic, …: a shell does not split
 *   words on them), the braille blank U+2800, private-use characters and lone surrogates;
 * - except inside an emoji: a variation selector U+FE0E/U+FE0F or a skin tone's base, and a zero-width joiner
 *   between two pictographs (`⚠️`, `👩‍💻`), which change how an emoji looks but hide nothing.
 *
 * A command with a hidden character is shown with each one made visible (`⟦U+202E⟧`) and cannot be approved; it can
 * still be rejected or ignored.
 */
const HiddenCharacter =
  /(?![\t\n ])(?!(?<=\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}]?)[\uFE0E\uFE0F])(?!(?<=\p{Extended_Pictographic}\uFE0F?[\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic}))[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** A new global matcher for the hidden characters (each caller gets its own `lastIndex`). */
export const hiddenCharacterPattern = (): RegExp => new RegExp(HiddenCharacter);

/** `U+202E` for a character (its first code point). */
export const codePointLabel = (char: string): string =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The hidden characters in `text`, each once, in the order they first appear: `['U+202E', 'U+200B']`. */
export function hiddenCharactersIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(hiddenCharacterPattern()), (match) => codePointLabel(match[0])))];
}

/** Whether an item's text carries hidden characters, by its record or by its text. */
export const carriesHiddenCharacters = (item: Pick<CardItem, 'text' | 'hiddenCharacters'>): boolean =>
  (item.hiddenCharacters?.length ?? 0) > 0 || hiddenCharacterPattern().test(item.text);

/** The item with its hidden characters recorded, when it has any. */
const recordHidden = (item: CardItem): CardItem => {
  const hidden = hiddenCharactersIn(item.text);
  return hidden.length > 0 ? { ...item, hiddenCharacters: hidden } : item;
};

// ───────────────────────────── Items from an agent reply ─────────────────────────────

/** Longest text we keep for a tool call or approval shown on a card (a command is never cut: it is echoed). */
export const ItemTextLimit = 2000;

const clip = (text: string, limit = ItemTextLimit): string =>
  text.length > limit ? `${text.slice(0, limit - 1)}…` : text;

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

const jsonOf = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Wire JSON has no cycles or BigInts; this only guards against a caller handing us something odd.
    return String(value);
  }
};

const textField = (raw: Readonly<Record<string, unknown>>, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const value = raw[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
};

/** `name {json input}` for anything shaped like a tool call (dcaf ToolCall: id, name, input, intent, ...). */
const toolCallLine = (raw: Readonly<Record<string, unknown>>): string | undefined => {
  const name = textField(raw, 'name', 'tool_name', 'tool');
  if (name === undefined) return undefined;
  const input = raw.input ?? raw.arguments ?? raw.args;
  return clip(input === undefined ? oneLine(name) : `${oneLine(name)} ${jsonOf(input)}`);
};

const describedBy = (raw: Readonly<Record<string, unknown>>, ...keys: string[]): { readonly description?: string } => {
  const description = textField(raw, ...keys);
  return description === undefined ? {} : { description: clip(description.trim()) };
};

const commandItem = (cmd: ProposedCommand): CardItem => ({
  kind: 'cmd',
  // Never trimmed or cut: the echo must repeat the agent's command exactly.
  text: cmd.command,
  ...(cmd.description !== undefined && cmd.description.trim() !== '' ? { description: cmd.description.trim() } : {}),
  raw: { ...cmd },
});

const toolCallItem = (raw: Readonly<Record<string, unknown>>): CardItem => ({
  kind: 'tool_call',
  text: toolCallLine(raw) ?? clip(jsonOf(raw)),
  ...describedBy(raw, 'intent', 'tool_description', 'description'),
  raw,
});

// The portal's `approvals` shape is not public (docs/duplocloud-api.md §6): show a command or tool call when it looks like one,
// else its own words, else its JSON.
const approvalItem = (raw: Readonly<Record<string, unknown>>): CardItem => {
  const command = textField(raw, 'command');
  const text =
    command ??
    toolCallLine(raw) ??
    (() => {
      const words = textField(raw, 'description', 'message', 'text', 'title', 'summary');
      return words === undefined ? clip(jsonOf(raw)) : clip(oneLine(words));
    })();
  const describedAlready = command === undefined && textField(raw, 'name', 'tool_name', 'tool') === undefined;
  return {
    kind: 'approval',
    text,
    ...(describedAlready ? {} : describedBy(raw, 'description', 'intent', 'reason')),
    raw,
  };
};

/**
 * What a card shows for an agent reply, in the reply's order: proposed commands (execute:false; an agent echoing
 * an already-approved command is not asking), then tool calls, then approvals. Empty when nothing needs a decision.
 */
export function cardItemsFrom(data: MessageData): CardItem[] {
  return [
    ...data.cmds.filter((cmd) => !cmd.execute).map(commandItem),
    ...data.tool_calls.map(toolCallItem),
    ...data.approvals.map(approvalItem),
  ].map(recordHidden);
}

// ───────────────────────────── Decisions ─────────────────────────────

export interface DecisionSummary {
  readonly approved: number;
  readonly rejected: number;
  readonly ignored: number;
  readonly undecided: number;
}

export const DefaultRejectionReason = 'Rejected in Slack';

const choiceFor = (choices: Readonly<Record<string, CardChoice>>, index: number): CardChoice | undefined =>
  Object.hasOwn(choices, String(index)) ? choices[String(index)] : undefined;

const isDecision = (value: unknown): value is Decision => (Decisions as readonly unknown[]).includes(value);

/**
 * The choices a Submit acts on: those recorded per click win; `supplied` (read from the Slack message state) fills
 * the rest. Keys that name no item, or values that are not a decision, are dropped.
 */
export function mergeChoices(
  card: Pick<CommandCard, 'items' | 'choices'>,
  supplied: Readonly<Record<string, CardChoice>> = {},
): Record<string, CardChoice> {
  const merged: Record<string, CardChoice> = {};
  card.items.forEach((_item, index) => {
    const choice = choiceFor(card.choices, index) ?? choiceFor(supplied, index);
    if (choice && isDecision(choice.decision)) merged[String(index)] = choice;
  });
  return merged;
}

export function summarizeDecisions(
  card: Pick<CommandCard, 'items'>,
  choices: Readonly<Record<string, CardChoice>>,
): DecisionSummary {
  const counts = { approved: 0, rejected: 0, ignored: 0, undecided: 0 };
  card.items.forEach((_item, index) => {
    const decision = choiceFor(choices, index)?.decision;
    if (decision === 'approve') counts.approved++;
    else if (decision === 'reject') counts.rejected++;
    else if (decision === 'ignore') counts.ignored++;
    else counts.undecided++;
  });
  return counts;
}

/** A short outcome line, e.g. "1 approved, 1 rejected" or "2 approved, 0 rejected, 1 not answered". */
export function describeDecisions(summary: DecisionSummary): string {
  const unanswered = summary.ignored + summary.undecided;
  const base = `${summary.approved} approved, ${summary.rejected} rejected`;
  return unanswered > 0 ? `${base}, ${unanswered} not answered` : base;
}

/**
 * What a card's decision buttons (and the Reject reason modal) carry of the command they stand for: a digest of the
 * full stored text, hidden characters and all, however little of it the card shows.
 */
export const commandDigest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * The item a clicked message stood for. `shown` is the digest the message carried (commandDigest of the text it was
 * drawn from): when it is not the digest of the stored command, the message shows an older card or a forged payload,
 * and the click is refused (card.stale_command) rather than decide on a command nobody saw.
 */
export function checkShown(
  card: CommandCard,
  { index, shown }: { readonly index: number; readonly shown: string },
): CardItem {
  const item = Number.isInteger(index) && index >= 0 ? card.items[index] : undefined;
  if (!item) {
    throw new DomainError('card.not_found', `Card ${card.id} has no item ${index}`, { cardId: card.id, index });
  }
  if (commandDigest(item.text) !== shown) {
    throw new DomainError('card.stale_command', `Item ${index} of card ${card.id} is not the command shown`, {
      cardId: card.id,
      index,
    });
  }
  return item;
}

/**
 * Refuses a click on one item. Each decision is bound to the exact command shown (checkShown): a message showing an
 * older card (or a forged payload) cannot approve something else. An approval of an item with hidden characters is
 * refused (card.hidden_characters) when the caller says the decision; checkSubmit refuses it in any case, so it
 * never runs. Returns the item.
 */
export function checkDecision(
  card: CommandCard,
  {
    index,
    shown,
    decision,
    now,
  }: { readonly index: number; readonly shown: string; readonly decision?: Decision; readonly now: Date },
): CardItem {
  const item = checkShown(card, { index, shown });
  checkStillOpen(card, now);
  if (decision === 'approve') refuseHidden(card, item, index);
  return item;
}

const refuseHidden = (card: CommandCard, item: CardItem, index: number): void => {
  if (!carriesHiddenCharacters(item)) return;
  const hidden = item.hiddenCharacters ?? hiddenCharactersIn(item.text);
  throw new DomainError('card.hidden_characters', `Item ${index} of card ${card.id} carries hidden characters`, {
    cardId: card.id,
    index,
    characters: hidden.join(' '),
  });
};

/**
 * Refuses a Submit that cannot act: not pending, past expiry, an approval of an item with hidden characters
 * (however it was recorded), or nothing approved or rejected.
 */
export function checkSubmit(
  card: CommandCard,
  { now, choices }: { readonly now: Date; readonly choices: Readonly<Record<string, CardChoice>> },
): void {
  checkStillOpen(card, now);
  card.items.forEach((item, index) => {
    if (choiceFor(choices, index)?.decision === 'approve') refuseHidden(card, item, index);
  });
  const summary = summarizeDecisions(card, choices);
  // Ignore leaves a command unanswered, so a Submit of only ignores would send the agent nothing.
  if (summary.approved + summary.rejected === 0) {
    throw new DomainError('card.no_decisions', `Nothing on card ${card.id} is approved or rejected`, {
      cardId: card.id,
    });
  }
}

/** The outcome of a card retired because Update Context changed its ticket or identity before it was submitted. */
export const SupersededOutcome = 'superseded';

/**
 * Refuses a card that no longer takes decisions, saying why: retired by Update Context, expired (whether or not the
 * sweep has marked it yet), or already submitted.
 */
export function checkStillOpen(card: CommandCard, now: Date): void {
  if (card.status === 'expired' && card.outcome === SupersededOutcome) {
    throw new DomainError('card.superseded', `Card ${card.id} was proposed in an earlier context`, { cardId: card.id });
  }
  if (card.status === 'expired' || (card.status === 'pending' && isPastExpiry(card, now))) {
    throw new DomainError('card.expired', `Card ${card.id} expired`, { cardId: card.id });
  }
  if (card.status !== 'pending') {
    throw new DomainError('card.already_submitted', `Card ${card.id} is ${card.status}`, {
      cardId: card.id,
      status: card.status,
    });
  }
}

type EchoItem = Readonly<Record<string, unknown>> & { readonly execute: boolean };

const echoItem = (item: CardItem, choice: CardChoice): EchoItem | undefined => {
  // A stale rejection_reason from the agent must not ride along with an approval.
  const { rejection_reason: _stale, ...raw } = item.raw;
  const base = item.kind === 'cmd' ? { ...raw, command: item.text } : raw;
  if (choice.decision === 'approve') return { ...base, execute: true };
  if (choice.decision === 'reject') {
    const reason = choice.reason?.trim();
    return { ...base, execute: false, rejection_reason: reason || DefaultRejectionReason };
  }
  return undefined;
};

const commands = (count: number): string => `${count} command${count === 1 ? '' : 's'}`;

/**
 * The words of the user message that answers a card, as DuploCloud's own clients write them
 * (docs/duplocloud-api.md §6): "I approve 1 command and reject 2 commands."
 */
export function echoWords(summary: Pick<DecisionSummary, 'approved' | 'rejected'>): string {
  const parts = [
    ...(summary.approved > 0 ? [`approve ${commands(summary.approved)}`] : []),
    ...(summary.rejected > 0 ? [`reject ${commands(summary.rejected)}`] : []),
  ];
  return parts.length === 0 ? '' : `I ${parts.join(' and ')}.`;
}

/**
 * The `data` of the user message that answers a card (docs/duplocloud-api.md §6): each approved item with execute:true, each
 * rejected one with execute:false and a rejection_reason; ignored and undecided items are left out (unanswered).
 * Only non-empty arrays are present.
 */
export function approvalEcho(
  card: Pick<CommandCard, 'items'>,
  choices: Readonly<Record<string, CardChoice>>,
): Partial<MessageData> {
  const cmds: ProposedCommand[] = [];
  const toolCalls: EchoItem[] = [];
  const approvals: EchoItem[] = [];
  card.items.forEach((item, index) => {
    const choice = choiceFor(choices, index);
    const echoed = choice && echoItem(item, choice);
    if (!echoed) return;
    // A cmd item's raw is the agent's ProposedCommand and `command` was set from the item above.
    if (item.kind === 'cmd') cmds.push(echoed as EchoItem & ProposedCommand);
    else if (item.kind === 'tool_call') toolCalls.push(echoed);
    else approvals.push(echoed);
  });
  return {
    ...(cmds.length > 0 ? { cmds } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(approvals.length > 0 ? { approvals } : {}),
  };
}
