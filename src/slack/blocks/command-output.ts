import { codeBlock, escapeMrkdwn } from '../text/index.js';
import { clip, type MessageContent, mrkdwn } from './message.js';

/** Output past either limit goes up as a file; a code block in a section holds at most ~3000 characters. */
export const InlineOutputLimits = { maxChars: 2_800, maxLines: 60 } as const;

export type CommandOutputPost =
  | { readonly kind: 'message'; readonly message: MessageContent }
  | { readonly kind: 'file'; readonly summary: string; readonly filename: string; readonly content: string };

const countLines = (text: string) => (text.length === 0 ? 0 : text.split('\n').length);

/**
 * One executed command's output for the thread. `output` is already redacted. Short output is shown as code;
 * long output is uploaded as a text file with a one-line summary (file content is not mrkdwn, so not escaped).
 */
export function buildCommandOutput(command: string, output: string, index: number): CommandOutputPost {
  const lines = countLines(output);
  const heading = `Output of ${codeSpan(command)}`;
  if (output.length <= InlineOutputLimits.maxChars && lines <= InlineOutputLimits.maxLines) {
    return {
      kind: 'message',
      message: {
        text: escapeMrkdwn(`Output of ${clip(command, 200)}`),
        blocks: [
          { type: 'section', text: mrkdwn(`${heading}\n${codeBlock(output.length > 0 ? output : '(no output)')}`) },
        ],
      },
    };
  }
  return {
    kind: 'file',
    summary: `${heading}: ${lines.toLocaleString('en-US')} lines, ${output.length.toLocaleString('en-US')} characters, attached as a file.`,
    filename: `command-${index + 1}-output.txt`,
    content: output,
  };
}

/** A command inline: escaped, clipped, and with backticks swapped so it cannot break out of the span. */
function codeSpan(command: string): string {
  return `\`${escapeMrkdwn(clip(command.replace(/\s+/g, ' '), 300)).replaceAll('`', 'ˋ')}\``;
}
