import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type HelpdeskApi, HelpdeskApis } from './domain/helpdesk.js';
import type { PortalSettings } from './domain/ports.js';

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
  /** The HelpDesk API it speaks, when the operator says so; detected otherwise (docs/duplocloud-api.md §0). */
  readonly api?: HelpdeskApi;
  readonly settings: PortalSettings;
}

export type SlackMode = 'socket' | 'http';

export interface AppConfig {
  readonly slack: {
    readonly botToken: string;
    readonly mode: SlackMode;
    readonly appToken?: string;
    readonly signingSecret?: string;
    readonly apiUrl: string;
    /** Slack Connect: other teams whose people may use the service. */
    readonly allowedTeams: readonly string[];
    /** Agent replies are streamed into threads as they are written (off: posted when the agent finishes). */
    readonly streamReplies: boolean;
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

/** A list given as YAML/JSON list or as one comma-separated string (the official chart's style). */
const idList = z
  .union([z.array(nonEmpty), z.string()])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((id) => id.trim()).filter(Boolean));

/** Emails or Slack user ids, compared case-insensitively. */
const Approver = nonEmpty.regex(
  /^(?:[^@\s]+@[^@\s]+|[UW][A-Z0-9]{2,30})$/i,
  'must be an email address or a Slack user id (U…/W…)',
);

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
  api: z.enum(HelpdeskApis, { error: 'must be "tenant" or "workspace"' }).optional(),
  approvers: z.array(Approver).optional(),
  allowed_scope_ids: idList.optional(),
  default_workspace: nonEmpty.max(150).optional(),
  default_agent: nonEmpty.max(150).optional(),
  workspace_label: nonEmpty.max(24, 'must be at most 24 characters').optional(),
});

/** Operator-wide HelpDesk settings, named as the official chart's `slackBackend.env` (docs/duplocloud-api.md §9). */
export interface HelpdeskDefaults {
  readonly workspaceLabel?: string;
  readonly defaultWorkspace?: string;
  readonly defaultAgent?: string;
  readonly allowedScopeIds?: readonly string[];
}

const portalList = (defaults: HelpdeskDefaults) =>
  z
    .array(PortalEntry)
    .min(1, 'must list at least one portal')
    .transform((entries, ctx) => {
      const portals: PortalConfig[] = entries.map((entry) => {
        const allowed = entry.allowed_scope_ids ?? defaults.allowedScopeIds;
        return {
          name: entry.name ?? new URL(entry.duplo_host).hostname,
          host: entry.duplo_host,
          token: entry.duplo_token,
          ...(entry.agents ? { agents: entry.agents } : {}),
          ...(entry.api ? { api: entry.api } : {}),
          settings: {
            approvers: [...new Set((entry.approvers ?? []).map((approver) => approver.toLowerCase()))],
            allowedScopeIds: allowed && allowed.length > 0 ? allowed : null,
            defaultSpace: entry.default_workspace ?? defaults.defaultWorkspace ?? null,
            defaultAgent: entry.default_agent ?? defaults.defaultAgent ?? null,
            spaceLabel: entry.workspace_label ?? defaults.workspaceLabel ?? null,
          },
        };
      });
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
  // Slack Connect: ids of other organisations' workspaces whose people may use the service (none by default).
  SLACK_CONNECT_ALLOWED_TEAMS: z
    .string()
    .regex(/^\s*[TE][A-Z0-9]{2,30}(\s*,\s*[TE][A-Z0-9]{2,30})*\s*$/, 'must be comma-separated Slack team ids (T…)')
    .optional(),
  // Agent replies streamed into threads as they are written (chat.startStream); "false" posts each when it is done.
  SLACK_STREAM_REPLIES: z.enum(['true', 'false'], 'must be true or false').default('true'),
  // The official chart's slackBackend.env keys, under their chart names or as upper-case variables.
  HELPDESK_WORKSPACE_LABEL: nonEmpty.max(24, 'must be at most 24 characters').optional(),
  HELPDESK_DEFAULT_WORKSPACE: nonEmpty.max(150).optional(),
  HELPDESK_DEFAULT_AGENT: nonEmpty.max(150).optional(),
  HELPDESK_ALLOWED_SCOPE_IDS: z.string().optional(),
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

/** The official chart's env names (`helpdeskWorkspaceLabel`…) are accepted as they are, beside upper-case ones. */
const ChartNames: Readonly<Record<string, string>> = {
  helpdeskWorkspaceLabel: 'HELPDESK_WORKSPACE_LABEL',
  helpdeskDefaultWorkspace: 'HELPDESK_DEFAULT_WORKSPACE',
  helpdeskDefaultAgent: 'HELPDESK_DEFAULT_AGENT',
  helpdeskAllowedScopeIds: 'HELPDESK_ALLOWED_SCOPE_IDS',
};

const withChartNames = (env: Record<string, string | undefined>): Record<string, string | undefined> => {
  const merged = { ...env };
  for (const [chart, upper] of Object.entries(ChartNames)) {
    if (merged[upper] === undefined && env[chart] !== undefined) merged[upper] = env[chart];
  }
  return merged;
};

function parsePortals(variable: string, text: string, defaults: HelpdeskDefaults): PortalConfig[] {
  let raw: unknown;
  try {
    // YAML is a superset of JSON, so one parser takes both forms the official backend and operators use.
    raw = parseYaml(text);
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new ConfigError(`${variable}: is neither valid YAML nor JSON${line ? ` (line ${line})` : ''}`);
  }
  const parsed = portalList(defaults).safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(variable, parsed.error.issues));
  return parsed.data;
}

/** Every environment variable the service reads: its own names and the official chart's (deploy/helm is checked against it). */
export const ConfigVariables: readonly string[] = [...Object.keys(Env.shape), ...Object.keys(ChartNames)];

/** Where the data lives (DATABASE_URL, DATA_DIR), read alone and by the same rules: for tools that need no Slack. */
const StoreEnv = Env.pick({ DATABASE_URL: true, DATA_DIR: true });

/** The store settings alone (`npm run audit`): the same parsing as loadConfig, the same one-line errors. */
export function loadStoreConfig(rawEnv: Record<string, string | undefined>): {
  readonly databaseUrl?: string;
  readonly dataDir: string;
} {
  const env = parseEnv(StoreEnv, emptyToUndefined(rawEnv));
  return { ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}), dataDir: env.DATA_DIR };
}

/** The environment through `schema`, or a ConfigError naming the first variable that is wrong (never its value). */
function parseEnv<Schema extends z.ZodType>(schema: Schema, env: Record<string, string | undefined>): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const variable = String(first?.path[0] ?? 'environment');
  throw new ConfigError(
    describeIssues(
      variable,
      parsed.error.issues.filter((issue) => issue.path[0] === variable).map((issue) => ({ ...issue, path: [] })),
    ),
  );
}

export interface ConfigSources {
  readFile?: (path: string) => string;
}

export function loadConfig(
  rawEnv: Record<string, string | undefined>,
  { readFile = (path) => readFileSync(path, 'utf8') }: ConfigSources = {},
): AppConfig {
  const env = parseEnv(Env, emptyToUndefined(withChartNames(rawEnv)));

  const mode: SlackMode = env.SLACK_MODE ?? (env.SLACK_APP_TOKEN ? 'socket' : 'http');
  if (mode === 'socket' && !env.SLACK_APP_TOKEN) {
    throw new ConfigError('SLACK_APP_TOKEN: is required when SLACK_MODE is socket');
  }
  if (mode === 'http' && !env.SLACK_SIGNING_SECRET) {
    throw new ConfigError('SLACK_SIGNING_SECRET: is required when SLACK_MODE is http');
  }

  const allowedScopeIds = env.HELPDESK_ALLOWED_SCOPE_IDS?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const defaults: HelpdeskDefaults = {
    ...(env.HELPDESK_WORKSPACE_LABEL ? { workspaceLabel: env.HELPDESK_WORKSPACE_LABEL } : {}),
    ...(env.HELPDESK_DEFAULT_WORKSPACE ? { defaultWorkspace: env.HELPDESK_DEFAULT_WORKSPACE } : {}),
    ...(env.HELPDESK_DEFAULT_AGENT ? { defaultAgent: env.HELPDESK_DEFAULT_AGENT } : {}),
    ...(allowedScopeIds && allowedScopeIds.length > 0 ? { allowedScopeIds } : {}),
  };

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
    portals = parsePortals('DUPLO_SLACK_APP_PORTALS_FILE', text, defaults);
  } else if (env.DUPLO_SLACK_APP_PORTALS) {
    portals = parsePortals('DUPLO_SLACK_APP_PORTALS', env.DUPLO_SLACK_APP_PORTALS, defaults);
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
      allowedTeams: (env.SLACK_CONNECT_ALLOWED_TEAMS ?? '')
        .split(',')
        .map((team) => team.trim())
        .filter(Boolean),
      streamReplies: env.SLACK_STREAM_REPLIES === 'true',
    },
    port: env.PORT,
    portals,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
  };
}
