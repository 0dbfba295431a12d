import { readdirSync, readFileSync } from 'node:fs';
import { lintSource } from '@secretlint/core';
import { creator as presetRecommend, rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookAlikes, measureRedaction, piecesOf, secretFormatSamples } from '../../test/fixtures/redaction-corpus.js';
import {
  benignCorpus,
  configuredPortalToken,
  sampleAwsAccessKeyId,
  sampleSlackBotToken,
  secretsCorpus,
} from '../../test/fixtures/secrets-corpus.js';
import { createRedactor, isSecretKeyName, minimumExtraSecretLength, presetRuleIds, redactionMarker } from './redact.js';

const redactor = createRedactor();
const redact = (text: string) => redactor.redact(text);

/** Every 12-character window of a secret (the whole secret when shorter): no piece may survive. */
const pieces = (secret: string): string[] => {
  if (secret.length <= 12) return [secret];
  const out: string[] = [];
  for (let index = 0; index + 12 <= secret.length; index += 6) out.push(secret.slice(index, index + 12));
  out.push(secret.slice(-12));
  return out;
};

describe('the corpus itself', () => {
  it('has at least 35 distinct kinds of secret and 25 benign samples', () => {
    const kinds = new Set(secretsCorpus.map((entry) => entry.kind));
    expect(kinds.size).toBe(secretsCorpus.length);
    expect(kinds.size).toBeGreaterThanOrEqual(35);
    expect(benignCorpus.length).toBeGreaterThanOrEqual(25);
  });

  it('spells every secret inside its sample', () => {
    for (const entry of secretsCorpus) expect(entry.sample, entry.kind).toContain(entry.secretPart);
  });
});

describe('redact: secrets in realistic text', () => {
  it.each(secretsCorpus.map((entry) => [entry.kind, entry] as const))('%s', (_kind, entry) => {
    const result = redact(entry.sample);
    for (const piece of pieces(entry.secretPart)) expect(result.text).not.toContain(piece);
    expect(result.text).toContain(redactionMarker(entry.redactedKind));
    expect(result.kinds).toContain(entry.redactedKind);
    expect(result.count).toBeGreaterThanOrEqual(1);
    for (const word of entry.keep) expect(result.text).toContain(word);
  });

  it('keeps the key name and replaces only the value', () => {
    expect(redact('password=hunter2x').text).toBe('password=[REDACTED:password]');
    expect(redact('passwd: "s3cr3t-value"').text).toBe('passwd: "[REDACTED:password]"');
    expect(redact('{"api_key": "abc123def456"}').text).toBe('{"api_key": "[REDACTED:api-key]"}');
    expect(redact('level=warn token=abc123 user=bob').text).toBe('level=warn token=[REDACTED:token] user=bob');
    expect(redact('Authorization: Bearer abc.def-123_456').text).toBe('Authorization: Bearer [REDACTED:bearer-token]');
    expect(redact('postgres://app:pw-1234@db:5432/x').text).toBe(
      'postgres://app:[REDACTED:database-password]@db:5432/x',
    );
  });

  it('redacts a private key body across lines and keeps its markers', () => {
    const entry = secretsCorpus.find((item) => item.kind === 'pem-rsa-private-key');
    const result = redact(entry?.sample ?? '');
    expect(result.text).toBe(
      '$ cat ~/.ssh/deploy.pem\n-----BEGIN PRIVATE KEY-----\n[REDACTED:private-key]\n-----END PRIVATE KEY-----\n$ ls -l',
    );
    expect(result.count).toBe(1);
  });

  it('redacts every value of a Kubernetes Secret but not a ConfigMap', () => {
    const secret = redact('apiVersion: v1\ndata:\n  a: YQ==\n  b: |\n    line-one\n    line-two\nkind: Secret\n');
    expect(secret.text).toBe(
      'apiVersion: v1\ndata:\n  a: [REDACTED:k8s-secret]\n  b: |\n    [REDACTED:k8s-secret]\n    [REDACTED:k8s-secret]\nkind: Secret\n',
    );
    const configMap = 'apiVersion: v1\ndata:\n  a: YQ==\nkind: ConfigMap\n';
    expect(redact(configMap).text).toBe(configMap);
  });
});

describe('redact: ordinary text passes untouched', () => {
  it.each(benignCorpus.map((text) => [text.slice(0, 40).replace(/\n/g, ' '), text] as const))('%s', (_label, text) => {
    expect(redact(text)).toEqual({ text, count: 0, kinds: [] });
  });

  it('leaves empty text and placeholders alone', () => {
    expect(redact('')).toEqual({ text: '', count: 0, kinds: [] });
    for (const text of [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell placeholder, on purpose
      'password=${DB_PASSWORD}',
      'token: <your-token>',
      'secret: null',
      'api_key: "***"',
      'password:',
    ]) {
      expect(redact(text).count, text).toBe(0);
    }
  });
});

describe('redact: the formats of issue 12, exactly', () => {
  it.each([
    // key names: the last word that names a secret decides, qualifiers may follow it
    ['DB_PASS=Qz7-mLx2vR9wKp', 'DB_PASS=[REDACTED:password]'],
    ['MYSQL_PWD=s3cr3t-Pw', 'MYSQL_PWD=[REDACTED:password]'],
    ['{"pwd":"v9#Lk2!qPz7w"}', '{"pwd":"[REDACTED:password]"}'],
    ['pass: Ab12-cd34', 'pass: [REDACTED:password]'],
    ['_auth=Y2ktYm90OnNlY3JldA==', '_auth=[REDACTED:credential]'],
    // a weak secret is still a secret: no value under a secret-named key has to look random
    ['JWT_SECRET=supersecret', 'JWT_SECRET=[REDACTED:secret]'],
    ['api_key: mysecretkey', 'api_key: [REDACTED:api-key]'],
    ['DB_PASSWORD=Password_123', 'DB_PASSWORD=[REDACTED:password]'],
    ['password=Tr0ub(4)', 'password=[REDACTED:password]'],
    ['- name: DB_PASSWORD\n  value: "Tr0ub4dor3"', '- name: DB_PASSWORD\n  value: "[REDACTED:password]"'],
    // SQL
    ["CREATE USER app WITH PASSWORD 'Tr0ub4dor&3';", "CREATE USER app WITH PASSWORD '[REDACTED:password]';"],
    ["ALTER USER 'app'@'%' IDENTIFIED BY 'Tr0ub4dor&3';", "ALTER USER 'app'@'%' IDENTIFIED BY '[REDACTED:password]';"],
    // command lines
    ["mysql -uroot -pTr0ub4dor3 -e 'select 1'", "mysql -uroot -p[REDACTED:password] -e 'select 1'"],
    ['curl -u admin:Tr0ub4dor3 https://x', 'curl -u admin:[REDACTED:password] https://x'],
    ['sshpass -p Tr0ub4dor3 ssh ops@h', 'sshpass -p [REDACTED:password] ssh ops@h'],
    ['docker login -u ci -p Tr0ub4dor3 registry', 'docker login -u ci -p [REDACTED:password] registry'],
    ['redis-cli -a Tr0ub4dor3 ping', 'redis-cli -a [REDACTED:password] ping'],
    ['htpasswd -b .htpasswd admin Tr0ub4dor3', 'htpasswd -b .htpasswd admin [REDACTED:password]'],
    ['lftp -u ops,Tr0ub4dor3 ftp.example', 'lftp -u ops,[REDACTED:password] ftp.example'],
    ['etcdctl --user root:Tr0ub4dor3 get /', 'etcdctl --user root:[REDACTED:password] get /'],
    ['net user admin Tr0ub4dor3 /add', 'net user admin [REDACTED:password] /add'],
    [
      'kubectl create secret generic s --from-literal=key=Tr0ub4dor3',
      'kubectl create secret generic s --from-literal=key=[REDACTED:k8s-secret]',
    ],
    [
      'echo "Tr0ub4dor3" | docker login -u ci --password-stdin r',
      'echo "[REDACTED:password]" | docker login -u ci --password-stdin r',
    ],
    // URL passwords with a slash
    ['https://user:pa/ss@host/x', 'https://user:[REDACTED:url-password]@host/x'],
    ['mongodb+srv://u:p/w0rd@h/db', 'mongodb+srv://u:[REDACTED:database-password]@h/db'],
  ])('%s', (text, expected) => {
    expect(redact(text).text).toBe(expected);
  });

  it('leaves settings about secrets, prompts and references alone', () => {
    for (const text of [
      'PASSWORD_MIN_LENGTH=12',
      'password_file: /run/secrets/db',
      'echo "$TOKEN" | docker login -u ci --password-stdin r',
      'pass: true',
      'mysql -u root -p orders',
      'docker run -p 8080:80 -u 1000:1000 nginx',
      'https://registry.npmjs.org:443/@acme%2fui',
      'const password = process.env.DB_PASSWORD;',
      'password = getpass()',
      'passwd: password updated successfully',
      'the net user count is high',
      'WARNING! Using --password via the CLI is insecure. Use --password-stdin.',
    ]) {
      expect(redact(text).text, text).toBe(text);
    }
  });
});

describe('redact: measured on the redaction corpus (test/fixtures/redaction-corpus.ts)', () => {
  it('holds at least 100 secret formats and 100 look-alikes, each secret spelled in its sample', () => {
    expect(new Set(secretFormatSamples.map((entry) => entry.id)).size).toBe(secretFormatSamples.length);
    expect(new Set(lookAlikes.map((entry) => entry.id)).size).toBe(lookAlikes.length);
    expect(secretFormatSamples.length).toBeGreaterThanOrEqual(100);
    expect(lookAlikes.length).toBeGreaterThanOrEqual(100);
    expect(new Set(secretFormatSamples.map((entry) => entry.format)).size).toBeGreaterThanOrEqual(10);
    for (const entry of secretFormatSamples) expect(entry.sample, entry.id).toContain(entry.secret);
  });

  it('removes at least 95% of the secrets and changes at most 2% of the look-alikes', () => {
    const rates = measureRedaction((text) => redact(text).text);
    const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;
    console.log(
      `redaction rates: ${rates.caught}/${rates.secretSamples} secrets removed (${percent(rates.caughtRate)}), ` +
        `${rates.changed.length}/${rates.lookAlikes} look-alikes changed (${percent(rates.falsePositiveRate)})` +
        (rates.missed.length > 0 ? `; missed: ${rates.missed.join(', ')}` : '') +
        (rates.changed.length > 0 ? `; changed: ${rates.changed.join(', ')}` : ''),
    );
    expect(rates.caughtRate).toBeGreaterThanOrEqual(0.95);
    expect(rates.falsePositiveRate).toBeLessThanOrEqual(0.02);
  });

  it('is idempotent on every sample', () => {
    for (const entry of [...secretFormatSamples.map((item) => item.sample), ...lookAlikes.map((item) => item.text)]) {
      const once = redact(entry).text;
      expect(redact(once).text, entry).toBe(once);
    }
  });

  it('counts a 12-character window of the secret that survives as a miss', () => {
    expect(piecesOf('abcdefghijklmn')).toEqual(['abcdefghijkl', 'bcdefghijklm', 'cdefghijklmn']);
    expect(piecesOf('short')).toEqual(['short']);
  });
});

describe('redact: counts and kinds', () => {
  it('counts each secret once and lists kinds in order of appearance', () => {
    const text = [
      `SLACK_BOT_TOKEN=${sampleSlackBotToken}`,
      'DB_PASSWORD=first-pass1',
      `aws key ${sampleAwsAccessKeyId}`,
      'ADMIN_PASSWORD=second-pass2',
    ].join('\n');
    const result = redact(text);
    expect(result.count).toBe(4);
    expect(result.kinds).toEqual(['slack-token', 'password', 'aws-access-key-id']);
    expect(result.text).toBe(
      [
        'SLACK_BOT_TOKEN=[REDACTED:slack-token]',
        'DB_PASSWORD=[REDACTED:password]',
        'aws key [REDACTED:aws-access-key-id]',
        'ADMIN_PASSWORD=[REDACTED:password]',
      ].join('\n'),
    );
  });

  it('merges overlapping findings into one, keeping the most specific kind', () => {
    // The Slack detector, the preset and the key=value detector all see this value.
    const result = redact(`token: ${sampleSlackBotToken}`);
    expect(result).toEqual({ text: 'token: [REDACTED:slack-token]', count: 1, kinds: ['slack-token'] });
  });

  it('is idempotent: redacting redacted text changes nothing', () => {
    for (const entry of secretsCorpus) {
      const once = redact(entry.sample).text;
      expect(redact(once), entry.kind).toEqual({ text: once, count: 0, kinds: [] });
    }
  });
});

describe('redact: secrets split by hidden characters or spelled with look-alike letters (redact-fold.ts)', () => {
  const value = 'Zx9kPq2Lm7Vb';

  it.each([
    ['zero-width space in a key name', `pass\u200Bword=${value}`],
    ['zero-width joiner in a key name', `DB_PASS\u200DWORD: ${value}`],
    ['soft hyphen in a key name', `pass\u00ADword=${value}`],
    ['word joiner in a flag', `mysqldump --pass\u2060word=${value} orders`],
    ['variation selector after a key name', `token\uFE0F: ${value}xY`],
    ['bidi override around the pair', `\u202Epassword=${value}\u202C`],
    ['Cyrillic a and o in a key name', `p\u0430ssw\u043Erd=${value}`],
    ['Greek omicron in a key name', `passw\u03BFrd=${value}`],
    ['fullwidth key name', `\uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44=${value}`],
    ['no-break space after the colon', `password:\u00A0${value}`],
    ['ideographic space before the value', `password=\u3000${value}`],
  ])('finds a value behind a %s', (_name, text) => {
    const out = redact(text).text;
    expect(out).not.toContain(value);
    expect(out).toContain('[REDACTED:');
  });

  it.each([
    ['zero-width space', 'ghp_U1wrrMzzvNJFPV\u200BdeDUm4LCPwenjHybnmTHki'],
    ['word joiner', 'xoxb-566476066449-\u20606460238406059-0eOT0phgZoukicE5VM6jMXwi'],
    ['zero-width joiner', 'AKIAXKW9YY\u200DG5Z30M2GUI'],
    [
      'byte order mark',
      'eyJhbGciOiJIUzI1NiJ9.\uFEFFeyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    [
      'fullwidth letters',
      '\uFF21\uFF2B\uFF29\uFF21\uFF38\uFF2B\uFF37\uFF19\uFF39\uFF39\uFF27\uFF15\uFF3A\uFF13\uFF10\uFF2D\uFF12\uFF27\uFF35\uFF29',
    ],
  ])('replaces a token split by a %s whole, hidden characters and all', (_name, token) => {
    const out = redact(`before ${token} after`);
    expect(out.text).toMatch(/^before \[REDACTED:[a-z0-9-]+\] after$/);
    expect(out.count).toBe(1);
    expect(redact(out.text).text).toBe(out.text);
  });

  it('leaves prose in other scripts, emoji sequences and isolated names as they are', () => {
    for (const text of [
      'Пароль сменили вчера; секрет и токен больше не действуют.',
      'Ο κωδικός πρόσβασης άλλαξε.',
      '👩\u200D💻 deployed ⚠️ 👍🏽',
      'assigned to \u2068Дмитрий\u2069',
      '\u202Ecat /etc/hosts\u202C',
    ]) {
      expect(redact(text).text, text).toBe(text);
    }
  });

  it('keeps the hidden characters outside a secret where they were', () => {
    expect(redact(`\u200Bnote: pass\u200Bword=${value} \u200Bend`).text).toBe(
      '\u200Bnote: pass\u200Bword=[REDACTED:password] \u200Bend',
    );
  });
});

describe('redact: extraSecrets', () => {
  const withPortal = createRedactor({ extraSecrets: [configuredPortalToken, 'abc'] });

  it('redacts a configured literal anywhere, also URL-encoded', () => {
    const text = `GET /api?t=${encodeURIComponent(configuredPortalToken)} auth ${configuredPortalToken}.`;
    const result = withPortal.redact(text);
    expect(result.text).toBe('GET /api?t=[REDACTED:configured-secret] auth [REDACTED:configured-secret].');
    expect(result.count).toBe(2);
    expect(result.kinds).toEqual(['configured-secret']);
  });

  it('is not applied by a redactor without it', () => {
    expect(redact(`auth ${configuredPortalToken}.`).count).toBe(0);
  });

  it(`ignores values shorter than ${minimumExtraSecretLength} characters`, () => {
    expect(withPortal.redact('abc abc abc').text).toBe('abc abc abc');
  });
});

describe('redactDeep', () => {
  it('redacts strings inside objects and arrays and replaces secret-named keys wholly', () => {
    const input = {
      msg: `posting with ${sampleSlackBotToken}`,
      count: 3,
      ok: true,
      nothing: null,
      lines: ['fine', 'DB_PASSWORD=pw-12345'],
      request: { headers: { Authorization: 'Basic abc', cookie: 'a=b', 'x-trace': 't-1' }, url: '/x' },
      portal: { name: 'prod', duploToken: 'anything at all', apiKey: 42, tokenCount: 7, max_tokens: 100 },
      clientSecret: { nested: 'object' },
      password: '',
    };
    expect(redactor.redactDeep(input)).toEqual({
      msg: 'posting with [REDACTED:slack-token]',
      count: 3,
      ok: true,
      nothing: null,
      lines: ['fine', 'DB_PASSWORD=[REDACTED:password]'],
      request: {
        headers: { Authorization: '[REDACTED:authorization]', cookie: '[REDACTED:cookie]', 'x-trace': 't-1' },
        url: '/x',
      },
      portal: {
        name: 'prod',
        duploToken: '[REDACTED:token]',
        apiKey: '[REDACTED:api-key]',
        tokenCount: 7,
        max_tokens: 100,
      },
      clientSecret: '[REDACTED:secret]',
      password: '',
    });
    expect(input.lines[1]).toBe('DB_PASSWORD=pw-12345'); // the input is not mutated
  });

  it('turns errors into plain objects with redacted message and stack', () => {
    const error = Object.assign(new Error(`call failed: token=${configuredPortalToken}`), { code: 'E_PORTAL' });
    const out = redactor.redactDeep({ err: error }) as { err: Record<string, unknown> };
    expect(out.err.type).toBe('Error');
    expect(out.err.code).toBe('E_PORTAL');
    expect(out.err.message).toBe('call failed: token=[REDACTED:token]');
    expect(String(out.err.stack)).not.toContain(configuredPortalToken);
  });

  it('survives cycles and keeps non-plain values', () => {
    const at = new Date('2026-03-02T09:00:00Z');
    const node: Record<string, unknown> = { name: 'a', at };
    node.self = node;
    expect(redactor.redactDeep(node)).toEqual({ name: 'a', at, self: '[Circular]' });
    expect(redactor.redactDeep('password=x1y2z3')).toBe('password=[REDACTED:password]');
    expect(redactor.redactDeep(12)).toBe(12);
    expect(redactor.redactDeep(undefined)).toBeUndefined();
  });

  it('knows secret key names', () => {
    for (const key of [
      'token',
      'botToken',
      'client_secret',
      'Authorization',
      'set-cookie',
      'apiKey',
      'DB_PASSWORD',
      'DB_PASS',
      'MYSQL_PWD',
      'pwd',
      '_auth',
      '_authToken',
      'SMTP_PASSWD',
      'DJANGO_SECRET_KEY',
      'PGPASSWORD',
      'REDIS_PASSWORD',
      'secretKeyBase',
      'password_prod',
    ]) {
      expect(isSecretKeyName(key), key).toBe(true);
    }
    for (const key of [
      'tokenCount',
      'max_tokens',
      'secretName',
      'passwordless',
      'author',
      'keys',
      'PASSWORD_MIN_LENGTH',
      'passwordFile',
      'bypass',
      'passed',
      'PWD',
      'token_endpoint',
      'api_key_id',
    ]) {
      expect(isSecretKeyName(key), key).toBe(false);
    }
  });
});

describe('secretlint preset, driven synchronously', () => {
  it('runs every preset rule except the file-only gcp rule and the comment filter', () => {
    const all = presetRules.map((rule) => rule.meta.id);
    expect(presetRuleIds().sort()).toEqual(
      all
        .filter(
          (id) => id !== '@secretlint/secretlint-rule-gcp' && id !== '@secretlint/secretlint-rule-filter-comments',
        )
        .sort(),
    );
    expect(presetRuleIds().length).toBeGreaterThanOrEqual(12);
  });

  it('has handlers that report synchronously and return no promise', () => {
    const reported: string[] = [];
    const context = {
      sharedOptions: {},
      createTranslator: () => (messageId: string) => ({ message: messageId, messageId, data: {} }),
      report: (descriptor: { message: { messageId: string } }) => reported.push(descriptor.message.messageId),
      ignore: () => undefined,
    } as unknown as Parameters<(typeof presetRules)[number]['create']>[0];
    const content = secretsCorpus.map((entry) => entry.sample).join('\n\n');
    const source = {
      content,
      hasBOM: false,
      filePath: undefined,
      physicalFilePath: undefined,
      contentType: 'text',
      ext: '',
    } as unknown as Parameters<NonNullable<ReturnType<(typeof presetRules)[number]['create']>['file']>>[0];
    for (const rule of presetRules.filter((item) => presetRuleIds().includes(item.meta.id))) {
      const handler = rule.create(context, { enableIDScanRule: true });
      expect(handler.file?.(source), rule.meta.id).toBeUndefined();
    }
    expect(reported.length).toBeGreaterThan(10); // reports arrived before file() returned
  });

  it('leaves nothing that the official async engine (lintSource) still reports', async () => {
    const config = {
      rules: [
        {
          id: '@secretlint/secretlint-rule-preset-recommend',
          rule: presetRecommend,
          rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }],
        },
      ],
    };
    const lint = async (content: string) => {
      const result = await lintSource({
        source: { content, filePath: 'output.txt', contentType: 'text' },
        options: { config, noPhysicFilePath: true },
      });
      return result.messages.filter((message) => message.messageId !== 'AWSAccountID');
    };
    let foundBefore = 0;
    for (const entry of secretsCorpus) {
      foundBefore += (await lint(entry.sample)).length;
      const after = await lint(redact(entry.sample).text);
      // Our own marker can look like a password to the connection-string rules; anything else is a leak.
      const leaks = after.filter((message) => !JSON.stringify(message.data ?? {}).includes('[REDACTED:'));
      expect(leaks, entry.kind).toEqual([]);
    }
    expect(foundBefore).toBeGreaterThanOrEqual(20);
  });
});

// Hang guards, not speed targets: a backtracking regex takes minutes on these inputs, so a generous bound catches
// it without flaking on a busy shared CPU. Speed itself is the benchmark's job (npm run bench).
const HangGuardMs = 10_000;

// Megabytes of input per test, several times: the time bound is each test's own ratio, not the runner's timeout,
// which only has to outlast a saturated machine.
describe('no catastrophic backtracking', { timeout: 120_000 }, () => {
  const bestOf = (runs: number, work: () => void): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      work();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };

  it('redacts a 6,000-line command output without hanging', () => {
    const lines: string[] = [];
    for (let index = 0; index < 6000; index += 1) {
      lines.push(
        index % 500 === 0
          ? `2026-03-02T09:14:07Z pod/api-${index} env DB_PASSWORD=pw-${index}-secret token: tk${index}abcdef`
          : `2026-03-02T09:14:07Z pod/api-${index}   1/1   Running   0   3d4h   10.0.${index % 255}.${index % 7}   ip-10-0-1-${index % 250}.ec2.internal`,
      );
    }
    const output = lines.join('\n');
    let result = redact(output);
    const elapsed = bestOf(3, () => {
      result = redact(output);
    });
    expect(result.count).toBe(24);
    expect(elapsed).toBeLessThan(HangGuardMs);
  });

  const adversarial: ReadonlyArray<readonly [string, string]> = [
    ['letters', 'a'.repeat(1_000_000)],
    ['base64url run starting with eyJ', `eyJ${'eyJa'.repeat(250_000)}`],
    ['repeated key=', 'password='.repeat(111_112)],
    ['key=value pairs on one endless line', 'password=hunter2 '.repeat(62_500)],
    ['repeated quoted key', '"token": "'.repeat(100_000)],
    ['repeated PEM headers', '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(31_250)],
    ['PEM header then endless base64', `-----BEGIN PRIVATE KEY-----\n${'QUJD\n'.repeat(200_000)}`],
    ['repeated url prefixes', 'https://u:'.repeat(100_000)],
    ['slack prefix with dashes', `xoxb-${'a1-'.repeat(333_330)}`],
    ['bearer words', 'Bearer '.repeat(142_857)],
    ['data blocks', `kind: Secret\n${'data:\n  k: v\n'.repeat(71_000)}`],
    ['json data blocks', `"kind": "Secret" ${'"data": { "k": "v", '.repeat(50_000)}`],
    ['authorization lines', 'Authorization: Digest x\n'.repeat(41_000)],
    ['mixed punctuation', '=:"\'`@/\\-_.'.repeat(90_000)],
    ['spaces after key', `password${' '.repeat(1_000_000)}`],
    ['one-line PEM headers with quotes', '-----BEGIN PRIVATE KEY-----x"'.repeat(35_000)],
    [
      'header lines then a late footer',
      `${'-----BEGIN PRIVATE KEY-----\nAB\n'.repeat(30_000)}-----END PRIVATE KEY-----`,
    ],
  ];

  it.each(adversarial)('finishes a 1 MB adversarial string (%s) without hanging', (_name, text) => {
    expect(text.length).toBeGreaterThan(900_000);
    expect(bestOf(1, () => redact(text))).toBeLessThan(HangGuardMs);
  });

  /** `unit` repeated to `size` characters. */
  const repeatTo = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length));
  // The shapes the issue 12 detectors look for, each repeated without the part that would complete it, or with it.
  const shapes: ReadonlyArray<readonly [string, (size: number) => string]> = [
    ['secret key names', (size) => repeatTo('DB_PASS=x MYSQL_PWD=y "pwd": "', size)],
    ['long key names', (size) => repeatTo(`${'a_'.repeat(60)}password_prod_b64=`, size)],
    ['name/value pairs', (size) => repeatTo('- name: DB_PASSWORD\n  valueFrom: x\n', size)],
    ['block scalars', (size) => repeatTo('password: |\n  ', size)],
    ['SQL clauses', (size) => repeatTo("IDENTIFIED BY PASSWORD SET PASSWORD FOR 'u'@'h' ", size)],
    ['command lines', (size) => repeatTo('mysql -pX curl -u a: sshpass -p echo x | sudo -S ', size)],
    ['one command, endless unclosed quote', (size) => `curl -u ${repeatTo("'a b ", size)}`],
    ['continued command lines', (size) => `docker login ${repeatTo('-p x \\\n', size)}`],
    ['token prefixes', (size) => repeatTo('hvs.glpat-sk-ant-xoxc-dckr_pat_ya29.', size)],
    ['URLs with slashes and @', (size) => repeatTo('https://u:a/b@', size)],
    ['URL userinfo without a host', (size) => `https://u:${repeatTo('a@b', size)}`],
    ['netrc and redis lines', (size) => repeatTo('machine password x requirepass AUTH ', size)],
    ['XML and call pairs', (size) => repeatTo("<entry key=\"password\">('password', '", size)],
    ['whitespace runs', (size) => `PASSWORD${' '.repeat(size)}IDENTIFIED BY${' '.repeat(size)}x`],
    ['hidden and look-alike characters', (size) => repeatTo('pass\u200Bwоrd=ｘ\u00ADy\u202E ', size)],
  ];

  it.each(shapes)('takes linear time on %s: 1 MB within the bound, 2 MB in about twice the time', (name, make) => {
    // Best of two runs each, interleaved: the first run also compiles the hot paths, and a shared CPU is noisy.
    const [oneMb, twoMb] = [make(1_000_000), make(2_000_000)];
    let one = Number.POSITIVE_INFINITY;
    let two = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 2; run += 1) {
      one = Math.min(
        one,
        bestOf(1, () => redact(oneMb)),
      );
      two = Math.min(
        two,
        bestOf(1, () => redact(twoMb)),
      );
    }
    console.log(`linear time, ${name}: 1 MB in ${Math.round(one)} ms, 2 MB in ${Math.round(two)} ms`);
    expect(one).toBeLessThan(HangGuardMs);
    // A quadratic scan takes 4× as long on twice the input; a busy CPU gets a generous margin on top of 2×.
    expect(two).toBeLessThan(3 * one + 250);
  });
});

describe('properties', () => {
  it('never throws, and is idempotent on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const once = redact(text).text;
        expect(redact(once).text).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent on text built from the pieces detectors look for', () => {
    const fragments = [
      'password',
      'token',
      'secret',
      'api_key',
      'Authorization',
      'Cookie',
      'Bearer ',
      'Basic ',
      '=',
      ':',
      ': ',
      ' ',
      '"',
      "'",
      '`',
      '\n',
      '  ',
      '- ',
      '**',
      'xoxb-',
      '1234567890',
      'abcdefghij',
      'AKIA',
      'ABCDEFGHIJKLMNOP',
      '-----BEGIN PRIVATE KEY-----',
      '-----END PRIVATE KEY-----',
      'MIIEvQ',
      'data:',
      'kind: Secret',
      'https://',
      'u',
      '@',
      'eyJ',
      '.',
      '${',
      '}',
      '[REDACTED:token]',
      '[REDACTED:',
      ']',
      ';',
      '&',
      '?sig=',
      '--password ',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 40 }), (parts) => {
        const once = redact(parts.join('')).text;
        expect(redact(once).text).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('removes every secret and keeps every benign line, in any mix and order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...secretsCorpus).map((entry) => ({ text: entry.sample, secret: entry.secretPart })),
            fc.constantFrom(...benignCorpus).map((text) => ({ text, secret: null })),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (parts) => {
          const result = redact(parts.map((part) => part.text).join('\n\n'));
          for (const part of parts) {
            if (part.secret === null) expect(result.text).toContain(part.text);
            else for (const piece of pieces(part.secret)) expect(result.text).not.toContain(piece);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('architecture', () => {
  it('imports no Slack, HTTP, database or logging library', () => {
    // redact.ts and its own modules (redact-*.ts): the preset is the one package they use.
    const files = readdirSync(new URL('.', import.meta.url)).filter(
      (file) => /^redact(?:-[a-z]+)?\.ts$/.test(file) && !file.endsWith('.test.ts'),
    );
    expect(files).toContain('redact.ts');
    const imports = files.flatMap((file) => {
      const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
      return [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1] ?? '');
    });
    expect(imports.filter((specifier) => !specifier.startsWith('.'))).toEqual([
      '@secretlint/secretlint-rule-preset-recommend',
    ]);
    for (const specifier of imports.filter((item) => item.startsWith('.'))) expect(specifier).toMatch(/^\.\/redact-/);
  });
});
