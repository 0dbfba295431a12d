import type {
  App,
  BlockAction,
  BlockSuggestion,
  MessageShortcut,
  ViewClosedAction,
  ViewSubmitAction,
} from '@slack/bolt';
import { ActionId, CallbackId, SlashCommand } from '../blocks/ids.js';
import type { SlackDeps } from '../flows/deps.js';
import { acknowledgeOnly } from './acknowledge.js';
import { onAppHomeOpened } from './app-home.js';
import { onAppMention } from './app-mention.js';
import { createAssistantPane } from './assistant-pane.js';
import { onChangeChannelDefaults } from './change-channel-defaults.js';
import { onChannelDefaultsSubmit } from './channel-defaults-submit.js';
import { onClearChannelDefaults } from './clear-channel-defaults.js';
import { onCreateTicketClosed } from './create-ticket-closed.js';
import { onCreateTicketShortcut } from './create-ticket-shortcut.js';
import { onCreateTicketSubmit } from './create-ticket-submit.js';
import { onDecideCommand } from './decide-command.js';
import { onDirectMessage } from './direct-message.js';
import { onFormSelect } from './form-select.js';
import { onHelpdeskCommand } from './helpdesk-command.js';
import { openCreateTicket } from './open-create-ticket.js';
import { onRejectReasonSubmit } from './reject-reason-submit.js';
import { onReopenTicket } from './reopen-ticket.js';
import { onSpaceOptions } from './space-options.js';
import { onSubmitCommands } from './submit-commands.js';
import { onThreadMessage } from './thread-message.js';
import { onTicketMenu } from './ticket-menu.js';
import { onUpdateContextSubmit } from './update-context-submit.js';

/** The routing table: every Slack surface the app answers, one listener file each. */
export function registerListeners(app: App, deps: SlackDeps): void {
  app.event('app_mention', (args) => onAppMention(deps, args));
  // Before the message listeners: it takes the person's messages in threads of their DM with the app (and the
  // assistant pane's events) and stops them there; everything else goes on.
  // Bolt's Assistant middleware reads `payload.type` of every request, and an interaction without its action (a
  // block_actions with no actions) has no payload: it would throw for the whole request. Only requests with a
  // payload reach it.
  const assistant = createAssistantPane(deps).getMiddleware();
  app.use((args) => (args.payload === undefined ? args.next() : assistant(args)));
  app.event('message', (args) => onThreadMessage(deps, args));
  app.event('message', (args) => onDirectMessage(deps, args));
  app.event('app_home_opened', (args) => onAppHomeOpened(deps, args));

  app.action<BlockAction>(ActionId.OpenCreateTicket, (args) => openCreateTicket(deps, args));
  app.action<BlockAction>(ActionId.SelectPortal, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.SelectTenant, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.SelectWorkspace, (args) => onFormSelect(deps, args));
  // Permissions dispatch on Update Context only (a change opens a new ticket: the form asks about sharing).
  app.action<BlockAction>(ActionId.SelectIdentity, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.SelectScopes, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.TicketMenu, (args) => onTicketMenu(deps, args));
  app.action<BlockAction>(ActionId.ReopenTicket, (args) => onReopenTicket(deps, args));
  app.action<BlockAction>(ActionId.OpenHelpdesk, (args) => acknowledgeOnly(args));
  app.action<BlockAction>(ActionId.OpenThread, (args) => acknowledgeOnly(args));
  app.action<BlockAction>(ActionId.SelectAgent, (args) => acknowledgeOnly(args));

  app.action<BlockAction>(ActionId.Approve, (args) => onDecideCommand(deps, args));
  app.action<BlockAction>(ActionId.Reject, (args) => onDecideCommand(deps, args));
  app.action<BlockAction>(ActionId.Ignore, (args) => onDecideCommand(deps, args));
  app.action<BlockAction>(ActionId.Submit, (args) => onSubmitCommands(deps, args));

  app.options<BlockSuggestion['type']>(ActionId.SelectTenant, (args) => onSpaceOptions(deps, args));
  app.options<BlockSuggestion['type']>(ActionId.SelectWorkspace, (args) => onSpaceOptions(deps, args));
  app.view<ViewSubmitAction>(CallbackId.CreateTicket, (args) => onCreateTicketSubmit(deps, args));
  app.view<ViewClosedAction>({ callback_id: CallbackId.CreateTicket, type: 'view_closed' }, (args) =>
    onCreateTicketClosed(deps, args),
  );
  app.view<ViewSubmitAction>(CallbackId.UpdateContext, (args) => onUpdateContextSubmit(deps, args));
  app.view<ViewSubmitAction>(CallbackId.RejectReason, (args) => onRejectReasonSubmit(deps, args));
  app.shortcut<MessageShortcut>(CallbackId.CreateTicketShortcut, (args) => onCreateTicketShortcut(deps, args));

  app.command(SlashCommand.Helpdesk, (args) => onHelpdeskCommand(deps, args));
  app.action<BlockAction>(ActionId.ChangeChannelDefaults, (args) => onChangeChannelDefaults(deps, args));
  app.action<BlockAction>(ActionId.ClearChannelDefaults, (args) => onClearChannelDefaults(deps, args));
  app.view<ViewSubmitAction>(CallbackId.ChannelDefaults, (args) => onChannelDefaultsSubmit(deps, args));
}
