import { parse, parseAllDocuments } from 'yaml';
import { renderChart } from './helm-template.js';
import { listRepoFiles, readRepoFile } from './repo-files.js';

/** deploy/helm read from the repository, as `helm template` would read the chart folder. */

export const chartDir = 'deploy/helm';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked field by field and asserted in the tests.
export type Doc = any;

export const chartYaml = (): Doc => parse(readRepoFile(`${chartDir}/Chart.yaml`));
export const defaultValues = (): Doc => parse(readRepoFile(`${chartDir}/values.yaml`));

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Helm's merge of `--set`/`-f` values over values.yaml: maps merge key by key, anything else replaces, and null
 * removes a default (`--set resources.limits.cpu=null`).
 */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeValues(base[key], value);
  }
  return merged;
}

export const templateFiles = (): string[] =>
  listRepoFiles(`${chartDir}/templates`).map((path) => path.slice(`${chartDir}/templates/`.length));

export interface Rendered {
  /** Every manifest, in template-file order. */
  readonly resources: Doc[];
  /** Which template file made each kind. */
  readonly files: string[];
}

/** `helm template <release> deploy/helm -n <namespace> --values <overrides>` with the subset renderer. */
export function renderWith(overrides: Doc, release = { name: 'helpdesk', namespace: 'duplo-helpdesk' }): Rendered {
  const chart = chartYaml();
  const templates = Object.fromEntries(
    templateFiles().map((file) => [file, readRepoFile(`${chartDir}/templates/${file}`)]),
  );
  const rendered = renderChart(
    { templates },
    {
      Values: mergeValues(defaultValues(), overrides),
      Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
      Chart: { Name: chart.name, Version: chart.version, AppVersion: String(chart.appVersion) },
    },
  );
  const resources: Doc[] = [];
  const files: string[] = [];
  for (const [file, text] of Object.entries(rendered)) {
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}\n${text}`);
      const resource = document.toJS();
      if (resource === null) continue;
      resources.push(resource);
      files.push(file);
    }
  }
  return { resources, files };
}
