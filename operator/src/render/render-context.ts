/** What renderers need besides the cluster: operator settings and facts the reconciler read. No clock, no env. */
export interface RenderContext {
  /** Kubernetes cluster DNS domain (`cluster.local` unless the cluster was set up otherwise). */
  readonly clusterDomain: string;
  /** Operator flag: render PodDisruptionBudgets (off where a drain tool needs to own disruptions). */
  readonly podDisruptionBudgets: boolean;
  /**
   * Broker group indexes at or above `spec.brokers.groups` still being drained (from status): they keep their objects
   * until the drain planner says `remove`.
   */
  readonly retainedGroups: readonly number[];
}

export const defaultRenderContext: RenderContext = {
  clusterDomain: 'cluster.local',
  podDisruptionBudgets: true,
  retainedGroups: [],
};
