import type { ClusterRef } from './names.js';

/** Labels on everything the operator creates; selectors use only the stable subset (never version or hash). */
export const MANAGED_BY = 'rocketry-operator';
export const CLUSTER_LABEL = 'rocketry.io/cluster';
export const BROKER_GROUP_LABEL = 'rocketry.io/broker-group';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

export type Component = 'namesrv' | 'broker';

/** Selector of one component's pods (one broker group's pods when `group` is given). Never changes for an object. */
export function selectorLabels(c: ClusterRef, component: Component, group?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'rocketry',
    'app.kubernetes.io/instance': c.name,
    [COMPONENT_LABEL]: component,
    [CLUSTER_LABEL]: c.name,
    ...(group !== undefined && { [BROKER_GROUP_LABEL]: group }),
  };
}

/** Selector labels plus the descriptive ones. */
export function objectLabels(c: ClusterRef, component: Component, group?: string): Record<string, string> {
  return {
    ...selectorLabels(c, component, group),
    'app.kubernetes.io/part-of': 'rocketry',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** Labels of cluster-wide objects (the broker ConfigMap, the admin Secret). */
export function clusterLabels(c: ClusterRef): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'rocketry',
    'app.kubernetes.io/instance': c.name,
    [CLUSTER_LABEL]: c.name,
    'app.kubernetes.io/part-of': 'rocketry',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}
