/**
 * The one secret redactor: thread history shared with an agent, command output posted to Slack and every log line
 * pass through it (README: Safety). Each secret value is replaced by `[REDACTED:<kind>]`; key names, schemes, hosts
 * and surrounding words stay so the text remains readable.
 *
 * Why it drives secretlint's rules itself instead of calling `@secretlint/core`:
 * `lintSource` is async, and loggers need a synchronous redactor. In @secretlint/secretlint-rule-preset-recommend
 * v11 every rule is `create(context, options)` returning a `file(source)` handler, and every handler we run scans
 * `source.content` with regular expressions and calls `context.report({ message, range })` synchronously (checked
 * in redact.test.ts: the handlers return undefined, never a promise). So we create the preset's rules once against
 * a minimal context that collects reports and call their handlers directly. The test suite also runs the official
 * async engine (`lintSource`) over our output to prove nothing the preset knows survives.
 * Two preset rules are deliberately not run:
 * - gcp: it only inspects files (`.p12` bytes read from disk asynchronously, whole-file `.json`); text has neither.
 *   GCP service-account JSON is covered below by the PEM and `"private_key"` detectors.
 * - filter-comments: it honours `secretlint-disable` comments. In untrusted text (agent replies, command output)
 *   such a comment would let anyone switch redaction off.
 * Rule ranges are not always the secret itself (the aws secret-key and npm x-oauth rules report a range that starts
 * at the whole match but has the length of the captured value; connection-string rules report the whole URI), so
 * each report is re-anchored on the value it names and narrowed to the password / key body where that applies.
 *
 * Our own detectors cover what the preset misses: secret-named keys in every syntax (env files, YAML, JSON, logfmt,
 * properties, SQL, name/value pairs; redact-keys.ts decides which names hold secrets), Authorization headers, JWTs,
 * the token formats of gitleaks' and trufflehog's rule sets (redact-tokens.ts), credentials in URLs and on command
 * lines (redact-commands.ts), private keys, Kubernetes Secret data, docker auths and configured literal secrets.
 * Every expression is anchored so a match can only start at the beginning of a run of its characters and has bounded
 * repetition, and procedural scanners resume after what they consumed: total work stays linear in the input.
 */
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { commandLineDetector } from './redact-commands.js';
import { foldForDetection, originalSpan } from './redact-fold.js';
import { acceptsValue, classifyKeyName, isPlaceholder, MAX_KEY_NAME, SECRET_WORD_HINT } from './redact-keys.js';
import { tokenScanners } from './redact-tokens.js';

export interface RedactionResult {
  readonly text: string;
  /** How many separate secrets were replaced. */
  readonly count: number;
  /** Distinct kinds replaced, in order of first appearance. */
  readonly kinds: string[];
}

export interface Redactor {
  redact(text: string): RedactionResult;
  /**
   * A copy of a log object with every string redacted and the values of secret-named keys (token, secret,
   * password, authorization, cookie, apiKey…) wholly replaced. Handles arrays, nested objects, errors and cycles.
   */
  redactDeep(value: unknown): unknown;
}

export interface RedactorOptions {
  /**
   * Known literal secrets (configured portal tokens, Slack tokens, signing secret) redacted wherever they appear,
   * also URL-encoded. Values shorter than `minimumExtraSecretLength` are ignored: they would shred ordinary text.
   */
  readonly extraSecrets?: readonly string[];
}

export const minimumExtraSecretLength = 6;

export const redactionMarker = (kind: string): string => `[REDACTED:${kind}]`;

// ───────────────────────────── findings ─────────────────────────────

interface Finding {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
  /** Lower wins when two findings cover the same span: specific detectors before generic ones. */
  readonly priority: number;
}

type Add = (start: number, end: number, kind: string) => void;
type Detector = (text: string, add: Add) => void;

const MARKER_PREFIX = '[REDACTED:';
const MAX_PASSES = 4;
const MARKER = /\[REDACTED:[a-z0-9-]{1,40}\]/g;

// ───────────────────────────── secretlint preset, driven synchronously ─────────────────────────────

type RuleCreator = (typeof presetRules)[number];
type RuleContext = Parameters<RuleCreator['create']>[0];
type RuleHandler = ReturnType<RuleCreator['create']>;
type SourceCode = Parameters<NonNullable<RuleHandler['file']>>[0];
type RuleOptions = Parameters<RuleCreator['create']>[1];

const SKIPPED_PRESET_RULES = new Set([
  '@secretlint/secretlint-rule-gcp',
  '@secretlint/secretlint-rule-filter-comments',
]);
const PRESET_RULE_OPTIONS: Readonly<Record<string, RuleOptions>> = {
  // Access key ids are only reported with the id scan on.
  '@secretlint/secretlint-rule-aws': { enableIDScanRule: true },
};

/** secretlint messageId → our kind; null drops the report (an AWS account id is not a secret). */
const PRESET_KINDS: Readonly<Record<string, string | null>> = {
  AWSAccessKeyID: 'aws-access-key-id',
  AWSSecretAccessKey: 'aws-secret-access-key',
  AWSAccountID: null,
  PackageJSON_xOauthToken: 'github-token',
  Npmrc_authToken: 'npm-token',
  NPM_ACCESS_TOKEN: 'npm-token',
  SLACK_TOKEN: 'slack-token',
  IncomingWebhook: 'slack-webhook',
  BasicAuth: 'url-password',
  OPENAI_TOKEN: 'openai-key',
  ANTHROPIC_API_KEY: 'anthropic-key',
  LINEAR_API_TOKEN: 'linear-key',
  PrivateKey: 'private-key',
  SENDGRID_KEY: 'sendgrid-key',
  SHOPIFY_KEY: 'shopify-token',
  GITHUB_TOKEN: 'github-token',
  OPS_TOKEN: '1password-token',
  MongoDBConnection: 'database-password',
  MySQLConnection: 'database-password',
  PostgreSQLConnection: 'database-password',
};

interface PresetReport {
  readonly messageId: string;
  readonly value: string | undefined;
  readonly range: readonly [number, number];
}

/** The preset's rules that run on text, created once; exported for the test that checks they stay synchronous. */
export const presetRuleIds = (): string[] =>
  presetRules.map((rule) => rule.meta.id).filter((id) => !SKIPPED_PRESET_RULES.has(id));

const createPresetDetector = (): Detector => {
  let reports: PresetReport[] = [];
  // The translator only carries the messageId and the props (the secret value); no message text is built.
  const translate = (messageId: unknown, props?: Record<string, unknown>) => ({
    message: String(messageId),
    messageId: String(messageId),
    data: props,
  });
  const context: RuleContext = {
    sharedOptions: {},
    // The rule's generic translator type cannot be named without importing @secretlint/types; the shape matches.
    createTranslator: (() => translate) as unknown as RuleContext['createTranslator'],
    report: (descriptor) => {
      const { messageId, data } = descriptor.message;
      reports.push({ messageId, value: firstString(data), range: [descriptor.range[0], descriptor.range[1]] });
    },
    ignore: () => undefined,
  };
  const handlers = presetRules
    .filter((rule) => !SKIPPED_PRESET_RULES.has(rule.meta.id))
    .map((rule) => rule.create(context, PRESET_RULE_OPTIONS[rule.meta.id] ?? {}));

  return (text, add) => {
    reports = [];
    const source = textSource(text);
    for (const handler of handlers) {
      try {
        const pending: unknown = handler.file?.(source);
        // A future preset rule might be async: what it reported synchronously is kept, a late rejection is muted.
        if (pending instanceof Promise) pending.catch(() => undefined);
      } catch {
        // A rule bug must not stop the other detectors; the generic detectors still run.
      }
    }
    for (const report of reports) {
      const kind = report.messageId in PRESET_KINDS ? PRESET_KINDS[report.messageId] : 'secret';
      if (kind === null || kind === undefined) continue;
      const span = anchorReport(text, report);
      const narrowed = narrowPresetSpan(text, span, report.messageId);
      // Documentation fillers (`ghp_xxxxxxxx…`) are reported by the preset too.
      if (narrowed && !isPlaceholder(text.slice(narrowed[0], narrowed[1]))) add(narrowed[0], narrowed[1], kind);
    }
  };
};

const firstString = (data: unknown): string | undefined => {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const value of Object.values(data)) if (typeof value === 'string' && value.length > 0) return value;
  return undefined;
};

/** The reported value's own position: at or shortly after the reported range start. */
const anchorReport = (text: string, report: PresetReport): [number, number] => {
  const [start, end] = report.range;
  const value = report.value;
  if (value !== undefined) {
    const found = text.indexOf(value, start);
    if (found >= 0 && found <= Math.max(end, start + 512)) return [found, found + value.length];
  }
  return [start, end];
};

/** Access key ids that are credentials; the preset also reports the AIDA/AROA/AGPA… ids of users, roles and groups. */
const AWS_KEY_ID = /^(?:AKIA|ASIA|ABIA|ACCA|A3T)/;

const narrowPresetSpan = (text: string, [start, end]: [number, number], messageId: string): [number, number] | null => {
  switch (messageId) {
    case 'AWSAccessKeyID':
      return AWS_KEY_ID.test(text.slice(start, end)) ? [start, end] : null;
    case 'BasicAuth':
    case 'MongoDBConnection':
    case 'MySQLConnection':
    case 'PostgreSQLConnection':
      return urlPasswordSpan(text, start, end);
    case 'IncomingWebhook': {
      const at = text.indexOf('/services/', start);
      return at >= 0 && at < end ? [at + '/services/'.length, end] : [start, end];
    }
    case 'PrivateKey':
      return pemBodySpan(text, start, end) ?? [start, end];
    default:
      return [start, end];
  }
};

/** `scheme://user:password@host…` → the password's span. */
const urlPasswordSpan = (text: string, start: number, end: number): [number, number] | null => {
  const scheme = text.indexOf('://', start);
  if (scheme < 0 || scheme >= end) return null;
  const at = text.indexOf('@', scheme + 3);
  const colon = text.indexOf(':', scheme + 3);
  if (at < 0 || at >= end || colon < 0 || colon > at) return null;
  return colon + 1 < at ? [colon + 1, at] : null;
};

const pemBodySpan = (text: string, start: number, end: number): [number, number] | null => {
  const headerEnd = text.indexOf('-----', text.indexOf('PRIVATE KEY', start));
  const footer = text.lastIndexOf('-----END', end);
  if (headerEnd < 0 || footer <= headerEnd) return null;
  return trimSpan(text, headerEnd + 5, footer);
};

/** Trims whitespace and JSON `\n` escapes from both ends of a span. */
const trimSpan = (text: string, start: number, end: number): [number, number] | null => {
  let from = start;
  let to = end;
  for (;;) {
    if (from < to && /\s/.test(text[from] ?? '')) from += 1;
    else if (from + 1 < to && text[from] === '\\' && /[nrt]/.test(text[from + 1] ?? '')) from += 2;
    else break;
  }
  for (;;) {
    if (to > from && /\s/.test(text[to - 1] ?? '')) to -= 1;
    else if (to - 1 > from && text[to - 2] === '\\' && /[nrt]/.test(text[to - 1] ?? '')) to -= 2;
    else break;
  }
  return to > from ? [from, to] : null;
};

const textSource = (content: string): SourceCode => {
  let lineStarts: number[] | undefined;
  const starts = (): number[] => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let index = content.indexOf('\n'); index >= 0; index = content.indexOf('\n', index + 1)) {
        lineStarts.push(index + 1);
      }
    }
    return lineStarts;
  };
  const indexToPosition = (index: number) => {
    const all = starts();
    let low = 0;
    let high = all.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((all[middle] ?? 0) <= index) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: index - (all[low] ?? 0) };
  };
  const positionToIndex = (position: { line: number; column: number }) =>
    (starts()[position.line - 1] ?? content.length) + position.column;
  return {
    hasBOM: false,
    content,
    filePath: undefined,
    physicalFilePath: undefined,
    contentType: 'text',
    ext: '',
    getFilePath: () => undefined,
    getPhysicalFilePath: () => undefined,
    indexToPosition,
    positionToIndex,
    rangeToLocation: (range) => ({ start: indexToPosition(range[0]), end: indexToPosition(range[1]) }),
    locationToRange: (location) => [positionToIndex(location.start), positionToIndex(location.end)],
  };
};

// ───────────────────────────── our detectors ─────────────────────────────

/** Runs a global expression; the secret is the last capture group, which must end the match. */
const tailPattern =
  (pattern: RegExp, kind: string | ((match: RegExpExecArray) => string | null)): Detector =>
  (text, add) => {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const value = match[match.length - 1] ?? match[0];
      const end = match.index + match[0].length;
      const resolved = typeof kind === 'string' ? kind : kind(match);
      if (resolved && value.length > 0 && !isPlaceholder(value)) add(end - value.length, end, resolved);
      if (match[0].length === 0) pattern.lastIndex += 1;
    }
  };

const extraSecretsDetector = (secrets: readonly string[]): Detector => {
  const needles = [
    ...new Set(
      secrets
        .filter((secret) => secret.length >= minimumExtraSecretLength)
        .flatMap((secret) => [secret, encodeURIComponent(secret)]),
    ),
  ];
  return (text, add) => {
    for (const needle of needles) {
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
        add(at, at + needle.length, 'configured-secret');
      }
    }
  };
};

const PEM_HEADER = /-----BEGIN[ ]?[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_BODY_LINE = /^[A-Za-z0-9+/=\s\\]*$|^(?:Proc-Type|DEK-Info|Comment|Version|Hash):/;
const MAX_PEM = 65_536;

/** Multi-line (or JSON-escaped) PEM private keys; a truncated key without its END line is redacted as far as it goes. */
const privateKeyDetector: Detector = (text, add) => {
  const nextNewline = nextIndexOf(text, '\n');
  const nextFooter = nextIndexOf(text, '-----END');
  PEM_HEADER.lastIndex = 0;
  for (let match = PEM_HEADER.exec(text); match; match = PEM_HEADER.exec(text)) {
    const bodyStart = match.index + match[0].length;
    const newline = nextNewline(bodyStart);
    const headerLineEnd = newline < 0 ? text.length : newline;
    let bodyEnd: number;
    if (text.slice(bodyStart, Math.min(headerLineEnd, bodyStart + 4)).trim() !== '') {
      // The body follows on the header's line (JSON-escaped `\n`): up to the footer, else to a quote or the line end.
      const footer = nextFooter(bodyStart);
      bodyEnd = footer >= 0 && footer < headerLineEnd ? footer : lineEndOrQuote(text, bodyStart);
    } else {
      // Body lines (base64, RFC 1421 headers) until the footer, a blank line or anything else: a key cut off by
      // truncated output is redacted as far as it goes, and a footer further on never drags other text in.
      // An OpenPGP armor (RFC 4880 §6.2) puts one blank line between its headers and the body.
      bodyEnd = bodyStart;
      let lineStart = newline;
      let armorGap = match[0].includes('BLOCK');
      while (lineStart >= 0 && lineStart - bodyStart <= MAX_PEM) {
        const next = text.indexOf('\n', lineStart + 1);
        const line = text.slice(lineStart + 1, next < 0 ? text.length : next);
        if (line.trim() === '' && armorGap) {
          armorGap = false;
          lineStart = next;
          continue;
        }
        if (line.trim() === '' || !PEM_BODY_LINE.test(line)) break;
        bodyEnd = next < 0 ? text.length : next;
        lineStart = next;
      }
    }
    const span = trimSpan(text, bodyStart, bodyEnd);
    if (span) add(span[0], span[1], 'private-key');
    PEM_HEADER.lastIndex = Math.max(PEM_HEADER.lastIndex, bodyEnd);
  }
};

const PUTTY_PRIVATE_LINES = /^Private-Lines:[ \t]*(\d{1,3})[ \t]*\r?$/gm;
const BASE64_LINE = /^[A-Za-z0-9+/=]{1,4096}\r?$/;

/** The private half of a PuTTY key file (.ppk): the base64 lines its `Private-Lines: N` header counts. */
const puttyKeyDetector: Detector = (text, add) => {
  PUTTY_PRIVATE_LINES.lastIndex = 0;
  for (let match = PUTTY_PRIVATE_LINES.exec(text); match; match = PUTTY_PRIVATE_LINES.exec(text)) {
    let remaining = Number(match[1]);
    let position = text.indexOf('\n', match.index);
    const start = position + 1;
    let end = start;
    while (remaining > 0 && position >= 0) {
      const next = text.indexOf('\n', position + 1);
      const line = text.slice(position + 1, next < 0 ? text.length : next);
      if (!BASE64_LINE.test(line)) break;
      end = position + 1 + line.replace(/\r$/, '').length;
      position = next;
      remaining -= 1;
    }
    if (end > start) add(start, end, 'private-key');
    PUTTY_PRIVATE_LINES.lastIndex = Math.max(PUTTY_PRIVATE_LINES.lastIndex, end);
  }
};

/** indexOf for increasing `from`, remembering the last answer so repeated calls cost linear time in total. */
const nextIndexOf = (text: string, needle: string): ((from: number) => number) => {
  let searchedFrom = -1;
  let found = -1;
  return (from) => {
    const remembered = searchedFrom >= 0 && from >= searchedFrom && (found < 0 || from <= found);
    if (!remembered) {
      searchedFrom = from;
      found = text.indexOf(needle, from);
    }
    return found;
  };
};

const lineEndOrQuote = (text: string, from: number): number => {
  for (let index = from; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\n' || char === '\r' || char === '"' || char === "'") return index;
  }
  return text.length;
};

const lineEnd = (text: string, from: number): number => {
  const newline = text.indexOf('\n', from);
  const end = newline < 0 ? text.length : newline;
  return end > from && text[end - 1] === '\r' ? end - 1 : end;
};

/** The start of the line holding `index`, looking back at most `limit` characters (so callers stay linear). */
const lineStartWithin = (text: string, index: number, limit: number): number => {
  let start = index;
  while (start > 0 && index - start < limit && text[start - 1] !== '\n') start -= 1;
  return start;
};

const DATABASE_SCHEMES =
  /^(?:postgres(?:ql)?|mysql[x2]?|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|couchdb|cassandra|neo4j(?:\+s)?|bolt|memcached)$/i;

const URL_SCHEME = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}):\/\//g;
const URL_STOP = /[\s"'`<>]/;
const MAX_USERINFO = 512;

/**
 * `scheme://user:password@host`: the password, which people write unencoded (`pa/ss`, `p#ss`, `p@ss`, as
 * trufflehog's uri and mongodb detectors allow). The user part ends at `:`; the password runs to the `@` that
 * starts the host, past an `@` followed by more password and another `@`. A host's port and path
 * (`host:8443/users/@me`) is not a password. Each scan resumes where the last one stopped: linear time.
 */
const urlCredentialDetector: Detector = (text, add) => {
  URL_SCHEME.lastIndex = 0;
  for (let match = URL_SCHEME.exec(text); match; match = URL_SCHEME.exec(text)) {
    const userStart = match.index + match[0].length;
    let at = userStart;
    for (; at < text.length && at - userStart <= MAX_USERINFO; at += 1) {
      const char = text[at] ?? '';
      if (char === ':' || URL_STOP.test(char) || char === '/' || char === '@' || char === '?' || char === '#') break;
    }
    if (text[at] !== ':') {
      URL_SCHEME.lastIndex = Math.max(URL_SCHEME.lastIndex, at);
      continue;
    }
    const colon = at;
    let end = -1;
    for (at = colon + 1; at < text.length && at - colon <= MAX_USERINFO; at += 1) {
      const char = text[at] ?? '';
      if (URL_STOP.test(char)) break;
      if (char !== '@') continue;
      // `p@ss@host`: an `@` followed by more password and another `@` is part of the password.
      let next = at + 1;
      while (next < text.length && next - at <= 64 && !/[\s@/:"'`<>?#]/.test(text[next] ?? ' ')) next += 1;
      if (text[next] === '@' && next > at + 1) {
        at = next - 1;
        continue;
      }
      end = at;
      break;
    }
    if (end < 0) {
      URL_SCHEME.lastIndex = Math.max(URL_SCHEME.lastIndex, at);
      continue;
    }
    const password = text.slice(colon + 1, end);
    const isPort = /^\d{1,5}(?:[/?#]|$)/.test(password) && !/^\d{1,5}$/.test(password);
    if (password !== '' && !isPort && !isPlaceholder(password) && /[A-Za-z0-9[]/.test(text[end + 1] ?? '')) {
      add(colon + 1, end, DATABASE_SCHEMES.test(match[1] ?? '') ? 'database-password' : 'url-password');
    }
    URL_SCHEME.lastIndex = Math.max(URL_SCHEME.lastIndex, end + 1);
  }
};

const tokenDetectors: readonly Detector[] = [
  // JWT (header.payload.signature, base64url JSON); the signature may be empty for alg "none".
  tailPattern(/(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{5,8192}\.ey[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,8192})/g, 'jwt'),
  tailPattern(
    /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]{10,512})/g,
    'slack-webhook',
  ),
  ...tokenScanners().map(
    ({ pattern, kinds }): Detector =>
      kinds.length === 1
        ? tailPattern(pattern, kinds[0] ?? 'secret')
        : (text, add) => {
            // One alternation of many formats: the group that matched names the kind; the match is the token.
            pattern.lastIndex = 0;
            for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
              let group = 1;
              while (group < match.length && match[group] === undefined) group += 1;
              const kind = kinds[group - 1];
              if (kind && !isPlaceholder(match[0])) add(match.index, match.index + match[0].length, kind);
            }
          },
  ),
  // AWS secret access keys and session tokens by their keys, and a secret key right after its key id (the
  // credentials.csv AWS hands out: `AKIA…,<secret>`).
  tailPattern(
    /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["'`]?[ \t]*(?::=|=>|[:=])[ \t]*["'`]?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    'aws-secret-access-key',
  ),
  tailPattern(
    /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?:[ \t]*[,;:|][ \t]*|[ \t]+)["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g,
    'aws-secret-access-key',
  ),
  tailPattern(
    /(?:aws_?)?(?:session|security)_?token["'`]?[ \t]*(?::=|=>|[:=])[ \t]*["'`]?([A-Za-z0-9/+=]{16,8192})/gi,
    'session-token',
  ),
  // Azure storage / service bus connection strings and SAS signatures; signed URLs of other clouds.
  tailPattern(/(?<![A-Za-z])(?:AccountKey|SharedAccessKey|SharedSecret)=([^;"'\s]{1,1024})/g, 'azure-key'),
  tailPattern(/(?<![A-Za-z])SharedAccessSignature=([^;"'\s]{1,2048})/g, 'azure-sas'),
  tailPattern(
    /[?&](?:sig|X-Amz-Signature|X-Amz-Security-Token|X-Goog-Signature|Signature)=([^&\s"'<>#]{1,4096})/g,
    (m) => (m[0].startsWith('?sig') || m[0].startsWith('&sig') ? 'azure-sas' : 'url-signature'),
  ),
  // A docker config.json encoded as base64 (`{"auths":` → eyJhdXRocyI6).
  tailPattern(/(?<![A-Za-z0-9+/])(eyJhdXRocyI6[A-Za-z0-9+/]{8,65536}={0,2})/g, 'docker-auth'),
  tailPattern(/"auth"[ \t]*:[ \t]*"([^"\r\n]{1,4096})(?=")/g, 'docker-auth'),
  // Oracle's `jdbc:oracle:thin:user/password@host`.
  tailPattern(/jdbc:oracle:thin:[A-Za-z0-9_$#]{1,128}\/([^@\s"'/]{1,256})(?=@)/g, 'database-password'),
  vaultLegacyTokenDetector,
];

/**
 * Vault's tokens before 1.10 (`s.` and 24 characters, optionally `.nsid`): too short a shape to recognise alone,
 * so only on a line that speaks of vault or tokens (`vault login s.…`, `token   s.…`, `X-Vault-Token: s.…`).
 * trufflehog hashicorpvault keeps the same condition (keyword "vault").
 */
function vaultLegacyTokenDetector(text: string, add: Add): void {
  const pattern = /(?<![A-Za-z0-9_.-])(s\.[A-Za-z0-9]{24}(?:\.[A-Za-z0-9]{5})?)(?![A-Za-z0-9_.-])/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (/vault|token/i.test(text.slice(lineStartWithin(text, match.index, 200), match.index))) {
      add(match.index, match.index + match[0].length, 'vault-token');
    }
  }
}

const SECRET_DOCUMENT =
  /^[ \t-]*kind:[ \t]*Secret[ \t]*\r?$|"kind"[ \t]*:[ \t]*"Secret"|^[ \t]*type:[ \t]*(?:Opaque|kubernetes\.io\/[a-z-]+)[ \t]*\r?$/m;
const YAML_DATA_BLOCK = /^([ \t]*)(?:data|stringData):[ \t]*\r?$/gm;
const YAML_ENTRY = /^[ \t]*[^:\r\n]+:(.*)$/;
const JSON_DATA_BLOCK = /"(?:data|stringData)"[ \t]*:[ \t]*\{/g;
const JSON_STRING_ENTRY = /"(?:[^"\\\r\n]|\\.){0,512}"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\.)*)"/g;

const SECRET_LINE = /^[ \t]*(?:-[ \t]+)?(?:kind:[ \t]*Secret|type:[ \t]*(?:Opaque|kubernetes\.io\/[a-z-]+))[ \t]*\r?$/;
const YAML_LINE_AT_MARGIN = /^(?:-(?:[ \t]|$)|#|[^\s#-][^:]*:(?:[ \t]|\r?$))/;

/**
 * Spans of YAML runs (lines between blank lines, `---` and non-YAML lines such as a shell prompt) that declare a
 * Secret. One pass over the lines, so any number of `data:` blocks costs linear time. A run holding both a Secret
 * and a ConfigMap (one `kubectl get cm,secret -o yaml` list) has all its data redacted: the safe side.
 */
const secretYamlRuns = (text: string): Array<[number, number]> => {
  const runs: Array<[number, number]> = [];
  let runStart = 0;
  let hasSecret = false;
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end);
    const boundary =
      line.trim() === '' || /^(?:---|\.\.\.)/.test(line) || (!/^[ \t]/.test(line) && !YAML_LINE_AT_MARGIN.test(line));
    if (boundary) {
      if (hasSecret) runs.push([runStart, start]);
      runStart = end + 1;
      hasSecret = false;
    } else if (SECRET_LINE.test(line)) {
      hasSecret = true;
    }
    start = end + 1;
  }
  if (hasSecret) runs.push([runStart, text.length]);
  return runs;
};

/** Values under `data:` / `stringData:` of a Kubernetes Secret (`kubectl get secret -o yaml|json`). */
const kubernetesSecretDetector: Detector = (text, add) => {
  if (!SECRET_DOCUMENT.test(text)) return;
  const runs = secretYamlRuns(text);
  let run = 0;
  YAML_DATA_BLOCK.lastIndex = 0;
  for (let block = YAML_DATA_BLOCK.exec(text); block; block = YAML_DATA_BLOCK.exec(text)) {
    while (run < runs.length && (runs[run]?.[1] ?? 0) <= block.index) run += 1;
    const current = runs[run];
    if (!current || current[0] > block.index) continue;
    const blockIndent = indentWidth(block[1] ?? '');
    let position = text.indexOf('\n', block.index);
    let multilineIndent = -1; // indentation of the key whose `|` value we are inside
    while (position >= 0 && position < text.length) {
      const start = position + 1;
      const end = lineEnd(text, start);
      const line = text.slice(start, end);
      const next = text.indexOf('\n', start);
      if (line.trim() !== '') {
        const indent = indentWidth(/^[ \t]*/.exec(line)?.[0] ?? '');
        if (indent <= blockIndent) break;
        if (multilineIndent >= 0 && indent > multilineIndent) {
          add(start + (line.length - line.trimStart().length), end, 'k8s-secret');
        } else {
          multilineIndent = -1;
          const entry = YAML_ENTRY.exec(line);
          const value = (entry?.[1] ?? '').trim();
          if (/^[|>][-+]?$/.test(value)) multilineIndent = indent;
          else if (value !== '' && !isPlaceholder(value)) {
            const valueStart = start + line.lastIndexOf(value);
            add(valueStart, valueStart + value.length, 'k8s-secret');
          }
        }
      }
      position = next;
      YAML_DATA_BLOCK.lastIndex = Math.max(YAML_DATA_BLOCK.lastIndex, end);
    }
  }
  JSON_DATA_BLOCK.lastIndex = 0;
  for (let block = JSON_DATA_BLOCK.exec(text); block; block = JSON_DATA_BLOCK.exec(text)) {
    const open = block.index + block[0].length;
    const close = text.indexOf('}', open);
    const body = text.slice(open, close < 0 ? text.length : close);
    JSON_STRING_ENTRY.lastIndex = 0;
    for (let entry = JSON_STRING_ENTRY.exec(body); entry; entry = JSON_STRING_ENTRY.exec(body)) {
      const value = entry[1] ?? '';
      const end = open + entry.index + entry[0].length - 1;
      if (value !== '') add(end - value.length, end, 'k8s-secret');
    }
    JSON_DATA_BLOCK.lastIndex = close < 0 ? text.length : close;
  }
};

const indentWidth = (whitespace: string): number => whitespace.replace(/\t/g, '  ').length;

const AUTHORIZATION =
  /(?<![A-Za-z0-9_-])(?:proxy-)?authorization(?:["'`]|\*\*)?[ \t]*[:=][ \t]*(["'`]?)(?:(bearer|basic|token|bot|digest|negotiate|ntlm|oauth|sso-key|ssws|sharedkey|splunk|apikey|aws4-hmac-sha256)[ \t]+)?/gi;

/** `Authorization: Bearer x`, `{'Authorization': 'Basic x'}`, `-H "authorization: token x"`: the credential only. */
const authorizationDetector: Detector = (text, add) => {
  AUTHORIZATION.lastIndex = 0;
  for (let match = AUTHORIZATION.exec(text); match; match = AUTHORIZATION.exec(text)) {
    const start = match.index + match[0].length;
    const quote = match[1] ?? '';
    const scheme = (match[2] ?? '').toLowerCase();
    const singleToken = scheme === 'bearer' || scheme === 'basic' || scheme === 'token' || scheme === 'bot';
    // Digest and AWS4 credentials have spaces and quotes of their own: an unquoted one runs to the end of the line.
    const end = quote ? closingQuote(text, start, quote) : singleToken ? tokenEnd(text, start) : lineEnd(text, start);
    const value = text.slice(start, end).trimEnd();
    if (value !== '' && !isPlaceholder(value)) {
      const kind = scheme === 'bearer' ? 'bearer-token' : scheme === 'basic' ? 'basic-auth' : 'authorization';
      add(start, start + value.length, kind);
    }
    AUTHORIZATION.lastIndex = Math.max(AUTHORIZATION.lastIndex, end);
  }
};

/** A bare `Bearer <opaque token>` anywhere (portal tokens in curl commands, stack traces). */
const BEARER = /(?<![A-Za-z0-9_-])bearer[ \t]+([A-Za-z0-9\-._~+/]{16,8192}=*)(?![A-Za-z0-9\-._~+/=])/gi;
const bearerDetector: Detector = (text, add) => {
  BEARER.lastIndex = 0;
  for (let match = BEARER.exec(text); match; match = BEARER.exec(text)) {
    const value = match[1] ?? '';
    // Prose ("a Bearer authentication_header") has no digits; tokens virtually always do.
    if (/[0-9]/.test(value))
      add(match.index + match[0].length - value.length, match.index + match[0].length, 'bearer-token');
  }
};

const COOKIE = /(?<![A-Za-z0-9_-])(?:set-)?cookie(?:["'`]|\*\*)?[ \t]*:[ \t]*(["'`]?)/gi;
const cookieDetector: Detector = (text, add) => {
  COOKIE.lastIndex = 0;
  for (let match = COOKIE.exec(text); match; match = COOKIE.exec(text)) {
    const start = match.index + match[0].length;
    const quote = match[1] ?? '';
    const end = quote ? closingQuote(text, start, quote) : lineEndOrQuote(text, start);
    const value = text.slice(start, end).trimEnd();
    if (value !== '' && !isPlaceholder(value)) add(start, start + value.length, 'cookie');
    COOKIE.lastIndex = Math.max(COOKIE.lastIndex, end);
  }
};

/**
 * `key=value`, `key: value`, `"key": "value"`, `key => 'value'`, `key := value`, `$env:KEY = "value"`,
 * `config['KEY'] = 'value'`, `**Key:** value`, in any syntax whose key name redact-keys.ts classifies as secret
 * (`DB_PASS`, `MYSQL_PWD`, `pwd`, `_auth`, `clientSecret`, `spring.datasource.password`, `--db-password`…). Quoted
 * values end at their quote; a YAML-style `key: value` line keeps its whole value (passphrases have spaces) and a
 * block scalar (`key: |`) its indented lines; otherwise the value ends at whitespace or punctuation that cannot
 * belong to it in a log line or query string. An unquoted key with a colon and no space after it (`arn:…:secret:x`,
 * `host:port`) is not a key.
 */
const KEY_VALUE = new RegExp(
  `(?<![A-Za-z0-9_.-])(?=[A-Za-z0-9_.-]{0,100}?${SECRET_WORD_HINT})([A-Za-z0-9_.-]{1,100})((?:\\*\\*)?["'\`]?\\]?)[ \\t]*(:=|=>|\\?=|[:=])(?![=>])`,
  'gi',
);
const LINE_START_KEY = /^[ \t]*(?:[-*>][ \t]+)?(?:export[ \t]+|set[ \t]+)?(?:\*\*|__|["'`])?[A-Za-z0-9_.-]*$/;
const INLINE_VALUE = /[^\s"'`,;&<>(){}[\]]*/y;
const UNTIL_SPACE = /\S*/y;
const BLOCK_SCALAR = /^[|>][-+0-9]{0,3}$/;
const NESTED_VALUE = /\{[ \t]*"value"[ \t]*:[ \t]*"/y;
const MAX_BLOCK = 65_536;

const keyValueDetector: Detector = (text, add) => {
  const lineStartOf = lineStarts(text);
  KEY_VALUE.lastIndex = 0;
  for (let match = KEY_VALUE.exec(text); match; match = KEY_VALUE.exec(text)) {
    const quotedKey = /["'`]/.test(match[2] ?? '');
    const separator = match[3] ?? '';
    let start = match.index + match[0].length;
    if (separator === ':' && !quotedKey && !/[ \t\r\n"'`*]/.test(text[start] ?? '\n')) continue;
    const key = classifyKeyName(match[1] ?? '');
    if (!key) continue;
    while (text[start] === ' ' || text[start] === '\t') start += 1;
    if (text.startsWith('**', start) || text.startsWith('__', start)) start += 2;
    while (text[start] === ' ' || text[start] === '\t') start += 1;
    let first = text[start];
    if (first === undefined || first === '\n' || first === '\r') continue;
    const template = templateEnd(text, start);
    if (template > 0) {
      KEY_VALUE.lastIndex = Math.max(KEY_VALUE.lastIndex, template);
      continue;
    }
    // SQL Server's N'…' and PostgreSQL's E'…' strings.
    if ((first === 'N' || first === 'E') && text[start + 1] === "'" && separator === '=') {
      start += 1;
      first = "'";
    }
    const lineStartKey = isLineStartKey(text, match.index, lineStartOf(match.index));
    let valueStart = start;
    let end: number;
    if (first === '"' || first === "'" || first === '`') {
      valueStart = start + 1;
      end = closingQuote(text, valueStart, first);
    } else if (separator === ':' && quotedKey) {
      // JSON: an unquoted value is a number, true, false or null, or an object: Spring's `/actuator/env` gives
      // `"spring.datasource.password": {"value": "…"}`.
      if (first === '{' || first === '[') {
        NESTED_VALUE.lastIndex = start;
        const nested = NESTED_VALUE.exec(text);
        if (nested) {
          const nestedStart = start + nested[0].length;
          const nestedEnd = closingQuote(text, nestedStart, '"');
          if (acceptsValue(key, text.slice(nestedStart, nestedEnd), true)) add(nestedStart, nestedEnd, key.kind);
          KEY_VALUE.lastIndex = Math.max(KEY_VALUE.lastIndex, nestedEnd);
        }
        continue;
      }
      end = scanUntil(text, start, /[\s,}\]]/);
    } else if (separator === ':' && lineStartKey) {
      end = lineEnd(text, start);
    } else {
      // An env-file line (`DB_PASSWORD=Tr0ub4dor&3-4yMpo0`) keeps `&`, `;`, `(`… in its value: only whitespace ends
      // it. Inside a line (a log, a query string) the value ends at the first character that cannot belong to it.
      end = scanRun(text, start, lineStartKey ? UNTIL_SPACE : INLINE_VALUE);
    }
    let valueEnd = end;
    while (valueEnd > valueStart && /\s/.test(text[valueEnd - 1] ?? '')) valueEnd -= 1;
    const value = text.slice(valueStart, valueEnd);
    if (BLOCK_SCALAR.test(value) && lineStartKey && !key.weak) {
      end = blockScalar(text, match.index, end, key.kind, add);
    } else if (acceptsValue(key, value, valueStart > start)) {
      add(valueStart, valueEnd, key.kind);
    }
    KEY_VALUE.lastIndex = Math.max(KEY_VALUE.lastIndex, end);
  }
};

/**
 * Where a template placeholder starting at `start` ends (`${DB_PASSWORD}`, `{{ .Values.token }}`,
 * `${{ secrets.X }}`, `$(cat /run/secrets/x)`), or -1 when none starts there.
 */
const templateEnd = (text: string, start: number): number => {
  const close = text.startsWith('$(', start)
    ? text.indexOf(')', start)
    : text.startsWith('${', start) || text.startsWith('{{', start)
      ? text.indexOf('}', start)
      : -1;
  if (close <= start || close - start > 200) return -1;
  const end = text.startsWith('}}', close) ? close + 2 : close + 1;
  return isPlaceholder(text.slice(start, end)) ? end : -1;
};

/** The lines of a YAML block scalar (`password: |`), indented deeper than its key; returns where they end. */
const blockScalar = (text: string, keyStart: number, from: number, kind: string, add: Add): number => {
  const lineStart = lineStartWithin(text, keyStart, 200);
  const keyIndent = indentWidth(/^[ \t-]*/.exec(text.slice(lineStart, keyStart))?.[0] ?? '');
  let position = text.indexOf('\n', from);
  let end = from;
  while (position >= 0 && position - from <= MAX_BLOCK) {
    const start = position + 1;
    const stop = lineEnd(text, start);
    const line = text.slice(start, stop);
    if (line.trim() !== '') {
      const indent = indentWidth(/^[ \t]*/.exec(line)?.[0] ?? '');
      if (indent <= keyIndent) break;
      add(start + (line.length - line.trimStart().length), stop, kind);
      end = stop;
    }
    position = text.indexOf('\n', start);
  }
  return end;
};

/** Whether only a key's own prefix (indentation, a list marker, `export`) stands before it on its line. */
const isLineStartKey = (text: string, keyStart: number, lineStart: number): boolean =>
  keyStart - lineStart <= 200 && LINE_START_KEY.test(text.slice(lineStart, keyStart));

/**
 * The start of the line holding each of a series of increasing positions. It remembers the next newline, so the
 * whole series costs one pass over the text: an unbounded lastIndexOf per key would make a long line of `key=`
 * pairs quadratic.
 */
const lineStarts = (text: string): ((position: number) => number) => {
  let lineStart = 0;
  let newline = text.indexOf('\n');
  return (position) => {
    while (newline >= 0 && newline < position) {
      lineStart = newline + 1;
      newline = text.indexOf('\n', lineStart);
    }
    return lineStart;
  };
};

/** The end of the run a sticky expression matches at `from`. */
const scanRun = (text: string, from: number, run: RegExp): number => {
  run.lastIndex = from;
  return run.test(text) ? run.lastIndex : from;
};

/** Words a flag is followed by in help texts and warnings (`--token string`, `Using --password via the CLI`). */
const FLAG_PROSE = new Set(
  'via string strings stringarray int uint bool duration value values is was are be the a an and or to for from with in on of flag option options argument parameter instead only must when if not stdin file here below above that which will can should'.split(
    ' ',
  ),
);

/**
 * `--password x`, `--client-secret "x"`, `-storepass x`, `-passout pass:x`: flags whose name redact-keys.ts
 * classifies as secret, followed by their value (the `--name=value` form is the key=value detector's).
 */
const CLI_FLAG = new RegExp(
  `(?<![A-Za-z0-9_-])--?(?=[A-Za-z0-9_.-]{0,60}?${SECRET_WORD_HINT})([A-Za-z][A-Za-z0-9_.-]{0,60})[ \\t]+(["']?)(?!-)`,
  'gi',
);
const cliFlagDetector: Detector = (text, add) => {
  CLI_FLAG.lastIndex = 0;
  for (let match = CLI_FLAG.exec(text); match; match = CLI_FLAG.exec(text)) {
    const key = classifyKeyName(match[1] ?? '');
    if (!key) continue;
    let start = match.index + match[0].length;
    const quote = match[2] ?? '';
    const end = quote ? closingQuote(text, start, quote) : tokenEnd(text, start);
    let value = text.slice(start, end);
    // openssl-style `pass:secret`; `env:VAR`, `file:path` and `fd:N` say where the secret is.
    if (/^(?:env|file|fd):/.test(value)) continue;
    if (value.startsWith('pass:')) {
      start += 5;
      value = value.slice(5);
    }
    if ((quote || !FLAG_PROSE.has(value.toLowerCase())) && acceptsValue(key, value, quote !== '')) {
      add(start, end, key.kind);
    }
    CLI_FLAG.lastIndex = Math.max(CLI_FLAG.lastIndex, end);
  }
};

/**
 * `<password>x</password>`, `<gpg.passphrase>x</gpg.passphrase>` (Maven settings, SOAP dumps) and elements named by
 * an attribute: `<entry key="db.password">x</entry>` (Java XML properties), `<setting name="ApiToken">x</setting>`.
 */
const XML_ELEMENT = /<([A-Za-z_][A-Za-z0-9_.:-]{0,80})>([^<\r\n]{1,4096})(?=<\/\1>)/g;
const XML_NAMED_ELEMENT =
  /<([A-Za-z_][A-Za-z0-9_.:-]{0,80})[ \t][^<>]{0,200}?\b(?:key|name)=["']([^"'<>]{1,100})["'][^<>]{0,200}>([^<\r\n]{1,4096})(?=<\/\1>)/g;
const xmlElementDetector: Detector = (text, add) => {
  for (const [pattern, nameGroup] of [
    [XML_ELEMENT, 1],
    [XML_NAMED_ELEMENT, 2],
  ] as const) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const key = classifyKeyName((match[nameGroup] ?? '').replace(/^[A-Za-z0-9_-]+:/, ''));
      const value = match[match.length - 1] ?? '';
      const end = match.index + match[0].length;
      if (key && acceptsValue(key, value.trim(), true)) add(end - value.length, end, key.kind);
    }
  }
};

/**
 * A secret named in one field and given in the next: Kubernetes `env` entries (`- name: DB_PASSWORD` / `value: x`),
 * ECS task definitions, `aws ssm get-parameter` output (`"Name": "/prod/db_password"`, …, `"Value": "x"`),
 * `<add key="SmtpPassword" value="x" />`, CloudFormation `ParameterKey=DBPassword,ParameterValue=x`. The value must
 * come within the same object: before a `}`, a blank line, the next list item or element.
 */
const NAME_FIELD =
  /(?<![A-Za-z0-9_-])(["']?)(?:name|Name|NAME|key|Key|ParameterKey|OptionName)\1[ \t]*[:=][ \t]*["']?([A-Za-z0-9_./:-]{1,200})/g;
const VALUE_FIELD = /(?<![A-Za-z0-9_-])(["']?)(?:value|Value|VALUE|ParameterValue)\1[ \t]*([:=])[ \t]*/g;
const FIELD_WINDOW = 400;
const FIELD_WINDOW_END = /\}|\/>|<|\n[ \t]*\r?\n|\n[ \t]*- /;

const namedValueDetector: Detector = (text, add) => {
  NAME_FIELD.lastIndex = 0;
  for (let match = NAME_FIELD.exec(text); match; match = NAME_FIELD.exec(text)) {
    const name =
      (match[2] ?? '')
        .split(/[/:]/)
        .filter((part) => part !== '')
        .at(-1) ?? '';
    const key = classifyKeyName(name);
    if (!key) continue;
    const from = match.index + match[0].length;
    const window = text.slice(from, from + FIELD_WINDOW);
    const stop = FIELD_WINDOW_END.exec(window);
    const scope = stop ? window.slice(0, stop.index) : window;
    let resume = from + scope.length;
    VALUE_FIELD.lastIndex = 0;
    const field = VALUE_FIELD.exec(scope);
    if (field) {
      const fieldEnd = from + field.index + field[0].length;
      const quote = text[fieldEnd] === '"' || text[fieldEnd] === "'" ? (text[fieldEnd] ?? '') : '';
      const valueStart = fieldEnd + quote.length;
      // `ParameterValue=x,` and JSON's unquoted values end at punctuation; YAML's `value: x y` at the line end.
      const ends = field[2] === '=' || field[1] ? /[\s,;}&]/ : /[\r\n]/;
      const end = quote ? closingQuote(text, valueStart, quote) : scanUntil(text, valueStart, ends);
      const raw = text.slice(valueStart, end).trimEnd();
      if (acceptsValue(key, raw.trim(), quote !== '')) add(valueStart, valueStart + raw.length, key.kind);
      resume = Math.max(resume, end);
    }
    // The fields inside the object were read: each character is looked at by one window at most.
    NAME_FIELD.lastIndex = Math.max(NAME_FIELD.lastIndex, resume);
  }
};

const scanUntil = (text: string, from: number, stop: RegExp): number => {
  let end = from;
  while (end < text.length && !stop.test(text[end] ?? ' ')) end += 1;
  return end;
};

/** `define('DB_PASSWORD', 'x')`, `os.environ.setdefault("API_TOKEN", "x")`, `headers.set('X-Api-Key', 'x')`. */
const CALL_PAIR = /\([ \t]*(["'])([A-Za-z0-9_.:/-]{1,100})\1[ \t]*,[ \t]*(["'])/g;
const callPairDetector: Detector = (text, add) => {
  CALL_PAIR.lastIndex = 0;
  for (let match = CALL_PAIR.exec(text); match; match = CALL_PAIR.exec(text)) {
    const key = classifyKeyName(match[2] ?? '');
    if (!key) continue;
    const start = match.index + match[0].length;
    const end = closingQuote(text, start, match[3] ?? '"');
    // Only a call's last argument: in `['password', 'email']` the second string is another name.
    if (/^[ \t]*\)/.test(text.slice(end + 1, end + 40)) && acceptsValue(key, text.slice(start, end), true)) {
      add(start, end, key.kind);
    }
    CALL_PAIR.lastIndex = Math.max(CALL_PAIR.lastIndex, end);
  }
};

/**
 * Passwords in SQL: `PASSWORD 'x'`, `WITH PASSWORD = N'x'`, `ENCRYPTED PASSWORD 'x'`, `= PASSWORD('x')`,
 * `SET PASSWORD FOR u = 'x'`, `IDENTIFIED [WITH plugin] BY 'x'` and Oracle's unquoted `IDENTIFIED BY x`.
 * (The key=value detector reads `PASSWORD = 'x'` too.)
 */
const SQL_QUOTED_PASSWORD =
  /(?<![\w'"`$-])(?:PASSWORD(?:[ \t]*=[ \t]*(?:PASSWORD[ \t]*\([ \t]*)?|[ \t]*\([ \t]*|[ \t]+)|SET[ \t]+PASSWORD[ \t]+FOR[ \t]+[^=\s][^=\n]{0,199}=[ \t]*(?:PASSWORD[ \t]*\([ \t]*)?|IDENTIFIED[ \t]+(?:WITH[ \t]+[\w$]{1,64}[ \t]+)?(?:BY|AS)[ \t]+(?:PASSWORD[ \t]+)?)[NE]?(['"])/gi;
const SQL_ORACLE_PASSWORD =
  /(?<![\w-])IDENTIFIED[ \t]+BY[ \t]+(?!PASSWORD\b|VALUES\b)([A-Za-z][\w$#]{0,127})(?![\w$#])/g;
const sqlOraclePassword = tailPattern(SQL_ORACLE_PASSWORD, 'password');
const sqlPasswordDetector: Detector = (text, add) => {
  SQL_QUOTED_PASSWORD.lastIndex = 0;
  for (let match = SQL_QUOTED_PASSWORD.exec(text); match; match = SQL_QUOTED_PASSWORD.exec(text)) {
    const start = match.index + match[0].length;
    const end = closingQuote(text, start, match[1] ?? "'");
    const value = text.slice(start, end);
    if (value !== '' && !isPlaceholder(value)) add(start, end, 'password');
    SQL_QUOTED_PASSWORD.lastIndex = Math.max(SQL_QUOTED_PASSWORD.lastIndex, end);
  }
  sqlOraclePassword(text, add);
};

/**
 * Secrets in configuration lines without a `=` or `:`: redis.conf `requirepass x` / `masterauth x` (also via
 * `CONFIG SET`), LDAP's `bindpw x` / `rootpw x` (nslcd.conf, slapd.conf), a redis-cli `AUTH [user] x` at its prompt, `.netrc` `password x` after `machine` / `login`, a
 * `.pgpass` line (`host:port:db:user:password`) and PowerShell's `ConvertTo-SecureString "x" -AsPlainText`.
 */
const REDIS_PASSWORD = /(?<![\w-])(?:requirepass|masterauth|bindpw|bind_pw|rootpw)[ \t]+(["']?)/gi;
const REDIS_AUTH = /^([^\n>]{0,80}>[ \t]*)?(AUTH|auth)[ \t]+(?:\S{1,256}[ \t]+)?(\S{1,512})[ \t]*\r?$/gm;
const NETRC_PASSWORD = /(?<![\w-])password[ \t]+(\S{1,512})/g;
const NETRC_CONTEXT = /(?<![\w-])(?:machine|default|login)[ \t]/g;
const PGPASS_LINE = /^[^\s:#]{1,253}:(?:\d{1,5}|\*):[^\s:]{1,63}:[^\s:]{1,63}:((?:\\.|[^\s:\\]){1,256})\r?$/gm;
const SECURE_STRING = /ConvertTo-SecureString[ \t]+(?:-String[ \t]+)?(["'])/gi;

const configLineDetector: Detector = (text, add) => {
  REDIS_PASSWORD.lastIndex = 0;
  for (let match = REDIS_PASSWORD.exec(text); match; match = REDIS_PASSWORD.exec(text)) {
    const start = match.index + match[0].length;
    const quote = match[1] ?? '';
    const end = quote ? closingQuote(text, start, quote) : tokenEnd(text, start);
    const value = text.slice(start, end);
    if (value !== '' && !isPlaceholder(value) && (quote || !FLAG_PROSE.has(value.toLowerCase()))) {
      add(start, end, 'password');
    }
    REDIS_PASSWORD.lastIndex = Math.max(REDIS_PASSWORD.lastIndex, end);
  }
  REDIS_AUTH.lastIndex = 0;
  for (let match = REDIS_AUTH.exec(text); match; match = REDIS_AUTH.exec(text)) {
    const value = match[3] ?? '';
    // Lower-case `auth` only after a prompt: a line "auth required" is prose.
    if ((match[2] === 'AUTH' || match[1]) && !isPlaceholder(value)) {
      const end = match.index + match[0].trimEnd().length;
      add(end - value.length, end, 'password');
    }
  }
  // .netrc: `password x` on a line with `login`, or on its own line after a `machine` entry.
  const context = nextMatchBefore(text, NETRC_CONTEXT);
  NETRC_PASSWORD.lastIndex = 0;
  for (let match = NETRC_PASSWORD.exec(text); match; match = NETRC_PASSWORD.exec(text)) {
    const keyword = context(match.index);
    const before = text.slice(lineStartWithin(text, match.index, 120), match.index);
    const sameLine = /(?:^|\s)login\s/.test(before);
    const ownLine = before.trim() === '' && keyword >= 0 && match.index - keyword <= 300;
    const value = match[1] ?? '';
    if ((sameLine || ownLine) && !isPlaceholder(value)) {
      add(match.index + match[0].length - value.length, match.index + match[0].length, 'password');
    }
  }
  const pgpass = text.search(/pgpass/i);
  if (pgpass >= 0) {
    PGPASS_LINE.lastIndex = pgpass;
    for (let match = PGPASS_LINE.exec(text); match; match = PGPASS_LINE.exec(text)) {
      const value = match[1] ?? '';
      const end = match.index + match[0].replace(/\r$/, '').length;
      if (!isPlaceholder(value)) add(end - value.length, end, 'password');
    }
  }
  SECURE_STRING.lastIndex = 0;
  for (let match = SECURE_STRING.exec(text); match; match = SECURE_STRING.exec(text)) {
    const start = match.index + match[0].length;
    const end = closingQuote(text, start, match[1] ?? '"');
    const value = text.slice(start, end);
    if (value !== '' && !isPlaceholder(value)) add(start, end, 'password');
    SECURE_STRING.lastIndex = Math.max(SECURE_STRING.lastIndex, end);
  }
};

/** For increasing positions, the start of the last match of `pattern` before each: one pass over the text in all. */
const nextMatchBefore = (text: string, pattern: RegExp): ((position: number) => number) => {
  pattern.lastIndex = 0;
  let last = -1;
  let upcoming = pattern.exec(text);
  return (position) => {
    while (upcoming && upcoming.index < position) {
      last = upcoming.index;
      upcoming = pattern.exec(text);
    }
    return last;
  };
};

const closingQuote = (text: string, from: number, quote: string): number => {
  for (let index = from; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\' && quote !== '`') index += 1;
    else if (char === quote || char === '\n' || char === '\r') return index;
  }
  return text.length;
};

const tokenEnd = (text: string, from: number): number => {
  let end = from;
  while (end < text.length && !/[\s"'`,;<>]/.test(text[end] ?? ' ')) end += 1;
  return end;
};

// ───────────────────────────── the redactor ─────────────────────────────

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const detectors: Detector[] = [
    extraSecretsDetector(options.extraSecrets ?? []),
    createPresetDetector(),
    privateKeyDetector,
    ...tokenDetectors,
    kubernetesSecretDetector,
    authorizationDetector,
    bearerDetector,
    cookieDetector,
    urlCredentialDetector,
    puttyKeyDetector,
    sqlPasswordDetector,
    configLineDetector,
    commandLineDetector,
    namedValueDetector,
    callPairDetector,
    cliFlagDetector,
    xmlElementDetector,
    keyValueDetector,
  ];

  const pass = (text: string): RedactionResult => {
    // Hidden and look-alike characters folded away (redact-fold.ts); what is found is replaced in the text itself.
    const folded = foldForDetection(text);
    const view = folded?.text ?? text;
    const findings: Finding[] = [];
    detectors.forEach((detector, priority) => {
      detector(view, (start, end, kind) => {
        if (end <= start || view.startsWith(MARKER_PREFIX, start)) return;
        const [from, to] = folded ? originalSpan(folded, start, end) : [start, end];
        findings.push({ start: from, end: to, kind, priority });
      });
    });
    if (findings.length === 0) return { text, count: 0, kinds: [] };
    return apply(text, withoutMarkers(text, merge(findings)));
  };

  /**
   * A marker can change what is around a neighbour (`KEY--password x` only reads as a flag once KEY is a marker),
   * so passes repeat until one finds nothing: redacting the output again never changes it.
   */
  const redact = (text: string): RedactionResult => {
    if (text.length === 0) return { text, count: 0, kinds: [] };
    let result = pass(text);
    for (let round = 1; result.count > 0 && round < MAX_PASSES; round += 1) {
      const again = pass(result.text);
      if (again.count === 0) break;
      result = {
        text: again.text,
        count: result.count + again.count,
        kinds: [...result.kinds, ...again.kinds.filter((kind) => !result.kinds.includes(kind))],
      };
    }
    return result;
  };

  const redactDeep = (value: unknown): unknown => deepCopy(value, redact, new WeakSet(), 0);

  return { redact, redactDeep };
}

/** Sorted, overlapping findings merged; a merged span keeps the kind of its earliest, longest, most specific part. */
const merge = (findings: Finding[]): Finding[] => {
  findings.sort((a, b) => a.start - b.start || b.end - a.end || a.priority - b.priority);
  const merged: Finding[] = [];
  for (const finding of findings) {
    const last = merged[merged.length - 1];
    if (last && finding.start < last.end) {
      if (finding.end > last.end) merged[merged.length - 1] = { ...last, end: finding.end };
    } else {
      merged.push(finding);
    }
  }
  return merged;
};

/** Findings that lie inside an existing `[REDACTED:…]` marker are dropped: redacting twice changes nothing. */
const withoutMarkers = (text: string, findings: Finding[]): Finding[] => {
  if (!text.includes(MARKER_PREFIX)) return findings;
  const markers: Array<[number, number]> = [];
  MARKER.lastIndex = 0;
  for (let match = MARKER.exec(text); match; match = MARKER.exec(text)) {
    markers.push([match.index, match.index + match[0].length]);
  }
  let index = 0;
  return findings.filter((finding) => {
    while (index < markers.length && (markers[index]?.[1] ?? 0) <= finding.start) index += 1;
    const marker = markers[index];
    return !(marker && marker[0] <= finding.start && finding.end <= marker[1]);
  });
};

const apply = (text: string, findings: Finding[]): RedactionResult => {
  const parts: string[] = [];
  const kinds: string[] = [];
  let position = 0;
  for (const finding of findings) {
    parts.push(text.slice(position, finding.start), redactionMarker(finding.kind));
    if (!kinds.includes(finding.kind)) kinds.push(finding.kind);
    position = finding.end;
  }
  parts.push(text.slice(position));
  return { text: parts.join(''), count: findings.length, kinds };
};

// ───────────────────────────── objects for logs ─────────────────────────────

const SECRET_KEY_NAME =
  /(?:passw(?:or)?d|passphrase|secret|token|authorization|cookie|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|signature|session[_-]?id)$/i;

/**
 * True for object keys whose values are secrets as a whole: `token`, `botToken`, `client_secret`, `Authorization`,
 * and every name redact-keys.ts classifies as a secret on its own (`pass`, `pwd`, `_auth`, `secretKeyBase`…).
 */
export const isSecretKeyName = (key: string): boolean => {
  if (SECRET_KEY_NAME.test(key.replace(/[\s.]/g, ''))) return true;
  const classified = key.length <= MAX_KEY_NAME ? classifyKeyName(key) : null;
  return classified !== null && !classified.weak;
};

const secretKeyKind = (key: string): string => {
  const name = key.toLowerCase().replace(/[^a-z]/g, '');
  if (name.endsWith('authorization')) return 'authorization';
  if (name.endsWith('cookie')) return 'cookie';
  if (name.endsWith('signature')) return 'signature';
  if (name.endsWith('sessionid')) return 'session-id';
  return classifyKeyName(key)?.kind ?? 'secret';
};

const MAX_DEPTH = 20;

const deepCopy = (
  value: unknown,
  redact: (text: string) => RedactionResult,
  seen: WeakSet<object>,
  depth: number,
): unknown => {
  if (typeof value === 'string') return redact(value).text;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => deepCopy(item, redact, seen, depth + 1));
    const source: Record<string, unknown> =
      value instanceof Error
        ? { ...value, type: value.name, message: value.message, stack: value.stack }
        : (value as Record<string, unknown>);
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(source)) {
      if (item === undefined) continue;
      copy[key] =
        isSecretKeyName(key) && item !== null && item !== ''
          ? redactionMarker(secretKeyKind(key))
          : deepCopy(item, redact, seen, depth + 1);
    }
    if (value instanceof Error && 'cause' in value && value.cause !== undefined && !('cause' in copy)) {
      copy.cause = deepCopy(value.cause, redact, seen, depth + 1);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
};
