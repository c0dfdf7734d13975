import type {
  V1EnvVar,
  V1PodSecurityContext,
  V1Probe,
  V1SecurityContext,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';

/**
 * The image runs `rocketry` (bin/rocketry.js) directly as PID 1, so SIGTERM reaches it and the graceful shutdown in
 * dataplane/src/main.ts runs (unregister, end polls, flush). Its user is uid/gid 1000 (node images' `node`).
 */
export const rocketryCommand = (): string[] => ['rocketry'];
export const RUN_AS = 1000;

/** Fresh objects on every call: callers may mutate what a renderer returns. */
export const podSecurityContext = (): V1PodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: RUN_AS,
  runAsGroup: RUN_AS,
  fsGroup: RUN_AS,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
});

export const containerSecurityContext = (): V1SecurityContext => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
});

/** Writable scratch for a read-only root filesystem. */
export const tmpVolume = (): V1Volume => ({ name: 'tmp', emptyDir: {} });
export const tmpMount = (): V1VolumeMount => ({ name: 'tmp', mountPath: '/tmp' });

export function httpProbe(path: string, port: string, periodSeconds: number, failureThreshold: number): V1Probe {
  return { httpGet: { path, port }, periodSeconds, timeoutSeconds: 5, failureThreshold, successThreshold: 1 };
}

/** The pod's own name, for `$(POD_NAME)` in args (stable DNS names are built from it, never from the pod IP). */
export const podNameEnv = (): V1EnvVar => ({
  name: 'POD_NAME',
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
});
