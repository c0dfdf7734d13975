/**
 * What the server knows about each resource: group, served versions, plural, kind, scope and subresources. Built-in
 * kinds are listed here; custom resources come from CustomResourceDefinitions through `fromCrd`.
 */
import type { StructuralSchema } from './crd-schema.js';
import type { KubeObject } from './kube-object.js';
import { isPlainObject } from './kube-object.js';

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  /** For CRDs, a path to a string selector in the object; for built-ins, `spec.selector` is a LabelSelector. */
  labelSelectorPath?: string;
}

export interface ResourceType {
  group: string;
  /** Served versions; the first is the preferred one. */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  statusSubresource: boolean;
  scale?: ScaleSubresource;
  /** metadata.generation is set on create and bumped on spec changes. */
  tracksGeneration: boolean;
  /** Custom resources: no strategic merge patch, resourceVersion required on PUT, list items keep apiVersion/kind. */
  custom: boolean;
  /** DELETE answers with the object rather than a Status (pods, services, namespaces, custom resources, CRDs). */
  returnDeletedObject: boolean;
  /** Field selector paths beyond metadata.name and metadata.namespace. */
  fieldSelectors: string[];
  /** DNS-1123 label (63 characters) names rather than DNS-1123 subdomains. */
  labelNames: boolean;
  /** A CRD's structural schema (its storage version's openAPIV3Schema), for pruning and defaulting. */
  schema?: StructuralSchema;
}

export const resourceKey = (t: { group: string; plural: string }): string => `${t.group}/${t.plural}`;

export const apiVersionOf = (t: ResourceType, version: string): string => (t.group ? `${t.group}/${version}` : version);

type Options = Partial<Omit<ResourceType, 'group' | 'versions' | 'plural' | 'kind'>>;

function builtin(group: string, version: string, plural: string, kind: string, options: Options = {}): ResourceType {
  return {
    group,
    versions: [version],
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames: [],
    statusSubresource: false,
    tracksGeneration: false,
    custom: false,
    returnDeletedObject: false,
    fieldSelectors: [],
    labelNames: false,
    ...options,
  };
}

const workloadScale: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' };
const workload = { statusSubresource: true, tracksGeneration: true, scale: workloadScale } as const;

export const BUILTIN_RESOURCE_TYPES: readonly ResourceType[] = [
  builtin('', 'v1', 'namespaces', 'Namespace', {
    namespaced: false,
    statusSubresource: true,
    returnDeletedObject: true,
    fieldSelectors: ['status.phase'],
    labelNames: true,
    shortNames: ['ns'],
  }),
  builtin('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  builtin('', 'v1', 'secrets', 'Secret', { fieldSelectors: ['type'] }),
  builtin('', 'v1', 'serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
  builtin('', 'v1', 'services', 'Service', {
    statusSubresource: true,
    returnDeletedObject: true,
    labelNames: true,
    shortNames: ['svc'],
  }),
  builtin('', 'v1', 'endpoints', 'Endpoints', { shortNames: ['ep'] }),
  builtin('', 'v1', 'pods', 'Pod', {
    statusSubresource: true,
    returnDeletedObject: true,
    shortNames: ['po'],
    fieldSelectors: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  builtin('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', {
    statusSubresource: true,
    shortNames: ['pvc'],
  }),
  builtin('', 'v1', 'events', 'Event', {
    shortNames: ['ev'],
    fieldSelectors: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  }),
  builtin('events.k8s.io', 'v1', 'events', 'Event', {
    fieldSelectors: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'reason', 'type'],
  }),
  builtin('apps', 'v1', 'statefulsets', 'StatefulSet', { ...workload, shortNames: ['sts'] }),
  builtin('apps', 'v1', 'deployments', 'Deployment', { ...workload, shortNames: ['deploy'] }),
  builtin('apps', 'v1', 'replicasets', 'ReplicaSet', { ...workload, shortNames: ['rs'] }),
  builtin('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  builtin('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', {
    statusSubresource: true,
    tracksGeneration: true,
    shortNames: ['pdb'],
  }),
  builtin('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', {
    statusSubresource: true,
    shortNames: ['hpa'],
  }),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', {
    namespaced: false,
    statusSubresource: true,
    tracksGeneration: true,
    returnDeletedObject: true,
    shortNames: ['crd', 'crds'],
  }),
];

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: unknown; scale?: ScaleSubresource };
  schema?: { openAPIV3Schema?: StructuralSchema };
  selectableFields?: { jsonPath: string }[];
}

/**
 * The resource a CustomResourceDefinition serves. Subresources are taken from the storage version (every version of
 * our CRDs declares the same ones); all served versions share one storage, converted by rewriting apiVersion only,
 * which is what the `None` conversion strategy does.
 */
export function fromCrd(crd: KubeObject): ResourceType {
  const spec = isPlainObject(crd.spec) ? crd.spec : {};
  const names = (isPlainObject(spec.names) ? spec.names : {}) as Record<string, unknown>;
  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as CrdVersion[];
  const served = versions.filter((v) => v.served !== false);
  const storage = versions.find((v) => v.storage) ?? served[0];
  const kind = String(names.kind ?? '');
  return {
    group: String(spec.group ?? ''),
    versions: served.map((v) => v.name),
    plural: String(names.plural ?? ''),
    singular: String(names.singular ?? kind.toLowerCase()),
    kind,
    listKind: String(names.listKind ?? `${kind}List`),
    namespaced: spec.scope !== 'Cluster',
    shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
    statusSubresource: storage?.subresources?.status !== undefined,
    ...(storage?.subresources?.scale ? { scale: storage.subresources.scale } : {}),
    tracksGeneration: true,
    custom: true,
    returnDeletedObject: true,
    fieldSelectors: versions.flatMap((v) => (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, ''))),
    labelNames: false,
    ...(storage?.schema?.openAPIV3Schema ? { schema: storage.schema.openAPIV3Schema } : {}),
  };
}
