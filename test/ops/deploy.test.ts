import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { SlackEventsPath } from '../../src/http/service-http-server.js';
import { containerInputs, readFrom } from './kubernetes-env.js';
import { listRepoFiles, readRepoFile } from './repo-files.js';

/**
 * Every YAML file under deploy/ parses; the Kubernetes manifests say what operators rely on; and the environment and
 * files each Deployment gives its container go through the real config loader, so the manifests cannot drift from
 * the config schema.
 */

// Loose shapes: the tests below assert the fields they need.
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked field by field and asserted in the tests.
type Doc = any;

// The Helm chart's templates are YAML only once rendered: test/ops/helm-chart.test.ts renders and parses them.
const yamlFiles = listRepoFiles('deploy').filter(
  (path) => /\.ya?ml$/.test(path) && !path.startsWith('deploy/helm/templates/'),
);

function documentsOf(path: string): Doc[] {
  const documents = parseAllDocuments(readRepoFile(path));
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
    return document.toJS();
  });
}

interface Variant {
  readonly dir: string;
  readonly mode: 'http' | 'socket';
  readonly replicas: number;
  readonly kinds: string[];
  readonly secretEnv: string[];
}

const variants: Variant[] = [
  {
    dir: 'deploy/kubernetes',
    mode: 'http',
    replicas: 2,
    kinds: ['ConfigMap', 'Deployment', 'Ingress', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service'],
    secretEnv: ['DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'],
  },
  {
    dir: 'deploy/kubernetes/socket-mode',
    mode: 'socket',
    replicas: 1,
    kinds: ['ConfigMap', 'Deployment', 'Namespace', 'Secret'],
    secretEnv: ['DATABASE_URL', 'SLACK_APP_TOKEN', 'SLACK_BOT_TOKEN'],
  },
];

/** The resources a kustomization lists, read from its folder (the way `kubectl apply -k` would find them). */
function kustomize(dir: string): { kustomization: Doc; resources: Doc[] } {
  const [kustomization] = documentsOf(`${dir}/kustomization.yaml`);
  const resources = (kustomization.resources as string[]).flatMap((file) => documentsOf(posix.join(dir, file)));
  // kustomize sets the namespace on every namespaced resource
  for (const resource of resources) {
    if (resource.kind !== 'Namespace') resource.metadata.namespace ??= kustomization.namespace;
  }
  return { kustomization, resources };
}

const one = (resources: Doc[], kind: string): Doc => {
  const found = resources.filter((resource) => resource.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
};

describe('deploy/ YAML', () => {
  it.each(yamlFiles)('%s parses', (path) => {
    expect(documentsOf(path).length).toBeGreaterThan(0);
  });

  it('holds no real-looking secrets', () => {
    const realLooking = [
      /xox[baprs]-[0-9]{6,}-/,
      /xapp-\d-[A-Z0-9]{6,}-/,
      /AKIA[0-9A-Z]{16}/,
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./,
    ];
    for (const path of [...listRepoFiles('deploy'), '.env.example']) {
      const text = readRepoFile(path);
      for (const pattern of realLooking) expect(text, `${path} matches ${pattern}`).not.toMatch(pattern);
    }
  });

  it('lists every manifest of a folder in its kustomization, and only existing ones', () => {
    for (const { dir } of variants) {
      const [kustomization] = documentsOf(`${dir}/kustomization.yaml`);
      const inFolder = yamlFiles
        .filter((path) => posix.dirname(path) === dir && posix.basename(path) !== 'kustomization.yaml')
        .map((path) => posix.basename(path))
        .sort();
      expect([...kustomization.resources].sort(), dir).toEqual(inFolder);
    }
  });
});

describe.each(variants)('$dir ($mode mode)', (variant) => {
  const { kustomization, resources } = kustomize(variant.dir);
  const deployment = one(resources, 'Deployment');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const configMap = one(resources, 'ConfigMap');
  const secret = one(resources, 'Secret');
  const podLabels = deployment.spec.template.metadata.labels;
  const port = Number(configMap.data.PORT);

  it('has exactly the expected kinds, all in one namespace', () => {
    expect([...new Set(resources.map((resource) => resource.kind))].sort()).toEqual(variant.kinds);
    const namespace = one(resources, 'Namespace').metadata.name;
    expect(kustomization.namespace).toBe(namespace);
    for (const resource of resources.filter((candidate) => candidate.kind !== 'Namespace')) {
      expect(resource.metadata.namespace, `${resource.kind} ${resource.metadata.name}`).toBe(namespace);
    }
  });

  it('gives the container an environment and portals file that the config loader accepts', () => {
    const { env, files } = containerInputs(resources, deployment);
    const config = loadConfig(env, { readFile: readFrom(files) });
    expect(config.slack.mode).toBe(variant.mode);
    expect(config.port).toBe(port);
    expect(config.databaseUrl).toMatch(/^postgresql:\/\//);
    expect(config.portals.length).toBeGreaterThan(0);
    expect(config.dataDir).toBe('/data');
    if (variant.mode === 'http') expect(config.slack.signingSecret).toBeDefined();
    else expect(config.slack.appToken).toMatch(/^xapp-/);
  });

  it('takes secrets from the Secret by key, and mounts the portals list as a file, not as environment', () => {
    const fromSecret = (container.env as Doc[])
      .filter((variable) => variable.valueFrom?.secretKeyRef)
      .map((variable) => variable.name)
      .sort();
    expect(fromSecret).toEqual(variant.secretEnv);
    expect(container.envFrom.some((source: Doc) => source.secretRef)).toBe(false);
    expect(Object.keys(secret.stringData).sort()).toEqual([...variant.secretEnv, 'portals.yaml'].sort());
    expect(configMap.data.DUPLO_SLACK_APP_PORTALS_FILE).toBe('/etc/duplo-helpdesk/portals.yaml');
    const { files } = containerInputs(resources, deployment);
    expect([...files.keys()]).toEqual(['/etc/duplo-helpdesk/portals.yaml']);
    expect(configMap.data.SLACK_MODE).toBe(variant.mode);
  });

  it(`runs ${variant.replicas} replica(s) with a selector matching the pod`, () => {
    expect(deployment.spec.replicas).toBe(variant.replicas);
    expect(podLabels).toMatchObject(deployment.spec.selector.matchLabels);
  });

  it('runs as non-root on a read-only root filesystem, writing only to emptyDir /tmp and /data', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const emptyDirMounts = (container.volumeMounts as Doc[])
      .filter((mount) => pod.volumes.find((volume: Doc) => volume.name === mount.name)?.emptyDir)
      .map((mount) => mount.mountPath)
      .sort();
    expect(emptyDirMounts).toEqual(['/data', '/tmp']);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('probes liveness on /healthz and readiness on the database part of /readyz, on the port the app listens on', () => {
    const containerPort = container.ports.find((candidate: Doc) => candidate.name === 'http').containerPort;
    expect(containerPort).toBe(port);
    const resolve = (probe: Doc) => ({
      path: probe.httpGet.path,
      port: typeof probe.httpGet.port === 'number' ? probe.httpGet.port : containerPort,
    });
    expect(resolve(container.livenessProbe)).toEqual({ path: '/healthz', port });
    expect(resolve(container.readinessProbe)).toEqual({ path: '/readyz?scope=database', port });
    const server = readRepoFile('src/http/service-http-server.ts');
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(server).toContain(`'${path}'`);
  });

  it('asks for 100m/128Mi and stops at 500m/384Mi, with 30 s to shut down', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '384Mi' },
    });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  it('is scraped by Prometheus through pod annotations on /metrics', () => {
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(port),
      'prometheus.io/path': '/metrics',
    });
  });

  it('uses one image name, the one the kustomization pins', () => {
    const [image] = kustomization.images;
    expect(container.image.split(':')[0]).toBe(image.name);
  });
});

describe('deploy/kubernetes (http mode) networking', () => {
  const { resources } = kustomize('deploy/kubernetes');
  const deployment = one(resources, 'Deployment');
  const podLabels = deployment.spec.template.metadata.labels;
  const [container] = deployment.spec.template.spec.containers;

  it('keeps one replica up through voluntary disruptions', () => {
    const budget = one(resources, 'PodDisruptionBudget');
    expect(budget.spec.minAvailable).toBe(1);
    expect(budget.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    expect(podLabels).toMatchObject(budget.spec.selector.matchLabels);
  });

  it('serves port 80 on the Service, forwarded to the container port 3000', () => {
    const service = one(resources, 'Service');
    expect(podLabels).toMatchObject(service.spec.selector);
    const [servicePort] = service.spec.ports;
    expect(servicePort.port).toBe(80);
    const target = container.ports.find(
      (candidate: Doc) =>
        candidate.name === servicePort.targetPort || candidate.containerPort === servicePort.targetPort,
    );
    expect(target?.containerPort).toBe(3000);
  });

  it('exposes only the Slack request path through the Ingress', () => {
    const ingress = one(resources, 'Ingress');
    const service = one(resources, 'Service');
    const paths = ingress.spec.rules.flatMap((rule: Doc) => rule.http.paths);
    expect(paths.map((path: Doc) => path.path)).toEqual([SlackEventsPath]);
    for (const path of paths) {
      expect(path.backend.service.name).toBe(service.metadata.name);
      const port = path.backend.service.port;
      expect(
        service.spec.ports.some((candidate: Doc) => candidate.name === port.name || candidate.port === port.number),
      ).toBe(true);
    }
  });
});

describe('deploy/prometheus/scrape-config.yaml', () => {
  const [config] = documentsOf('deploy/prometheus/scrape-config.yaml');

  it('keeps pods annotated prometheus.io/scrape=true and reads their path and port annotations', () => {
    const job = config.scrape_configs.find((candidate: Doc) => candidate.kubernetes_sd_configs);
    expect(job.kubernetes_sd_configs[0]).toMatchObject({ role: 'pod', namespaces: { names: ['duplo-helpdesk'] } });
    const sources = job.relabel_configs.flatMap((rule: Doc) => rule.source_labels ?? []);
    for (const annotation of ['scrape', 'path', 'port']) {
      expect(sources).toContain(`__meta_kubernetes_pod_annotation_prometheus_io_${annotation}`);
    }
    expect(job.relabel_configs[0]).toMatchObject({ action: 'keep', regex: 'true' });
  });

  it('rewrites the pod address to the annotated port', () => {
    const job = config.scrape_configs.find((candidate: Doc) => candidate.kubernetes_sd_configs);
    const rule = job.relabel_configs.find((candidate: Doc) => candidate.target_label === '__address__');
    const joined = `10.1.2.3:8080;3000`;
    expect(joined.replace(new RegExp(`^(?:${rule.regex})$`), rule.replacement)).toBe('10.1.2.3:3000');
  });
});

describe('deploy/prometheus/alert-rules.yaml', () => {
  const [rules] = documentsOf('deploy/prometheus/alert-rules.yaml');

  it('alerts only on metrics the service exports', async () => {
    const { createMetrics } = await import('../../src/metrics.js');
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name));
    const alerts = rules.groups.flatMap((group: Doc) => group.rules);
    expect(alerts.map((rule: Doc) => rule.alert)).toEqual(['HelpdeskPortalDown', 'HelpdeskSlowAcks', 'HelpdeskDown']);
    for (const rule of alerts) {
      const used = [...String(rule.expr).matchAll(/\bhelpdesk_[a-z_]+/g)].map(([name]) => name.replace(/_bucket$/, ''));
      for (const name of used) expect(exported, `${rule.alert} uses ${name}`).toContain(name);
    }
  });
});
