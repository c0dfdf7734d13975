import type { V1ResourceRequirements } from '@kubernetes/client-node';
import type { BrokerCluster, BrokerClusterSpec } from '@rocketry/crds';
import { ADMIN_SECRET_KEY, adminSecret, brokerGroup, MAX_STATEFULSET_NAME, nameServerStatefulSet } from '../names.js';

type BrokerConfig = BrokerClusterSpec['brokers']['config'];

/**
 * A BrokerCluster flattened for the renderers and planners: operator defaults applied, names checked. Its input is
 * the object `validateSpec('BrokerCluster', ...)` of @rocketry/crds returns (schema defaults applied, CEL rules
 * passed), so this only adds what the CRD cannot know.
 */
export interface ResolvedCluster {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly generation: number;
  readonly mode: 'Managed' | 'External';
  readonly image: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never' | undefined;
  readonly nameServer: { readonly replicas: number; readonly resources: V1ResourceRequirements };
  readonly brokers: {
    readonly groups: number;
    readonly replicasPerGroup: number;
    readonly resources: V1ResourceRequirements;
    readonly storage: { readonly size: string; readonly storageClassName?: string };
    /** `ROCKETRY_*` environment of `rocketry broker` (each flag has one), from `spec.brokers.config`. */
    readonly env: Readonly<Record<string, string>>;
    readonly terminationGracePeriodSeconds: number;
  };
  /** Where the admin token is; `managed` when the operator creates the Secret (`<cluster>-admin`). */
  readonly adminToken: { readonly secretName: string; readonly key: string; readonly managed: boolean };
}

/** Operator settings the resolution needs (from the operator's config, never from env here). */
export interface ClusterDefaults {
  /** The image when `spec.image` is omitted: the operator's own release of `rocketry`. */
  readonly image: string;
}

export type ResolveResult = { kind: 'resolved'; cluster: ResolvedCluster } | { kind: 'invalid'; problems: string[] };

export const DEFAULTS = {
  nameServerResources: { requests: { cpu: '100m', memory: '128Mi' } },
  brokerResources: { requests: { cpu: '500m', memory: '1Gi' } },
  brokerTerminationGraceSeconds: 60,
} as const;

/** Each broker setting's `rocketry broker` environment variable (dataplane/src/config.ts). */
const BROKER_ENV: Record<keyof BrokerConfig, string> = {
  flush: 'ROCKETRY_FLUSH',
  retentionHours: 'ROCKETRY_RETENTION_HOURS',
  segmentMiB: 'ROCKETRY_SEGMENT_MIB',
  maxDelayHours: 'ROCKETRY_MAX_DELAY_HOURS',
  autoCreate: 'ROCKETRY_AUTO_CREATE',
  logLevel: 'ROCKETRY_LOG_LEVEL',
};

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Core/v1 resources are string quantities; the CRD also admits integers (`cpu: 2`). */
function resources(r: BrokerClusterSpec['brokers']['resources'] | undefined): V1ResourceRequirements | undefined {
  if (!r) return undefined;
  const strings = (m: Record<string, string | number> | undefined) =>
    m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
  return { ...(r.requests && { requests: strings(r.requests) }), ...(r.limits && { limits: strings(r.limits) }) };
}

/**
 * Applies operator defaults and checks what the CRD schema cannot (name lengths for derived names, the one-name-server
 * limit). Problems name the field, for `Ready=False, reason=InvalidSpec`.
 */
export function resolveClusterSpec(cr: BrokerCluster, defaults: ClusterDefaults): ResolveResult {
  const problems: string[] = [];
  const { name = '', namespace = '', uid = '', generation = 0 } = cr.metadata;
  if (!name || !namespace || !uid) problems.push('metadata: name, namespace and uid are required');
  if (name && !DNS_1035.test(name)) problems.push(`metadata.name: ${name} must start with a letter (DNS-1035 label)`);
  const { spec } = cr;
  const ref = { name, namespace };
  if (spec.mode === 'Managed') {
    if (spec.nameServer.replicas !== 1) {
      // dataplane --namesrv takes one host:port and name servers share no state: a second one would split routes.
      problems.push(
        `spec.nameServer.replicas: ${spec.nameServer.replicas} is not supported yet; brokers register with one name server`,
      );
    }
    const longest = Math.max(nameServerStatefulSet(ref).length, brokerGroup(ref, spec.brokers.groups - 1).length);
    if (name && longest > MAX_STATEFULSET_NAME) {
      problems.push(`metadata.name: ${name} is ${longest - MAX_STATEFULSET_NAME} characters too long for its groups`);
    }
  }
  if (problems.length > 0) return { kind: 'invalid', problems };

  const env: Record<string, string> = {};
  for (const key of Object.keys(BROKER_ENV).sort() as (keyof BrokerConfig)[]) {
    const value = spec.brokers.config[key];
    if (value !== undefined) env[BROKER_ENV[key]] = String(value);
  }
  const { storageClassName } = spec.brokers.storage;
  return {
    kind: 'resolved',
    cluster: {
      name,
      namespace,
      uid,
      generation,
      mode: spec.mode,
      image: spec.image ?? defaults.image,
      imagePullPolicy: spec.imagePullPolicy,
      nameServer: {
        replicas: spec.nameServer.replicas,
        resources: resources(spec.nameServer.resources) ?? DEFAULTS.nameServerResources,
      },
      brokers: {
        groups: spec.brokers.groups,
        replicasPerGroup: spec.brokers.replicasPerGroup,
        resources: resources(spec.brokers.resources) ?? DEFAULTS.brokerResources,
        storage: { size: spec.brokers.storage.size, ...(storageClassName !== undefined && { storageClassName }) },
        env,
        terminationGracePeriodSeconds: DEFAULTS.brokerTerminationGraceSeconds,
      },
      adminToken: spec.adminSecretRef
        ? { secretName: spec.adminSecretRef.name, key: spec.adminSecretRef.key, managed: false }
        : { secretName: adminSecret(ref), key: ADMIN_SECRET_KEY, managed: true },
    },
  };
}
