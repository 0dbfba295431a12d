import { codeBlock, escapeToFit, revealHiddenCharacters } from '../text/index.js';
import { type MessageContent, mrkdwn, SectionTextMax } from './message.js';

/**
 * Output goes up as a file unless its whole section (heading and escaped code block) fits Slack's section limit;
 * past 60 lines it goes up anyway, as a thread reader would not scroll through it.
 */
export const InlineOutputLimits = { maxSectionChars: SectionTextMax, maxLines: 60 } as const;

/** How much of the command the heading shows (escaped, on one line). */
const HeadingCommandChars = 300;

export type CommandOutputPost =
  | { readonly kind: 'message'; readonly message: MessageContent }
  | { readonly kind: 'file'; readonly summary: string; readonly filename: string; readonly content: string };

const countLines = (text: string) => (text.length === 0 ? 0 : text.split('\n').length);

/**
 * One executed command's output for the thread. `output` is already redacted. Output whose section fits is shown
 * as code; the rest is uploaded as a text file with a one-line summary (file content is not mrkdwn, so not escaped).
 */
export function buildCommandOutput(command: string, output: string, index: number): CommandOutputPost {
  const lines = countLines(output);
  const heading = `Output of ${codeSpan(command)}`;
  // Escaping never shortens text: output longer than the limit cannot fit, and is not escaped just to find out.
  if (output.length <= InlineOutputLimits.maxSectionChars && lines <= InlineOutputLimits.maxLines) {
    const section = `${heading}\n${codeBlock(output.length > 0 ? output : '(no output)')}`;
    if (section.length <= InlineOutputLimits.maxSectionChars) {
      return {
        kind: 'message',
        message: {
          text: `Output of ${escapeToFit(oneLine(command), 200).text}`,
          blocks: [{ type: 'section', text: mrkdwn(section) }],
        },
      };
    }
  }
  return {
    kind: 'file',
    summary: `${heading}: ${lines.toLocaleString('en-US')} lines, ${output.length.toLocaleString('en-US')} characters, attached as a file.`,
    filename: `command-${index + 1}-output.txt`,
    content: output,
  };
}

/** A command on one line, its hidden characters shown (`⟦U+202E⟧`): whitespace runs become a space first. */
const oneLine = (text: string) => revealHiddenCharacters(text.replace(/[\t\n ]+/g, ' '));

/** A command inline: on one line, escaped, fitted, and with backticks swapped so it cannot break out of the span. */
function codeSpan(command: string): string {
  return `\`${escapeToFit(oneLine(command).replaceAll('`', 'ˋ'), HeadingCommandChars).text}\``;
}
