import type {
  AllMiddlewareArgs,
  BlockAction,
  BlockSuggestion,
  MessageShortcut,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewClosedAction,
  ViewSubmitAction,
} from '@slack/bolt';

export type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>;
export type ViewSubmitArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;
export type ViewClosedArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewClosedAction>;
export type OptionsArgs = AllMiddlewareArgs & SlackOptionsMiddlewareArgs<BlockSuggestion['type']>;
export type MentionArgs = AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_mention'>;
export type MessageArgs = AllMiddlewareArgs & SlackEventMiddlewareArgs<'message'>;
export type AppHomeOpenedArgs = AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>;
export type MessageShortcutArgs = AllMiddlewareArgs & SlackShortcutMiddlewareArgs<MessageShortcut>;
export type CommandArgs = AllMiddlewareArgs & SlackCommandMiddlewareArgs;
