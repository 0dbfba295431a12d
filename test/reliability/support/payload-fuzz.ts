import fc from 'fast-check';
import type { SlackDeliveryKind } from '../../fakes/slack/index.js';

/** A real payload the fake Slack built for the app, to be broken in every way Slack (or a bug) could break it. */
export interface PayloadTemplate {
  readonly name: string;
  readonly kind: SlackDeliveryKind;
  readonly payload: unknown;
}

export type Strategy = 'delete' | 'replace' | 'retype' | 'truncate' | 'oversize' | 'unexpected' | 'wrong-encoding';

/** One request body, already encoded the way its kind travels (JSON or `payload=` form), ready to be signed. */
export interface FuzzCase {
  readonly template: string;
  readonly kind: SlackDeliveryKind;
  readonly strategy: Strategy;
  readonly body: string;
  readonly contentType: string;
}

type Path = readonly (string | number)[];
type Json = unknown;

export const OversizeBytes = 1024 * 1024;

/** Every path to a value inside `value`, parents before children, up to `maxDepth` levels. */
export function pathsOf(value: Json, maxDepth = 10, prefix: Path = []): Path[] {
  if (prefix.length >= maxDepth || value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((entry, index) => [index, entry])
    : Object.entries(value as Record<string, Json>);
  return entries.flatMap(([key, entry]) => [[...prefix, key], ...pathsOf(entry, maxDepth, [...prefix, key])]);
}

const parentOf = (root: Json, path: Path): Record<string | number, Json> | null => {
  let node = root as Record<string | number, Json> | null;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return null;
    node = node[key] as Record<string | number, Json> | null;
  }
  return node !== null && typeof node === 'object' ? node : null;
};

function setAt(root: Json, path: Path, value: Json): Json {
  // A copy each time: one drawn object set at a path and again inside itself would make a cycle.
  if (path.length === 0) return structuredClone(value);
  const parent = parentOf(root, path);
  // Own property even for keys like __proto__, as JSON.parse would create it.
  if (parent) {
    Object.defineProperty(parent, path.at(-1) as string, {
      value: structuredClone(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return root;
}

function deleteAt(root: Json, path: Path): Json {
  const parent = parentOf(root, path);
  const key = path.at(-1);
  if (!parent || key === undefined) return root;
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else delete parent[key];
  return root;
}

/** Values a field should never hold: wrong types, empty, huge numbers, control characters, markup, pollution keys. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.string({ maxLength: 40 }),
  // Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit builds a 58 MB table first).
  fc.string({ unit: fc.nat({ max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '<!channel>',
    '<!here> <@U0ADMIN> <https://evil.example|click>',
    '../../etc/passwd',
    "'; DROP TABLE thread_links; --",
    '{"__proto__":{"polluted":true}}',
    '\u0000\u202e\ud800',
    '1700000000.000100',
    'U0000000000',
    'C0000000000',
    'x'.repeat(5000),
  ),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.constant({ ['__proto__']: { polluted: true } }),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
);

/** The same value as another JSON type: object ↔ array ↔ string ↔ number. */
const retyped = (value: Json): Json => {
  if (Array.isArray(value)) return JSON.stringify(value);
  if (value !== null && typeof value === 'object') return Object.values(value as object);
  if (typeof value === 'string') return value.length > 0 ? { value } : 0;
  if (typeof value === 'number') return String(value);
  return [value];
};

/** A 1 MB string of text that looks like what people (or attackers) paste. */
const oversizeText = (seed: number): string => {
  const unit = ['pods crashing in dev <!channel> ', 'AKIA Z7Q3XK4M2N8P5R6T password=hunter2 ', 'ünïcødé 🚀 ', 'a'][
    seed % 4
  ] as string;
  return unit.repeat(Math.ceil(OversizeBytes / Buffer.byteLength(unit))).slice(0, OversizeBytes);
};

const FormContentType = 'application/x-www-form-urlencoded';

/**
 * A slash command travels as its fields, form-encoded (no `payload=`): a mutated object's fields as they are (values
 * that are not strings as their JSON), and text that is no longer an object (cut, retyped) as the body itself.
 */
const commandForm = (payloadText: string): string => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payloadText);
  } catch {
    return payloadText;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return payloadText;
  const fields = Object.entries(parsed as Record<string, unknown>).map(([key, value]): [string, string] => [
    key,
    typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
  ]);
  return new URLSearchParams(fields).toString();
};

const encode = (kind: SlackDeliveryKind, payloadText: string): { body: string; contentType: string } => {
  if (kind === 'event') return { body: payloadText, contentType: 'application/json' };
  if (kind === 'command') return { body: commandForm(payloadText), contentType: FormContentType };
  return { body: new URLSearchParams({ payload: payloadText }).toString(), contentType: FormContentType };
};

/**
 * Mutations of a template. Each case is built from a fresh deep copy; `prepare` runs first on that copy (the fuzz
 * test gives events a fresh event_id and most a channel of their own, so de-duplication and per-channel pacing do
 * not hide the listeners from the fuzzer).
 */
export function fuzzCaseArbitrary(
  templates: readonly PayloadTemplate[],
  prepare: (template: PayloadTemplate, copy: Json, random: number) => Json,
  { oversizeOneIn = 100 }: { readonly oversizeOneIn?: number } = {},
): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      templateIndex: fc.nat({ max: templates.length - 1 }),
      strategy: fc.constantFrom<Strategy>(
        'delete',
        'delete',
        'replace',
        'replace',
        'replace',
        'retype',
        'retype',
        'truncate',
        'truncate',
        'unexpected',
        'wrong-encoding',
      ),
      oversize: fc.nat({ max: oversizeOneIn - 1 }),
      pathPicks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      values: fc.array(hostileValue, { minLength: 4, maxLength: 4 }),
      cut: fc.double({ min: 0, max: 1, noNaN: true }),
      random: fc.nat(),
      whole: fc.jsonValue({ maxDepth: 3 }),
      eventType: fc.constantFrom('app_mention', 'message', 'reaction_added', 'app_home_opened', 'x'.repeat(300), ''),
      strangeType: fc.oneof(
        fc.constantFrom(
          'block_actions',
          'view_submission',
          'block_suggestion',
          'shortcut',
          'view_closed',
          'event_callback',
        ),
        fc.string({ maxLength: 12 }),
      ),
    })
    .map((draw): FuzzCase => {
      const template = templates[draw.templateIndex] as PayloadTemplate;
      let payload = prepare(template, structuredClone(template.payload), draw.random);
      const paths = pathsOf(payload);
      const pick = (index: number): Path => (paths.length === 0 ? [] : (paths[index % paths.length] as Path));
      // One request in `oversizeOneIn` (a hundred by default) carries a megabyte in some string field.
      const strategy: Strategy = draw.oversize === 0 ? 'oversize' : draw.strategy;
      switch (strategy) {
        case 'delete':
          for (const index of draw.pathPicks) payload = deleteAt(payload, pick(index));
          break;
        case 'replace':
          draw.pathPicks.forEach((index, n) => {
            payload = setAt(payload, pick(index), draw.values[n % draw.values.length]);
          });
          break;
        case 'retype':
          for (const index of draw.pathPicks) {
            const path = pick(index);
            const parent = parentOf(payload, path);
            const key = path.at(-1);
            if (parent && key !== undefined) payload = setAt(payload, path, retyped(parent[key]));
          }
          break;
        case 'oversize': {
          const strings = paths.filter((path) => typeof parentOf(payload, path)?.[path.at(-1) as string] === 'string');
          const path = strings[draw.random % Math.max(strings.length, 1)] ?? ['text'];
          payload = setAt(payload, path, oversizeText(draw.random));
          break;
        }
        case 'unexpected': {
          const variant = draw.random % 4;
          if (variant === 0) payload = draw.whole;
          else if (variant === 1 && payload && typeof payload === 'object') {
            (payload as Record<string, Json>).type = draw.strangeType;
          } else if (variant === 2 && template.kind === 'event') {
            const event = (payload as { event?: Record<string, Json> }).event;
            if (event && typeof event === 'object') event.type = draw.eventType;
          } else if (payload && typeof payload === 'object') {
            payload = setAt(payload, pick(draw.pathPicks[0] ?? 0), draw.whole);
          }
          break;
        }
        default:
          break;
      }
      const text = JSON.stringify(payload) ?? 'undefined';
      if (strategy === 'truncate') {
        const cut = text.slice(0, Math.floor(text.length * draw.cut));
        return { template: template.name, kind: template.kind, strategy, ...encode(template.kind, cut) };
      }
      if (strategy === 'wrong-encoding') {
        // An event sent as a form, an interaction sent as bare JSON.
        const other: SlackDeliveryKind = template.kind === 'event' ? 'interaction' : 'event';
        return { template: template.name, kind: template.kind, strategy, ...encode(other, text) };
      }
      return { template: template.name, kind: template.kind, strategy, ...encode(template.kind, text) };
    });
}
