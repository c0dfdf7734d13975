/**
 * Every Kubernetes object name and DNS name the operator renders comes from here (STYLE.md §3). StatefulSet names are
 * kept to 52 characters so the pods' `controller-revision-hash` label (`<sts>-<10 chars>`) fits in 63.
 */

export interface ClusterRef {
  readonly name: string;
  readonly namespace: string;
}

export const MAX_STATEFULSET_NAME = 52;

export const nameServerStatefulSet = (c: ClusterRef): string => `${c.name}-namesrv`;
/** Headless: gives each name-server pod its stable DNS name. */
export const nameServerService = (c: ClusterRef): string => `${c.name}-namesrv`;
export const nameServerPdb = (c: ClusterRef): string => `${c.name}-namesrv`;

/** Broker group `i` of a cluster: its StatefulSet, and the group name brokers register with (`--group`). */
export const brokerGroup = (c: ClusterRef, index: number): string => `${c.name}-broker-${index}`;
export const brokerStatefulSet = brokerGroup;
/** Headless, one per broker group; same name as the StatefulSet (its `serviceName`). */
export const brokerService = brokerGroup;
export const brokerPdb = brokerGroup;
/** ClusterIP over every broker of the cluster: the client bootstrap endpoint (any broker answers QueryRoute). */
export const brokerClientService = (c: ClusterRef): string => `${c.name}-brokers`;
/** Shared by all broker groups of the cluster: `ROCKETRY_*` settings as environment. */
export const brokerConfigMap = (c: ClusterRef): string => `${c.name}-broker-config`;
/** The admin token the operator creates when `spec.adminCredentials.secretRef` is not set. */
export const adminSecret = (c: ClusterRef): string => `${c.name}-admin`;
export const ADMIN_SECRET_KEY = 'token';

/** The group index of `<cluster>-broker-<i>`, or undefined for a name that is not one of this cluster's groups. */
export function brokerGroupIndex(c: ClusterRef, group: string): number | undefined {
  const prefix = `${c.name}-broker-`;
  if (!group.startsWith(prefix)) return undefined;
  const rest = group.slice(prefix.length);
  return /^(0|[1-9]\d{0,5})$/.test(rest) ? Number(rest) : undefined;
}

export const podName = (statefulSet: string, ordinal: number): string => `${statefulSet}-${ordinal}`;

/** `<sts>-<ordinal>.<headless svc>.<ns>.svc.<domain>`: the only address anything stores (never a pod IP). */
export function podDnsName(
  c: ClusterRef,
  statefulSet: string,
  service: string,
  ordinal: number,
  domain: string,
): string {
  return `${podName(statefulSet, ordinal)}.${service}.${c.namespace}.svc.${domain}`;
}

/** The same, with the pod name left to the kubelet's `$(POD_NAME)` expansion in container args. */
export function podDnsNameTemplate(c: ClusterRef, service: string, domain: string): string {
  return `$(POD_NAME).${service}.${c.namespace}.svc.${domain}`;
}
