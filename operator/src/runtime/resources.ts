/**
 * The resource types the operator reads and writes, by group/version/plural: no discovery round trips, and one place
 * that knows the REST paths. A reconciler for a new kind adds its type here (or declares its own `ResourceType`).
 */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const apiVersionOf = (rt: ResourceType): string => (rt.group ? `${rt.group}/${rt.version}` : rt.version);

/** `/api/v1/namespaces/ns/pods/name/status` and its list/collection forms. */
export function resourcePath(rt: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  return `${base}${ns}/${rt.plural}${object}`;
}

const core = (plural: string, kind: string): ResourceType => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced: true,
});

export const CONFIG_MAPS = core('configmaps', 'ConfigMap');
export const SECRETS = core('secrets', 'Secret');
export const SERVICES = core('services', 'Service');
export const PODS = core('pods', 'Pod');
export const EVENTS = core('events', 'Event');
export const STATEFULSETS: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'statefulsets',
  kind: 'StatefulSet',
  namespaced: true,
};
export const DEPLOYMENTS: ResourceType = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  kind: 'Deployment',
  namespaced: true,
};
export const PDBS: ResourceType = {
  group: 'policy',
  version: 'v1',
  plural: 'poddisruptionbudgets',
  kind: 'PodDisruptionBudget',
  namespaced: true,
};
export const LEASES: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  kind: 'Lease',
  namespaced: true,
};

const rocketry = (plural: string, kind: string): ResourceType => ({
  group: 'rocketry.io',
  version: 'v1alpha1',
  plural,
  kind,
  namespaced: true,
});
export const BROKER_CLUSTERS = rocketry('brokerclusters', 'BrokerCluster');
export const TOPICS = rocketry('topics', 'Topic');
export const CONSUMER_GROUPS = rocketry('consumergroups', 'ConsumerGroup');
export const EVENT_RULES = rocketry('eventrules', 'EventRule');

/** Built-in kinds the apply helper may write, by `apiVersion/kind` of a rendered object. */
const BY_KIND = new Map<string, ResourceType>(
  [
    CONFIG_MAPS,
    SECRETS,
    SERVICES,
    PODS,
    EVENTS,
    STATEFULSETS,
    DEPLOYMENTS,
    PDBS,
    LEASES,
    BROKER_CLUSTERS,
    TOPICS,
    CONSUMER_GROUPS,
    EVENT_RULES,
  ].map((rt) => [`${apiVersionOf(rt)}/${rt.kind}`, rt]),
);

export function resourceTypeOf(obj: { apiVersion?: string; kind?: string }): ResourceType {
  const rt = BY_KIND.get(`${obj.apiVersion}/${obj.kind}`);
  if (!rt) throw new Error(`no resource type known for ${obj.apiVersion} ${obj.kind}`);
  return rt;
}
