import {
  ApiException,
  AppsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  type V1Scale,
} from '@kubernetes/client-node';
import type { TargetRef } from './autoscaler-conflicts.js';

/** A workload's autoscaling/v1 Scale: `spec.replicas` (what is asked) and `status.replicas` (what runs). */
export interface TargetScale {
  readonly replicas: number;
  readonly statusReplicas: number;
  /** The workload's resourceVersion; writing with it fails with 409 if the workload changed in between. */
  readonly resourceVersion: string | undefined;
}

export type ScaleRead =
  | { readonly kind: 'found'; readonly scale: TargetScale }
  | { readonly kind: 'not-found'; readonly reason: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

/** client-node's dynamic client, asked only for discovery (which plural serves a kind, and whether it has /scale). */
class Discovery extends KubernetesObjectApi {
  async scalable(apiVersion: string, kind: string): Promise<{ plural: string; scale: boolean } | undefined> {
    const resource = await this.resource(apiVersion, kind);
    if (!resource) return undefined;
    const list = this.apiVersionResourceCache[apiVersion]?.resources ?? [];
    return { plural: resource.name, scale: list.some((r) => r.name === `${resource.name}/scale`) };
  }
}

const isApps = (ref: TargetRef) => ref.apiVersion === 'apps/v1' && ['Deployment', 'StatefulSet'].includes(ref.kind);

const toTargetScale = (s: V1Scale): TargetScale => ({
  replicas: s.spec?.replicas ?? 0,
  statusReplicas: s.status?.replicas ?? 0,
  resourceVersion: s.metadata?.resourceVersion,
});

const isNotFound = (err: unknown) => err instanceof ApiException && err.code === 404;

/**
 * Reads and writes a workload's `/scale` subresource with client-node: apps/v1 Deployments and StatefulSets through
 * the typed AppsV1Api (`/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale`), any other kind through discovery
 * and the generic scale endpoint of its group (`/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}/scale`).
 * API errors other than "not found" are thrown (the reconcile retries with backoff; 409 means the workload changed).
 */
export class ScaleTargets {
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly discovery: Discovery;

  constructor(kc: KubeConfig) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.discovery = kc.makeApiClient(Discovery);
  }

  async read(namespace: string, ref: TargetRef): Promise<ScaleRead> {
    const name = ref.name;
    try {
      if (isApps(ref)) {
        const scale =
          ref.kind === 'Deployment'
            ? await this.apps.readNamespacedDeploymentScale({ name, namespace })
            : await this.apps.readNamespacedStatefulSetScale({ name, namespace });
        return { kind: 'found', scale: toTargetScale(scale) };
      }
      const generic = await this.generic(ref);
      if (generic.kind !== 'ok') return generic;
      const scale = (await this.custom.getNamespacedCustomObjectScale({ ...generic.path, namespace, name })) as V1Scale;
      return { kind: 'found', scale: toTargetScale(scale) };
    } catch (err) {
      if (isNotFound(err)) return { kind: 'not-found', reason: `${ref.kind} ${namespace}/${name} not found` };
      throw err;
    }
  }

  /** Sets `spec.replicas` through `/scale`; with `resourceVersion`, only if the workload has not changed since. */
  async write(namespace: string, ref: TargetRef, replicas: number, resourceVersion?: string): Promise<TargetScale> {
    const name = ref.name;
    const body: V1Scale = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name, namespace, ...(resourceVersion !== undefined && { resourceVersion }) },
      spec: { replicas },
    };
    if (isApps(ref)) {
      const scale =
        ref.kind === 'Deployment'
          ? await this.apps.replaceNamespacedDeploymentScale({ name, namespace, body })
          : await this.apps.replaceNamespacedStatefulSetScale({ name, namespace, body });
      return toTargetScale(scale);
    }
    const generic = await this.generic(ref);
    if (generic.kind !== 'ok') throw new Error(`cannot scale ${ref.kind}: ${generic.reason}`);
    const path = { ...generic.path, namespace, name };
    return toTargetScale((await this.custom.replaceNamespacedCustomObjectScale({ ...path, body })) as V1Scale);
  }

  /** The workload's annotations (for {@link AUTOSCALED_BY}); undefined when it does not exist. */
  async annotations(namespace: string, ref: TargetRef): Promise<Record<string, string> | undefined> {
    const name = ref.name;
    try {
      if (isApps(ref)) {
        const obj =
          ref.kind === 'Deployment'
            ? await this.apps.readNamespacedDeployment({ name, namespace })
            : await this.apps.readNamespacedStatefulSet({ name, namespace });
        return obj.metadata?.annotations ?? {};
      }
      const generic = await this.generic(ref);
      if (generic.kind !== 'ok') return undefined;
      const obj = (await this.custom.getNamespacedCustomObject({ ...generic.path, namespace, name })) as {
        metadata?: { annotations?: Record<string, string> };
      };
      return obj.metadata?.annotations ?? {};
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async generic(
    ref: TargetRef,
  ): Promise<
    | { kind: 'ok'; path: { group: string; version: string; plural: string } }
    | { kind: 'unsupported' | 'not-found'; reason: string }
  > {
    const slash = ref.apiVersion.indexOf('/');
    if (slash < 0) return { kind: 'unsupported', reason: `core API kinds (${ref.kind}) are not scaled` };
    const found = await this.discovery.scalable(ref.apiVersion, ref.kind).catch((err: unknown) => {
      if (isNotFound(err) || (err instanceof Error && isNotFound(err.cause))) return undefined;
      throw err;
    });
    if (!found) return { kind: 'not-found', reason: `the API serves no ${ref.kind} in ${ref.apiVersion}` };
    if (!found.scale) return { kind: 'unsupported', reason: `${ref.kind} has no scale subresource` };
    const path = {
      group: ref.apiVersion.slice(0, slash),
      version: ref.apiVersion.slice(slash + 1),
      plural: found.plural,
    };
    return { kind: 'ok', path };
  }
}
