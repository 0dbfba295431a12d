import type { KnownBlock } from '@slack/types';
import type { ChannelDefaults } from '../../domain/channel-defaults.js';
import { describePermissions } from '../../domain/helpdesk.js';
import { wellFormedDeep } from '../../well-formed.js';
import { escapeMrkdwn } from '../text/index.js';
import { helpdeskLabels } from './helpdesk-labels.js';
import { ActionId } from './ids.js';
import { clip, type MessageContent, mrkdwn, plainText } from './message.js';

/** A channel's defaults on one line, names escaped: `*acme* › tenant *dev* · agent *…* · default permissions *…*`. */
export function describeChannelDefaults(defaults: ChannelDefaults): string {
  const labels = helpdeskLabels(defaults.api);
  const name = (value: string) => `*${escapeMrkdwn(clip(value, 100))}*`;
  return [
    `${name(defaults.portal)} › ${labels.space.toLowerCase()} ${name(defaults.spaceName)}`,
    `agent ${name(defaults.agentName)}`,
    `${labels.createPermissions.toLowerCase()} ${name(describePermissions(defaults.permissions))}`,
  ].join(' · ');
}

/** What the operator configured Create Ticket to preselect where a channel has no defaults, per portal. */
export interface OperatorDefaults {
  readonly portal: string;
  readonly space: string | null;
  readonly agent: string | null;
}

const dateToken = (at: Date): string =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty}|${at.toISOString().slice(0, 10)}>`;

/**
 * `/helpdesk defaults`: the channel's defaults (who set them, when), or that it has none and what the operator's
 * defaults are, with a button to change them. Only the caller sees it.
 */
export function buildChannelDefaultsMessage(input: {
  readonly channelId: string;
  readonly defaults: ChannelDefaults | null;
  readonly operator: readonly OperatorDefaults[];
}): MessageContent {
  const { channelId, defaults } = input;
  const here = `<#${channelId}>`;
  const operator = input.operator
    .filter((entry) => entry.space || entry.agent)
    .map(
      (entry) =>
        `• *${escapeMrkdwn(entry.portal)}*: ${[
          entry.space ? `space *${escapeMrkdwn(entry.space)}*` : null,
          entry.agent ? `agent *${escapeMrkdwn(entry.agent)}*` : null,
        ]
          .filter(Boolean)
          .join(' · ')}`,
    );
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        defaults
          ? `*Create Ticket defaults in ${here}*\n${describeChannelDefaults(defaults)}`
          : `*${here} has no Create Ticket defaults.*`,
      ),
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          defaults
            ? `Set by <@${defaults.setBy}> ${dateToken(defaults.setAt)}. Create Ticket preselects them; each is checked again for whoever creates a ticket.`
            : operator.length > 0
              ? `Create Ticket preselects the operator's defaults:\n${operator.join('\n')}`
              : 'Create Ticket preselects nothing here.',
        ),
      ],
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ActionId.ChangeChannelDefaults,
          text: plainText(defaults ? 'Change defaults' : 'Set defaults'),
          value: channelId,
        },
        ...(defaults
          ? [
              {
                type: 'button' as const,
                action_id: ActionId.ClearChannelDefaults,
                text: plainText('Clear defaults'),
                style: 'danger' as const,
                value: channelId,
                confirm: {
                  title: plainText('Clear the defaults?'),
                  text: plainText('Create Ticket here will start from the operator’s defaults, or from nothing.'),
                  confirm: plainText('Clear'),
                  deny: plainText('Keep them'),
                },
              },
            ]
          : []),
      ],
    },
    {
      type: 'context',
      elements: [
        mrkdwn('Anyone with write access to the chosen tenant (or an approver of a workspace HelpDesk) may set them.'),
      ],
    },
  ];
  return wellFormedDeep({
    text: defaults ? `Create Ticket defaults in ${here}` : `${here} has no Create Ticket defaults`,
    blocks,
  });
}

/** The channel defaults modal after Save: what was kept. */
export function buildChannelDefaultsSaved(defaults: ChannelDefaults) {
  return wellFormedDeep({
    type: 'modal' as const,
    title: plainText('Channel defaults'),
    close: plainText('Done'),
    blocks: [
      {
        type: 'section' as const,
        text: mrkdwn(
          `:white_check_mark: Create Ticket in <#${defaults.channel.channelId}> now starts from ${describeChannelDefaults(defaults)}.`,
        ),
      },
    ],
  });
}
