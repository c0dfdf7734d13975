import type {
  V1Affinity,
  V1ResourceRequirements,
  V1Toleration,
  V1TopologySpreadConstraint,
} from '@kubernetes/client-node';

/**
 * The BrokerCluster input of the renderers and planners, until @rocketry/crds exports its types (then this file goes
 * and `resolve-cluster-spec.ts` reads theirs). Mirrors issue 5 and research/CRD_DESIGN.md §2 without pools: broker
 * groups are part of the cluster. Everything optional here has its default in `resolve-cluster-spec.ts`.
 */
export interface BrokerCluster {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: BrokerClusterSpec;
}

export interface SecretKeyRef {
  readonly name: string;
  readonly key?: string;
}

export interface PodTemplateOverrides {
  readonly affinity?: V1Affinity;
  readonly tolerations?: readonly V1Toleration[];
  readonly topologySpreadConstraints?: readonly V1TopologySpreadConstraint[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly priorityClassName?: string;
}

export interface BrokerClusterSpec {
  /** `Managed` runs name servers and brokers; `External` only manages entities on brokers that run elsewhere. */
  readonly mode?: 'Managed' | 'External';
  /** Selects the image tag; operator upgrades never change pod templates unless this changes. */
  readonly version?: string;
  /** Full image reference overriding the one `version` selects (digests recommended). */
  readonly image?: string;
  readonly nameServer?: {
    readonly replicas?: number;
    readonly resources?: V1ResourceRequirements;
    readonly expiryMs?: number;
    readonly template?: { readonly pod?: PodTemplateOverrides };
  };
  readonly brokers?: {
    /** How many broker groups (one StatefulSet each, named `<cluster>-broker-<i>`). */
    readonly groups?: number;
    /** Pods per broker group. */
    readonly replicasPerGroup?: number;
    readonly resources?: V1ResourceRequirements;
    readonly storage?: {
      readonly type?: 'PersistentClaim' | 'Ephemeral';
      readonly size?: string;
      readonly storageClassName?: string;
    };
    readonly config?: BrokerConfigSpec;
    readonly terminationGracePeriodSeconds?: number;
    readonly template?: { readonly pod?: PodTemplateOverrides };
  };
  /** Drain before scale-down (research/CRD_DESIGN.md §3.4). */
  readonly drain?: {
    readonly timeoutSeconds?: number;
    /** After the timeout: remove the group anyway, or keep waiting (and report DrainStalled). */
    readonly onTimeout?: 'Remove' | 'Wait';
  };
  /** The admin token brokers require and the operator uses; a Secret the operator creates when absent. */
  readonly adminCredentials?: { readonly secretRef?: SecretKeyRef };
  readonly external?: {
    readonly brokers: readonly { readonly name: string; readonly group?: string; readonly adminEndpoint: string }[];
    readonly adminCredentials?: { readonly secretRef?: SecretKeyRef };
  };
}

/** Broker settings that have a `rocketry broker` flag (dataplane/src/config.ts); the ConfigMap carries them as env. */
export interface BrokerConfigSpec {
  readonly flush?: 'async' | 'sync';
  readonly retentionHours?: number;
  readonly segmentMiB?: number;
  readonly maxDelayHours?: number;
  readonly heartbeatMs?: number;
  readonly autoCreate?: boolean;
  readonly txnCheckIntervalMs?: number;
  readonly txnMaxChecks?: number;
  readonly txnGiveUp?: 'rollback' | 'commit';
  readonly grpcTransport?: 'grpc-js' | 'h2';
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}
