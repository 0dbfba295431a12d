/** A small Dockerfile reader for the ops tests (there is no Docker engine here). */

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | null;
  readonly instructions: Instruction[];
}

/** Instructions with continuation lines joined, comments and blank lines dropped, grouped into stages. */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | null = null;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    // Comment lines are dropped even between continuation lines, as Docker does.
    if (/^\s*#/.test(line) || (pending === null && line.trim() === '')) return;
    const continued = /\\\s*$/.test(line);
    const part = line.replace(/\\\s*$/, '').trim();
    pending ??= { parts: [], line: index + 1 };
    pending.parts.push(part);
    if (continued) return;
    const joined = pending.parts.filter(Boolean).join(' ');
    const [keyword = '', ...rest] = joined.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = null;
  });
  if (pending) throw new Error('Dockerfile ends inside a continuation line');

  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      stages.push({ image: match[1] ?? '', name: match[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

export interface Copy {
  readonly from: string | null;
  readonly sources: string[];
  readonly destination: string;
}

export function parseCopy(args: string): Copy {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length) ?? null;
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}

/** `ENV A=1 B=2` (and the legacy `ENV A 1`), or a LABEL's pairs (keys with dots and dashes), as a record. */
export function parseEnv(args: string): Record<string, string> {
  if (!args.includes('=')) {
    const [key = '', ...value] = args.split(/\s+/);
    return { [key]: value.join(' ') };
  }
  return Object.fromEntries(
    [...args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)].map((match) => [
      match[1] ?? '',
      (match[2] ?? '').replace(/^"|"$/g, ''),
    ]),
  );
}

/** The instructions of one kind in a stage. */
export const instructionsOf = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword);

/** The environment the final stage's ENV instructions set. */
export function imageEnv(stages: readonly Stage[]): Record<string, string> {
  const runtime = stages.at(-1);
  if (!runtime) return {};
  return Object.assign({}, ...instructionsOf(runtime, 'ENV').map((instruction) => parseEnv(instruction.args)));
}
