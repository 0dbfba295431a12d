import slackify from 'slackify-markdown';
import { withoutBidiControls } from './bidi.js';
import { escapeMrkdwn } from './escape.js';

/**
 * The agent's Markdown as safe Slack mrkdwn.
 *
 * slackify-markdown converts well but is not a sanitiser: `<!channel>` parses as an HTML node and comes out raw,
 * `<@U…>` / `<#C…>` are kept on purpose, `&lt;@U…&gt;` is decoded by the Markdown parser into a live mention, and a
 * link's URL or label can carry `|` and `>`. So the untrusted characters are taken out of the parser's reach before
 * converting: `&`, `<`, `>` (except blockquote markers) and `|` become private-use placeholders that Markdown treats
 * as ordinary letters. Afterwards every `<` left in the output was written by slackify's link handlers; each link is
 * rebuilt by us, and the placeholders become `&amp;`, `&lt;`, `&gt;` and `|`.
 *
 * Links. A reader must see where a link goes, and a link must not pass for something else: the service's own
 * buttons, the portal, or another site. So a link shows its real target (scheme, host in ASCII, path; any
 * `user:password@` dropped, as it only serves to put a trusted-looking name before the real host) and the label only
 * beside it: `label (<https://evil.example/x>)`. A label is the clickable text only when the link goes to one of
 * `trustedHosts` (the portals the service knows), names no other host (after folding look-alike characters:
 * full-width letters and dots, other scripts in a host), and does not read like a button (`Approve`, `Open AI
 * HelpDesk`, a lone emoji). Only http, https and mailto links are clickable; any other scheme is printed as text.
 * In labels `|` becomes `∣`, and `<`/`>` are escaped, so a label can never end the link early or add a second one.
 *
 * Plain `@here` / `@channel` pass through as text: Slack only notifies on `<!here>` syntax unless a message is posted
 * with `link_names`, which we never set (docs/slack-platform.md §7).
 *
 * Cost. slackify-markdown's time grows with the square of a paragraph's length (a 2,000-line paragraph takes
 * seconds; 10 KB of `a.a.a…` about one) and it overflows the stack on deeply nested quotes or lists. So the text is
 * converted in segments of at most ~40 lines or ~2,000 characters, cut between paragraphs or lines and never
 * inside a code fence, a segment that still throws is escaped instead, and text over `maxConvertedChars` (which
 * callers upload as a file anyway) is only escaped. A cut may lose formatting that spans it, never safety: every
 * segment goes through the same placeholders.
 */
export function agentMarkdownToMrkdwn(markdown: string, options: AgentMarkdownOptions = {}): string {
  if (markdown.length > maxConvertedChars) return escapeMrkdwn(markdown);
  markdown = withoutBidiControls(markdown);
  const trusted = new Set((options.trustedHosts ?? []).flatMap(hostOf));
  const { text, definitions } = hoistDefinitions(protect(markdown));
  const output = segments(text)
    .map((segment) => convertSegment(segment.text, definitions, trusted) + segment.separator)
    .join('');
  return finalSafety(output.replace(/\n+$/, ''));
}

export interface AgentMarkdownOptions {
  /** Hosts whose links may show their label alone (the portals' hosts); a bare host or a URL each. */
  readonly trustedHosts?: readonly string[];
}

/** A trusted host as the URL parser writes it (lower case, ASCII), or nothing when it is not one. */
const hostOf = (entry: string): string[] => {
  const parsed = parseUrl(entry.includes('://') ? entry : `https://${entry}`);
  return parsed?.hostname ? [parsed.hostname] : [];
};

/** Longer agent text is escaped, not converted. */
export const maxConvertedChars = 12_000;

const convertSegment = (text: string, definitions: string, trusted: ReadonlySet<string>): string => {
  if (text.trim() === '') return '';
  let converted: string;
  try {
    // Every segment sees every link reference definition; slackify drops the definitions from its output.
    const withDefinitions = definitions && text.includes('[') ? `${text}\n\n${definitions}` : text;
    converted = slackify(withDefinitions).replace(/\n+$/, '');
  } catch {
    // Deep nesting overflows slackify's recursion: the segment is shown as plain escaped text.
    return restoreText(text);
  }
  const linked = converted.replace(LINK, (_whole, url: string, label: string | undefined) =>
    rebuildLink(url, label, trusted),
  );
  return restoreText(linked);
};

interface Segment {
  readonly text: string;
  /** What stood between this segment and the next: a blank line, a newline, a space, or nothing. */
  readonly separator: string;
}

const SEGMENT_LINES = 40;
const SEGMENT_CHARS = 2_000;
const LINE_CHARS = 1_000;
const FENCE_LINE = /^ {0,3}(?:```|~~~)/;

/**
 * Cuts go before a line that starts a block (no indentation) after a blank line or once a segment has
 * SEGMENT_LINES lines or SEGMENT_CHARS characters; before any line at twice that; and inside a line longer than
 * LINE_CHARS, at a space if there is one. Nothing inside a code fence is cut.
 */
const segments = (text: string): Segment[] => {
  const out: Segment[] = [];
  let current: string[] = [];
  let chars = 0;
  let blankLines = 0; // blank lines at the end of `current`
  let inFence = false;
  const cut = (separator: string) => {
    out.push({ text: current.slice(0, current.length - blankLines).join('\n'), separator });
    current = [];
    chars = 0;
    blankLines = 0;
  };
  for (const line of text.split('\n')) {
    if (!inFence && current.length > blankLines) {
      const startsBlock = /^\S/.test(line);
      const full = current.length >= SEGMENT_LINES || chars >= SEGMENT_CHARS;
      const overfull = current.length >= 2 * SEGMENT_LINES || chars >= 2 * SEGMENT_CHARS;
      // Between paragraphs slackify writes one blank line however many there were; so do we.
      if ((startsBlock && (blankLines > 0 || full)) || overfull) cut(blankLines > 0 ? '\n\n' : '\n');
    }
    if (FENCE_LINE.test(line)) inFence = !inFence;
    const blank = !inFence && line.trim() === '';
    if (!blank) blankLines = 0;
    const pieces = !inFence && line.length > LINE_CHARS ? cutLongLine(line) : [[line, null] as const];
    for (const [piece, separator] of pieces) {
      current.push(piece);
      chars += piece.length + 1;
      if (separator !== null) cut(separator);
    }
    if (blank) blankLines += 1;
  }
  if (current.length > 0) out.push({ text: current.join('\n'), separator: '' });
  return out;
};

const DEFINITION_LINE = /^ {0,3}\[[^\]\n]{1,200}\]:[ \t]*\S/;
const MAX_DEFINITIONS = 100;

/** Link reference definitions (`[1]: https://…`) taken out of the text, so a cut cannot part them from their uses. */
const hoistDefinitions = (text: string): { text: string; definitions: string } => {
  const kept: string[] = [];
  const definitions: string[] = [];
  let inFence = false;
  for (const line of text.split('\n')) {
    if (FENCE_LINE.test(line)) inFence = !inFence;
    if (!inFence && definitions.length < MAX_DEFINITIONS && DEFINITION_LINE.test(line)) definitions.push(line);
    else kept.push(line);
  }
  return { text: kept.join('\n'), definitions: definitions.join('\n') };
};

/** A long line as pieces of at most LINE_CHARS, each with the space it was cut at (null for the last piece). */
const cutLongLine = (line: string): Array<readonly [string, string | null]> => {
  const pieces: Array<readonly [string, string | null]> = [];
  let rest = line;
  while (rest.length > LINE_CHARS) {
    const space = rest.lastIndexOf(' ', LINE_CHARS);
    const atSpace = space > LINE_CHARS / 2;
    const end = atSpace ? space : LINE_CHARS;
    pieces.push([rest.slice(0, end), atSpace ? ' ' : '']);
    rest = rest.slice(atSpace ? end + 1 : end);
  }
  pieces.push([rest, null]);
  return pieces;
};

const LT = '\uE000';
const GT = '\uE001';
const AMP = '\uE002';
const PIPE = '\uE003';
const PLACEHOLDERS = /[\uE000-\uE003]/g;

// `<https://x>` autolinks would be cut apart by the placeholders; as bare URLs GFM still links them.
const ANGLE_AUTOLINK = /<((?:https?:\/\/|mailto:)[^\s<>|]{1,2048})>/g;
// Three levels of quote at most; deeper `>` are text (slackify recurses once per level).
const BLOCKQUOTE_PREFIX = /^(?:[ \t]{0,3}>){1,3}/;

const protect = (markdown: string): string =>
  markdown
    .replace(PLACEHOLDERS, '\uFFFD') // nobody may forge a placeholder
    .replace(ANGLE_AUTOLINK, '$1')
    .split('\n')
    .map((line) => {
      const prefix = BLOCKQUOTE_PREFIX.exec(line)?.[0] ?? '';
      return prefix + placeholdersFor(line.slice(prefix.length));
    })
    .join('\n');

const placeholdersFor = (text: string): string =>
  text.replace(/[&<>|]/g, (char) => (char === '&' ? AMP : char === '<' ? LT : char === '>' ? GT : PIPE));

/** Text outside links: placeholders become mrkdwn escapes. */
const restoreText = (text: string): string =>
  text.replace(PLACEHOLDERS, (char) => (char === LT ? '&lt;' : char === GT ? '&gt;' : char === AMP ? '&amp;' : '|'));

// Only slackify's link and image handlers write `<`, `|` and `>` now; a link is `<url>` or `<url|label>`.
const LINK = /<([^<>|]*)(?:\|([^<>]*))?>/g;
const CLICKABLE = new Set(['http:', 'https:', 'mailto:']);

/** Placeholders inside a URL (raw, or percent-encoded by slackify's encodeURI) become URL-safe characters. */
const restoreUrl = (url: string): string =>
  url
    .replace(/%EE%80%8([0-3])/gi, (_match, digit: string) => String.fromCharCode(0xe000 + Number(digit)))
    .replace(PLACEHOLDERS, (char) => (char === LT ? '%3C' : char === GT ? '%3E' : char === AMP ? '&' : '%7C'));

const rebuildLink = (rawUrl: string, rawLabel: string | undefined, trusted: ReadonlySet<string>): string => {
  const url = restoreUrl(rawUrl);
  const label = restoreText(rawLabel ?? '').replace(/\|/g, '∣');
  const parsed = parseUrl(url);
  if (!parsed || !CLICKABLE.has(parsed.protocol)) {
    const shown = escapeMrkdwn(url);
    return label && label !== shown ? `${label} (${shown})` : shown;
  }
  if (parsed.protocol === 'mailto:') {
    const address = mailAddress(parsed);
    const link = `<mailto:${escapeMrkdwn(address + parsed.search)}|${escapeMrkdwn(address)}>`;
    return label === '' || sameText(label, address) || sameText(label, url) ? link : `${label} (${link})`;
  }
  const credentials = parsed.username !== '' || parsed.password !== '';
  parsed.username = '';
  parsed.password = '';
  const target = escapeMrkdwn(parsed.href);
  if (label === '' || sameText(label, parsed.href) || sameText(label, url)) return `<${target}>`;
  const plain =
    !credentials && trusted.has(parsed.hostname) && !misleads(label, parsed.hostname) && !readsAsButton(label);
  return plain ? `<${target}|${label}>` : `${label} (<${target}>)`;
};

const parseUrl = (url: string): URL | null => {
  try {
    return new URL(url);
  } catch {
    return null;
  }
};

const unescapeText = (text: string): string => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** A label that only repeats the target (give or take a closing slash) says nothing more. */
const sameText = (label: string, target: string): boolean => {
  const plain = unescapeText(label).trim();
  return plain === target || `${plain}/` === target || plain === target.replace(/^mailto:/, '');
};

/**
 * The address a mailto: link writes to, as the URL has it (still percent-encoded, so it cannot carry `|` or a
 * space), its domain in ASCII so a look-alike domain shows as what it is.
 */
const mailAddress = (url: URL): string => {
  const address = url.pathname;
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = parseUrl(`https://${address.slice(at + 1)}`)?.hostname ?? address.slice(at + 1);
  return `${address.slice(0, at)}@${domain}`;
};

/**
 * A label as a reader takes it in: look-alike forms folded (NFKC turns full-width `ｅｘａｍｐｌｅ．ｃｏｍ` into
 * `example.com`; ideographic full stops are dots to a URL parser), escapes undone, and emphasis markers and
 * zero-width characters dropped. The first 500 characters are enough, and bound the work on a hostile label.
 */
const readable = (label: string): string =>
  unescapeText(label.slice(0, 500))
    .normalize('NFKC')
    .replace(/[\u3002\uFF61\uFE52\u2024]/g, '.')
    .replace(/[\u200B-\u200D\u2060\uFEFF\u00AD*_~`]/g, '');

const HOST_IN_TEXT = /(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b/gi;

/**
 * A label misleads when it names a host other than the link's own, or writes a host with letters outside ASCII
 * (`аcme.io` with a Cyrillic `а` reads as `acme.io`).
 */
const misleads = (label: string, host: string): boolean => {
  const text = readable(label);
  const named = text.match(HOST_IN_TEXT) ?? [];
  if (named.some((name) => normaliseHost(name) !== normaliseHost(host))) return true;
  return text.split(/\s+/).some((word) => /[^\s.@][.@][^\s.@]/.test(word) && /[^\x20-\x7E]/.test(word));
};

const normaliseHost = (host: string): string => host.toLowerCase().replace(/^www\./, '');

/** Words that start what a Slack button says (the service's own: Approve, Open AI HelpDesk, Submit, …). */
const ACTION_WORDS = new Set([
  'accept',
  'allow',
  'approve',
  'authorise',
  'authorize',
  'cancel',
  'click',
  'confirm',
  'continue',
  'create',
  'decline',
  'delete',
  'deny',
  'deploy',
  'execute',
  'grant',
  'ignore',
  'log',
  'login',
  'ok',
  'okay',
  'open',
  'press',
  'proceed',
  'reject',
  'restart',
  'retry',
  'run',
  'sign',
  'start',
  'stop',
  'submit',
  'update',
  'verify',
  'yes',
  'no',
]);

/**
 * A label reads like a button when it is a short call to act (at most four words, the first an action word:
 * `Approve`, `✅ Approve all`, `[ Open AI HelpDesk ]`) or has no words at all (`▶️`, `[ ]`).
 */
const readsAsButton = (label: string): boolean => {
  const words = readable(label)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((word) => word !== '');
  return words.length === 0 || (words.length <= 4 && ACTION_WORDS.has(words[0] ?? ''));
};

/** Belt and braces: a `<` that does not open one of our links is escaped, whatever produced it. */
const finalSafety = (text: string): string =>
  text.replace(/<(?!(?:https?:\/\/|mailto:)[^<>\s]*(?:\|[^<>]*)?>)/g, '&lt;');
