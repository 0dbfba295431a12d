/**
 * Text that leaves this service (to the store, Slack or a portal) is well-formed UTF-16: a lone surrogate (a high
 * one without the low one after it, or a low one without the high one before it) becomes U+FFFD, as
 * `String.prototype.toWellFormed` does. An agent's answer is untrusted text; PostgreSQL's text and jsonb refuse
 * unpaired surrogates, and other services may too. One function, used at each boundary: the store's parameters
 * (store/sql-executor.ts), the thread poster (slack/web/thread-poster.ts) and portal request bodies (portal/portal-http.ts).
 */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const anySurrogate = /[\uD800-\uDFFF]/;

/** `text` with every lone surrogate replaced by U+FFFD; the same string when it has none. */
export const wellFormed = (text: string): string =>
  anySurrogate.test(text) ? text.replace(loneSurrogate, '\uFFFD') : text;

/**
 * A copy of a JSON-like value (a request body, Block Kit) with every string well-formed, object keys included.
 * Arrays and plain objects are copied; anything else (numbers, dates, buffers) is kept as it is.
 */
export function wellFormedDeep<T>(value: T): T {
  return deep(value, new WeakMap()) as T;
}

function deep(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (value === null || typeof value !== 'object') return value;
  const copied = seen.get(value);
  if (copied !== undefined) return copied;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const entry of value) out.push(deep(entry, seen));
    return out;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [key, entry] of Object.entries(value)) out[wellFormed(key)] = deep(entry, seen);
  return out;
}
