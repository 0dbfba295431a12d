import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * The only reader of process.env. Everything is parsed with zod at boot; a bad value stops start-up with one line
 * naming the variable and what is wrong. Values are never echoed: a token in an error message would end up in logs.
 */

export interface AgentConfig {
  readonly name: string;
  readonly instanceId: string;
}

export interface PortalConfig {
  readonly name: string;
  /** Portal root, no trailing slash, e.g. https://acme.duplocloud.net */
  readonly host: string;
  readonly token: string;
  readonly agents?: readonly AgentConfig[];
}

export type SlackMode = 'socket' | 'http';

export interface AppConfig {
  readonly slack: {
    readonly botToken: string;
    readonly mode: SlackMode;
    readonly appToken?: string;
    readonly signingSecret?: string;
    readonly apiUrl: string;
  };
  readonly port: number;
  readonly portals: readonly PortalConfig[];
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const PortalEntry = z.object({
  name: nonEmpty.max(60, 'must be at most 60 characters').optional(),
  duplo_host: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://acme.duplocloud.net' })
    .transform((host) => host.replace(/\/+$/, '')),
  duplo_token: nonEmpty,
  agents: z
    .array(z.object({ name: nonEmpty.max(75), instanceId: nonEmpty.max(150) }))
    .min(1, 'when given, must list at least one agent')
    .optional(),
});

const PortalList = z
  .array(PortalEntry)
  .min(1, 'must list at least one portal')
  .transform((entries, ctx) => {
    const portals: PortalConfig[] = entries.map((entry) => ({
      name: entry.name ?? new URL(entry.duplo_host).hostname,
      host: entry.duplo_host,
      token: entry.duplo_token,
      ...(entry.agents ? { agents: entry.agents } : {}),
    }));
    const seen = new Set<string>();
    for (const portal of portals) {
      const key = portal.name.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `portal name "${portal.name}" is used twice` });
      seen.add(key);
    }
    return portals;
  });

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const Env = z.object({
  SLACK_BOT_TOKEN: z.string({ error: 'is required' }).regex(/^xoxb-/, 'must be a bot token starting with xoxb-'),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token starting with xapp-')
    .optional(),
  SLACK_MODE: z.enum(['socket', 'http'], { error: 'must be "socket" or "http"' }).optional(),
  SLACK_SIGNING_SECRET: nonEmpty.optional(),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((url) => (url.endsWith('/') ? url : `${url}/`))
    .default('https://slack.com/api/'),
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0)
    .max(65535, 'must be at most 65535')
    .default(3000),
  DUPLO_SLACK_APP_PORTALS: z.string().optional(),
  DUPLO_SLACK_APP_PORTALS_FILE: z.string().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: nonEmpty.default('./data'),
  LOG_LEVEL: LogLevel.default('info'),
});

const emptyToUndefined = (env: Record<string, string | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === '' ? undefined : value]));

const describeIssues = (variable: string, issues: readonly z.core.$ZodIssue[]): string =>
  issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${variable}[${issue.path.join('.')}]` : variable;
      // Zod's default messages for wrong types can quote the input; ours never do. Keep only the message.
      return `${where}: ${issue.message}`;
    })
    .join('; ');

function parsePortals(variable: string, text: string): PortalConfig[] {
  let raw: unknown;
  try {
    // YAML is a superset of JSON, so one parser takes both forms the official backend and operators use.
    raw = parseYaml(text);
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new ConfigError(`${variable}: is neither valid YAML nor JSON${line ? ` (line ${line})` : ''}`);
  }
  const parsed = PortalList.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(variable, parsed.error.issues));
  return parsed.data;
}

export interface ConfigSources {
  readFile?: (path: string) => string;
}

export function loadConfig(
  rawEnv: Record<string, string | undefined>,
  { readFile = (path) => readFileSync(path, 'utf8') }: ConfigSources = {},
): AppConfig {
  const parsed = Env.safeParse(emptyToUndefined(rawEnv));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const variable = String(first?.path[0] ?? 'environment');
    throw new ConfigError(
      describeIssues(
        variable,
        parsed.error.issues.filter((issue) => issue.path[0] === variable).map((issue) => ({ ...issue, path: [] })),
      ),
    );
  }
  const env = parsed.data;

  const mode: SlackMode = env.SLACK_MODE ?? (env.SLACK_APP_TOKEN ? 'socket' : 'http');
  if (mode === 'socket' && !env.SLACK_APP_TOKEN) {
    throw new ConfigError('SLACK_APP_TOKEN: is required when SLACK_MODE is socket');
  }
  if (mode === 'http' && !env.SLACK_SIGNING_SECRET) {
    throw new ConfigError('SLACK_SIGNING_SECRET: is required when SLACK_MODE is http');
  }

  let portals: PortalConfig[];
  if (env.DUPLO_SLACK_APP_PORTALS && env.DUPLO_SLACK_APP_PORTALS_FILE) {
    throw new ConfigError('DUPLO_SLACK_APP_PORTALS_FILE: set either it or DUPLO_SLACK_APP_PORTALS, not both');
  } else if (env.DUPLO_SLACK_APP_PORTALS_FILE) {
    let text: string;
    try {
      text = readFile(env.DUPLO_SLACK_APP_PORTALS_FILE);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`DUPLO_SLACK_APP_PORTALS_FILE: cannot read ${env.DUPLO_SLACK_APP_PORTALS_FILE} (${code})`);
    }
    portals = parsePortals('DUPLO_SLACK_APP_PORTALS_FILE', text);
  } else if (env.DUPLO_SLACK_APP_PORTALS) {
    portals = parsePortals('DUPLO_SLACK_APP_PORTALS', env.DUPLO_SLACK_APP_PORTALS);
  } else {
    throw new ConfigError('DUPLO_SLACK_APP_PORTALS: is required (or DUPLO_SLACK_APP_PORTALS_FILE)');
  }

  return {
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      mode,
      ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
      ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
      apiUrl: env.SLACK_API_URL,
    },
    port: env.PORT,
    portals,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
  };
}
