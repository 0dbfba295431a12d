import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from '@slack/bolt';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Field paths pino removes before writing. Tokens and secrets never reach a log line: the known places are censored
 * by path here, and free text goes through the domain redactor (see `withTextRedaction`).
 */
export const redactedPaths = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'duplo_token',
  '*.duplo_token',
  '*.*.duplo_token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.headers.Authorization',
  '*.config.headers.Authorization',
  'cookie',
  '*.cookie',
];

export interface LoggerOptions {
  readonly level: string;
  /** Literal secrets (configured tokens) and pattern-based redaction for free text; applied to every string. */
  readonly redactText?: (text: string) => string;
  readonly destination?: DestinationStream;
}

export function createLogger({ level, redactText, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: 'duplo-helpdesk-slack' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[REDACTED]' },
      formatters: {
        level: (label) => ({ level: label }),
        ...(redactText ? { log: (object: Record<string, unknown>) => redactStrings(object, redactText) } : {}),
      },
      ...(redactText
        ? {
            hooks: {
              logMethod(args: unknown[], method: (...rest: unknown[]) => void) {
                method.apply(
                  this,
                  args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)),
                );
              },
            },
          }
        : {}),
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    destination,
  );
}

function redactStrings(value: Record<string, unknown>, redactText: (text: string) => string): Record<string, unknown> {
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return redactText(item);
    if (depth > 6 || item === null || typeof item !== 'object') return item;
    if (item instanceof Error) {
      return { type: item.name, message: redactText(item.message), stack: item.stack ? redactText(item.stack) : '' };
    }
    if (Array.isArray(item)) return item.map((entry) => walk(entry, depth + 1));
    return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, walk(entry, depth + 1)]));
  };
  return walk(value, 0) as Record<string, unknown>;
}

const boltLevels: Record<string, BoltLogLevel> = {
  trace: 'debug' as BoltLogLevel,
  debug: 'debug' as BoltLogLevel,
  info: 'info' as BoltLogLevel,
  warn: 'warn' as BoltLogLevel,
  error: 'error' as BoltLogLevel,
  fatal: 'error' as BoltLogLevel,
  silent: 'error' as BoltLogLevel,
};

/** Bolt and @slack/web-api log through our pino, so their lines are JSON and redacted too. */
export function boltLoggerFrom(logger: Logger): BoltLogger {
  let child = logger.child({ component: 'bolt' });
  const text = (parts: unknown[]) =>
    parts.map((part) => {
      if (typeof part === 'string') return part;
      if (part instanceof Error) return `${part.name}: ${part.message}`;
      try {
        return JSON.stringify(part);
      } catch {
        return String(part);
      }
    });
  return {
    debug: (...parts: unknown[]) => child.debug(text(parts).join(' ')),
    info: (...parts: unknown[]) => child.info(text(parts).join(' ')),
    warn: (...parts: unknown[]) => child.warn(text(parts).join(' ')),
    error: (...parts: unknown[]) => child.error(text(parts).join(' ')),
    setLevel: () => {
      // Levels are set once from LOG_LEVEL; Bolt's WebClient calls this with its own default, which we ignore.
    },
    getLevel: () => boltLevels[logger.level] ?? ('info' as BoltLogLevel),
    setName: (name: string) => {
      child = logger.child({ component: name });
    },
  };
}
