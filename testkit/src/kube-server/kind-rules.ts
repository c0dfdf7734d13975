/**
 * Per-kind rules of the built-in registries that a controller can observe: defaulting (so "desired equals actual"
 * comparisons meet the same extra fields as in a cluster), immutable fields, Secret stringData, namespace spec
 * finalizers and Service cluster IPs. Only the defaults listed here are applied; see README.md for the gaps.
 */
import { validateCrd } from './crd-establisher.js';
import { applyPodSpecDefaults, applyServiceDefaults, applyWorkloadDefaults } from './kind-defaults.js';
import type { KubeObject } from './kube-object.js';
import { isPlainObject } from './kube-object.js';
import { type Json, jsonEqual } from './patch.js';
import type { ResourceType } from './resource-types.js';
import { type FieldCause, invalid } from './status.js';

export interface KindContext {
  allocateClusterIp: () => string;
}

const is = (type: ResourceType, group: string, plural: string) => type.group === group && type.plural === plural;
const spec = (obj: KubeObject | undefined): Record<string, unknown> => (obj && isPlainObject(obj.spec) ? obj.spec : {});

const STATEFULSET_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

function immutableCauses(type: ResourceType, obj: KubeObject, old: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const s = spec(obj);
  const o = spec(old);
  if (is(type, 'apps', 'statefulsets')) {
    const strip = (x: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(x).filter(([k]) => !STATEFULSET_MUTABLE.includes(k))) as Json;
    if (!jsonEqual(strip(s), strip(o))) {
      causes.push({
        field: 'spec',
        message:
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      });
    }
  }
  if (
    (is(type, 'apps', 'deployments') || is(type, 'apps', 'replicasets')) &&
    !jsonEqual(s.selector as Json, o.selector as Json)
  ) {
    causes.push({ field: 'spec.selector', message: 'Invalid value: field is immutable' });
  }
  if (is(type, '', 'services') && o.clusterIP !== undefined && s.clusterIP !== o.clusterIP) {
    causes.push({ field: 'spec.clusterIPs[0]', message: 'Invalid value: field is immutable' });
  }
  if ((is(type, '', 'configmaps') || is(type, '', 'secrets')) && old.immutable === true) {
    if (!jsonEqual(obj.data as Json, old.data as Json) || !jsonEqual(obj.binaryData as Json, old.binaryData as Json)) {
      causes.push({ field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' });
    }
    if (obj.immutable !== true)
      causes.push({ field: 'immutable', message: 'Forbidden: field is immutable when `immutable` is set' });
  }
  if (is(type, '', 'persistentvolumeclaims')) {
    const strip = (x: Record<string, unknown>) => {
      const { resources: _r, volumeAttributesClassName: _v, ...rest } = x;
      return rest as Json;
    };
    if (!jsonEqual(strip(s), strip(o))) {
      causes.push({
        field: 'spec',
        message:
          'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      });
    }
  }
  return causes;
}

/** Applies defaults and kind rules to a main-resource create (old undefined) or update. Throws 422 Invalid. */
export function admitKind(
  type: ResourceType,
  input: KubeObject,
  old: KubeObject | undefined,
  ctx: KindContext,
): KubeObject {
  const obj = structuredClone(input);
  if (is(type, '', 'secrets')) {
    if (isPlainObject(obj.stringData)) {
      const data = isPlainObject(obj.data) ? obj.data : {};
      for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      obj.data = data;
      delete obj.stringData;
    }
    obj.type ??= (old?.type as string | undefined) ?? 'Opaque';
  }
  if (is(type, '', 'namespaces')) {
    const s = spec(obj);
    if (old) {
      if (spec(old).finalizers === undefined) delete s.finalizers;
      else s.finalizers = spec(old).finalizers;
    } else s.finalizers = ['kubernetes'];
    obj.spec = s;
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  }
  if (is(type, '', 'services')) {
    const s = spec(obj);
    if (old && s.clusterIP === undefined && spec(old).clusterIP !== undefined) s.clusterIP = spec(old).clusterIP;
    if (s.clusterIP === undefined || s.clusterIP === '')
      s.clusterIP = old ? spec(old).clusterIP : ctx.allocateClusterIp();
    s.clusterIPs = [s.clusterIP];
    obj.spec = s;
    applyServiceDefaults(s);
  }
  if (is(type, '', 'pods')) applyPodSpecDefaults(spec(obj));
  if (is(type, 'apiextensions.k8s.io', 'customresourcedefinitions')) validateCrd(type, obj);
  if (is(type, 'apps', 'statefulsets') || is(type, 'apps', 'deployments') || is(type, 'apps', 'replicasets')) {
    obj.spec = spec(obj);
    applyWorkloadDefaults(type.plural, obj.spec as Record<string, unknown>);
  }
  const causes = old ? immutableCauses(type, obj, old) : [];
  if (causes.length > 0) throw invalid(type.kind, type.group, obj.metadata.name ?? '', causes);
  return obj;
}
