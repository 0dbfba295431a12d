/**
 * Credentials on command lines: `mysql -pX`, `curl -u user:X`, `sshpass -p X`, `docker login -p X`, `redis-cli -a X`,
 * `htpasswd -b file user X`, `kubectl create secret generic … --from-literal=k=X`, `echo X | docker login
 * --password-stdin`… Generic `--password X` / `--client-secret=X` flags are the key detectors' job (redact.ts); this
 * scanner knows the short options and positional arguments each tool gives a secret, which no key name announces.
 * The option tables follow the tools' own manuals, and gitleaks' curl-auth-user / curl-auth-header rules
 * (config/gitleaks.toml) for curl.
 *
 * Linear time: a line is scanned only from its first known command name, each logical line (with `\` continuations)
 * is tokenized once, shell-style (quotes, escapes, `$(…)`), and the rules look at each word a bounded number of times.
 */
import { classifyKeyName, isPlaceholder } from './redact-keys.js';

type Add = (start: number, end: number, kind: string) => void;

interface Word {
  readonly start: number;
  readonly end: number;
  /** The word as the shell sees it: quotes removed, escapes resolved. */
  readonly value: string;
  /** Where `value` sits in the text, as runs: pairs of (index in value, index in text). */
  readonly runs: readonly number[];
  /** `|`, `&&`, `;`, `<`, `>`, `<<<`…: not an argument. */
  readonly op: boolean;
}

/** The text position of `word.value[index]`. */
const textIndex = (word: Word, index: number): number | undefined => {
  let run = -1;
  for (let at = 0; at < word.runs.length && (word.runs[at] ?? 0) <= index; at += 2) run = at;
  return run < 0 ? undefined : (word.runs[run + 1] ?? 0) + index - (word.runs[run] ?? 0);
};

/** Redacts `word.value.slice(from, to)` by its position in the text. */
type Redact = (word: Word, from: number, to?: number, kind?: string) => void;
type Rule = (args: readonly Word[], redact: Redact) => void;

// ───────────────────────────── tokenizer ─────────────────────────────

const WHITESPACE = new Set([' ', '\t', '\r', '\n', '`']);
const OPERATOR_START = new Set(['|', '&', ';', '<', '>', '(', ')']);
const SEGMENT_END = new Set(['|', '||', '&&', ';', '&', '(', ')']);
const REDIRECT = new Set(['<', '>', '>>', '<<<', '<<', '>|', '&>']);

const operatorAt = (text: string, at: number): string => {
  const three = text.slice(at, at + 3);
  if (three === '<<<') return three;
  const two = three.slice(0, 2);
  if (two === '||' || two === '&&' || two === '>>' || two === '<<' || two === '>|' || two === '&>') return two;
  return three.slice(0, 1);
};

const PLAIN = /[^\s`|&;<>()'"\\$]+/y;
const SINGLE_QUOTED = /[^']*/y;
const DOUBLE_QUOTED = /[^"\\]*/y;

/** The end of the run `pattern` (sticky) matches at `from`, at most `to`. */
const runEnd = (text: string, pattern: RegExp, from: number, to: number): number => {
  pattern.lastIndex = from;
  // test() leaves lastIndex after the run and builds no match array.
  return pattern.test(text) ? Math.min(to, pattern.lastIndex) : from;
};

const SPACES = /[ \t\r\n`]+/y;

/** Shell words of `text[from, to)`. An unclosed quote runs to `to`: prose apostrophes cannot hide what follows. */
const tokenize = (text: string, from: number, to: number): Word[] => {
  const words: Word[] = [];
  let value = '';
  let runs: number[] = [];
  /** Appends text[begin, end) to the word, starting a new run unless it continues the last one. */
  const take = (begin: number, end: number): void => {
    if (end <= begin) return;
    const last = runs.length - 2;
    if (last < 0 || (runs[last + 1] ?? 0) + value.length - (runs[last] ?? 0) !== begin) runs.push(value.length, begin);
    value += text.slice(begin, end);
  };
  let at = from;
  while (at < to) {
    const char = text[at] ?? '';
    if (WHITESPACE.has(char)) {
      at = runEnd(text, SPACES, at, to);
      continue;
    }
    if (char === '\\' && (text[at + 1] === '\n' || (text[at + 1] === '\r' && text[at + 2] === '\n'))) {
      at += text[at + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (OPERATOR_START.has(char)) {
      const op = operatorAt(text, at);
      words.push({ start: at, end: at + op.length, value: op, runs: [], op: true });
      at += op.length;
      continue;
    }
    const start = at;
    value = '';
    runs = [];
    while (at < to) {
      const current = text[at] ?? '';
      if (WHITESPACE.has(current) || OPERATOR_START.has(current)) break;
      if (current === "'") {
        const close = runEnd(text, SINGLE_QUOTED, at + 1, to);
        take(at + 1, close);
        at = close + 1;
      } else if (current === '"') {
        at += 1;
        while (at < to && text[at] !== '"') {
          const plain = runEnd(text, DOUBLE_QUOTED, at, to);
          take(at, plain);
          at = plain;
          if (text[at] === '\\' && at + 1 < to) {
            // `\"`, `\\`, `\$` and `\`` stand for the character; any other backslash stays.
            take('"\\$`'.includes(text[at + 1] ?? ' ') ? at + 1 : at, at + 2);
            at += 2;
          } else if (text[at] === '\\') {
            take(at, at + 1);
            at += 1;
          }
        }
        at += 1;
      } else if (current === '\\') {
        if (text[at + 1] !== '\n') take(at + 1, Math.min(at + 2, to));
        at += 2;
      } else if (current === '$' && text[at + 1] === '(') {
        // A command substitution is one placeholder word, whatever it holds.
        let depth = 0;
        const begin = at;
        while (at < to && text[at] !== '\n') {
          const inner = text[at];
          at += 1;
          if (inner === '(') depth += 1;
          else if (inner === ')' && --depth === 0) break;
        }
        take(begin, at);
      } else {
        const plain = current === '$' ? at + 1 : runEnd(text, PLAIN, at, to);
        take(at, plain);
        at = plain;
      }
    }
    words.push({ start, end: Math.min(at, to), value, runs, op: false });
  }
  return words;
};

// ───────────────────────────── option helpers ─────────────────────────────

const isOption = (word: Word): boolean => !word.op && word.value.length > 1 && word.value.startsWith('-');

/** Arguments that are neither options nor redirection targets. */
const positionals = (args: readonly Word[]): Word[] => {
  const out: Word[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index];
    if (!word) continue;
    if (word.op) {
      if (REDIRECT.has(word.value)) index += 1;
      continue;
    }
    if (!isOption(word)) out.push(word);
  }
  return out;
};

/** Where the secret starts inside an option's value, or null when the value holds none. */
type Part = (value: string) => number | null;
const whole: Part = () => 0;
const afterFirst =
  (separator: string): Part =>
  (value) => {
    const at = value.indexOf(separator);
    return at >= 0 ? at + separator.length : null;
  };
const afterColon = afterFirst(':');
/** curl's `--cert file:password`; the colon of a Windows drive (`C:\certs\a.pem`) is not the separator. */
const certPassword: Part = (value) => {
  const at = value.indexOf(':', /^[A-Za-z]:[\\/]/.test(value) ? 2 : 0);
  return at >= 0 ? at + 1 : null;
};
/** openssl's `-passin pass:X`; `env:VAR`, `file:path`, `fd:N` and `stdin` name where the secret is. */
const opensslPass: Part = (value) =>
  value.startsWith('pass:') ? 5 : /^(?:env|file|fd)(?::|$)|^stdin$/.test(value) ? null : 0;

interface OptionSpec {
  readonly names: readonly string[];
  /** `-pSECRET` (single-dash names only). */
  readonly attached?: boolean;
  /** `-p SECRET`; on unless false. `--name=SECRET` is always read. */
  readonly separate?: boolean;
  readonly part?: Part;
  readonly kind?: string;
}

const scanOptions = (args: readonly Word[], specs: readonly OptionSpec[], redact: Redact): void => {
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index];
    if (!word || word.op) continue;
    let consumed = false;
    for (const spec of specs) {
      for (const name of spec.names) {
        let target: Word | undefined;
        let offset = 0;
        const next = args[index + 1];
        if (word.value === name && spec.separate !== false) {
          if (next && !next.op && !isOption(next)) {
            target = next;
            consumed = true;
          }
        } else if (name.startsWith('--') && word.value.startsWith(`${name}=`)) {
          target = word;
          offset = name.length + 1;
        } else if (
          spec.attached &&
          !name.startsWith('--') &&
          word.value.startsWith(name) &&
          word.value.length > name.length
        ) {
          target = word;
          offset = name.length;
        }
        if (!target) continue;
        const from = (spec.part ?? whole)(target.value.slice(offset));
        if (from !== null) redact(target, offset + from, target.value.length, spec.kind);
      }
    }
    if (consumed) index += 1;
  }
};

const options =
  (...specs: OptionSpec[]): Rule =>
  (args, redact) =>
    scanOptions(args, specs, redact);

/** The rule applies only when one of the positional arguments is `word` (`docker login`, `create secret`). */
const withPositional =
  (words: readonly string[], rule: Rule): Rule =>
  (args, redact) => {
    if (positionals(args).some((word) => words.includes(word.value))) rule(args, redact);
  };

/** Values of `KEY=VALUE` arguments (`fly secrets set`, `vault kv put`): `@file` and `-` (stdin) are not values. */
const assignmentValues = (words: readonly Word[], redact: Redact, kind = 'secret'): void => {
  for (const word of words) {
    const at = word.value.indexOf('=');
    if (at <= 0) continue;
    const value = word.value.slice(at + 1);
    if (value !== '-' && !value.startsWith('@')) redact(word, at + 1, word.value.length, kind);
  }
};

/** The positional arguments after a leading sub-command sequence (`config set`), or null when it is not there. */
const after = (args: readonly Word[], ...sequence: string[]): Word[] | null => {
  const words = positionals(args);
  const at = words.findIndex((word) => word.value === sequence[0]);
  if (at < 0) return null;
  for (let index = 1; index < sequence.length; index += 1) {
    if (words[at + index]?.value !== sequence[index]) return null;
  }
  return words.slice(at + sequence.length);
};

/** `config set KEY VALUE` and `config set KEY=VALUE`, when KEY names a secret. */
const configSet = (words: readonly Word[] | null, redact: Redact): void => {
  if (!words) return;
  const [key, value] = words;
  if (!key) return;
  const equals = key.value.indexOf('=');
  if (equals > 0) {
    if (classifyKeyName(key.value.slice(0, equals))) redact(key, equals + 1);
  } else if (value && classifyKeyName(key.value)) {
    redact(value, 0);
  }
};

// ───────────────────────────── the tools ─────────────────────────────

const passwordAfterP: OptionSpec = { names: ['-p'], attached: true };
const loginPassword = withPositional(['login'], options(passwordAfterP, { names: ['--password'] }));

const RULES = new Map<string, Rule>();
const define = (names: readonly string[], rule: Rule): void => {
  for (const name of names) RULES.set(name, rule);
};

// `mysql -pX` (attached only: `mysql -p db` prompts and opens db), `mysqladmin password NEW`.
define([
  'mysql',
  'mysqldump',
  'mysqladmin',
  'mysqlimport',
  'mysqlcheck',
  'mysqlshow',
  'mysqlpump',
  'mysqlsh',
  'mysqlbinlog',
  'mariadb',
  'mariadb-dump',
  'mariadb-admin',
  'mariadb-import',
  'mariadb-check',
], (args, redact) => {
  scanOptions(args, [{ names: ['-p'], attached: true, separate: false }], redact);
  const words = positionals(args);
  const at = words.findIndex((word) => word.value === 'password');
  const next = words[at + 1];
  if (at >= 0 && next) redact(next, 0);
});
define(['sshpass'], options(passwordAfterP));
define([
  'docker',
  'podman',
  'nerdctl',
  'buildah',
  'skopeo',
  'helm',
  'oras',
  'crane',
  'regctl',
  'finch',
  'cf',
], loginPassword);
define(['twine'], options(passwordAfterP, { names: ['--password'] }));
define(['redis-cli', 'valkey-cli', 'keydb-cli'], (args, redact) => {
  scanOptions(args, [{ names: ['-a'], attached: true }, { names: ['--pass'] }], redact);
  // `redis-cli -h host AUTH [user] password`
  const rest = after(args, 'AUTH') ?? after(args, 'auth');
  const last = rest?.slice(0, 2).at(-1);
  if (last) redact(last, 0);
});
define([
  'mongo',
  'mongosh',
  'mongodump',
  'mongorestore',
  'mongoexport',
  'mongoimport',
  'mongostat',
  'mongotop',
  'mongofiles',
], options(passwordAfterP));
define(['cqlsh', 'psexec', 'rdesktop'], options({ names: ['-p'] }));
define(['sqlcmd', 'bcp', 'osql', 'isql'], options({ names: ['-P'], attached: true }));
define(['ldapsearch', 'ldapadd', 'ldapmodify', 'ldapdelete', 'ldapwhoami', 'ldapcompare', 'ldapmodrdn'], options({
  names: ['-w'],
  attached: true,
}));
// ldappasswd: -w binds, -a is the old password and -s the new one.
define(['ldappasswd'], options({ names: ['-w', '-a', '-s'], attached: true }));
// `htpasswd -b file user password`, `htpasswd -nb user password`: with -b the password is the last argument.
define(['htpasswd'], (args, redact) => {
  const batch = args.some((word) => /^-[a-zA-Z]*b[a-zA-Z]*$/.test(word.value));
  const words = positionals(args).filter((word) => !/^\d+$/.test(word.value));
  const last = words.at(-1);
  if (batch && words.length >= 2 && last) redact(last, 0);
});
define(['zip', 'zipcloak', 'unzip'], options({ names: ['-P'] }));
define(['7z', '7za', '7zr', 'rar', 'unrar'], options({ names: ['-p'], attached: true, separate: false }));
define(['smbclient', 'rpcclient', 'smbmap', 'smbcacls', 'smbget'], options({
  names: ['-U', '--user'],
  attached: true,
  part: afterFirst('%'),
}));
define(['curl'], options(
  { names: ['-u', '--user', '-U', '--proxy-user'], attached: true, part: afterColon },
  { names: ['-E', '--cert', '--proxy-cert'], part: certPassword },
  { names: ['--oauth2-bearer'], kind: 'bearer-token' },
  { names: ['--pass', '--proxy-pass'] },
));
define(['lftp'], options({ names: ['-u', '--user'], part: afterFirst(',') }));
define(['etcdctl'], options({ names: ['--user'], part: afterColon }));
define(['http', 'httpie', 'xh'], options({ names: ['-a', '--auth'], attached: true, part: afterColon }));
define(['openssl'], options(
  { names: ['-pass', '-passin', '-passout', '-password', '-passphrase'], part: opensslPass },
  { names: ['-k'] },
));
define(['ssh-keygen'], options({ names: ['-N', '-P'], attached: true }));
define(['keytool', 'jarsigner'], options({ names: ['-new'] }));
define(['doctl'], options({ names: ['-t'], kind: 'token' }));
define(['snmpwalk', 'snmpget', 'snmpset', 'snmpbulkwalk', 'snmpbulkget', 'snmptrap', 'snmptable'], options({
  names: ['-c', '-A', '-X'],
  attached: true,
}));
define(['xfreerdp', 'wlfreerdp', 'sdl-freerdp'], options({ names: ['/p:'], attached: true, separate: false }));
define(['wpa_passphrase'], (args, redact) => {
  const passphrase = positionals(args)[1];
  if (passphrase) redact(passphrase, 0);
});
define(['rabbitmqctl'], (args, redact) => {
  for (const command of ['add_user', 'change_password', 'authenticate_user']) {
    const password = after(args, command)?.[1];
    if (password) redact(password, 0);
  }
});
// Windows `net user NAME PASSWORD [/add]` and `net use [Z:] \\server\share PASSWORD [/user:NAME]`: the password is
// the last word but options, so prose about "net user counts" is safe. Samba's `net ads join -U user%password`.
define(['net'], (args, redact) => {
  scanOptions(args, [{ names: ['-U', '--user'], attached: true, part: afterFirst('%') }], redact);
  const words = args.filter((word) => !word.op && !word.value.startsWith('/'));
  const command = words[0]?.value.toLowerCase();
  const share = words.findIndex((word) => word.value.startsWith('\\'));
  const at = command === 'user' ? 2 : command === 'use' && share > 0 ? share + 1 : -1;
  const password = words[at];
  if (at > 0 && password && password.value !== '*' && at === words.length - 1) redact(password, 0);
});
// Oracle: `sqlplus user/password@db`, `expdp user/password directory=…`.
define(['sqlplus', 'expdp', 'impdp', 'rman', 'sqlldr', 'dgmgrl'], (args, redact) => {
  const login = positionals(args)[0];
  const slash = login ? login.value.indexOf('/') : -1;
  if (!login || slash <= 0 || !/^[\w$#]{1,128}$/.test(login.value.slice(0, slash))) return;
  const at = login.value.indexOf('@', slash);
  redact(login, slash + 1, at < 0 ? login.value.length : at);
});
define(['vault'], (args, redact) => {
  const words = positionals(args);
  // `vault login TOKEN` (a method's key=value pairs are the key detectors' job)
  const token = after(args, 'login')?.find((word) => !word.value.includes('=') && word.value !== '-');
  if (token) redact(token, 0, undefined, 'token');
  // `vault kv put PATH key=value…`: every value is a secret.
  if (words[0]?.value === 'kv' && (words[1]?.value === 'put' || words[1]?.value === 'patch')) {
    assignmentValues(words.slice(3), redact);
  }
});
define(['kubectl', 'oc'], (args, redact) => {
  loginPassword(args, redact);
  // `create secret generic NAME --from-literal=key=value` (a ConfigMap's literals are not secrets)
  if (positionals(args).some((word) => word.value === 'secret')) {
    scanOptions(args, [{ names: ['--from-literal'], part: afterFirst('='), kind: 'k8s-secret' }], redact);
  }
});
define(['fly', 'flyctl'], (args, redact) => {
  const values = after(args, 'secrets', 'set') ?? after(args, 'secrets', 'import');
  if (values) assignmentValues(values, redact);
});
define(['heroku'], (args, redact) => {
  const values = after(args, 'config:set');
  if (values) assignmentValues(values, redact);
});
define(['doppler'], (args, redact) => {
  const values = after(args, 'secrets', 'set');
  if (!values) return;
  assignmentValues(values, redact);
  if (values.length === 2 && !values[0]?.value.includes('=') && values[1]) redact(values[1], 0, undefined, 'secret');
});
define(['gh'], (args, redact) => {
  if (after(args, 'secret', 'set'))
    scanOptions(args, [{ names: ['--body', '-b'], attached: true, kind: 'secret' }], redact);
});
define(['az'], (args, redact) => {
  loginPassword(args, redact);
  if (after(args, 'secret', 'set')) scanOptions(args, [{ names: ['--value'], kind: 'secret' }], redact);
});
define(['aws'], (args, redact) => {
  configSet(after(args, 'configure', 'set'), redact);
  if (after(args, 'ssm', 'put-parameter') && args.some((word) => word.value === 'SecureString')) {
    scanOptions(args, [{ names: ['--value'], kind: 'secret' }], redact);
  }
});
define(['npm', 'yarn', 'pnpm'], (args, redact) => configSet(after(args, 'config', 'set'), redact));
define(['git'], (args, redact) => configSet(after(args, 'config'), redact));
// MinIO: `mc alias set NAME URL ACCESS_KEY SECRET_KEY`
define(['mc'], (args, redact) => {
  const secret = (after(args, 'alias', 'set') ?? after(args, 'config', 'host', 'add'))?.[3];
  if (secret) redact(secret, 0, undefined, 'secret');
});

// ───────────────────────────── stdin ─────────────────────────────

/** Whether a pipeline stage reads a secret on stdin: `--password-stdin`, `sudo -S`, `chpasswd`, `passwd --stdin`. */
const stdinSecret = (words: readonly Word[]): { readonly part: Part } | null => {
  let passwd = false;
  let stdin = false;
  for (let index = 0; index < words.length; index += 1) {
    const value = words[index]?.value;
    if (value === '--password-stdin' || value === '--pass-stdin') return { part: whole };
    if (value === 'chpasswd') return { part: afterColon };
    if (value === 'passwd') passwd = true;
    if (value === '--stdin') stdin = true;
    if (value === 'sudo') {
      for (let option = index + 1; option < words.length; option += 1) {
        const flag = words[option]?.value ?? '';
        if (!flag.startsWith('-')) break;
        if (/^-[A-Za-z]*S/.test(flag)) return { part: whole };
      }
    }
  }
  return passwd && stdin ? { part: whole } : null;
};

/** `echo X | …`, `printf '%s' X | …`: the literal arguments a stage writes. */
const echoed = (words: readonly Word[]): Word[] => {
  const command = words.findIndex((word) => word.value === 'echo' || word.value === 'printf');
  if (command < 0) return [];
  const args = positionals(words.slice(command + 1));
  return words[command]?.value === 'printf' && args.length >= 2 ? args.slice(1) : args;
};

// ───────────────────────────── the scanner ─────────────────────────────

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const TRIGGER = new RegExp(
  `(?<![\\w.-])(?:${[...RULES.keys(), 'echo', 'printf', 'sudo']
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')})(?:\\.exe)?(?![\\w.:-])`,
  'g',
);

/** The rule for a word that names a known tool (`/usr/bin/mysql` and `mysql.exe` name mysql). */
const ruleFor = (word: Word): Rule | undefined => {
  if (word.op) return undefined;
  const direct = RULES.get(word.value);
  if (direct || !/[/\\.]/.test(word.value)) return direct;
  const slash = Math.max(word.value.lastIndexOf('/'), word.value.lastIndexOf('\\'));
  return RULES.get(word.value.slice(slash + 1).replace(/\.exe$/i, ''));
};

const MAX_COMMAND = 65_536;

/**
 * For increasing positions, the end of the logical line holding each (the next newline that no `\` continues),
 * looking no further than `limit`. The next newline is remembered, so the whole series costs one pass over the text.
 */
const logicalLineEnds = (text: string): ((from: number, limit: number) => number) => {
  let newline = -2;
  const nextNewline = (from: number): number => {
    if (newline !== -1 && newline < from) newline = text.indexOf('\n', from);
    return newline;
  };
  return (from, limit) => {
    let at = nextNewline(from);
    while (at > 0 && at < limit) {
      const continued = text[at - 1] === '\\' || (text[at - 1] === '\r' && text[at - 2] === '\\');
      if (!continued) return text[at - 1] === '\r' ? at - 1 : at;
      at = nextNewline(at + 1);
    }
    return at < 0 ? Math.min(text.length, limit) : Math.min(at, limit);
  };
};

const scanLine = (words: readonly Word[], redact: Redact): void => {
  // Segments: simple commands between `|`, `&&`, `;`…; a pipeline is a run of segments joined by `|`.
  const segments: Word[][] = [[]];
  const joinedByPipe: boolean[] = [];
  for (const word of words) {
    if (word.op && SEGMENT_END.has(word.value)) {
      joinedByPipe.push(word.value === '|');
      segments.push([]);
    } else {
      segments.at(-1)?.push(word);
    }
  }
  segments.forEach((segment, index) => {
    segment.forEach((word, at) => {
      const rule = ruleFor(word);
      if (rule) rule(segment.slice(at + 1), redact);
    });
    const stdin = stdinSecret(segment);
    if (!stdin) return;
    // `sudo -S cmd <<< 'password'`
    const hereString = segment.findIndex((word) => word.op && word.value === '<<<');
    const target = segment[hereString + 1];
    if (hereString >= 0 && target && !target.op) {
      const from = stdin.part(target.value);
      if (from !== null) redact(target, from);
    }
    const previous = segments[index - 1];
    if (index > 0 && joinedByPipe[index - 1] && previous) {
      for (const word of echoed(previous)) {
        const from = stdin.part(word.value);
        if (from !== null) redact(word, from);
      }
    }
  });
};

/** Credentials that command lines carry in options and arguments of known tools. */
export const commandLineDetector = (text: string, add: Add): void => {
  const redact: Redact = (word, from, to = word.value.length, kind = 'password') => {
    const value = word.value.slice(from, to);
    const start = textIndex(word, from);
    const last = textIndex(word, to - 1);
    if (value.trim() === '' || isPlaceholder(value) || start === undefined || last === undefined) return;
    add(start, last + 1, kind);
  };
  const lineEnd = logicalLineEnds(text);
  let processedUntil = 0;
  TRIGGER.lastIndex = 0;
  for (let match = TRIGGER.exec(text); match; match = TRIGGER.exec(text)) {
    if (match.index < processedUntil) continue;
    // A tool's arguments follow it, and a pipeline's secret follows `echo`: the line is read from the first name on,
    // up to MAX_COMMAND characters (no command line is longer; a longer line is read in pieces from each name on).
    const end = lineEnd(match.index, match.index + MAX_COMMAND);
    scanLine(tokenize(text, match.index, end), redact);
    processedUntil = end;
    TRIGGER.lastIndex = Math.max(TRIGGER.lastIndex, end);
  }
};
