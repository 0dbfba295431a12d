import { readRepoFile } from './repo-files.js';

/** Node versions as the repository states them: package.json's engines, and the Node .ci/run tests on. */

export type Version = readonly [major: number, minor: number, patch: number];

export const parseVersion = (text: string): Version => {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`not a version: ${text}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
};

export const compareVersions = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One `^X.Y.Z` or `>=X.Y.Z` alternative of an engines range: the only forms package.json uses. */
interface Alternative {
  operator: '^' | '>=';
  floor: Version;
}

/** package.json's engines.node, split into its `||` alternatives; any other form throws, so a change is noticed. */
export function parseEnginesRange(range: string): Alternative[] {
  return range.split('||').map((part) => {
    const match = /^\s*(\^|>=)\s*(\d+\.\d+\.\d+)\s*$/.exec(part);
    if (!match) throw new Error(`engines alternative "${part.trim()}" is neither ^X.Y.Z nor >=X.Y.Z`);
    return { operator: match[1] as Alternative['operator'], floor: parseVersion(match[2] ?? '') };
  });
}

/** What npm's semver would answer for these two forms (no prereleases involved). */
export const satisfies = (version: Version, range: string): boolean =>
  parseEnginesRange(range).some(
    ({ operator, floor }) => compareVersions(version, floor) >= 0 && (operator === '>=' || version[0] === floor[0]),
  );

export const enginesNode = (): string =>
  (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node;

/** The value of a `NAME=value` line of .ci/run (the script's own pins, not the environment's). */
export function ciVariable(name: string): string {
  const match = new RegExp(`^${name}=([^\\s#]+)`, 'm').exec(readRepoFile('.ci/run'));
  if (!match?.[1]) throw new Error(`.ci/run sets no ${name}`);
  return match[1];
}
