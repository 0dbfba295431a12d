export { agentMarkdownToMrkdwn, maxConvertedChars } from './agent-markdown.js';
export { codeBlock, escapeMrkdwn } from './escape.js';
export {
  defaultMessageLimits,
  defaultSectionChars,
  isTooLongForMessage,
  type MessageLimits,
  splitForSlack,
  truncateLabel,
} from './split.js';
