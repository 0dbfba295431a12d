import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigVariables, loadConfig } from '../../src/config.js';
import { SlackEventsPath } from '../../src/http/service-http-server.js';
import { chartDir, chartYaml, type Doc, defaultValues, renderWith, templateFiles } from './helm-chart.js';
import { containerInputs, readFrom } from './kubernetes-env.js';
import { readRepoFile } from './repo-files.js';

/**
 * deploy/helm rendered with the values a team would give it (test/ops/helm-template.ts renders the subset of Helm's
 * templates the chart uses; no Helm binary installs from npm or Debian), then held to the service's config schema and
 * to what the Kubernetes manifests of deploy/kubernetes promise.
 */

const portals = [{ name: 'production', duplo_host: 'https://acme.duplocloud.net', duplo_token: 'portal-token' }];
const httpValues = {
  slack: { botToken: 'xoxb-chart-test', signingSecret: 'chart-signing-secret' },
  database: { url: 'postgresql://helpdesk:change-me@postgres:5432/helpdesk' },
  portals,
};
const socketValues = {
  slack: { mode: 'socket', botToken: 'xoxb-chart-test', appToken: 'xapp-chart-test' },
  database: httpValues.database,
  portals,
};

/** The environment variables src/config.ts reads: its own names and the official chart's names it maps. */
const configKeys = (): Set<string> => new Set(ConfigVariables);

const kinds = (resources: Doc[]) => resources.map((resource) => resource.kind).sort();
const one = (resources: Doc[], kind: string): Doc => {
  const found = resources.filter((resource) => resource.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
};

describe('deploy/helm chart', () => {
  it('is a Helm 3 application chart whose version and appVersion are the package version', () => {
    const chart = chartYaml();
    const { version } = JSON.parse(readRepoFile('package.json')) as { version: string };
    expect(chart.apiVersion).toBe('v2');
    expect(chart.type).toBe('application');
    expect(chart.name).toBe('duplo-helpdesk-slack');
    expect(chart.version).toBe(version);
    expect(String(chart.appVersion)).toBe(version);
    expect(defaultValues().image.tag).toBe('');
  });

  it('reads the variables the config schema has, and each of the official chart’s slackBackend.env names', () => {
    const keys = configKeys();
    expect(keys).toContain('SLACK_BOT_TOKEN');
    expect(keys).toContain('helpdeskDefaultWorkspace');
    expect(Object.keys(defaultValues().slackBackend.env).sort()).toEqual(
      ['helpdeskAllowedScopeIds', 'helpdeskDefaultAgent', 'helpdeskDefaultWorkspace', 'helpdeskWorkspaceLabel'].filter(
        (name) => keys.has(name),
      ),
    );
  });

  it('refuses to render without what the service cannot start without', () => {
    expect(() => renderWith({ ...httpValues, slack: { botToken: '' } })).toThrow(/slack\.botToken is required/);
    expect(() => renderWith({ ...httpValues, slack: { botToken: 'xoxb-1' } })).toThrow(/slack\.signingSecret/);
    expect(() => renderWith({ ...socketValues, slack: { mode: 'socket', botToken: 'xoxb-1' } })).toThrow(
      /slack\.appToken is required in Socket Mode/,
    );
    expect(() => renderWith({ ...httpValues, database: { url: '' } })).toThrow(/database\.url is required/);
    expect(() => renderWith({ ...httpValues, portals: [] })).toThrow(/portals must list at least one portal/);
    expect(() => renderWith({ ...httpValues, slack: { ...httpValues.slack, mode: 'events' } })).toThrow(
      /slack\.mode must be http or socket/,
    );
    expect(() => renderWith({ ...httpValues, ingress: { enabled: true } })).toThrow(/ingress\.host is required/);
  });

  it('renders every template file in one of the cases below', () => {
    const rendered = new Set([
      ...renderWith({
        ...httpValues,
        ingress: { enabled: true, host: 'h.example.com' },
        serviceMonitor: { enabled: true },
      }).files,
      ...renderWith({ ...socketValues, serviceMonitor: { enabled: true } }).files,
    ]);
    expect([...rendered].sort()).toEqual(templateFiles().filter((file) => !file.startsWith('_')));
  });
});

describe.each([
  {
    mode: 'http',
    values: httpValues,
    replicas: 2,
    secretEnv: ['DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'],
  },
  {
    mode: 'socket',
    values: socketValues,
    replicas: 1,
    secretEnv: ['DATABASE_URL', 'SLACK_APP_TOKEN', 'SLACK_BOT_TOKEN'],
  },
] as const)('deploy/helm in $mode mode', ({ mode, values, replicas, secretEnv }) => {
  const { resources } = renderWith(values);
  const deployment = one(resources, 'Deployment');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const configMap = one(resources, 'ConfigMap');
  const port = Number(configMap.data.PORT);

  it('makes what the mode needs and nothing more', () => {
    expect(kinds(resources)).toEqual(
      mode === 'http'
        ? ['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service']
        : ['ConfigMap', 'Deployment', 'Secret'],
    );
    expect(deployment.spec.replicas).toBe(replicas);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
  });

  it('sets only variables the config schema knows, and the config loader accepts the result', () => {
    const keys = configKeys();
    const set = [...Object.keys(configMap.data), ...(container.env as Doc[]).map((variable) => variable.name)];
    for (const name of set) expect(keys, `${name} is not read by src/config.ts`).toContain(name);
    const { env, files } = containerInputs(resources, deployment);
    const config = loadConfig(env, { readFile: readFrom(files) });
    expect(config.slack.mode).toBe(mode);
    expect(config.port).toBe(port);
    expect(config.databaseUrl).toBe(httpValues.database.url);
    expect(config.portals.map((portal) => portal.host)).toEqual(['https://acme.duplocloud.net']);
    if (mode === 'http') expect(config.slack.signingSecret).toBe('chart-signing-secret');
    else {
      expect(config.slack.appToken).toBe('xapp-chart-test');
      expect(config.slack.signingSecret).toBeUndefined();
    }
  });

  it('takes the tokens and DATABASE_URL from the Secret by key, and mounts the portals as a file', () => {
    const fromSecret = (container.env as Doc[]).filter((variable) => variable.valueFrom?.secretKeyRef);
    expect(fromSecret.map((variable) => variable.name).sort()).toEqual(secretEnv);
    const secret = one(resources, 'Secret');
    expect(Object.keys(secret.stringData).sort()).toEqual([...secretEnv, 'portals.yaml'].sort());
    expect(parse(secret.stringData['portals.yaml'])).toEqual(portals);
    const { files } = containerInputs(resources, deployment);
    expect([...files.keys()]).toEqual([configMap.data.DUPLO_SLACK_APP_PORTALS_FILE]);
  });

  it('probes /healthz and the database part of /readyz on the port the service listens on', () => {
    const containerPort = container.ports.find((candidate: Doc) => candidate.name === 'http').containerPort;
    expect(containerPort).toBe(port);
    const target = (probe: Doc) => ({
      path: probe.httpGet.path,
      port: probe.httpGet.port === 'http' ? containerPort : probe.httpGet.port,
    });
    expect(target(container.startupProbe)).toEqual({ path: '/healthz', port });
    expect(target(container.livenessProbe)).toEqual({ path: '/healthz', port });
    expect(target(container.readinessProbe)).toEqual({ path: '/readyz?scope=database', port });
  });

  it('runs as deploy/kubernetes does: non-root, read-only root filesystem, the same resources and grace period', () => {
    const kustomized = parse(
      readRepoFile(
        mode === 'http' ? 'deploy/kubernetes/deployment.yaml' : 'deploy/kubernetes/socket-mode/deployment.yaml',
      ),
    );
    const [kustomizedContainer] = kustomized.spec.template.spec.containers;
    expect(pod.securityContext).toEqual(kustomized.spec.template.spec.securityContext);
    expect(container.securityContext).toEqual(kustomizedContainer.securityContext);
    expect(container.resources).toEqual(kustomizedContainer.resources);
    expect(container.lifecycle).toEqual(kustomizedContainer.lifecycle);
    expect(pod.terminationGracePeriodSeconds).toBe(kustomized.spec.template.spec.terminationGracePeriodSeconds);
    expect(pod.volumes.map((volume: Doc) => volume.name)).toEqual(
      kustomized.spec.template.spec.volumes.map((volume: Doc) => volume.name),
    );
    expect(deployment.spec.template.metadata.annotations).toEqual(kustomized.spec.template.metadata.annotations);
    expect(container.image).toBe(`registry.example.com/duplo-helpdesk-slack:${chartYaml().appVersion}`);
  });
});

describe('deploy/helm values', () => {
  it('uses an existing Secret instead of making one', () => {
    const { resources } = renderWith({ existingSecret: 'helpdesk-from-vault' });
    expect(kinds(resources)).not.toContain('Secret');
    const deployment = one(resources, 'Deployment');
    const pod = deployment.spec.template.spec;
    const names = new Set([
      ...pod.containers[0].env.map((variable: Doc) => variable.valueFrom.secretKeyRef.name),
      pod.volumes.find((volume: Doc) => volume.name === 'portals').secret.secretName,
    ]);
    expect([...names]).toEqual(['helpdesk-from-vault']);
  });

  it('passes resources, replicas, the image tag and scheduling through as given', () => {
    // As in Helm, maps merge into the defaults; null removes one (here the CPU limit).
    const resources = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: null, memory: '512Mi' } };
    const { resources: rendered } = renderWith({
      ...httpValues,
      resources,
      replicaCount: 3,
      image: { tag: '0.2.0-rc.1' },
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'helpdesk', effect: 'NoSchedule' }],
      podAnnotations: { 'example.com/team': 'platform' },
    });
    const deployment = one(rendered, 'Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
    expect(deployment.spec.replicas).toBe(3);
    expect(pod.containers[0].image).toBe('registry.example.com/duplo-helpdesk-slack:0.2.0-rc.1');
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(pod.tolerations).toHaveLength(1);
    expect(deployment.spec.template.metadata.annotations).toMatchObject({
      'example.com/team': 'platform',
      'prometheus.io/scrape': 'true',
    });
  });

  it('sets the official chart’s slackBackend.env settings and extra variables, which the config loader reads', () => {
    const { resources } = renderWith({
      ...httpValues,
      slackBackend: {
        env: {
          helpdeskWorkspaceLabel: 'Project',
          helpdeskDefaultWorkspace: 'platform',
          helpdeskDefaultAgent: 'kubernetes',
          helpdeskAllowedScopeIds: 'scope-1, scope-2',
        },
      },
      env: { SLACK_STREAM_REPLIES: 'false', SLACK_CONNECT_ALLOWED_TEAMS: 'T0PARTNER' },
    });
    const deployment = one(resources, 'Deployment');
    const { env, files } = containerInputs(resources, deployment);
    const config = loadConfig(env, { readFile: readFrom(files) });
    expect(config.portals[0]?.settings).toMatchObject({
      spaceLabel: 'Project',
      defaultSpace: 'platform',
      defaultAgent: 'kubernetes',
      allowedScopeIds: ['scope-1', 'scope-2'],
    });
    expect(config.slack.streamReplies).toBe(false);
    expect(config.slack.allowedTeams).toEqual(['T0PARTNER']);
  });

  it('makes a disruption budget only when enabled and more than one replica runs', () => {
    expect(kinds(renderWith(httpValues).resources)).toContain('PodDisruptionBudget');
    expect(kinds(renderWith({ ...httpValues, replicaCount: 1 }).resources)).not.toContain('PodDisruptionBudget');
    expect(kinds(renderWith({ ...httpValues, podDisruptionBudget: { enabled: false } }).resources)).not.toContain(
      'PodDisruptionBudget',
    );
    const budget = one(renderWith({ ...socketValues, replicaCount: 2 }).resources, 'PodDisruptionBudget');
    expect(budget.spec.minAvailable).toBe(1);
  });

  it('exposes only the Slack request path through the Ingress, to the Service', () => {
    const { resources } = renderWith({
      ...httpValues,
      ingress: {
        enabled: true,
        className: 'nginx',
        host: 'helpdesk.example.com',
        tls: [{ secretName: 'helpdesk-tls', hosts: ['helpdesk.example.com'] }],
      },
    });
    const ingress = one(resources, 'Ingress');
    const service = one(resources, 'Service');
    const paths = ingress.spec.rules.flatMap((rule: Doc) => rule.http.paths);
    expect(paths.map((path: Doc) => path.path)).toEqual([SlackEventsPath]);
    expect(paths[0].backend.service).toEqual({ name: service.metadata.name, port: { name: 'http' } });
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ secretName: 'helpdesk-tls', hosts: ['helpdesk.example.com'] }]);
    expect(kinds(renderWith({ ...socketValues, ingress: { enabled: true, host: 'h' } }).resources)).not.toContain(
      'Ingress',
    );
  });

  it('makes a ServiceMonitor (HTTP) or a PodMonitor (Socket Mode) for /metrics only when enabled', () => {
    expect(kinds(renderWith(httpValues).resources)).not.toContain('ServiceMonitor');
    const monitor = one(
      renderWith({ ...httpValues, serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } }).resources,
      'ServiceMonitor',
    );
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    expect(monitor.metadata.labels.release).toBe('prometheus');
    const podMonitor = one(renderWith({ ...socketValues, serviceMonitor: { enabled: true } }).resources, 'PodMonitor');
    expect(podMonitor.spec.podMetricsEndpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    const deployment = one(renderWith(socketValues).resources, 'Deployment');
    expect(deployment.spec.template.metadata.labels).toMatchObject(podMonitor.spec.selector.matchLabels);
  });

  it('names every resource after the release, or fullnameOverride', () => {
    const names = (values: Doc) =>
      new Set(renderWith(values, { name: 'prod', namespace: 'x' }).resources.map((r) => r.metadata.name));
    expect([...names(httpValues)]).toEqual(['prod']);
    expect([...names({ ...httpValues, fullnameOverride: 'helpdesk-slack' })]).toEqual(['helpdesk-slack']);
  });

  it('documents each top-level value in the chart README', () => {
    const readme = readRepoFile(`${chartDir}/README.md`);
    for (const key of Object.keys(defaultValues())) expect(readme, key).toContain(`\`${key}`);
  });
});
