import { describe, expect, it } from 'vitest';
import { admitKind } from './kind-rules.js';
import type { KubeObject } from './kube-object.js';
import { BUILTIN_RESOURCE_TYPES } from './resource-types.js';
import { KubeStatusError } from './status.js';

const type = (group: string, plural: string) =>
  BUILTIN_RESOURCE_TYPES.find((t) => t.group === group && t.plural === plural)!;
let ips = 0;
const ctx = { allocateClusterIp: () => `10.96.0.${++ips}` };

describe('admitKind', () => {
  it('allocates a cluster IP once and refuses changing it', () => {
    const services = type('', 'services');
    const svc = admitKind(services, { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }, undefined, ctx);
    const spec = svc.spec as { clusterIP: string; clusterIPs: string[]; ports: unknown[] };
    expect(spec.clusterIP).toMatch(/^10\.96\./);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    const kept = admitKind(services, { metadata: { name: 's' }, spec: { ports: [] } }, svc, ctx);
    expect((kept.spec as { clusterIP: string }).clusterIP).toBe(spec.clusterIP);
    expect(() => admitKind(services, { metadata: { name: 's' }, spec: { clusterIP: '10.0.0.1' } }, svc, ctx)).toThrow(
      KubeStatusError,
    );
  });

  it('refuses data changes to an immutable ConfigMap', () => {
    const cms = type('', 'configmaps');
    const old: KubeObject = { metadata: { name: 'c' }, immutable: true, data: { a: '1' } };
    expect(() => admitKind(cms, { ...old, data: { a: '2' } }, old, ctx)).toThrow(KubeStatusError);
    expect(admitKind(cms, { ...old, metadata: { name: 'c', labels: { x: 'y' } } }, old, ctx).metadata.labels).toEqual({
      x: 'y',
    });
  });

  it('refuses StatefulSet spec changes outside the mutable fields and allows replicas and template changes', () => {
    const sts = type('apps', 'statefulsets');
    const old = admitKind(
      sts,
      { metadata: { name: 's' }, spec: { serviceName: 'a', volumeClaimTemplates: [] } },
      undefined,
      ctx,
    );
    const scaled = admitKind(sts, { ...old, spec: { ...(old.spec as object), replicas: 3 } }, old, ctx);
    expect((scaled.spec as { replicas: number }).replicas).toBe(3);
    expect(() =>
      admitKind(
        sts,
        { ...old, spec: { ...(old.spec as object), volumeClaimTemplates: [{ metadata: { name: 'd' } }] } },
        old,
        ctx,
      ),
    ).toThrow(KubeStatusError);
  });

  it('defaults imagePullPolicy from the image tag, as the apiserver does', () => {
    const pods = type('', 'pods');
    const pull = (image: string) =>
      (
        admitKind(pods, { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image }] } }, undefined, ctx)
          .spec as {
          containers: { imagePullPolicy: string }[];
        }
      ).containers[0]!.imagePullPolicy;
    expect(pull('rocketry:1.0')).toBe('IfNotPresent');
    expect(pull('rocketry:latest')).toBe('Always');
    expect(pull('rocketry')).toBe('Always');
    expect(pull('registry:5000/rocketry')).toBe('Always');
    expect(pull('rocketry@sha256:abc')).toBe('IfNotPresent');
  });
});
