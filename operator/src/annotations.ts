/** Annotations the operator reads or writes; user-settable ones are part of the documented API. */

/** On the pod template: a hash of restart-requiring configuration, so a change rolls the pods. */
export const CONFIG_HASH = 'rocketry.io/config-hash';
/** On the BrokerCluster: `"true"` removes scaled-down groups without waiting for consumers (never an orphaned topic). */
export const SKIP_DRAIN = 'rocketry.io/skip-drain';
/** On a pod: `"true"` makes the roller restart it even when its revision is current. */
export const RESTART = 'rocketry.io/restart';
/** On any CR: `"true"` stops reconciling it (Ready=Unknown, reason ReconciliationPaused). */
export const PAUSE_RECONCILIATION = 'rocketry.io/pause-reconciliation';

export const isTrue = (annotations: Readonly<Record<string, string>> | undefined, key: string): boolean =>
  annotations?.[key] === 'true';
