import type { PortalStatus } from '../blocks/app-home.js';
import {
  buildHelpdeskHelp,
  buildHelpdeskStatus,
  buildHelpdeskTickets,
  CommandTicketLimit,
} from '../blocks/helpdesk-command.js';
import type { MessageContent } from '../blocks/message.js';
import { buildNotice } from '../blocks/notice.js';
import { channelDefaultsAnswer } from '../flows/channel-defaults-form.js';
import type { SlackDeps } from '../flows/deps.js';
import { loadOpenTickets } from '../flows/open-tickets.js';
import { openTicketFormHere } from '../flows/ticket-here.js';
import { parseHelpdeskCommand } from '../parse/slash-command.js';
import type { CommandArgs } from './types.js';

/**
 * `/helpdesk <subcommand>`: acked at once (Slack waits 3 s), then answered through the command's response_url as an
 * ephemeral message, which only the caller sees and which works in channels the bot is not in. `new` opens Create
 * Ticket on the command's trigger instead.
 */
export async function onHelpdeskCommand(deps: SlackDeps, { ack, body, respond, client, context }: CommandArgs) {
  await ack();
  const log = context.log ?? deps.logger;
  const command = parseHelpdeskCommand(body);
  if (!command) {
    log.warn('slash command without the fields we need: ignored');
    return;
  }
  const answer = async (content: MessageContent) => {
    try {
      await respond({ response_type: 'ephemeral', text: content.text, blocks: content.blocks });
    } catch (error) {
      log.warn({ err: error, subcommand: command.subcommand }, '/helpdesk: the answer could not be posted');
    }
  };
  const channel = { teamId: deps.identity.teamId, channelId: command.channelId };
  switch (command.subcommand) {
    case 'help':
      return answer(buildHelpdeskHelp(command.unknown));
    case 'tickets': {
      const open = await loadOpenTickets(deps, log, command.userId, CommandTicketLimit);
      return answer(buildHelpdeskTickets(open.tickets, open.mayHaveMore));
    }
    case 'status': {
      const portals = await deps.portalStatus().catch((error: unknown): PortalStatus[] => {
        log.error({ err: error }, '/helpdesk status: could not check the portals');
        return deps.portals.list().map((portal) => ({ name: portal.name, ok: false, reason: 'status unknown' }));
      });
      return answer(buildHelpdeskStatus(portals));
    }
    case 'defaults': {
      const defaults = await deps.channelDefaults.get(channel).catch((error: unknown) => {
        log.error({ err: error }, '/helpdesk defaults: could not read them');
        return undefined;
      });
      if (defaults === undefined) {
        return answer(buildNotice('This channel’s defaults could not be read just now. Try again in a moment.'));
      }
      return answer(channelDefaultsAnswer(deps, command.channelId, defaults));
    }
    case 'new':
      return openTicketFormHere(
        deps,
        client,
        log,
        { channelId: command.channelId, userId: command.userId, triggerId: command.triggerId, request: command.rest },
        answer,
      );
  }
}
