import { stringify } from 'yaml';

/**
 * A small renderer for the subset of Helm's Go templates that deploy/helm uses, so a test can render the chart on a
 * machine without Helm (neither the npm registry nor Debian ships a Helm binary or a JavaScript port of it).
 *
 * What it supports, and nothing else (anything else throws, so the chart cannot quietly outgrow it):
 * - actions `{{ }}` with `{{-` / `-}}` trimming all whitespace before / after, and `{{/* comments *\/}}`;
 * - `if` / `else if` / `else` / `end`, `range` over a list or a map (`range $key, $value := …`, `range $item := …`
 *   or a bare `range …` with `.` set to the element), `define` / `include`;
 * - operands: `.` and `.Field.Path`, `$` (the root) and `$variable.Field`, "strings", numbers, `true`, `false`,
 *   `nil`, `( … )` and pipelines `a | b c`, the piped value going last as in Go;
 * - functions: default, quote, toYaml, indent, nindent, include, required, fail, eq, ne, gt, lt, not, and, or, int.
 *
 * Semantics follow Go's text/template and Helm: emptiness (false, 0, "", nil, empty list or map) is falsy and
 * `default` replaces it; `required` refuses nil and "" only (an empty list passes, as in Helm); `toYaml` drops its
 * trailing newline; a missing map key is nil (printed as ""); a field of nil is an error ("nil pointer evaluating");
 * maps are walked in sorted key order, as Go does.
 */

type Value = unknown;
type Scope = { readonly dot: Value; readonly root: Value; readonly variables: Map<string, Value> };

interface TextNode {
  readonly kind: 'text';
  readonly text: string;
}
interface OutputNode {
  readonly kind: 'output';
  readonly pipeline: string;
}
interface IfNode {
  readonly kind: 'if';
  readonly branches: { readonly condition: string; readonly body: Node[] }[];
  readonly otherwise: Node[];
}
interface RangeNode {
  readonly kind: 'range';
  readonly keyVariable: string | null;
  readonly valueVariable: string | null;
  readonly pipeline: string;
  readonly body: Node[];
  readonly otherwise: Node[];
}
type Node = TextNode | OutputNode | IfNode | RangeNode;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Splits a template into text and actions, applying `{{-` and `-}}`. */
function lex(source: string, file: string): ({ kind: 'text'; text: string } | { kind: 'action'; body: string })[] {
  const tokens: ({ kind: 'text'; text: string } | { kind: 'action'; body: string })[] = [];
  let at = 0;
  let trimNext = false;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    let text = source.slice(at, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      tokens.push({ kind: 'text', text });
      break;
    }
    const close = source.indexOf('}}', open);
    if (close === -1) throw new TemplateError(`${file}: an action opened with {{ is never closed`);
    let body = source.slice(open + 2, close);
    if (body.startsWith('-') && /^-\s/.test(body)) {
      text = text.replace(/\s+$/, '');
      body = body.slice(1);
    }
    trimNext = /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    tokens.push({ kind: 'text', text });
    body = body.trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) tokens.push({ kind: 'action', body });
    at = close + 2;
  }
  return tokens;
}

/** Builds the tree of one file, collecting `define`d templates into `defines`. */
function parse(source: string, file: string, defines: Map<string, Node[]>): Node[] {
  const tokens = lex(source, file);
  let index = 0;
  const block = (ends: readonly string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (index < tokens.length) {
      const token = tokens[index++];
      if (!token) break;
      if (token.kind === 'text') {
        if (token.text) nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      const [keyword = ''] = token.body.split(/\s+/, 1);
      const rest = token.body.slice(keyword.length).trim();
      if (ends.includes(keyword) || (keyword === 'else' && ends.includes('else'))) {
        index--;
        return { nodes, end: keyword };
      }
      if (keyword === 'if') nodes.push(ifNode(rest));
      else if (keyword === 'range') nodes.push(rangeNode(rest));
      else if (keyword === 'define') {
        const name = JSON.parse(rest) as string;
        const body = block(['end']);
        index++;
        defines.set(name, body.nodes);
      } else if (['else', 'end', 'with', 'template', 'block'].includes(keyword)) {
        throw new TemplateError(`${file}: {{ ${token.body} }} is not supported here`);
      } else nodes.push({ kind: 'output', pipeline: token.body });
    }
    if (ends.length > 0) throw new TemplateError(`${file}: missing {{ end }}`);
    return { nodes, end: '' };
  };
  const ifNode = (condition: string): IfNode => {
    const branches: { condition: string; body: Node[] }[] = [];
    let otherwise: Node[] = [];
    let current = condition;
    for (;;) {
      const body = block(['else', 'end']);
      branches.push({ condition: current, body: body.nodes });
      const token = tokens[index++] as { kind: 'action'; body: string };
      if (body.end === 'end') break;
      const elseIf = /^else\s+if\s+(.*)$/s.exec(token.body);
      if (elseIf?.[1]) {
        current = elseIf[1];
        continue;
      }
      otherwise = block(['end']).nodes;
      index++;
      break;
    }
    return { kind: 'if', branches, otherwise };
  };
  const rangeNode = (clause: string): RangeNode => {
    const declared = /^(\$\w+)(?:\s*,\s*(\$\w+))?\s*:=\s*(.*)$/s.exec(clause);
    const keyVariable = declared?.[2] ? (declared[1] ?? null) : null;
    const valueVariable = declared ? ((declared[2] ?? declared[1]) as string) : null;
    const pipeline = declared ? (declared[3] as string) : clause;
    const body = block(['else', 'end']);
    let otherwise: Node[] = [];
    index++;
    if (body.end === 'else') {
      otherwise = block(['end']).nodes;
      index++;
    }
    return { kind: 'range', keyVariable, valueVariable, pipeline, body: body.nodes, otherwise };
  };
  return block([]).nodes;
}

/** Splits an expression into operands, keeping strings and parentheses whole. */
function words(expression: string): string[] {
  const found: string[] = [];
  let at = 0;
  while (at < expression.length) {
    const char = expression[at] as string;
    if (/\s/.test(char)) {
      at++;
    } else if (char === '"') {
      const end = /^"(?:[^"\\]|\\.)*"/.exec(expression.slice(at));
      if (!end) throw new TemplateError(`unterminated string in ${expression}`);
      found.push(end[0]);
      at += end[0].length;
    } else if (char === '(') {
      let depth = 0;
      let end = at;
      for (; end < expression.length; end++) {
        if (expression[end] === '(') depth++;
        if (expression[end] === ')') depth--;
        if (depth === 0) break;
      }
      found.push(expression.slice(at, end + 1));
      at = end + 1;
    } else if (char === '|') {
      found.push('|');
      at++;
    } else {
      const end = /^[^\s|()]+/.exec(expression.slice(at)) as RegExpExecArray;
      found.push(end[0]);
      at += end[0].length;
    }
  }
  return found;
}

const isEmpty = (value: Value): boolean =>
  value === undefined ||
  value === null ||
  value === false ||
  value === 0 ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);

const isMap = (value: Value): value is Record<string, Value> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const printed = (value: Value): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`cannot print ${JSON.stringify(value)} as text: pipe it through toYaml`);
};

const indentLines = (spaces: number, text: string): string =>
  text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');

/** A rendered chart: its templates by file name, and Helm's built-in objects. */
export interface ChartSource {
  /** Files of templates/, by name: `*.tpl` files only define, the others render to manifests. */
  readonly templates: Readonly<Record<string, string>>;
}

export interface RenderContext {
  readonly Values: Value;
  readonly Release: { readonly Name: string; readonly Namespace: string; readonly Service?: string };
  readonly Chart: { readonly Name: string; readonly Version: string; readonly AppVersion: string };
}

/** Renders every manifest template; returns the text of each, by file name (whitespace-only results omitted). */
export function renderChart(chart: ChartSource, context: RenderContext): Record<string, string> {
  const defines = new Map<string, Node[]>();
  const trees = Object.entries(chart.templates).map(([file, source]) => [file, parse(source, file, defines)] as const);

  const field = (base: Value, path: string, expression: string): Value => {
    let value = base;
    for (const name of path.split('.').filter(Boolean)) {
      if (value === undefined || value === null) {
        throw new TemplateError(`nil pointer evaluating ${expression} (at .${name})`);
      }
      if (!isMap(value)) throw new TemplateError(`${expression}: cannot read .${name} of a ${typeof value}`);
      value = value[name];
    }
    return value;
  };

  const operand = (word: string, scope: Scope): Value => {
    if (word.startsWith('"')) return JSON.parse(word);
    if (/^-?\d+$/.test(word)) return Number(word);
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'nil') return null;
    if (word.startsWith('(')) return pipeline(word.slice(1, -1), scope);
    if (word === '.') return scope.dot;
    if (word.startsWith('.')) return field(scope.dot, word, word);
    if (word.startsWith('$')) {
      const [name = '', ...path] = word.split('.');
      const base = name === '$' ? scope.root : scope.variables.get(name);
      if (name !== '$' && !scope.variables.has(name)) throw new TemplateError(`undefined variable ${name}`);
      return field(base, path.join('.'), word);
    }
    throw new TemplateError(`${word} is not a value`);
  };

  const functions: Record<string, (args: Value[], scope: Scope) => Value> = {
    default: ([fallback, value]) => (isEmpty(value) ? fallback : value),
    quote: ([value]) => JSON.stringify(printed(value)),
    toYaml: ([value]) => (value === undefined || value === null ? 'null' : stringify(value).replace(/\n$/, '')),
    indent: ([spaces, text]) => indentLines(Number(spaces), printed(text)),
    nindent: ([spaces, text]) => `\n${indentLines(Number(spaces), printed(text))}`,
    include: ([name, dot], scope) => {
      const nodes = defines.get(String(name));
      if (!nodes) throw new TemplateError(`include: no template named ${String(name)}`);
      return renderNodes(nodes, { dot, root: scope.root, variables: new Map() });
    },
    // Helm's required refuses nil and "" only: an empty list or map passes.
    required: ([message, value]) => {
      if (value === undefined || value === null || value === '') throw new TemplateError(String(message));
      return value;
    },
    fail: ([message]) => {
      throw new TemplateError(String(message));
    },
    eq: ([left, right]) => left === right,
    ne: ([left, right]) => left !== right,
    gt: ([left, right]) => Number(left) > Number(right),
    lt: ([left, right]) => Number(left) < Number(right),
    not: ([value]) => isEmpty(value),
    and: (args) => args.find((value) => isEmpty(value)) ?? args.at(-1),
    or: (args) => args.find((value) => !isEmpty(value)) ?? args.at(-1),
    int: ([value]) => {
      const number = Number.parseInt(printed(value) || '0', 10);
      return Number.isNaN(number) ? 0 : number;
    },
  };

  const command = (parts: string[], scope: Scope, piped: { value: Value } | null): Value => {
    const [head = '', ...rest] = parts;
    const fn = functions[head];
    if (fn) {
      const args = rest.map((word) => operand(word, scope));
      return fn(piped ? [...args, piped.value] : args, scope);
    }
    if (/^[a-zA-Z]\w*$/.test(head) && !['true', 'false', 'nil'].includes(head)) {
      throw new TemplateError(`function "${head}" is not supported by this renderer`);
    }
    if (parts.length !== 1 || piped) throw new TemplateError(`cannot call ${head} with arguments`);
    return operand(head, scope);
  };

  const pipeline = (expression: string, scope: Scope): Value => {
    const all = words(expression);
    const commands: string[][] = [[]];
    for (const word of all) {
      if (word === '|') commands.push([]);
      else commands.at(-1)?.push(word);
    }
    let result: { value: Value } | null = null;
    for (const parts of commands) {
      if (parts.length === 0) throw new TemplateError(`empty command in ${expression}`);
      result = { value: command(parts, scope, result) };
    }
    return result?.value;
  };

  const renderNodes = (nodes: readonly Node[], scope: Scope): string => {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'output') out += printed(pipeline(node.pipeline, scope));
      else if (node.kind === 'if') {
        const taken = node.branches.find((branch) => !isEmpty(pipeline(branch.condition, scope)));
        out += renderNodes(taken ? taken.body : node.otherwise, scope);
      } else {
        const over = pipeline(node.pipeline, scope);
        const entries: [Value, Value][] = Array.isArray(over)
          ? over.map((value, index) => [index, value])
          : isMap(over)
            ? Object.keys(over)
                .sort()
                .map((key) => [key, over[key]])
            : over === undefined || over === null
              ? []
              : (() => {
                  throw new TemplateError(`range over ${typeof over}: ${node.pipeline}`);
                })();
        if (entries.length === 0) out += renderNodes(node.otherwise, scope);
        for (const [key, value] of entries) {
          const variables = new Map(scope.variables);
          if (node.keyVariable) variables.set(node.keyVariable, key);
          if (node.valueVariable) variables.set(node.valueVariable, value);
          out += renderNodes(node.body, { dot: value, root: scope.root, variables });
        }
      }
    }
    return out;
  };

  const rendered: Record<string, string> = {};
  for (const [file, nodes] of trees) {
    if (file.endsWith('.tpl')) continue;
    const text = renderNodes(nodes, { dot: context, root: context, variables: new Map() });
    if (text.trim()) rendered[file] = text;
  }
  return rendered;
}
