import type { KnownBlock } from '@slack/types';
import {
  type CardChoice,
  type CardItem,
  type CommandCard,
  carriesHiddenCharacters,
  commandDigest,
  SupersededOutcome,
} from '../../domain/command-card.js';
import { describePermissions, type HelpdeskApi } from '../../domain/helpdesk.js';
import { codeBlockToFit, escapeToFit, fitEscaped, revealHiddenCharacters, shareBudget } from '../text/index.js';
import { ActionId } from './ids.js';
import { blocksTextLength, clip, type MessageContent, mrkdwn, plainText, SectionTextMax } from './message.js';

/** Items a card shows: 2 blocks each, within Slack's 50 blocks per message with room for the header and Submit. */
export const CardItemLimit = 20;

/** What each decision button carries: the card, the item, and a digest of the full stored command, however shown. */
export interface DecisionValue {
  readonly cardId: string;
  readonly index: number;
  readonly digest: string;
}

export { commandDigest };

export interface CommandCardInput {
  readonly card: Pick<CommandCard, 'id' | 'items' | 'choices' | 'status' | 'permissions' | 'submittedBy' | 'outcome'>;
  readonly agentName: string;
  /** The tenant or workspace the commands run in. */
  readonly spaceName: string;
  readonly portal: string;
  /** Which HelpDesk: the commands run as an identity (tenant) or with scopes (workspace). */
  readonly api: HelpdeskApi;
  /** Redacts what is shown (a proposed command can carry a secret); decisions stay bound to the stored text. */
  readonly redact: (text: string) => string;
}

const kindLabel: Record<CardItem['kind'], string> = { cmd: 'Command', tool_call: 'Tool call', approval: 'Approval' };
const kindNoun: Record<CardItem['kind'], string> = { cmd: 'command', tool_call: 'tool call', approval: 'approval' };

/**
 * Text the card's blocks may carry in all. Slack refuses a message at about 12,000 characters of block text plus
 * an undocumented allowance for the blocks themselves (`msg_blocks_too_long`: bolt-js#2509; #2867 saw a refusal at
 * 11,341 characters in many blocks). A full card has 44 blocks and 61 buttons, so it stays well under.
 */
export const CardTextBudget = 10_000;

/** Shown at most; the stored text (and what the portal gets) is whole. */
const DescriptionChars = 500;
const ReasonChars = 500;
/** Anything else untrusted on the card: names, identities, outcomes. */
const NameChars = 200;

const short = (text: string, max = NameChars): string => escapeToFit(text, max).text;

/** One item's section, in pieces: everything but the command is escaped already. */
interface ItemParts {
  readonly label: string;
  readonly description: string;
  /** Redacted, its hidden characters revealed, not escaped: codeBlockToFit escapes it. */
  readonly command: string;
  readonly note: string;
  /** Why the item cannot be approved (it carries hidden characters); empty when it can. */
  readonly warning: string;
  readonly status: string;
  readonly reason: string;
}

const statusOf = (choice: CardChoice | undefined, hidden: boolean): { status: string; reason: string } => {
  if (!choice) return { status: '_Not decided yet_', reason: '' };
  if (choice.decision === 'approve') {
    // Only a forged click or an older card's button can record it, and Submit refuses it: say so.
    return hidden
      ? {
          status: `:no_entry_sign: <@${choice.by}> chose Approve, which is refused (hidden characters): Reject or Ignore it to submit the rest`,
          reason: '',
        }
      : { status: `:white_check_mark: Approved by <@${choice.by}>`, reason: '' };
  }
  if (choice.decision === 'ignore') return { status: `:heavy_minus_sign: Ignored by <@${choice.by}>`, reason: '' };
  const reason = choice.reason ? short(revealHiddenCharacters(choice.reason), ReasonChars) : '';
  return { status: `:x: Rejected by <@${choice.by}>`, reason };
};

const itemParts = (input: CommandCardInput, item: CardItem, index: number): ItemParts => {
  const redacted = input.redact(item.text);
  const characters = Array.from(redacted).length.toLocaleString('en-US');
  const hidden = carriesHiddenCharacters(item);
  return {
    label: `*${kindLabel[item.kind]} ${index + 1}*`,
    // Redacted before it is cut: a cut secret no longer looks like one.
    description: item.description
      ? short(revealHiddenCharacters(input.redact(item.description)), DescriptionChars)
      : '',
    command: revealHiddenCharacters(redacted),
    note: `_Shown shortened: the full ${kindNoun[item.kind]} (${characters} characters) is in the AI HelpDesk._`,
    warning: hidden
      ? `:no_entry_sign: *Cannot be approved:* this ${kindNoun[item.kind]} carries characters that do not show as what they are (marked ⟦U+…⟧), so what you read may not be what runs.`
      : '',
    ...statusOf(input.card.choices[String(index)], hidden),
  };
};

/**
 * The label, description, code block, note, warning and status, a line each; an empty description, note or
 * warning takes no line.
 */
const composeItem = (parts: ItemParts, description: string, block: string, note: string, reason: string): string => {
  const status = reason ? `${parts.status}: ${reason}` : parts.status;
  return [parts.label, description, block, note, parts.warning, status]
    .filter((line, index) => index === 2 || line !== '')
    .join('\n');
};

/** The smallest code block that still shows something (fences, one character and the ellipsis). */
const MinCodeBlock = 10;

/**
 * An item's section in at most `max` characters (at least ~150: the label, status and note always show). When all
 * of it does not fit, the command's code block gets at least half of the room the rest leaves, and the description
 * and the reason share the other half; a shortened command says so, and where to read it whole.
 */
function itemText(parts: ItemParts, max: number): string {
  const whole = codeBlockToFit(parts.command, SectionTextMax);
  const full = composeItem(parts, parts.description, whole.text, whole.cut ? parts.note : '', parts.reason);
  if (full.length <= max) return full;
  const shorten = (note: string): { text: string; cut: boolean } => {
    const variable = parts.description.length + parts.reason.length;
    const room = max - (composeItem(parts, parts.description, '', note, parts.reason).length - variable);
    const blockFirst = Math.min(whole.text.length, Math.max(Math.ceil(room / 2), room - variable));
    const [description = 0, reason = 0] = shareBudget(
      [parts.description.length, parts.reason.length],
      room - blockFirst,
    );
    const block = codeBlockToFit(parts.command, Math.max(MinCodeBlock, room - description - reason));
    const text = composeItem(
      parts,
      fitEscaped(parts.description, description).text,
      block.text,
      note,
      fitEscaped(parts.reason, reason).text,
    );
    return { text, cut: block.cut };
  };
  if (!whole.cut) {
    // The command may still show whole when only the description or reason is cut: then it needs no note.
    const attempt = shorten('');
    if (!attempt.cut) return attempt.text;
  }
  return shorten(parts.note).text;
}

/** "as dev-deployer" or "with scopes full-access, read-only", each value shown by `show`. */
const runsAs = (input: CommandCardInput, show: (text: string) => string): string =>
  input.api === 'tenant'
    ? `as ${show(describePermissions(input.card.permissions))}`
    : `with scopes ${show(describePermissions(input.card.permissions))}`;

const footer = (input: CommandCardInput): string => {
  const { card } = input;
  const by = card.submittedBy ? ` by <@${card.submittedBy}>` : '';
  const as = runsAs(input, (text) => `*${short(text)}*`);
  switch (card.status) {
    case 'pending':
      return `Runs ${as} in *${short(input.spaceName)}* (${short(input.portal)}). Decide each one, then Submit.`;
    case 'submitted':
      return `:hourglass_flowing_sand: Submitted${by}; approved commands are running ${as}…`;
    case 'executed':
      return `:white_check_mark: Submitted${by}: ${short(card.outcome ?? 'done')}. Ran ${as}.`;
    case 'failed':
      return `:warning: Submitted${by}, but it failed (${short(card.outcome ?? 'unknown')}). Nothing more will run from this card.`;
    case 'expired':
      return card.outcome === SupersededOutcome
        ? ':arrows_counterclockwise: Not run: the ticket’s context (where it lives, or its permissions) was superseded by *Update Context* after these commands were proposed. Ask the agent again.'
        : ':hourglass: These commands expired before anyone submitted them. Ask the agent again.';
  }
};

const decisionRow = (cardId: string, item: CardItem, index: number): KnownBlock => {
  // Bound to the full stored command (hidden characters and all), whatever the card shows of it.
  const value = JSON.stringify({ cardId, index, digest: commandDigest(item.text) } satisfies DecisionValue);
  const approve = {
    type: 'button' as const,
    action_id: ActionId.Approve,
    text: plainText('Approve'),
    style: 'primary' as const,
    value,
  };
  return {
    type: 'actions',
    block_id: `cmd.${index}.decide`,
    elements: [
      // An item with hidden characters cannot be approved: it offers no Approve at all.
      ...(carriesHiddenCharacters(item) ? [] : [approve]),
      { type: 'button', action_id: ActionId.Reject, text: plainText('Reject'), style: 'danger', value },
      { type: 'button', action_id: ActionId.Ignore, text: plainText('Ignore'), value },
    ],
  };
};

const submitRow = (input: CommandCardInput): KnownBlock => ({
  type: 'actions',
  block_id: 'cmd.submit',
  elements: [
    {
      type: 'button',
      action_id: ActionId.Submit,
      text: plainText('Submit'),
      style: 'primary',
      value: input.card.id,
      confirm: {
        title: plainText('Submit your decisions?'),
        text: plainText(
          clip(
            `Approved commands run in ${input.spaceName} ${runsAs(input, (text) => text)}. Rejected ones go back to the agent.`,
            300,
          ),
        ),
        confirm: plainText('Submit'),
        deny: plainText('Not yet'),
      },
    },
  ],
});

/**
 * The command card: each proposed command as code with Approve / Reject / Ignore, and one Submit. Once the card
 * leaves `pending` it shows who decided what, as whom, and no buttons at all.
 *
 * Every section fits Slack's section limit and the whole card its limit on block text (CardTextBudget): long
 * commands share the room left by everything else, and one shown shortened says where to read it whole. The
 * decision buttons stay bound to the digest of the full stored command, whatever is shown. Hidden characters in a
 * command, its description or a reason are shown as `⟦U+202E⟧`; an item whose text carries any says it cannot be
 * approved and offers Reject and Ignore only.
 */
export function buildCommandCard(input: CommandCardInput): MessageContent {
  const { card } = input;
  const pending = card.status === 'pending';
  const shown = card.items.slice(0, CardItemLimit);
  const header: KnownBlock = {
    type: 'section',
    text: mrkdwn(
      `*${short(input.agentName)}* proposes ${card.items.length === 1 ? 'a command' : `${card.items.length} commands`} for your approval.`,
    ),
  };
  const rows = pending ? shown.map((item, index) => decisionRow(card.id, item, index)) : [];
  const tail: KnownBlock[] = [];
  if (card.items.length > shown.length) {
    tail.push({
      type: 'context',
      elements: [
        mrkdwn(
          `${card.items.length - shown.length} more are not shown here and stay unanswered. Open the AI HelpDesk to review them.`,
        ),
      ],
    });
  }
  tail.push({ type: 'context', elements: [mrkdwn(footer(input))] });
  if (pending) tail.push(submitRow(input));

  const parts = shown.map((item, index) => itemParts(input, item, index));
  const room = CardTextBudget - blocksTextLength([header, ...rows, ...tail]);
  const shares = shareBudget(
    parts.map((item) => itemText(item, SectionTextMax).length),
    room,
  );
  const blocks: KnownBlock[] = [header];
  parts.forEach((item, index) => {
    const text = itemText(item, Math.min(SectionTextMax, shares[index] ?? 0));
    blocks.push({ type: 'section', block_id: `cmd.${index}`, text: mrkdwn(text) });
    const row = rows[index];
    if (row) blocks.push(row);
  });
  blocks.push(...tail);
  const commands = card.items.map((item) => revealHiddenCharacters(input.redact(item.text))).join('; ');
  return {
    // The notification text is mrkdwn too: escaped like everything untrusted.
    text: `${short(input.agentName)} proposes ${card.items.length} command(s): ${escapeToFit(commands, 200).text}`,
    blocks,
  };
}
