import { createHash } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { CardChoice, CardItem, CommandCard } from '../../domain/command-card.js';
import { ActionId } from '../ids.js';
import { codeBlock, escapeMrkdwn } from '../text/index.js';
import { clip, type MessageContent, mrkdwn, plainText } from './message.js';

/** Items a card shows: 2 blocks each, within Slack's 50 blocks per message with room for the header and Submit. */
export const CardItemLimit = 20;

/** What each decision button carries: the card, the item, and a digest of the exact command text shown. */
export interface DecisionValue {
  readonly cardId: string;
  readonly index: number;
  readonly digest: string;
}

export const commandDigest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

export interface CommandCardInput {
  readonly card: Pick<CommandCard, 'id' | 'items' | 'choices' | 'status' | 'identity' | 'submittedBy' | 'outcome'>;
  readonly agentName: string;
  readonly tenantName: string;
  readonly portal: string;
  /** Redacts what is shown (a proposed command can carry a secret); decisions stay bound to the stored text. */
  readonly redact: (text: string) => string;
}

const kindLabel: Record<CardItem['kind'], string> = { cmd: 'Command', tool_call: 'Tool call', approval: 'Approval' };

const statusLine = (choice: CardChoice | undefined): string => {
  if (!choice) return '_Not decided yet_';
  if (choice.decision === 'approve') return `:white_check_mark: Approved by <@${choice.by}>`;
  if (choice.decision === 'ignore') return `:heavy_minus_sign: Ignored by <@${choice.by}>`;
  const reason = choice.reason ? `: ${escapeMrkdwn(clip(choice.reason, 500))}` : '';
  return `:x: Rejected by <@${choice.by}>${reason}`;
};

const footer = (input: CommandCardInput): string => {
  const { card } = input;
  const by = card.submittedBy ? ` by <@${card.submittedBy}>` : '';
  switch (card.status) {
    case 'pending':
      return `Runs as *${escapeMrkdwn(card.identity)}* in *${escapeMrkdwn(input.tenantName)}* (${escapeMrkdwn(input.portal)}). Decide each one, then Submit.`;
    case 'submitted':
      return `:hourglass_flowing_sand: Submitted${by}; approved commands are running as *${escapeMrkdwn(card.identity)}*…`;
    case 'executed':
      return `:white_check_mark: Submitted${by}: ${escapeMrkdwn(card.outcome ?? 'done')}. Ran as *${escapeMrkdwn(card.identity)}*.`;
    case 'failed':
      return `:warning: Submitted${by}, but it failed (${escapeMrkdwn(card.outcome ?? 'unknown')}). Nothing more will run from this card.`;
    case 'expired':
      return ':hourglass: These commands expired before anyone submitted them. Ask the agent again.';
  }
};

/**
 * The command card: each proposed command as code with Approve / Reject / Ignore, and one Submit. Once the card
 * leaves `pending` it shows who decided what, as whom, and no buttons at all.
 */
export function buildCommandCard(input: CommandCardInput): MessageContent {
  const { card } = input;
  const pending = card.status === 'pending';
  const shown = card.items.slice(0, CardItemLimit);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        `*${escapeMrkdwn(input.agentName)}* proposes ${card.items.length === 1 ? 'a command' : `${card.items.length} commands`} for your approval.`,
      ),
    },
  ];
  shown.forEach((item, index) => {
    const choice = card.choices[String(index)];
    // Redacted before it is clipped: a clipped secret no longer looks like one.
    const description = item.description ? `\n${escapeMrkdwn(clip(input.redact(item.description), 500))}` : '';
    const text = `*${kindLabel[item.kind]} ${index + 1}*${description}\n${codeBlock(clip(input.redact(item.text), 2400))}\n${statusLine(choice)}`;
    blocks.push({ type: 'section', block_id: `cmd.${index}`, text: mrkdwn(text) });
    if (pending) {
      const value = JSON.stringify({
        cardId: card.id,
        index,
        digest: commandDigest(item.text),
      } satisfies DecisionValue);
      blocks.push({
        type: 'actions',
        block_id: `cmd.${index}.decide`,
        elements: [
          { type: 'button', action_id: ActionId.Approve, text: plainText('Approve'), style: 'primary', value },
          { type: 'button', action_id: ActionId.Reject, text: plainText('Reject'), style: 'danger', value },
          { type: 'button', action_id: ActionId.Ignore, text: plainText('Ignore'), value },
        ],
      });
    }
  });
  if (card.items.length > shown.length) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `${card.items.length - shown.length} more are not shown here and stay unanswered. Open the AI HelpDesk to review them.`,
        ),
      ],
    });
  }
  blocks.push({ type: 'context', elements: [mrkdwn(footer(input))] });
  if (pending) {
    blocks.push({
      type: 'actions',
      block_id: 'cmd.submit',
      elements: [
        {
          type: 'button',
          action_id: ActionId.Submit,
          text: plainText('Submit'),
          style: 'primary',
          value: card.id,
          confirm: {
            title: plainText('Submit your decisions?'),
            text: plainText(
              clip(
                `Approved commands run in ${input.tenantName} as ${card.identity}. Rejected ones go back to the agent.`,
                300,
              ),
            ),
            confirm: plainText('Submit'),
            deny: plainText('Not yet'),
          },
        },
      ],
    });
  }
  return {
    // The notification text is mrkdwn too: escaped like everything untrusted.
    text: escapeMrkdwn(
      `${input.agentName} proposes ${card.items.length} command(s): ${clip(card.items.map((item) => input.redact(item.text)).join('; '), 200)}`,
    ),
    blocks,
  };
}
