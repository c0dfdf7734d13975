import type { V1ResourceRequirements } from '@kubernetes/client-node';
import {
  ADMIN_SECRET_KEY,
  adminSecret,
  brokerGroup,
  type ClusterRef,
  MAX_STATEFULSET_NAME,
  nameServerStatefulSet,
} from '../names.js';
import type { BrokerCluster, BrokerConfigSpec, PodTemplateOverrides } from './cluster-spec.js';

/** A BrokerCluster with every default applied: what renderers and planners read. */
export interface ResolvedCluster extends ClusterRef {
  readonly uid: string;
  readonly generation: number;
  readonly mode: 'Managed' | 'External';
  readonly image: string;
  readonly nameServer: {
    readonly replicas: number;
    readonly resources: V1ResourceRequirements;
    readonly env: Readonly<Record<string, string>>;
    readonly pod: PodTemplateOverrides;
  };
  readonly brokers: {
    readonly groups: number;
    readonly replicasPerGroup: number;
    readonly resources: V1ResourceRequirements;
    readonly storage:
      | { readonly type: 'PersistentClaim'; readonly size: string; readonly storageClassName?: string }
      | { readonly type: 'Ephemeral'; readonly size?: string };
    /** `ROCKETRY_*` environment for `rocketry broker`, only the settings the spec sets. */
    readonly env: Readonly<Record<string, string>>;
    readonly terminationGracePeriodSeconds: number;
    readonly pod: PodTemplateOverrides;
  };
  readonly drain: { readonly timeoutMs: number; readonly onTimeout: 'Remove' | 'Wait' };
  /** Where the admin token is; `managed` when the operator creates the Secret. */
  readonly adminToken: { readonly secretName: string; readonly key: string; readonly managed: boolean };
}

export type ResolveResult = { kind: 'resolved'; cluster: ResolvedCluster } | { kind: 'invalid'; problems: string[] };

export const DEFAULTS = {
  nameServerReplicas: 1,
  nameServerResources: { requests: { cpu: '100m', memory: '128Mi' } },
  brokerGroups: 1,
  replicasPerGroup: 1,
  brokerResources: { requests: { cpu: '500m', memory: '1Gi' } },
  storageSize: '10Gi',
  brokerTerminationGraceSeconds: 60,
  drainTimeoutSeconds: 1800,
} as const;

/** Each broker setting, its `rocketry broker` environment variable and the range dataplane/src/config.ts accepts. */
const BROKER_ENV: Record<
  keyof BrokerConfigSpec,
  { env: string; min?: number; max?: number; int?: boolean; positive?: boolean }
> = {
  flush: { env: 'ROCKETRY_FLUSH' },
  retentionHours: { env: 'ROCKETRY_RETENTION_HOURS', positive: true, max: 720 },
  segmentMiB: { env: 'ROCKETRY_SEGMENT_MIB', min: 8, max: 16384, int: true },
  maxDelayHours: { env: 'ROCKETRY_MAX_DELAY_HOURS', positive: true, max: 8760 },
  heartbeatMs: { env: 'ROCKETRY_HEARTBEAT_MS', min: 100, max: 60_000, int: true },
  autoCreate: { env: 'ROCKETRY_AUTO_CREATE' },
  txnCheckIntervalMs: { env: 'ROCKETRY_TXN_CHECK_INTERVAL_MS', min: 100, max: 86_400_000, int: true },
  txnMaxChecks: { env: 'ROCKETRY_TXN_MAX_CHECKS', min: 0, max: 1000, int: true },
  txnGiveUp: { env: 'ROCKETRY_TXN_GIVE_UP' },
  grpcTransport: { env: 'ROCKETRY_GRPC_TRANSPORT' },
  logLevel: { env: 'ROCKETRY_LOG_LEVEL' },
};

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Applies defaults and checks what the CRD schema cannot (name lengths, the one-name-server limit). Problems name the
 * field, so they can go straight into `Ready=False, reason=InvalidSpec`.
 */
export function resolveClusterSpec(cr: BrokerCluster, imageRepository: string): ResolveResult {
  const problems: string[] = [];
  const { name = '', namespace = '', uid = '', generation = 0 } = cr.metadata;
  if (!name || !namespace || !uid) problems.push('metadata: name, namespace and uid are required');
  if (name && !DNS_1035.test(name)) problems.push(`metadata.name: ${name} must be a DNS-1035 label (a-z first)`);
  const spec = cr.spec ?? {};
  const mode = spec.mode ?? (spec.external ? 'External' : 'Managed');
  const ref = { name, namespace };

  const nsReplicas = spec.nameServer?.replicas ?? DEFAULTS.nameServerReplicas;
  if (mode === 'Managed' && nsReplicas !== 1) {
    // dataplane --namesrv takes one host:port and name servers share no state: a second one would split routes.
    problems.push(
      `spec.nameServer.replicas: ${nsReplicas} is not supported yet; brokers register with one name server`,
    );
  }
  const groups = spec.brokers?.groups ?? DEFAULTS.brokerGroups;
  const replicasPerGroup = spec.brokers?.replicasPerGroup ?? DEFAULTS.replicasPerGroup;
  if (!Number.isInteger(groups) || groups < 1) problems.push(`spec.brokers.groups: ${groups} must be an integer >= 1`);
  if (!Number.isInteger(replicasPerGroup) || replicasPerGroup < 1) {
    problems.push(`spec.brokers.replicasPerGroup: ${replicasPerGroup} must be an integer >= 1`);
  }
  const longest = Math.max(nameServerStatefulSet(ref).length, brokerGroup(ref, Math.max(groups, 1) - 1).length);
  if (name && longest > MAX_STATEFULSET_NAME) {
    problems.push(`metadata.name: ${name} is too long; ${longest - MAX_STATEFULSET_NAME} characters over the limit`);
  }
  const image = spec.image ?? (spec.version ? `${imageRepository}:${spec.version}` : undefined);
  if (mode === 'Managed' && !image) problems.push('spec.version (or spec.image) is required');
  if (mode === 'External' && !spec.external?.brokers.length) {
    problems.push('spec.external.brokers: at least one broker admin endpoint is required in External mode');
  }
  const env = brokerEnv(spec.brokers?.config ?? {}, problems);
  const nsEnv: Record<string, string> = {};
  if (spec.nameServer?.expiryMs !== undefined) nsEnv.ROCKETRY_NAMESRV_EXPIRY_MS = String(spec.nameServer.expiryMs);
  if (env.ROCKETRY_LOG_LEVEL) nsEnv.ROCKETRY_LOG_LEVEL = env.ROCKETRY_LOG_LEVEL;

  const timeoutSeconds = spec.drain?.timeoutSeconds ?? DEFAULTS.drainTimeoutSeconds;
  if (!(timeoutSeconds >= 0)) problems.push(`spec.drain.timeoutSeconds: ${timeoutSeconds} must be >= 0`);
  if (problems.length > 0) return { kind: 'invalid', problems };

  const storageType = spec.brokers?.storage?.type ?? 'PersistentClaim';
  const storageSize = spec.brokers?.storage?.size;
  const storageClassName = spec.brokers?.storage?.storageClassName;
  const secretRef = (mode === 'External' ? spec.external?.adminCredentials : spec.adminCredentials)?.secretRef;
  return {
    kind: 'resolved',
    cluster: {
      name,
      namespace,
      uid,
      generation,
      mode,
      image: image ?? '',
      nameServer: {
        replicas: nsReplicas,
        resources: spec.nameServer?.resources ?? DEFAULTS.nameServerResources,
        env: nsEnv,
        pod: spec.nameServer?.template?.pod ?? {},
      },
      brokers: {
        groups,
        replicasPerGroup,
        resources: spec.brokers?.resources ?? DEFAULTS.brokerResources,
        storage:
          storageType === 'Ephemeral'
            ? { type: 'Ephemeral', ...(storageSize !== undefined && { size: storageSize }) }
            : {
                type: 'PersistentClaim',
                size: storageSize ?? DEFAULTS.storageSize,
                ...(storageClassName !== undefined && { storageClassName }),
              },
        env,
        terminationGracePeriodSeconds:
          spec.brokers?.terminationGracePeriodSeconds ?? DEFAULTS.brokerTerminationGraceSeconds,
        pod: spec.brokers?.template?.pod ?? {},
      },
      drain: { timeoutMs: timeoutSeconds * 1000, onTimeout: spec.drain?.onTimeout ?? 'Remove' },
      adminToken: secretRef
        ? { secretName: secretRef.name, key: secretRef.key ?? ADMIN_SECRET_KEY, managed: false }
        : { secretName: adminSecret(ref), key: ADMIN_SECRET_KEY, managed: true },
    },
  };
}

function brokerEnv(config: BrokerConfigSpec, problems: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(BROKER_ENV).sort() as (keyof BrokerConfigSpec)[]) {
    const value = config[key];
    if (value === undefined) continue;
    const rule = BROKER_ENV[key];
    if (typeof value === 'number') {
      const low = rule.positive ? value <= 0 : rule.min !== undefined && value < rule.min;
      const outOfRange = low || (rule.max !== undefined && value > rule.max);
      if (!Number.isFinite(value) || outOfRange || (rule.int && !Number.isInteger(value))) {
        const range = `${rule.positive ? '>0' : (rule.min ?? '')}..${rule.max ?? ''}${rule.int ? ' (integer)' : ''}`;
        problems.push(`spec.brokers.config.${key}: ${value} is outside ${range}`);
        continue;
      }
    }
    env[rule.env] = String(value);
  }
  return env;
}
