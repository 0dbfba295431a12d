import slackify from 'slackify-markdown';
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
 * Links. `[label](https://x)` stays a clickable `<https://x|label>` when the label cannot mislead: it names no
 * host, or the link's own host. A label naming another host (`[https://good.example](https://evil.example)`) is shown
 * as `label (<https://evil.example>)`, so the reader sees where the link goes. Only http, https and mailto links are
 * clickable; any other scheme is printed as text. In labels `|` becomes `∣`, and `<`/`>` are escaped, so a label can
 * never end the link early or add a second one.
 *
 * Plain `@here` / `@channel` pass through as text: Slack only notifies on `<!here>` syntax unless a message is posted
 * with `link_names`, which we never set (reference §7).
 */
export function agentMarkdownToMrkdwn(markdown: string): string {
  const converted = slackify(protect(markdown)).replace(/\n+$/, '');
  const linked = converted.replace(LINK, (_whole, url: string, label: string | undefined) => rebuildLink(url, label));
  return finalSafety(restoreText(linked));
}

const LT = '\uE000';
const GT = '\uE001';
const AMP = '\uE002';
const PIPE = '\uE003';
const PLACEHOLDERS = /[\uE000-\uE003]/g;

// `<https://x>` autolinks would be cut apart by the placeholders; as bare URLs GFM still links them.
const ANGLE_AUTOLINK = /<((?:https?:\/\/|mailto:)[^\s<>|]{1,2048})>/g;
const BLOCKQUOTE_PREFIX = /^(?:[ \t]{0,3}>)+/;

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

const rebuildLink = (rawUrl: string, rawLabel: string | undefined): string => {
  const url = restoreUrl(rawUrl);
  const shownUrl = escapeMrkdwn(url);
  const label = restoreText(rawLabel ?? '').replace(/\|/g, '∣');
  const parsed = parseUrl(url);
  if (!parsed || !CLICKABLE.has(parsed.protocol))
    return label && label !== shownUrl ? `${label} (${shownUrl})` : shownUrl;
  if (label === '' || label === shownUrl) return `<${shownUrl}>`;
  if (misleads(label, parsed)) return `${label} (<${shownUrl}>)`;
  return `<${shownUrl}|${label}>`;
};

const parseUrl = (url: string): URL | null => {
  try {
    return new URL(url);
  } catch {
    return null;
  }
};

const HOST_IN_TEXT = /(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b/gi;

/** A label misleads when it names a host other than the link's own (mailto: the address's domain). */
const misleads = (label: string, url: URL): boolean => {
  const target = normaliseHost(url.protocol === 'mailto:' ? (url.pathname.split('@')[1] ?? '') : url.hostname);
  // The first 500 characters are enough to find a host, and bound the matching work on a hostile label.
  const named =
    label
      .slice(0, 500)
      .replace(/[\u200B*_~`]/g, '')
      .match(HOST_IN_TEXT) ?? [];
  return named.some((host) => normaliseHost(host) !== target);
};

const normaliseHost = (host: string): string => host.toLowerCase().replace(/^www\./, '');

/** Belt and braces: a `<` that does not open one of our links is escaped, whatever produced it. */
const finalSafety = (text: string): string =>
  text.replace(/<(?!(?:https?:\/\/|mailto:)[^<>\s]*(?:\|[^<>]*)?>)/g, '&lt;');
