import { posix } from 'node:path';
import { imageEnv, parseDockerfile } from './dockerfile-parser.js';
import { readRepoFile } from './repo-files.js';

/** What a Kubernetes container is given, worked out from manifests the way the kubelet would (deploy tests). */

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked field by field and asserted in the tests.
type Doc = any;

const byName = (resources: Doc[], kind: string, name: string): Doc => {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
};

/** What Kubernetes gives the container: image ENV, then envFrom, then env; and the files its volumes mount. */
export function containerInputs(
  resources: Doc[],
  deployment: Doc,
): { env: Record<string, string>; files: Map<string, string> } {
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const env: Record<string, string> = { ...imageEnv(parseDockerfile(readRepoFile('Dockerfile'))) };
  const dataOf = (kind: string, name: string): Record<string, string> => {
    const resource = byName(resources, kind, name);
    return kind === 'Secret' ? { ...resource.data, ...resource.stringData } : resource.data;
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, dataOf('ConfigMap', source.configMapRef.name));
    if (source.secretRef) Object.assign(env, dataOf('Secret', source.secretRef.name));
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (variable.value !== undefined) env[variable.name] = String(variable.value);
    else if (from?.secretKeyRef)
      env[variable.name] = dataOf('Secret', from.secretKeyRef.name)[from.secretKeyRef.key] ?? '';
    else if (from?.configMapKeyRef) {
      env[variable.name] = dataOf('ConfigMap', from.configMapKeyRef.name)[from.configMapKeyRef.key] ?? '';
    } else throw new Error(`cannot resolve env ${variable.name}`);
  }
  const files = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes.find((candidate: Doc) => candidate.name === mount.name);
    const source = volume?.secret
      ? dataOf('Secret', volume.secret.secretName)
      : volume?.configMap
        ? dataOf('ConfigMap', volume.configMap.name)
        : null;
    if (!source) continue;
    const items: Array<{ key: string; path: string }> =
      (volume.secret ?? volume.configMap).items ?? Object.keys(source).map((key) => ({ key, path: key }));
    for (const item of items) files.set(posix.join(mount.mountPath, item.path), source[item.key] ?? '');
  }
  return { env, files };
}

/** A readFile for loadConfig over the mounted files. */
export const readFrom = (files: Map<string, string>) => (path: string) => {
  const content = files.get(path);
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return content;
};
