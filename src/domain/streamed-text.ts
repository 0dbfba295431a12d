import { wellFormed } from '../well-formed.js';
import type { Redactor } from './redact.js';

/**
 * An agent's reply text as it arrives in pieces, released to people only once it is settled: redacted exactly as the
 * whole reply will be, so a secret (or anything else the redactor replaces) split across two pieces never shows
 * half-redacted, and what was released is never taken back.
 *
 * How a piece of text counts as settled:
 * - it ends at whitespace: the word being written is held, so a token cut in two is redacted whole;
 * - prose is released word by word; a quotation still open (`"…`, `` `… ``) is held until it closes, since a quoted
 *   value may have spaces; a paragraph with any line of code, configuration or a command is held whole until it
 *   ends (a blank line), because what follows can make an earlier value secret
 *   (`echo "…" | docker login --password-stdin`); a line naming a secret as code does (`DB_PASSWORD`, `apiKey:`)
 *   is held until it ends;
 * - a code block is held from its opening fence until it closes, a private key from BEGIN to END;
 * - the redaction of the settled part alone agrees with the redaction of everything received so far.
 * If a later piece still changes how text already released is redacted, `settle` stops releasing and reports it
 * (`withdrawn`): the caller replaces what it showed with the redacted whole.
 */
export interface StreamedText {
  /** Adds the next piece, as the agent sent it. Cheap: the work is done in `settle`. */
  append(piece: string): void;
  /** The redacted text newly settled since the last call ('' when none). */
  settle(): string;
  /** Everything received so far, redacted as one text (the final message shows this). */
  whole(): string;
  /** Everything released so far. */
  released(): string;
  /** True once a later piece changed the redaction of text already released; nothing more is released then. */
  readonly withdrawn: boolean;
  /** How many pieces were appended. */
  readonly pieces: number;
}

const SecretWords = 'pass|pwd|pw|psk|secret|token|key|auth|cred|conn|cookie|session|private|api|sig|bearer';
/**
 * A secret-like name used as a name, not as a word of prose: in an identifier (`DB_PASSWORD`, `api-key`,
 * `apiToken`) or followed by `:` or `=`. A line with one is held until it ends: code such as
 * `define( 'DB_PASSWORD', '…' );` is recognised as secret only once its statement is whole.
 */
const SecretName = [
  new RegExp(`[a-z0-9]+[_-][a-z0-9_-]*(?:${SecretWords})|(?:${SecretWords})[a-z0-9]*[_-][a-z0-9]`, 'i'),
  new RegExp(`(?:${SecretWords})[a-z0-9]*["']?\\s*[:=]`, 'i'),
  /[a-z](?:Pass|Pwd|Secret|Token|Key|Auth|Cred|Conn|Cookie|Session|Private|Api|Sig)|(?:pass|secret|token|key|auth|api|cred|session)[A-Z]/,
];

/**
 * A line of code, configuration or a command rather than prose: pipes, assignments, braces, tags, flags, a shell or
 * client prompt (`$ `, `host:6379> `), commands that feed secrets (`echo`, `sudo`, `export`…), indentation, a key
 * block. What follows on later lines can change how it is redacted, so its whole paragraph waits.
 */
const StructuredLine =
  /[|={}<\\]|\s-{1,2}[A-Za-z]|^\s{2,}\S|^\S+[$#>]\s|^\s*(?:\$\s|(?:docker|kubectl|helm|aws|az|gcloud|psql|mysql|set|env)\s)|\b(?:echo|printf|export|sudo|curl)\s|-----BEGIN/;
const Fence = /^\s*(?:```|~~~)/;
const KeyBlockStart = /-----BEGIN[^\n]*-----/g;
const KeyBlockEnd = /-----END[^\n]*-----/;

/** The end of the settled part of `raw` (an index into it), before any redaction. */
export function settledBoundary(raw: string): number {
  // The word being written: everything after the last whitespace.
  let boundary = 0;
  for (let index = raw.length - 1; index >= 0; index -= 1) {
    if (/\s/.test(raw[index] as string)) {
      boundary = index + 1;
      break;
    }
  }
  // An open code block: from its opening fence on, until it closes.
  let at = 0;
  let openFence = -1;
  for (const line of raw.split('\n')) {
    if (Fence.test(line)) openFence = openFence < 0 ? at : -1;
    at += line.length + 1;
  }
  if (openFence >= 0) boundary = Math.min(boundary, openFence);
  // The paragraph being written, when any of its lines is code, configuration or a command: until it ends.
  const paragraphEnd = /\n[ \t]*\n/g;
  let paragraphStart = 0;
  for (const match of raw.slice(0, boundary).matchAll(paragraphEnd)) paragraphStart = match.index + match[0].length;
  if (
    raw
      .slice(paragraphStart)
      .split('\n')
      .some((line) => StructuredLine.test(line))
  ) {
    boundary = Math.min(boundary, paragraphStart);
  }
  // The line being written, when it names a secret the way code or configuration does: until it ends.
  const current = raw.slice(raw.lastIndexOf('\n') + 1);
  if (SecretName.some((pattern) => pattern.test(current))) {
    boundary = Math.min(boundary, raw.length - current.length);
  }
  // A quotation still open on the line being written (a quoted value may have spaces): until it closes.
  const line = raw.slice(raw.lastIndexOf('\n') + 1);
  const lineStart = raw.length - line.length;
  for (const quote of ['"', '`']) {
    const count = line.split(quote).length - 1;
    if (count % 2 === 1) boundary = Math.min(boundary, lineStart + line.lastIndexOf(quote));
  }
  // An open private key block: from its BEGIN line on.
  let openBlock = -1;
  for (const match of raw.matchAll(KeyBlockStart)) {
    const after = raw.slice(match.index + match[0].length);
    openBlock = KeyBlockEnd.test(after) ? -1 : match.index;
  }
  if (openBlock >= 0) boundary = Math.min(boundary, raw.lastIndexOf('\n', openBlock) + 1);
  return boundary;
}

const commonPrefixLength = (a: string, b: string): number => {
  const max = Math.min(a.length, b.length);
  let index = 0;
  while (index < max && a.charCodeAt(index) === b.charCodeAt(index)) index += 1;
  return index;
};

/** The longest start of `text` that ends just after whitespace (and so never inside a word or a redaction marker). */
const toWordEnd = (text: string, length: number): string => {
  for (let index = length - 1; index >= 0; index -= 1) {
    if (/\s/.test(text[index] as string)) return text.slice(0, index + 1);
  }
  return '';
};

export function createStreamedText(redactor: Redactor): StreamedText {
  let raw = '';
  let released = '';
  let withdrawn = false;
  let pieces = 0;
  let settledRaw = 0;
  /** How much of `raw` the last `settle` looked at. */
  let checked = 0;

  return {
    append(piece) {
      // A piece may end inside a surrogate pair; whole text is made well-formed when it leaves (below).
      raw += piece;
      pieces += 1;
    },

    settle() {
      if (withdrawn || raw.length === checked) return '';
      checked = raw.length;
      const whole = redactor.redact(wellFormed(raw)).text;
      if (!whole.startsWith(released)) {
        withdrawn = true;
        return '';
      }
      const boundary = settledBoundary(raw);
      if (boundary <= settledRaw) return '';
      const part = boundary === raw.length ? whole : redactor.redact(wellFormed(raw.slice(0, boundary))).text;
      const candidate = toWordEnd(part, commonPrefixLength(part, whole));
      if (candidate.length <= released.length) return '';
      settledRaw = boundary;
      const fresh = candidate.slice(released.length);
      released = candidate;
      return fresh;
    },

    whole() {
      const whole = redactor.redact(wellFormed(raw)).text;
      if (!whole.startsWith(released)) withdrawn = true;
      return whole;
    },
    released: () => released,
    get withdrawn() {
      return withdrawn;
    },
    get pieces() {
      return pieces;
    },
  };
}
