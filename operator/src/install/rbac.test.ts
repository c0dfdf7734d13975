import type { KubernetesObject, V1PolicyRule } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import * as runtimeResources from '../runtime/resources.js';
import { renderChartObjects } from './chart-render.fixture.js';

type Role = KubernetesObject & { rules: V1PolicyRule[] };
const roles = (objects: KubernetesObject[]) =>
  objects.filter((o): o is Role => o.kind === 'Role' || o.kind === 'ClusterRole');
const operatorRoles = (objects: KubernetesObject[]) =>
  roles(objects).filter((r) => r.metadata?.labels?.['app.kubernetes.io/component'] === 'operator');

/** Every (group, resource, verb) a set of rules grants. */
function grants(rules: V1PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups ?? [])
      for (const res of r.resources ?? []) for (const v of r.verbs) out.add(`${g}/${res}:${v}`);
  }
  return out;
}

/** What the operator's reconcilers, leader election and autoscaling need (DESIGN.md §4, operator/README.md). */
const NEEDED = [
  'rocketry.io/brokerclusters:watch',
  'rocketry.io/topics:patch',
  'rocketry.io/consumergroups/status:patch',
  'rocketry.io/eventrules/status:update',
  'rocketry.io/brokerclusters/finalizers:update',
  'apps/statefulsets:create',
  'apps/statefulsets:delete',
  '/services:update',
  '/configmaps:create',
  '/secrets:create',
  '/secrets:get',
  'policy/poddisruptionbudgets:patch',
  '/pods:delete',
  '/pods:list',
  '/events:create',
  'apps/deployments/scale:update',
  'apps/statefulsets/scale:update',
  'autoscaling/horizontalpodautoscalers:list',
  'keda.sh/scaledobjects:create',
  'keda.sh/scaledobjects:update',
];

describe('the chart RBAC', () => {
  it.each([
    ['all namespaces', {}],
    ['watched namespaces', { watchNamespaces: ['a', 'b'] }],
    ['the API on', { api: { enabled: true } }],
  ])('has no wildcard and no RBAC, node, CRD or impersonation rights (%s)', async (_name, overrides) => {
    for (const role of roles((await renderChartObjects(overrides)).objects)) {
      for (const rule of role.rules) {
        expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]).not.toContain('*');
        expect(rule.resourceNames ?? []).not.toContain('*');
        expect(rule.nonResourceURLs).toBeUndefined();
        expect(rule.apiGroups).not.toContain('rbac.authorization.k8s.io');
        expect(rule.apiGroups).not.toContain('apiextensions.k8s.io');
        expect(rule.resources).not.toContain('nodes');
        expect(rule.verbs).not.toEqual(expect.arrayContaining(['escalate']));
        expect(rule.verbs).not.toContain('bind');
        expect(rule.verbs).not.toContain('impersonate');
        expect(rule.verbs).not.toContain('deletecollection');
      }
    }
  });

  it('lets the operator read and create Secrets, never update, patch or delete them', async () => {
    const granted = grants(operatorRoles((await renderChartObjects()).objects).flatMap((r) => r.rules));
    const secretVerbs = [...granted].filter((g) => g.startsWith('/secrets:')).map((g) => g.split(':')[1]);
    expect(secretVerbs.sort()).toEqual(['create', 'get', 'list', 'watch']);
  });

  it('lets the operator only read and delete pods, and only scale workloads it does not own', async () => {
    const granted = [...grants(operatorRoles((await renderChartObjects()).objects).flatMap((r) => r.rules))];
    expect(granted.filter((g) => g.startsWith('/pods:')).sort()).toEqual(
      ['/pods:delete', '/pods:get', '/pods:list', '/pods:watch'].sort(),
    );
    expect(granted.filter((g) => g.startsWith('apps/deployments:')).sort()).toEqual(
      ['apps/deployments:get', 'apps/deployments:list', 'apps/deployments:watch'].sort(),
    );
    expect(granted.filter((g) => g.startsWith('rocketry.io/topics:'))).not.toContain('rocketry.io/topics:create');
  });

  it('grants what the operator needs, in every watched namespace', async () => {
    const cluster = operatorRoles((await renderChartObjects()).objects).filter((r) => r.kind === 'ClusterRole');
    expect(cluster).toHaveLength(1);
    expect([...grants(cluster.flatMap((r) => r.rules))]).toEqual(expect.arrayContaining(NEEDED));

    const { objects } = await renderChartObjects({ watchNamespaces: ['a', 'b'] });
    expect(roles(objects).filter((r) => r.kind === 'ClusterRole')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);
    for (const ns of ['a', 'b']) {
      const role = operatorRoles(objects).find(
        (r) => r.metadata?.namespace === ns && r.metadata.name === 'rocketry-operator',
      );
      expect([...grants(role?.rules ?? [])]).toEqual(expect.arrayContaining(NEEDED));
      const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata?.namespace === ns) as unknown as {
        subjects: unknown[];
      };
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'rocketry-operator', namespace: 'rocketry-system' },
      ]);
    }
  });

  it('covers every resource type the operator runtime declares', async () => {
    const { objects } = await renderChartObjects();
    const granted = [...grants(operatorRoles(objects).flatMap((r) => r.rules))];
    const declared = Object.values(runtimeResources).filter(
      (v): v is runtimeResources.ResourceType => typeof v === 'object' && v !== null && 'plural' in v,
    );
    expect(declared.length).toBeGreaterThan(5);
    for (const rt of declared) {
      expect(
        granted.some((g) => g.startsWith(`${rt.group}/${rt.plural}:`)),
        `${rt.group}/${rt.plural}`,
      ).toBe(true);
    }
  });

  it('confines Lease access to the release namespace', async () => {
    for (const overrides of [{}, { watchNamespaces: ['a'] }]) {
      const withLeases = roles((await renderChartObjects(overrides)).objects).filter((r) =>
        r.rules.some((rule) => rule.resources?.includes('leases')),
      );
      expect(withLeases.map((r) => `${r.kind} ${r.metadata?.namespace}/${r.metadata?.name}`)).toEqual([
        'Role rocketry-system/rocketry-operator-leader-election',
      ]);
      expect(withLeases[0]?.rules).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
      ]);
    }
  });
});
