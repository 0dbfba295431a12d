/**
 * Which key names hold secrets, and which values are only placeholders: shared by the redactor's key=value, flag,
 * name/value and command-line detectors and by `isSecretKeyName` (redact.ts).
 *
 * A name is split into words (`DB_PASS` → db pass, `_authToken` → auth token, `MasterUserPassword` → master user
 * password, `spring.datasource.password`, `--docker-password`). The last word that names a secret decides, and only
 * qualifiers (`_PROD`, `_B64`, `_VALUE`, `_2`…) may follow it: `PASSWORD_FILE`, `PASSWORD_MIN_LENGTH`, `TOKEN_TTL`,
 * `api_key_id`, `secretName`, `token_endpoint` name something else. The vocabulary follows gitleaks' generic-api-key
 * rule (config/gitleaks.toml: access|auth|api|credential|creds|key|passw(or)?d|secret|token and its allow-list of
 * `key_name`, `secret_length`, `public_key`… shapes), trufflehog's `PrefixRegex` keywords (pkg/detectors: pass, pwd,
 * secret, token) and the names real tools use (`MYSQL_PWD`, `PGPASSWORD`, npm `_auth`, redis `requirepass`).
 * Everything here is bounded by the name's length (at most 100 characters), so it costs constant time per key.
 */

export interface SecretKey {
  /** The `[REDACTED:<kind>]` kind. */
  readonly kind: string;
  /**
   * A word that is a secret only with a credential-looking value (`auth: ldap`, `key: kubernetes.io/arch` and
   * `credentials: include` are not): bare `auth`, `key`, `credentials`, `secret_id`, `primaryKey`.
   */
  readonly weak: boolean;
  /** `pass`, `pw`, `pwd`: a short number after them is a count (`pass: 12`), not a password. */
  readonly shortWord: boolean;
}

export const MAX_KEY_NAME = 100;

const PASSWORD_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pass',
  'pwd',
  'pw',
  'passcode',
  'psk',
  // keytool / jarsigner and redis.conf spell theirs as one word.
  'storepass',
  'keypass',
  'srcstorepass',
  'deststorepass',
  'srckeypass',
  'destkeypass',
  'requirepass',
  'masterauth',
]);
const SHORT_PASSWORD_WORDS = new Set(['pass', 'pw', 'pwd']);

/** Words before `key` that make it a secret key; `api`, `access` and `private` also give its kind. */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'secret',
  'private',
  'auth',
  'signing',
  'sign',
  'encryption',
  'encrypt',
  'crypt',
  'crypto',
  'cipher',
  'master',
  'account',
  'client',
  'license',
  'licence',
  'app',
  'application',
  'session',
  'storage',
  'shared',
  'hmac',
  'jwt',
  'webhook',
  'subscription',
  'consumer',
  'server',
  'service',
  'admin',
  'root',
  'deploy',
  'aes',
  'sas',
  'secrets',
  'x',
]);
/** `primaryKey` / `secondaryKey` are Azure's names for account keys, and a table's primary key too. */
const WEAK_KEY_QUALIFIERS = new Set(['primary', 'secondary']);
const KEY_COMPOUNDS = new Map<string, string>([
  ['apikey', 'api-key'],
  ['accesskey', 'access-key'],
  ['privatekey', 'private-key'],
  ['secretkey', 'key'],
  ['authkey', 'key'],
  ['signingkey', 'key'],
  ['encryptionkey', 'key'],
  ['masterkey', 'key'],
  ['accountkey', 'key'],
  ['clientkey', 'key'],
  ['licensekey', 'key'],
  ['appkey', 'key'],
  ['sessionkey', 'key'],
  ['storagekey', 'key'],
  ['sharedkey', 'key'],
  ['subscriptionkey', 'key'],
  ['consumerkey', 'key'],
  ['hmackey', 'key'],
]);
/** Words before `token` that name something public: pagination cursors and counters. */
const PUBLIC_TOKEN_QUALIFIERS = new Set(['next', 'page', 'pagination', 'continuation', 'cursor', 'sync', 'max']);

/** Words that may follow the secret word without changing what the value is. */
const QUALIFIERS = new Set([
  'value',
  'val',
  'b64',
  'base64',
  'enc',
  'encoded',
  'raw',
  'plain',
  'plaintext',
  'clear',
  'cleartext',
  'str',
  'string',
  'binary',
  'text',
  'literal',
  'base',
  'data',
  'hash',
  'digest',
  'prod',
  'production',
  'dev',
  'develop',
  'development',
  'stage',
  'staging',
  'stg',
  'test',
  'testing',
  'qa',
  'uat',
  'sandbox',
  'live',
  'local',
  'old',
  'new',
  'current',
  'cur',
  'curr',
  'prev',
  'previous',
  'primary',
  'secondary',
  'backup',
  'main',
  'default',
  'override',
  'admin',
  'root',
]);

/** Words of a key name: snake, kebab, dotted, path-like and camel case all split the same way. */
export const keyWords = (name: string): string[] =>
  name
    .slice(0, MAX_KEY_NAME)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');

const passwordWord = (word: string): boolean =>
  PASSWORD_WORDS.has(word) || word.endsWith('password') || word.endsWith('passwd') || word.endsWith('passphrase');

/** What the word at `index` names, if it names a secret. */
const secretWord = (words: readonly string[], index: number): SecretKey | null => {
  const word = words[index] ?? '';
  const previous = words[index - 1];
  const key = (kind: string, weak = false): SecretKey => ({ kind, weak, shortWord: false });
  if (passwordWord(word)) return { kind: 'password', weak: false, shortWord: SHORT_PASSWORD_WORDS.has(word) };
  if (word === 'secret' || (word.endsWith('secret') && word !== 'existingsecret')) {
    return previous === 'existing' ? null : key('secret');
  }
  if (word === 'token' || (word.endsWith('token') && word.length > 5)) {
    if (previous !== undefined && PUBLIC_TOKEN_QUALIFIERS.has(previous)) return null;
    if (word.startsWith('next') || word.startsWith('page')) return null;
    return key('token');
  }
  if (word === 'key') {
    if (previous === undefined) return key('key', true);
    if (previous === 'api') return key('api-key');
    if (previous === 'access') return key('access-key');
    if (previous === 'private') return key('private-key');
    // kubeconfig's `client-key-data` holds the client's private key.
    if (previous === 'client' && words[index + 1] === 'data') return key('private-key');
    if (KEY_QUALIFIERS.has(previous)) return key('key');
    if (WEAK_KEY_QUALIFIERS.has(previous)) return key('key', true);
    return null;
  }
  const compound = KEY_COMPOUNDS.get(word) ?? (word.endsWith('apikey') ? 'api-key' : undefined);
  if (compound) return key(compound);
  if (word === 'auth') return key('credential', true);
  if (word === 'credential' || word === 'credentials' || word === 'creds' || word === 'cred') {
    return key('credential', true);
  }
  if (word === 'connectionstring' || word === 'connstr' || word === 'connstring') return key('connection-string');
  if ((word === 'string' || word === 'str') && (previous === 'connection' || previous === 'conn')) {
    return key('connection-string');
  }
  if (word === 'id' && previous === 'secret') return key('secret', true);
  return null;
};

/**
 * The secret a key name holds, or null. `_auth` (npm) is a credential, `PWD` and `OLDPWD` are directories, and a
 * name whose secret word is followed by anything but qualifiers is a setting about the secret.
 */
export const classifyKeyName = (name: string): SecretKey | null => {
  if (name.length === 0 || name.length > MAX_KEY_NAME) return null;
  const cached = classified.get(name);
  if (cached !== undefined) return cached;
  // Logs repeat the same few keys: a small cache spares the splitting (cleared whole when full, so it stays small).
  if (classified.size >= 1024) classified.clear();
  const result = classify(name);
  classified.set(name, result);
  return result;
};

const classified = new Map<string, SecretKey | null>();

/**
 * Every secret word contains one of these (case-insensitive): a name without any is not looked at further. Used as a
 * lookahead by the detectors' expressions, so most `key=value` pairs of a log line cost no classification.
 */
export const SECRET_WORD_HINT = '(?:pass|pw|psk|secret|token|key|auth|cred|conn)';

const classify = (name: string): SecretKey | null => {
  const bare = name.replace(/^[-$@:]+/, '');
  if (bare === 'PWD' || bare === 'OLDPWD') return null;
  if (bare === '_auth') return { kind: 'credential', weak: false, shortWord: false };
  const words = keyWords(bare);
  for (let index = words.length - 1; index >= 0; index -= 1) {
    const found = secretWord(words, index);
    if (!found) continue;
    // A connection string's secret word is `string`, also a qualifier: scanning from the end, it decides first.
    const trailing = words.slice(index + 1);
    return trailing.every((word) => QUALIFIERS.has(word) || /^v?\d{1,3}$/.test(word)) ? found : null;
  }
  return null;
};

// ───────────────────────────── values ─────────────────────────────

const PLACEHOLDER = new RegExp(
  `^(?:${[
    'null|nil|none|true|false|yes|no|on|off|undefined|n/a|\\*+|x{3,}|\\.{3}|…|-|~',
    '<[^<>]*>',
    // Shell, Helm / Jinja, GitHub Actions, ERB, Windows and command-substitution placeholders.
    '\\$\\{[^}]*\\}',
    '\\$[A-Z_][A-Z0-9_]*',
    '\\$\\{\\{[^}]*\\}\\}',
    '\\{\\{[^}]*\\}\\}',
    '<%=?[^%]*%>',
    '%[A-Z_]+%',
    '\\$\\([^()]*\\)',
    // Markers of other redactors and of Terraform plans.
    '\\[REDACTED(?::[a-z0-9-]+)?\\]',
    '\\[(?:redacted|filtered|hidden|masked|secret|sensitive|removed)\\]',
    '\\*{3}[A-Za-z ()]*\\*{3}',
    '\\((?:sensitive(?: value)?|known after apply)\\)',
    'redacted',
    '\\d+ bytes',
    // YAML block indicators, empty collections and Ansible Vault tags.
    '[{[|>]',
    '\\{\\}',
    '\\[\\]',
    '[|>][-+]?',
    '!vault(?:[ \\t]*\\|)?',
    // Documentation placeholders: YOUR_API_KEY, your-token-here, and the well-known defaults gitleaks' curl-auth-user
    // allow-list skips (changeit, changeme).
    '(?:your|my)[_-][\\w.-]*',
    '(?:replace|change)[_-]?(?:me|it)',
    // Type annotations in code (`password: string`, `token: str`).
    '(?:string|str|number|int|integer|float|bool|boolean|any|unknown|bytes|object|void|char)(?:\\[\\])?',
    // What a status line says about a secret (`passwd: password updated successfully`, `token: expired`).
    '(?:expired|incorrect|invalid|required|missing|empty|unset|set|changed|updated|ok|valid|wrong|mismatch|denied|locked|hidden|masked|protected|rotated|revoked|present|absent|configured|provided|generated|enabled|disabled)',
    // kubectl describe's reference to a Secret key.
    '<set to the key [^<>]*>(?:[ \\t]+Optional:[ \\t]*(?:true|false))?',
    // A token prefix followed only by filler (`ghp_xxxxxxxx`, `sk-...`, `AKIA****`).
    '[\\w.-]{0,16}?(?:x{6,}|X{6,}|\\.{3,}|…|\\*{3,}|0{8,}|<[^<>]*>)',
    // AWS's documentation keys end in EXAMPLE / EXAMPLEKEY; secretlint's aws rule ignores them too.
    '[\\w/+=-]*EXAMPLE(?:KEY)?',
  ].join('|')})[;,]?$`,
  'i',
);
/** The AWS example suffix is upper case only: `i` would also excuse a random value ending in `example`. */
const CASE_SENSITIVE_PLACEHOLDER = /EXAMPLE(?:KEY)?$/;

/** Values that stand for a secret without being one: `${DB_PASSWORD}`, `<your-token>`, `******`, `true`. */
export const isPlaceholder = (value: string): boolean => {
  const trimmed = value.trim();
  if (trimmed.length > 64 && !trimmed.startsWith('$') && !trimmed.startsWith('{') && !trimmed.startsWith('<')) {
    return false;
  }
  if (!PLACEHOLDER.test(trimmed)) return false;
  return !/example(?:key)?$/i.test(trimmed) || CASE_SENSITIVE_PLACEHOLDER.test(trimmed);
};

const PATH = /^(?:~|\.{1,2})?\/[A-Za-z0-9_.@/-]*[A-Za-z][A-Za-z0-9_.@/-]*$|^[A-Za-z]:\\[\w .\\-]+$/;
/** A file or directory path (`/run/secrets/db`, `~/.ssh/id_ed25519`, `C:\keys\app.pfx`): where a secret is kept. */
export const isPath = (value: string): boolean => value.length <= 512 && PATH.test(value);

/**
 * Whether a value looks like a credential rather than a word or a setting: what a weak key (`auth`, `key`,
 * `credentials`) needs. Long enough, no spaces, and letters mixed with digits or symbols.
 */
export const isCredentialLike = (value: string): boolean =>
  value.length >= 8 &&
  value.length <= 8192 &&
  !/\s/.test(value) &&
  /[A-Za-z]/.test(value) &&
  /[0-9]/.test(value) &&
  !isPath(value) &&
  !/^[a-z0-9-]+(?:\.[a-z0-9-]+)+\/[\w.-]+$/i.test(value);

/** Words of a status message about a secret: `password updated successfully`, `token manipulation error`. */
const STATUS_MESSAGE =
  /\b(?:updated|changed|successfully|succeeded|failed|failure|error|errors|expired|incorrect|invalid|required|denied|mismatch|too short|too long|not set|not found|manipulation)\b/i;

/** Code roots whose members are references, not values: `env.X` of Node's `process`, `req.body.password`, `self.token`. */
const CODE_ROOTS = new Set(
  'process env os self this req request res response config conf cfg settings args argv opts options params props data ctx context body environ secrets vars values inputs input credentials creds auth app window document'.split(
    ' ',
  ),
);
const BARE_SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'token',
  'secret',
  'apikey',
  'credentials',
]);
const IDENTIFIER_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * Whether an unquoted value is code that refers to a secret rather than the secret: `env.DB_PASSWORD` on Node's `process`,
 * `req.body.password`, `getpass.getpass()`, `os.environ["TOKEN"]`, `token=token`.
 */
export const isCodeReference = (value: string): boolean => {
  const bare = value.replace(/[;,]$/, '');
  // A call or an index: on a dotted path (`os.getenv(…)`, `z.string().min(12)`), with no argument (`getpass()`) or a
  // quoted one (`environ["TOKEN"]`). `Tr0ub(4)` is a password.
  const call = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)[([]/.exec(bare);
  if (call && /[)\]]$/.test(bare)) {
    if ((call[1] ?? '').includes('.') || /(?:\(\)|\(["'][^"']*["']\)|\[["'][^"']*["']\])$/.test(bare)) return true;
  }
  if (!IDENTIFIER_PATH.test(bare)) return false;
  const segments = bare.split('.');
  const last = segments.at(-1) ?? '';
  if (segments.length === 1) {
    // A variable (`token=token`, `password: DB_PASSWORD`, `apiKey: apiKey`), not a lower-case word that merely ends
    // like one (`JWT_SECRET=supersecret`) nor a password built from one (`Password_123`).
    if (BARE_SECRET_WORDS.has(bare.toLowerCase())) return true;
    return /[a-z][A-Z]|_/.test(bare) && !/\d/.test(bare) && classifyKeyName(bare) !== null;
  }
  return CODE_ROOTS.has(segments[0] ?? '') || classifyKeyName(last) !== null;
};

/** Whether `value`, found under a key classified as `key`, should be redacted. `quoted`: it was in quotes. */
export const acceptsValue = (key: SecretKey, value: string, quoted = false): boolean => {
  if (value === '' || isPlaceholder(value)) return false;
  if (isPath(value)) return false;
  if (!quoted && isCodeReference(value)) return false;
  if (/\s/.test(value) && STATUS_MESSAGE.test(value)) return false;
  if (key.kind !== 'password' && /^\d{1,10}$/.test(value)) return false;
  if (key.shortWord && /^\d{1,4}$/.test(value)) return false;
  return !key.weak || isCredentialLike(value);
};
