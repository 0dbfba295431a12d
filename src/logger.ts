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

export function createLogger({ level, redactText: redactAny, destination }: LoggerOptions): Logger {
  const redactText = redactAny ? rememberingClean(redactAny) : undefined;
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
                  withErrorMessage(args).map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)),
                );
              },
            },
          }
        : {}),
      serializers: { err: serializeError, error: serializeError },
    },
    destination,
  );
}

/** Short strings the redactor left as they were, remembered (a bounded set) so that they are not scanned again. */
const CleanMaxLength = 64;
const CleanMaxEntries = 1_024;

/**
 * The redactor's scan costs tens of microseconds even for "ok", and most strings in log lines are the same few
 * messages and labels ("slack request handled", "event:app_mention"): a short string it found nothing in is
 * remembered and passed through next time. Only such strings are kept, and the same text is written to the log as
 * it is, so nothing is held that the log would not show; the redactor is a pure function of the text (its secrets
 * are fixed when it is made: src/domain/redact.ts), so the answer cannot change.
 */
function rememberingClean(redactText: (text: string) => string): (text: string) => string {
  const clean = new Set<string>();
  return (text) => {
    if (clean.has(text)) return text;
    const redacted = redactText(text);
    if (redacted === text && text.length <= CleanMaxLength) {
      if (clean.size >= CleanMaxEntries) clean.clear();
      clean.add(text);
    }
    return redacted;
  };
}

/**
 * Pino's error serializer, for Errors only. With text redaction the log formatter has already turned each Error into
 * a plain object (see `redactStrings`); serializing that again would report its type as "Object".
 */
const serializeError = (value: unknown): unknown => (value instanceof Error ? pino.stdSerializers.err(value) : value);

/**
 * `logger.error(err)` and `logger.error({ err })` without a message make pino copy the error's message into `msg`
 * after our hooks ran, so it would escape redaction: give such calls that message explicitly.
 */
function withErrorMessage(args: unknown[]): unknown[] {
  const [first, message] = args;
  if (args.length !== 1 || message !== undefined || first === null || typeof first !== 'object') return args;
  const error = first instanceof Error ? first : (first as { err?: unknown }).err;
  if (!(error instanceof Error) || (first !== error && 'msg' in first)) return args;
  return [first, error.message];
}

/** Primitives, arrays, plain objects and errors: what an error's own fields may carry into a log line. */
const isData = (value: unknown): boolean => {
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (value === null || typeof value !== 'object') return true;
  if (value instanceof Error || Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

function redactStrings(value: Record<string, unknown>, redactText: (text: string) => string): Record<string, unknown> {
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return redactText(item);
    if (depth > 6 || item === null || typeof item !== 'object') return item;
    if (item instanceof Error) {
      // Pino's message and stack (causes folded in), the name as type, and the error's own data fields (code,
      // details, status…), every string redacted. Fields holding class instances (an HTTP request, a socket) are left
      // out: they are large and say nothing the message does not.
      const { message, stack } = pino.stdSerializers.err(item);
      const fields = Object.entries(item).filter(([key, entry]) => !['name', 'cause'].includes(key) && isData(entry));
      return {
        type: item.name,
        message: redactText(message),
        stack: stack ? redactText(stack) : '',
        ...Object.fromEntries(fields.map(([key, entry]) => [key, walk(entry, depth + 1)])),
      };
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

/**
 * Bolt and @slack/web-api log through our pino, so their lines are JSON and redacted too. Their debug lines (several
 * per Web API call) are only put into words when debug is on. What they say at info is said at debug here: the one
 * such line on a request's path, the Web API client's "will retry" on a 429, is logged as a warning by the thread
 * poster (src/slack/web/thread-poster.ts), and each request has its own info line (src/slack/runtime/app.ts).
 */
export function boltLoggerFrom(logger: Logger): BoltLogger {
  let child = logger.child({ component: 'bolt' });
  const text = (parts: unknown[]) =>
    parts
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part instanceof Error) return `${part.name}: ${part.message}`;
        try {
          return JSON.stringify(part);
        } catch {
          return String(part);
        }
      })
      .join(' ');
  const at =
    (level: 'debug' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      if (child.isLevelEnabled(level)) child[level](text(parts));
    };
  return {
    debug: at('debug'),
    info: at('debug'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => {
      // Levels are set once from LOG_LEVEL; Bolt's WebClient calls this with its own default, which we ignore.
    },
    getLevel: () => boltLevels[logger.level] ?? ('info' as BoltLogLevel),
    setName: (name: string) => {
      child = logger.child({ component: name });
    },
  };
}
