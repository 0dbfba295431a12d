import { writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';

/** One line of the benchmark's table. `met` is absent for figures that have no target. */
export interface Row {
  readonly section: string;
  readonly metric: string;
  readonly unit: string;
  /** null when it could not be measured in this run (the note says why). */
  readonly value: number | null;
  readonly baseline?: { readonly value: number | null; readonly label: string };
  /** value / baseline.value */
  readonly ratio?: number | null;
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export interface SectionFailure {
  readonly section: string;
  readonly error: string;
}

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryMB: number;
  readonly freeMemoryMBAtStart: number;
  readonly node: string;
  readonly os: string;
  readonly loadAverageAtStart: readonly number[];
}

export const describeMachine = (): Machine => ({
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  totalMemoryMB: Math.round(totalmem() / 2 ** 20),
  freeMemoryMBAtStart: Math.round(freemem() / 2 ** 20),
  node: process.version,
  os: `${platform()} ${release()}`,
  loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
});

export const ratioOf = (value: number | null, baseline: number | null): number | null =>
  value === null || baseline === null || !Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0
    ? null
    : value / baseline;

const formatNumber = (value: number): string => {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

export const formatValue = (value: number | null, unit: string): string =>
  value === null || Number.isNaN(value) ? 'n/a' : `${formatNumber(value)}${unit ? ` ${unit}` : ''}`;

const cells = (row: Row): string[] => [
  row.section,
  row.metric,
  formatValue(row.value, row.unit),
  row.baseline ? `${formatValue(row.baseline.value, row.unit)} (${row.baseline.label})` : '',
  row.ratio === undefined || row.ratio === null ? '' : `${row.ratio.toFixed(2)}×`,
  row.target ?? '',
  row.met === undefined ? '' : row.met ? 'yes' : 'NO',
];

/** The one table: section, metric, value, baseline, ratio, target, met?, then notes under it. */
export function renderTable(rows: readonly Row[], failures: readonly SectionFailure[]): string {
  const header = ['section', 'metric', 'value', 'baseline', 'ratio', 'target', 'met?'];
  const body = rows.map(cells);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((line) => line[column]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  const notes = rows
    .filter((row) => row.note)
    .map((row) => `- ${row.section} / ${row.metric}: ${row.note}`)
    .filter((note, index, all) => all.indexOf(note) === index);
  const failed = failures.map((failure) => `- FAILED ${failure.section}: ${failure.error}`);
  return [line(header), rule, ...body.map(line), '', ...notes, ...failed].join('\n');
}

export interface Results {
  readonly date: string;
  readonly mode: 'full' | 'quick';
  readonly durationSeconds: number;
  readonly machine: Machine & { readonly loadAverageAtEnd: readonly number[] };
  readonly measuredProcesses: string;
  readonly postgres: boolean;
  readonly rows: readonly Row[];
  readonly failures: readonly SectionFailure[];
}

export async function writeResults(path: string, results: Results): Promise<void> {
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}

export const currentLoadAverage = (): number[] => loadavg().map((load) => Math.round(load * 100) / 100);
