import type { V1PodSecurityContext, V1PodSpec, V1Probe, V1SecurityContext, V1Volume } from '@kubernetes/client-node';
import type { ChartInfo, ChartValues } from './chart-values.js';

/** `rocketry.image`: repository:tag, the tag defaulting to the chart's appVersion. */
export const imageRef = (values: ChartValues, chart: ChartInfo): string =>
  `${values.image.repository}:${values.image.tag || chart.appVersion}`;

/** The image's user (Dockerfile: uid/gid 1000). */
export const podSecurity = (): V1PodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
});

export const containerSecurity = (): V1SecurityContext => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
});

/** Writable /tmp under a read-only root filesystem. */
export const tmpVolumes = (): V1Volume[] => [{ name: 'tmp', emptyDir: {} }];

export const probe = (path: string, port: string, periodSeconds: number): V1Probe => ({
  httpGet: { path, port },
  periodSeconds,
  timeoutSeconds: 5,
  failureThreshold: 3,
});

/** nodeSelector, tolerations and affinity, each only when set (the chart's `if` + `toYaml`). */
export function placement(p: ChartValues['operator'] | ChartValues['api']): Partial<V1PodSpec> {
  return {
    ...(Object.keys(p.nodeSelector).length > 0 && { nodeSelector: { ...p.nodeSelector } }),
    ...(p.tolerations.length > 0 && { tolerations: structuredClone(p.tolerations) }),
    ...(Object.keys(p.affinity).length > 0 && { affinity: structuredClone(p.affinity) }),
  } as Partial<V1PodSpec>;
}
