export { type AgentMarkdownOptions, agentMarkdownToMrkdwn, maxConvertedChars } from './agent-markdown.js';
export { withoutBidiControls } from './bidi.js';
export { codeBlock, escapeMrkdwn, escapeTrustedMrkdwn } from './escape.js';
export { codeBlockToFit, escapeToFit, type Fitted, fitEscaped, shareBudget } from './fit.js';
export { revealHiddenCharacters } from './reveal.js';
export {
  defaultMessageLimits,
  defaultSectionChars,
  isTooLongForMessage,
  type MessageLimits,
  splitForSlack,
  truncateLabel,
} from './split.js';
