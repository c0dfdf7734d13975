import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../cli.js';
import { HELM_RELEASE, objectKey, renderChartObjects } from './chart-render.fixture.js';
import { DEFAULT_RELEASE, installObjects, manifestsYaml } from './install-manifests.js';

/**
 * Helm is not installed here: the chart's templates are rendered by helm-template.fixture.ts (exactly the constructs
 * the chart uses, anything else fails) and compared, object by object, with what operator/src/install renders from
 * the same values for `rocketry operator manifests`.
 */
const VALUE_SETS: [string, unknown][] = [
  ['the default values', {}],
  ['watchNamespaces (Roles per namespace)', { watchNamespaces: ['team-a', 'team-b'] }],
  ['crds.keep off', { crds: { keep: false } }],
  ['crds.install off', { crds: { install: false } }],
  [
    'an image tag, a broker image and pull secrets',
    {
      image: { repository: 'registry.local:5000/rocketry', tag: 'dev', pullPolicy: 'Never' },
      imagePullSecrets: [{ name: 'regcred' }],
      operator: { brokerImage: 'registry.local:5000/broker:1', leaderElection: false, replicas: 2, logLevel: 'debug' },
    },
  ],
  [
    'operator placement and annotations',
    {
      operator: {
        podAnnotations: { 'prometheus.io/scrape': 'true' },
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mq', effect: 'NoSchedule' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
            },
          },
        },
        resources: { requests: { cpu: '1', memory: '1Gi' } },
      },
    },
  ],
  ['the API with a database URL', { api: { enabled: true, database: { url: 'postgres://u:p@db:5432/rocketry' } } }],
  [
    'the API with the URL from a Secret',
    {
      api: {
        enabled: true,
        replicas: 3,
        database: { existingSecret: 'db', existingSecretKey: 'url' },
        podAnnotations: { a: 'b' },
        nodeSelector: { pool: 'api' },
        service: { type: 'LoadBalancer' },
      },
    },
  ],
];

describe('chart templates and `rocketry operator manifests`', () => {
  it.each(VALUE_SETS)('render the same objects for %s', async (_name, overrides) => {
    const rendered = await renderChartObjects(overrides);
    const expected = installObjects(rendered.chart, HELM_RELEASE);
    const byKey = new Map(expected.map((o) => [objectKey(o), o]));
    expect(rendered.objects.map(objectKey).sort()).toEqual([...byKey.keys()].sort());
    expect(new Set(rendered.objects.map(objectKey)).size).toBe(rendered.objects.length);
    for (const object of rendered.objects) {
      expect({ [objectKey(object)]: object }).toEqual({ [objectKey(object)]: byKey.get(objectKey(object)) });
    }
  });

  it('render the same objects in another release namespace', async () => {
    const release = { name: 'mq', namespace: 'platform', service: 'Helm' };
    const rendered = await renderChartObjects({}, release);
    expect(rendered.objects).toEqual(
      expect.arrayContaining(installObjects(rendered.chart, release).map((o) => expect.objectContaining(o))),
    );
    expect(rendered.objects).toHaveLength(installObjects(rendered.chart, release).length);
  });

  it('installs the CRDs, the operator identity, RBAC, Deployment and Service by default, and no API', async () => {
    const { objects } = await renderChartObjects();
    expect(objects.map(objectKey).sort()).toEqual([
      'ClusterRole rocketry-operator',
      'ClusterRoleBinding rocketry-operator',
      'CustomResourceDefinition brokerclusters.rocketry.io',
      'CustomResourceDefinition consumergroups.rocketry.io',
      'CustomResourceDefinition eventrules.rocketry.io',
      'CustomResourceDefinition topics.rocketry.io',
      'Deployment rocketry-system/rocketry-operator',
      'Role rocketry-system/rocketry-operator-leader-election',
      'RoleBinding rocketry-system/rocketry-operator-leader-election',
      'Service rocketry-system/rocketry-operator',
      'ServiceAccount rocketry-system/rocketry-operator',
    ]);
  });

  it('runs one operator replica with leader election, probes on /healthz and /readyz, metrics 8090 and scaler 8091', async () => {
    const { objects } = await renderChartObjects();
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { replicas: number; template: { spec: { containers: Record<string, unknown>[] } } };
    };
    expect(deployment.spec.replicas).toBe(1);
    const [container] = deployment.spec.template.spec.containers;
    expect(container).toMatchObject({
      args: ['operator'],
      image: 'ghcr.io/rocketry/rocketry:0.1.0',
      ports: [
        { name: 'metrics', containerPort: 8090 },
        { name: 'scaler', containerPort: 8091 },
      ],
      livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' } },
      readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' } },
    });
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: 'ROCKETRY_LEADER_ELECTION', value: 'true' },
        { name: 'ROCKETRY_LEASE_NAME', value: 'rocketry-operator-leader' },
        { name: 'ROCKETRY_WATCH_NAMESPACES', value: '' },
        { name: 'ROCKETRY_SCALER_SERVICE', value: 'rocketry-operator' },
      ]),
    );
  });

  it('renders NOTES.txt for the default values and with the API on', async () => {
    expect((await renderChartObjects()).notes).toContain('rocketry-operator.rocketry-system.svc:8091');
    const withApi = await renderChartObjects({ api: { enabled: true }, watchNamespaces: ['a', 'b'] });
    expect(withApi.notes).toContain('in the namespaces a, b.');
    expect(withApi.notes).toContain('WARNING: api.database.url and api.database.existingSecret are both empty');
  });

  it('prints the manifests as YAML that parses back to the same objects, with --namespace and --image', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) }, env: {} };
    expect(await main(['manifests', '--namespace', 'mq', '--image', 'registry.local:5000/rocketry:dev'], io)).toBe(0);
    const docs = parseAllDocuments(out).map((d) => d.toJS());
    const rendered = await renderChartObjects(
      { image: { repository: 'registry.local:5000/rocketry', tag: 'dev' } },
      { ...DEFAULT_RELEASE, namespace: 'mq' },
    );
    expect(docs).toEqual(installObjects(rendered.chart, { ...DEFAULT_RELEASE, namespace: 'mq' }));
    expect(docs.map((d) => d.kind).slice(0, 4)).toEqual(Array(4).fill('CustomResourceDefinition'));
    expect(out).toBe(manifestsYaml(installObjects(rendered.chart, { ...DEFAULT_RELEASE, namespace: 'mq' })));
  });

  it('answers a usage error with exit code 2', async () => {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) }, env: {} };
    expect(await main(['manifests', '--nope'], io)).toBe(2);
    expect(err).toContain('usage: rocketry operator');
    expect(await main(['manifests', '--image', 'r@sha256:00'], io)).toBe(2);
  });
});
