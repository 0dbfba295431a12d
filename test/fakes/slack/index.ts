export {
  BlockKitLimits,
  type BlockSurface,
  blocksText,
  type MessageContentCheck,
  type MessageContentError,
  validateBlocks,
  validateHomeView,
  validateMessageContent,
  validateModalView,
} from './block-kit-validator.js';
export { type SimulatedInput, SimulatorError } from './blocks.js';
export {
  DEFAULT_APP_TOKEN,
  DEFAULT_BOT_TOKEN,
  DEFAULT_USERS,
  type FakeSlack,
  type FakeSlackOptions,
  startFakeSlack,
} from './fake-slack.js';
export {
  type RenderableMessage,
  renderBlocksText,
  renderMessageText,
  renderMrkdwn,
  STREAMING_MARK,
} from './render.js';
export {
  type AppResponse,
  encodeSlackDelivery,
  type PostToAppOptions,
  postToApp,
  type SlackDeliveryKind,
  type SlackSignatureHeaders,
  signSlackRequest,
} from './sign.js';
export type {
  AppHomeOpenedInput,
  AssistantThreadInput,
  ClickButtonInput,
  ClickInViewInput,
  CloseViewInput,
  MentionInput,
  MessageTarget,
  SelectInViewInput,
  SelectOptionInput,
  SlashCommandInput,
  SubmitViewInput,
  SuggestOptionsInput,
  UserMessageInput,
  ViewTarget,
} from './simulator.js';
export type {
  SocketAck,
  SocketConnectionRecord,
  SocketDelivery,
  SocketDeliveryOptions,
  SocketEnvelopeType,
} from './socket-mode.js';
export {
  DEFAULT_STREAM_LIFETIME_MS,
  DEFAULT_STREAM_TEXT_LIMIT,
  STREAMING_RATE_LIMITS,
  validateChunks,
} from './streaming.js';
export type * from './types.js';
export type { AssistantThreadRecord } from './workspace.js';
