import type { V1StatefulSet } from '@kubernetes/client-node';
import type { BrokerCluster } from '@rocketry/crds';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CONFIG_HASH } from '../annotations.js';
import { adminSecret } from './admin-secret.js';
import { clusterEndpoints, groupEndpoints, type RenderedObject, renderBrokerCluster } from './broker-cluster.js';
import { cluster, DEFAULT_IMAGE, externalCluster, fullCluster, minimalCluster } from './clusters.fixture.js';
import { defaultRenderContext, type RenderContext } from './render-context.js';
import { type ResolvedCluster, resolveClusterSpec } from './resolve-cluster-spec.js';

/**
 * Golden objects: each fixture's rendering is compared with __golden__/<name>.yaml. After an intended change,
 * regenerate with `npx vitest run operator -u` and review the diff like code.
 */
function resolve(cr: BrokerCluster): ResolvedCluster {
  const result = resolveClusterSpec(cr, { image: DEFAULT_IMAGE });
  if (result.kind !== 'resolved') throw new Error(result.problems.join('; '));
  return result.cluster;
}

const toYaml = (objects: readonly object[]) =>
  objects.map((o) => stringify(o, { sortMapEntries: false, lineWidth: 0 })).join('---\n');

const statefulSets = (objects: RenderedObject[]) => objects.filter((o): o is V1StatefulSet => o.kind === 'StatefulSet');

function render(cr: BrokerCluster, ctx: Partial<RenderContext> = {}): RenderedObject[] {
  return renderBrokerCluster(resolve(cr), { ...defaultRenderContext, ...ctx });
}

describe('renderBrokerCluster golden objects', () => {
  it('renders a minimal cluster with CRD defaults: one name server, one broker group, 10Gi PVC, operator admin secret', async () => {
    await expect(toYaml(render(minimalCluster))).toMatchFileSnapshot('./__golden__/minimal.yaml');
  });

  it('renders three groups with user image, resources, storage class, broker config and admin secret', async () => {
    await expect(toYaml(render(fullCluster))).toMatchFileSnapshot('./__golden__/full.yaml');
  });

  it('keeps a draining group above spec.brokers.groups rendered until it is removed', async () => {
    const objects = render(minimalCluster, { retainedGroups: [2] });
    await expect(toYaml(objects)).toMatchFileSnapshot('./__golden__/retained-group.yaml');
  });

  it('renders the operator admin secret with the given token only when the spec names no secret', async () => {
    await expect(toYaml([adminSecret(resolve(minimalCluster), 'token-from-the-reconciler-rng')!])).toMatchFileSnapshot(
      './__golden__/admin-secret.yaml',
    );
    expect(adminSecret(resolve(fullCluster), 'unused')).toBeUndefined();
  });
});

describe('renderBrokerCluster properties', () => {
  it('turns off service links, so a cluster named rocketry cannot inject ROCKETRY_* variables into its pods', () => {
    for (const s of statefulSets(render(cluster({}, { name: 'rocketry' })))) {
      expect(s.spec?.template.spec?.enableServiceLinks).toBe(false);
    }
  });

  it('refuses an admin token shorter than the 16 characters the broker requires', () => {
    expect(() => adminSecret(resolve(minimalCluster), 'short')).toThrow(RangeError);
  });

  it('renders no workloads in External mode', () => {
    expect(render(externalCluster)).toEqual([]);
  });

  it('renders the same objects for the same input (deterministic)', () => {
    expect(render(fullCluster)).toEqual(render(fullCluster));
  });

  it('returns fresh objects, so a caller mutating one rendering cannot change the next', () => {
    const first = render(fullCluster);
    for (const s of statefulSets(first)) {
      const pod = s.spec!.template.spec!;
      pod.securityContext!.runAsUser = 0;
      pod.containers[0]!.resources!.requests!.cpu = '99';
      pod.containers[0]!.command!.push('--oops');
    }
    expect(render(fullCluster)).not.toEqual(first);
    expect(render(fullCluster)).toEqual(render(fullCluster));
  });

  it('sets a controller owner reference to the BrokerCluster on every object', () => {
    for (const o of render(fullCluster)) {
      expect(o.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'rocketry.io/v1alpha1',
          kind: 'BrokerCluster',
          name: 'prod',
          uid: fullCluster.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(o.metadata?.labels?.['rocketry.io/cluster']).toBe('prod');
      expect(o.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('rocketry-operator');
    }
  });

  it('uses OnDelete on every StatefulSet so only the operator restarts pods', () => {
    const sets = statefulSets(render(fullCluster));
    expect(sets).toHaveLength(4);
    for (const s of sets) expect(s.spec?.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('passes brokers stable DNS names only: advertise from the pod name, name server by its pod DNS name', () => {
    const broker = statefulSets(render(fullCluster)).find((s) => s.metadata?.name === 'prod-broker-1')!;
    const args = broker.spec?.template.spec?.containers[0]?.args ?? [];
    const flag = (f: string) => args[args.indexOf(f) + 1];
    expect(flag('--advertise')).toBe('$(POD_NAME).prod-broker-1.mq-system.svc.cluster.local:8081');
    expect(flag('--namesrv')).toBe('prod-namesrv-0.prod-namesrv.mq-system.svc.cluster.local:9876');
    expect(flag('--group')).toBe('prod-broker-1');
    expect(flag('--name')).toBe('$(POD_NAME)');
    expect(JSON.stringify(broker)).not.toMatch(/status\.podIP|\b\d{1,3}(\.\d{1,3}){3}\b/);
  });

  it('passes only flags that rocketry broker accepts and the token through ROCKETRY_ADMIN_TOKEN from the secret', () => {
    const known = new Set([
      '--data-dir',
      '--grpc-port',
      '--admin-port',
      '--advertise',
      '--name',
      '--group',
      '--namesrv',
    ]);
    const [broker] = statefulSets(render(fullCluster)).filter((s) => s.metadata?.name !== 'prod-namesrv');
    const container = broker!.spec!.template.spec!.containers[0]!;
    expect(container.args?.[0]).toBe('broker');
    for (const arg of container.args!.filter((a) => a.startsWith('--'))) expect(known).toContain(arg);
    expect(container.env?.find((e) => e.name === 'ROCKETRY_ADMIN_TOKEN')?.valueFrom).toEqual({
      secretKeyRef: { name: 'prod-admin-token', key: 'admin-token' },
    });
  });

  it('does not change any pod template when the number of groups changes', () => {
    const template = (cr: BrokerCluster) =>
      statefulSets(render(cr)).find((s) => s.metadata?.name === 'prod-broker-0')?.spec?.template;
    const scaled: BrokerCluster = {
      ...fullCluster,
      spec: { ...fullCluster.spec, brokers: { ...fullCluster.spec.brokers, groups: 5 } },
    };
    expect(template(scaled)).toEqual(template(fullCluster));
  });

  it('changes the config hash on the pod template when broker configuration changes', () => {
    const hash = (cr: BrokerCluster) =>
      statefulSets(render(cr)).find((s) => s.metadata?.name === 'prod-broker-0')?.spec?.template.metadata
        ?.annotations?.[CONFIG_HASH];
    const edited: BrokerCluster = {
      ...fullCluster,
      spec: {
        ...fullCluster.spec,
        brokers: { ...fullCluster.spec.brokers, config: { ...fullCluster.spec.brokers.config, retentionHours: 24 } },
      },
    };
    expect(hash(edited)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(edited)).not.toBe(hash(fullCluster));
  });

  it('renders one headless service and one PDB per broker group, and none of the PDBs when disabled', () => {
    const objects = render(fullCluster);
    const headless = objects.filter((o) => o.kind === 'Service' && 'spec' in o && o.spec && 'clusterIP' in o.spec);
    expect(headless.map((o) => o.metadata?.name)).toEqual([
      'prod-namesrv',
      'prod-broker-0',
      'prod-broker-1',
      'prod-broker-2',
    ]);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata?.name)).toEqual([
      'prod-namesrv',
      'prod-broker-0',
      'prod-broker-1',
      'prod-broker-2',
    ]);
    expect(render(fullCluster, { podDisruptionBudgets: false }).some((o) => o.kind === 'PodDisruptionBudget')).toBe(
      false,
    );
  });

  it('reports endpoints as stable DNS names: the name server and every broker group, draining ones included', () => {
    const resolved = resolve(cluster({ brokers: { groups: 2 } }));
    expect(clusterEndpoints(resolved, { ...defaultRenderContext, retainedGroups: [2] })).toEqual({
      nameServer: 'prod-namesrv-0.prod-namesrv.mq-system.svc.cluster.local:9876',
      grpc: [
        'prod-broker-0-0.prod-broker-0.mq-system.svc.cluster.local:8081',
        'prod-broker-1-0.prod-broker-1.mq-system.svc.cluster.local:8081',
        'prod-broker-2-0.prod-broker-2.mq-system.svc.cluster.local:8081',
      ],
    });
    expect(groupEndpoints(resolved, 1, defaultRenderContext)).toEqual({
      endpoint: 'prod-broker-1-0.prod-broker-1.mq-system.svc.cluster.local:8081',
      adminUrl: 'http://prod-broker-1-0.prod-broker-1.mq-system.svc.cluster.local:8082',
    });
  });
});
