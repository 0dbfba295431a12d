import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig } from './config.js';

const token = 'xoxb-1-test-token-value';
const portalToken = 'portal-secret-token-123';
const base = {
  SLACK_BOT_TOKEN: token,
  SLACK_SIGNING_SECRET: 'signing-secret',
  DUPLO_SLACK_APP_PORTALS: JSON.stringify([{ duplo_host: 'https://acme.duplocloud.net/', duplo_token: portalToken }]),
};

/**
 * Strings a refusal must not show: each overridden value of six characters or more, and for a portal list each
 * string in it (tokens, hosts, agents) but names, which a message may quote.
 */
function unshowable(override: Record<string, string | undefined>, shown: readonly string[]): string[] {
  const values: string[] = [];
  const collect = (item: unknown, key?: string): void => {
    if (typeof item === 'string' && key !== 'name') values.push(item);
    else if (Array.isArray(item)) for (const entry of item) collect(entry);
    else if (item !== null && typeof item === 'object') {
      for (const [name, entry] of Object.entries(item)) collect(entry, name);
    }
  };
  for (const [variable, value] of Object.entries(override)) {
    if (value === undefined || shown.includes(variable)) continue;
    values.push(value);
    if (variable === 'DUPLO_SLACK_APP_PORTALS') {
      try {
        collect(parseYaml(value));
      } catch {
        // Not YAML: the whole value is checked above; what a bad line holds is checked by its own case.
      }
    }
  }
  return values.filter((value) => value.length >= 6);
}

/**
 * Runs loadConfig on `base` with `override` and returns its one-line refusal, asserting that neither the base
 * secrets nor any overridden value appears in it. `shown` lists variables whose value the message may name (a file
 * path is not a secret).
 */
const failure = (
  override: Record<string, string | undefined>,
  { readFile, shown = [] }: { readFile?: (path: string) => string; shown?: readonly string[] } = {},
): string => {
  try {
    loadConfig({ ...base, ...override }, readFile ? { readFile } : {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).not.toContain(portalToken);
    expect(message).not.toContain(token);
    for (const value of unshowable(override, shown)) expect(message).not.toContain(value);
    return message;
  }
  throw new Error('expected loadConfig to fail');
};

describe('loadConfig', () => {
  it('parses a minimal http configuration with defaults', () => {
    const config = loadConfig(base);
    expect(config).toEqual({
      slack: {
        botToken: token,
        mode: 'http',
        signingSecret: 'signing-secret',
        apiUrl: 'https://slack.com/api/',
        allowedTeams: [],
        streamReplies: true,
      },
      port: 3000,
      portals: [
        {
          name: 'acme.duplocloud.net',
          host: 'https://acme.duplocloud.net',
          token: portalToken,
          settings: { approvers: [], allowedScopeIds: null, defaultSpace: null, defaultAgent: null, spaceLabel: null },
        },
      ],
      dataDir: './data',
      logLevel: 'info',
    });
  });

  it('reads each portal’s HelpDesk settings, and the official chart’s defaults under either name', () => {
    const portals = JSON.stringify([
      {
        name: 'helpdesk',
        duplo_host: 'https://helpdesk.acme.io/',
        duplo_token: portalToken,
        api: 'workspace',
        approvers: ['Ops-Lead@Acme.io', 'U0123ABCD', 'ops-lead@acme.io'],
        allowed_scope_ids: 's-1, s-2',
        default_workspace: 'platform',
        workspace_label: 'Project',
      },
      { name: 'acme', duplo_host: 'https://acme.duplocloud.net', duplo_token: portalToken, api: 'tenant' },
    ]);
    const config = loadConfig({
      ...base,
      DUPLO_SLACK_APP_PORTALS: portals,
      helpdeskDefaultAgent: 'generic-agent',
      HELPDESK_ALLOWED_SCOPE_IDS: 's-9',
      helpdeskWorkspaceLabel: 'Space',
    });
    expect(config.portals).toEqual([
      {
        name: 'helpdesk',
        host: 'https://helpdesk.acme.io',
        token: portalToken,
        api: 'workspace',
        settings: {
          approvers: ['ops-lead@acme.io', 'u0123abcd'],
          allowedScopeIds: ['s-1', 's-2'],
          defaultSpace: 'platform',
          defaultAgent: 'generic-agent',
          spaceLabel: 'Project',
        },
      },
      {
        name: 'acme',
        host: 'https://acme.duplocloud.net',
        token: portalToken,
        api: 'tenant',
        settings: {
          approvers: [],
          allowedScopeIds: ['s-9'],
          defaultSpace: null,
          defaultAgent: 'generic-agent',
          spaceLabel: 'Space',
        },
      },
    ]);
  });

  it('refuses an unknown HelpDesk api and an approver that is neither an email nor a Slack user id', () => {
    const entry = { duplo_host: 'https://acme.duplocloud.net', duplo_token: portalToken };
    expect(failure({ DUPLO_SLACK_APP_PORTALS: JSON.stringify([{ ...entry, api: 'v2' }]) })).toMatch(
      /^DUPLO_SLACK_APP_PORTALS\[0\.api\]: must be "tenant" or "workspace"$/,
    );
    expect(failure({ DUPLO_SLACK_APP_PORTALS: JSON.stringify([{ ...entry, approvers: ['everyone'] }]) })).toMatch(
      /approvers.*email address or a Slack user id/,
    );
    expect(failure({ HELPDESK_WORKSPACE_LABEL: 'A label far too long for a modal field' })).toMatch(
      /^HELPDESK_WORKSPACE_LABEL: must be at most 24 characters$/,
    );
  });

  it("accepts the official backend's YAML list, with names and agents", () => {
    const yaml = [
      '- duplo_host: https://acme.duplocloud.net',
      `  duplo_token: ${portalToken}`,
      '- name: Staging portal',
      '  duplo_host: https://stage.duplocloud.net',
      '  duplo_token: other-token',
      '  agents:',
      '    - name: kubernetes-agent',
      '      instanceId: k8s-1',
    ].join('\n');
    const config = loadConfig({ ...base, DUPLO_SLACK_APP_PORTALS: yaml });
    expect(config.portals.map((portal) => portal.name)).toEqual(['acme.duplocloud.net', 'Staging portal']);
    expect(config.portals[1]?.agents).toEqual([{ name: 'kubernetes-agent', instanceId: 'k8s-1' }]);
  });

  it('reads the portals from a file', () => {
    const config = loadConfig(
      { ...base, DUPLO_SLACK_APP_PORTALS: undefined, DUPLO_SLACK_APP_PORTALS_FILE: '/run/secrets/portals.yaml' },
      { readFile: () => `- duplo_host: https://a.example.com\n  duplo_token: t` },
    );
    expect(config.portals[0]?.host).toBe('https://a.example.com');
  });

  it('picks socket mode when an app token is set, and takes explicit values', () => {
    const config = loadConfig({
      ...base,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_APP_TOKEN: 'xapp-1-abc',
      PORT: '8080',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
      LOG_LEVEL: 'debug',
    });
    expect(config.slack.mode).toBe('socket');
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/test');
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    [{ SLACK_BOT_TOKEN: undefined }, /^SLACK_BOT_TOKEN: /],
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token' }, /^SLACK_BOT_TOKEN: must be a bot token/],
    [{ SLACK_SIGNING_SECRET: '' }, /^SLACK_SIGNING_SECRET: is required when SLACK_MODE is http/],
    // 'socket' is one of SLACK_MODE's two words, not something to keep out of a message.
    [{ SLACK_MODE: 'socket' }, /^SLACK_APP_TOKEN: is required when SLACK_MODE is socket/, ['SLACK_MODE']],
    [{ SLACK_MODE: 'websocket' }, /^SLACK_MODE: must be "socket" or "http"/],
    [{ SLACK_APP_TOKEN: 'xoxb-wrong' }, /^SLACK_APP_TOKEN: must be an app-level token/],
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: must be at most 65535/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres/],
    [{ SLACK_API_URL: 'not a url' }, /^SLACK_API_URL: /],
    [{ DUPLO_SLACK_APP_PORTALS: undefined }, /^DUPLO_SLACK_APP_PORTALS: is required/],
    [{ DUPLO_SLACK_APP_PORTALS: '[]' }, /^DUPLO_SLACK_APP_PORTALS: must list at least one portal/],
    [{ DUPLO_SLACK_APP_PORTALS: '- duplo_host: [oops' }, /^DUPLO_SLACK_APP_PORTALS: is neither valid YAML nor JSON/],
    [
      { DUPLO_SLACK_APP_PORTALS: JSON.stringify([{ duplo_host: 'acme', duplo_token: portalToken }]) },
      /^DUPLO_SLACK_APP_PORTALS\[0\.duplo_host\]: must be an http\(s\) URL/,
    ],
    [
      { DUPLO_SLACK_APP_PORTALS: JSON.stringify([{ duplo_host: 'https://a.example.com' }]) },
      /^DUPLO_SLACK_APP_PORTALS\[0\.duplo_token\]: /,
    ],
    [
      {
        DUPLO_SLACK_APP_PORTALS: JSON.stringify([
          { name: 'A', duplo_host: 'https://a.example.com', duplo_token: portalToken },
          { name: 'a', duplo_host: 'https://b.example.com', duplo_token: portalToken },
        ]),
      },
      /portal name "a" is used twice/,
    ],
    [{ DUPLO_SLACK_APP_PORTALS_FILE: '/x.yaml' }, /^DUPLO_SLACK_APP_PORTALS_FILE: set either it or/],
  ] as [Record<string, string | undefined>, RegExp, string[]?][])(
    'refuses %j with one line naming the variable',
    (override, expected, shown = []) => {
      expect(failure(override, { shown })).toMatch(expected);
    },
  );

  it('reports an unreadable portals file without its content', () => {
    const message = failure(
      { DUPLO_SLACK_APP_PORTALS: undefined, DUPLO_SLACK_APP_PORTALS_FILE: '/run/secrets/missing.yaml' },
      {
        readFile: () => {
          throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        },
        shown: ['DUPLO_SLACK_APP_PORTALS_FILE'],
      },
    );
    expect(message).toBe('DUPLO_SLACK_APP_PORTALS_FILE: cannot read /run/secrets/missing.yaml (ENOENT)');
  });

  it('never echoes a token found in a malformed portal entry', () => {
    const message = failure({
      DUPLO_SLACK_APP_PORTALS: JSON.stringify([{ duplo_host: portalToken, duplo_token: portalToken }]),
    });
    expect(message).toMatch(/duplo_host/);
  });

  // The YAML parser's own message quotes the offending line: a token written there must not come along.
  const badLineToken = 'yaml-bad-line-token-0123456789';
  const badYaml = `- duplo_host: https://acme.duplocloud.net\n  duplo_token: ${badLineToken}: oops: x\n`;

  it('reports a YAML syntax error by line only, not the token written on that line', () => {
    const message = failure({ DUPLO_SLACK_APP_PORTALS: badYaml });
    expect(message).toBe('DUPLO_SLACK_APP_PORTALS: is neither valid YAML nor JSON (line 2)');
    expect(message).not.toContain(badLineToken);
  });

  it('reports a YAML syntax error in the portals file the same way', () => {
    const message = failure(
      { DUPLO_SLACK_APP_PORTALS: undefined, DUPLO_SLACK_APP_PORTALS_FILE: '/run/secrets/portals.yaml' },
      { readFile: () => badYaml, shown: ['DUPLO_SLACK_APP_PORTALS_FILE'] },
    );
    expect(message).toBe('DUPLO_SLACK_APP_PORTALS_FILE: is neither valid YAML nor JSON (line 2)');
    expect(message).not.toContain(badLineToken);
  });
});
