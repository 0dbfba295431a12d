import type { App, BlockAction, BlockSuggestion, MessageShortcut, ViewSubmitAction } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { ActionId, CallbackId } from '../ids.js';
import { acknowledgeOnly } from './actions/acknowledge.js';
import { onDecideCommand } from './actions/decide-command.js';
import { onFormSelect } from './actions/form-select.js';
import { openCreateTicket } from './actions/open-create-ticket.js';
import { onSubmitCommands } from './actions/submit-commands.js';
import { onTicketMenu } from './actions/ticket-menu.js';
import { onAppHomeOpened } from './events/app-home.js';
import { onAppMention } from './events/app-mention.js';
import { onThreadMessage } from './events/thread-message.js';
import { onSpaceOptions } from './options/space-options.js';
import { onCreateTicketShortcut } from './shortcuts/create-ticket-shortcut.js';
import { onCreateTicketSubmit } from './views/create-ticket-submit.js';
import { onRejectReasonSubmit } from './views/reject-reason-submit.js';
import { onUpdateContextSubmit } from './views/update-context-submit.js';

/** The routing table: every Slack surface the app answers, one listener file each. */
export function registerListeners(app: App, deps: SlackDeps): void {
  app.event('app_mention', (args) => onAppMention(deps, args));
  app.event('message', (args) => onThreadMessage(deps, args));
  app.event('app_home_opened', (args) => onAppHomeOpened(deps, args));

  app.action<BlockAction>(ActionId.OpenCreateTicket, (args) => openCreateTicket(deps, args));
  app.action<BlockAction>(ActionId.SelectPortal, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.SelectTenant, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.SelectWorkspace, (args) => onFormSelect(deps, args));
  // Permissions dispatch on Update Context only (a change opens a new ticket: the form asks about sharing).
  app.action<BlockAction>(ActionId.SelectIdentity, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.SelectScopes, (args) => onFormSelect(deps, args));
  app.action<BlockAction>(ActionId.TicketMenu, (args) => onTicketMenu(deps, args));
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
  app.view<ViewSubmitAction>(CallbackId.UpdateContext, (args) => onUpdateContextSubmit(deps, args));
  app.view<ViewSubmitAction>(CallbackId.RejectReason, (args) => onRejectReasonSubmit(deps, args));
  app.shortcut<MessageShortcut>(CallbackId.CreateTicketShortcut, (args) => onCreateTicketShortcut(deps, args));
}
