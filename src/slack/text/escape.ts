import { withoutBidiControls } from './bidi.js';

/**
 * Slack mrkdwn escaping (docs/slack-platform.md §7): `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`,
 * nothing else. That is what neutralises `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<#C…>`,
 * `<!subteam^…>` and `<url|label>` in untrusted text (agent replies, command output, ticket titles). `verbatim`
 * is not a sanitiser; plain `@here` is only text as long as `link_names` stays off when posting. Bidirectional
 * controls are dropped (bidi.ts), so untrusted text cannot make itself read in another order.
 */
export const escapeMrkdwn = (text: string): string =>
  withoutBidiControls(text).replace(/[&<>]/g, (char) => (char === '&' ? '&amp;' : char === '<' ? '&lt;' : '&gt;'));

/**
 * Our own words with names already escaped in them (`<@U…> moved this thread to *${escapeMrkdwn(space)}*`), made
 * safe once more in case a name was not: any `<` or `>` is escaped, and a `&` that does not start one of the three
 * escapes is too, so text escaped once is not escaped twice. The only markup left live is a user mention
 * (`<@U…>`, `<@W…>`) of someone in `mentions`, the people the words are about; `'any'` keeps every user mention, for
 * callers that cannot say whom they name (a name that is itself a mention then stays one).
 */
export const escapeTrustedMrkdwn = (mrkdwn: string, mentions: readonly string[] | 'any' = []): string =>
  withoutBidiControls(mrkdwn).replace(
    /<@([UW][A-Z0-9]{1,30})>|&(?!(?:amp|lt|gt);)|[<>]/g,
    (match, id: string | undefined) => {
      if (id !== undefined) return mentions === 'any' || mentions.includes(id) ? match : `&lt;@${id}&gt;`;
      return match === '&' ? '&amp;' : match === '<' ? '&lt;' : '&gt;';
    },
  );

const FENCE = '```';
const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Untrusted text as a mrkdwn code block that stays one: the text is escaped, and any run of three or more backticks
 * inside it gets zero-width spaces between its backticks, so it can neither close the block nor open another.
 * The fences sit on their own lines, so a backtick at either end of the text cannot join them.
 */
export const codeBlock = (text: string): string => {
  const body = escapeMrkdwn(text).replace(/`{3,}/g, (run) => run.split('').join(ZERO_WIDTH_SPACE));
  return `${FENCE}\n${body.length > 0 ? body : ' '}\n${FENCE}`;
};
