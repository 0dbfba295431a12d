import type { KnownBlock } from '@slack/types';
import type { HelpdeskApi } from '../../domain/helpdesk.js';
import { wellFormedDeep } from '../../well-formed.js';
import { escapeMrkdwn } from '../text/index.js';
import { type HomeTicket, type PortalStatus, ticketBlocks } from './app-home.js';
import { SlashCommand } from './ids.js';
import { blocksTextLength, clip, type MessageContent, mrkdwn } from './message.js';

/**
 * What an answer's blocks may carry in text: Slack refuses a message past about 12,000 characters
 * (`msg_blocks_too_long`, see message.ts), so answers stop short of it and say what they left out.
 */
const AnswerTextBudget = 10_000;

const command = SlashCommand.Helpdesk;

/** The subcommands, as `help` lists them. */
export const HelpdeskSubcommands = [
  ['help', 'what I do, and these commands'],
  ['tickets', 'your open tickets, as the app’s Home tab shows them'],
  ['new [what you need]', 'opens Create Ticket here; I start a thread for it in this channel'],
  ['status', 'the DuploCloud portals, their HelpDesk and whether I reach them'],
  ['defaults', 'what Create Ticket preselects in this channel, and a button to change it'],
] as const;

/** `/helpdesk help`, and the answer to anything it does not know (`unknown` is what was typed, shown escaped). */
export function buildHelpdeskHelp(unknown?: string): MessageContent {
  const lines = HelpdeskSubcommands.map(([name, what]) => `• \`${command} ${name}\`: ${what}`);
  const intro = unknown
    ? `I do not know \`${escapeMrkdwn(clip(unknown.replace(/`/g, "'"), 40))}\`. This is what I can do:`
    : 'I bring the DuploCloud AI HelpDesk into Slack threads: mention *@DuploCloud AI* in a thread and press *Create Ticket*, talk to the agent in the thread, and approve the commands it proposes.';
  return wellFormedDeep({
    text: unknown ? `Unknown ${command} command. Try ${command} help.` : `${command}: what I do`,
    blocks: [
      { type: 'section', text: mrkdwn(intro) },
      { type: 'section', text: mrkdwn(lines.join('\n')) },
      {
        type: 'context',
        elements: [mrkdwn(`Example: \`${command} new the dev pods keep restarting\`. Only you see these answers.`)],
      },
    ],
  });
}

const generationWords: Record<HelpdeskApi, string> = {
  tenant: 'tenant-scoped HelpDesk',
  workspace: 'workspace-scoped HelpDesk',
};

/** `/helpdesk status`: each portal, the HelpDesk it speaks (or that none was detected), and whether it answers. */
export function buildHelpdeskStatus(portals: readonly PortalStatus[]): MessageContent {
  const lines = portals.map((portal) => {
    const generation = portal.api ? generationWords[portal.api] : 'HelpDesk not detected';
    const reach = portal.ok
      ? '✅ reachable'
      : `⚠️ not reachable${portal.reason ? ` (${escapeMrkdwn(clip(portal.reason, 200))})` : ''}`;
    return `• *${escapeMrkdwn(clip(portal.name, 80))}*: ${generation} · ${reach}`;
  });
  const healthy = portals.filter((portal) => portal.ok).length;
  const summary = `${healthy} of ${portals.length} portal${portals.length === 1 ? '' : 's'} reachable`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(`*DuploCloud portals* · ${summary}`) }];
  // Ten portals a section keeps each text far below Slack's 3,000 characters.
  let shown = 0;
  for (let start = 0; start < lines.length; start += 10) {
    const section: KnownBlock = { type: 'section', text: mrkdwn(lines.slice(start, start + 10).join('\n')) };
    if (blocks.length >= 48 || blocksTextLength([...blocks, section]) > AnswerTextBudget) break;
    blocks.push(section);
    shown = Math.min(lines.length, start + 10);
  }
  if (lines.length === 0) blocks.push({ type: 'section', text: mrkdwn('No DuploCloud portal is configured.') });
  if (shown < lines.length) {
    blocks.push({ type: 'context', elements: [mrkdwn(`…and ${lines.length - shown} more: see \`/readyz\`.`)] });
  }
  return wellFormedDeep({ text: `DuploCloud portals: ${summary}`, blocks });
}

/** How many tickets `/helpdesk tickets` shows: a message takes at most 50 blocks, two per ticket. */
export const CommandTicketLimit = 20;

/** `/helpdesk tickets`: the person's open tickets, as App Home lists them. */
export function buildHelpdeskTickets(tickets: readonly HomeTicket[] | null, mayHaveMore: boolean): MessageContent {
  if (tickets === null) {
    return {
      text: 'Your tickets could not be loaded just now.',
      blocks: [
        {
          type: 'section',
          text: mrkdwn(':warning: Your tickets could not be loaded just now. Try again in a moment.'),
        },
      ],
    };
  }
  if (tickets.length === 0) {
    const none = `You have no open tickets. \`${command} new\` or *Create Ticket* on a mention starts one.`;
    return { text: 'You have no open tickets.', blocks: [{ type: 'section', text: mrkdwn(none) }] };
  }
  const listed: KnownBlock[] = [];
  let shown = 0;
  for (const ticket of tickets.slice(0, CommandTicketLimit)) {
    const blocks = ticketBlocks(ticket);
    if (blocksTextLength([...listed, ...blocks]) > AnswerTextBudget) break;
    listed.push(...blocks);
    shown += 1;
  }
  const more = mayHaveMore || tickets.length > shown;
  const count = `${shown}${more ? '+' : ''}`;
  return wellFormedDeep({
    text: `Your open tickets: ${count}`,
    blocks: [
      { type: 'section', text: mrkdwn(`*Your open tickets* (${count}, newest first)`) },
      ...listed,
      ...(more
        ? [{ type: 'context' as const, elements: [mrkdwn('Older ones are in their threads and on the Home tab.')] }]
        : []),
    ],
  });
}

/**
 * `/helpdesk new`: the message that starts the ticket's thread in the channel. The person's words are theirs, shown
 * escaped (never a mention or a link) after redaction by the caller.
 */
export function buildNewTicketThread(userId: string, request: string): MessageContent {
  const quoted = quote(request);
  return wellFormedDeep({
    text: `<@${userId}> is creating a HelpDesk ticket`,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(`:ticket: <@${userId}> is creating a HelpDesk ticket with \`${command} new\`.${quoted}`),
      },
      { type: 'context', elements: [mrkdwn('The ticket and the agent’s replies will be in this thread.')] },
    ],
  });
}

/** The same message once its Create Ticket was cancelled: no ticket, and how to start again. */
export function buildNewTicketThreadCancelled(userId: string, request: string): MessageContent {
  return wellFormedDeep({
    text: `<@${userId}> cancelled Create Ticket`,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(`:heavy_minus_sign: <@${userId}> cancelled Create Ticket: no ticket was made.${quote(request)}`),
      },
      {
        type: 'context',
        elements: [mrkdwn(`Mention me in this thread to be offered Create Ticket again, or use \`${command} new\`.`)],
      },
    ],
  });
}

/** The person's request (already redacted), quoted and escaped. */
const quote = (request: string): string =>
  request ? `\n>${escapeMrkdwn(clip(request, 2_000)).replace(/\n/g, '\n>')}` : '';
