import { type Static, Type } from '@sinclair/typebox';
import {
  type CustomResource,
  celRule,
  QUANTITY_PATTERN,
  ResourceRequirements,
  resourceSchema,
  SecretKeyRef,
  StringEnum,
  sameJson,
  statusBase,
} from './common.js';
import { ageColumn, type KindDefinition, readyColumns } from './crd.js';

export const CLUSTER_MODES = ['Managed', 'External'] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];
export const FLUSH_MODES = ['async', 'sync'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
/** Broker group names the broker accepts (`--name`, `--group`: 1-64 of [a-zA-Z0-9_.-]). */
export const BROKER_NAME_PATTERN = '^[a-zA-Z0-9_.-]{1,64}$';
export const MAX_BROKER_GROUPS = 64;

export const NameServerSpec = Type.Object(
  {
    replicas: Type.Integer({
      description: 'Name server pods (a StatefulSet behind a headless Service).',
      minimum: 1,
      maximum: 7,
      default: 1,
    }),
    resources: Type.Optional(ResourceRequirements),
  },
  { description: 'The name servers brokers register with and clients ask for routes (Managed mode).', default: {} },
);

export const StorageSpec = Type.Object(
  {
    size: Type.String({
      description: 'Size of the volume of each broker pod, a quantity (default 10Gi). May grow, never shrink.',
      maxLength: 64,
      pattern: QUANTITY_PATTERN,
      default: '10Gi',
    }),
    storageClassName: Type.Optional(
      Type.String({
        description: "StorageClass of the volumes; the cluster's default class when omitted. Immutable.",
        minLength: 1,
        maxLength: 253,
      }),
    ),
  },
  {
    description: 'Persistent volume of each broker pod (commit log, consume queues, indexes, metadata).',
    default: {},
    'x-kubernetes-validations': [
      celRule<{ storageClassName?: string }>(
        'has(self.storageClassName) == has(oldSelf.storageClassName) && ' +
          '(!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)',
        'storage.storageClassName is immutable',
        (self, old) => self.storageClassName === old.storageClassName,
        { fieldPath: '.storageClassName' },
      ),
      celRule<{ size: string }>(
        'quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0',
        'storage.size cannot be decreased',
        (self, old) => compareQuantities(self.size, old.size) >= 0,
        { fieldPath: '.size' },
      ),
    ],
  },
);

export const BrokerConfigSpec = Type.Object(
  {
    flush: StringEnum(FLUSH_MODES, {
      description: 'async: acknowledge after the page cache (group commit every few ms); sync: after fdatasync.',
      default: 'async',
    }),
    retentionHours: Type.Integer({
      description: 'Hours a commit-log segment is kept once sealed (whole segments expire).',
      minimum: 1,
      maximum: 720,
      default: 72,
    }),
    segmentMiB: Type.Integer({ description: 'Commit-log segment size.', minimum: 8, maximum: 16_384, default: 1024 }),
    maxDelayHours: Type.Integer({
      description: 'Furthest delivery time of a DELAY message, from now.',
      minimum: 1,
      maximum: 8760,
      default: 720,
    }),
    autoCreate: Type.Boolean({
      description:
        'Create topics and groups the first time a client uses them. Off: only Topic and ConsumerGroup objects create them.',
      default: false,
    }),
    logLevel: StringEnum(LOG_LEVELS, { description: 'Broker log level.', default: 'info' }),
  },
  { description: 'Broker settings, passed as the broker flags of the same names.', default: {} },
);

export const BrokersSpec = Type.Object(
  {
    groups: Type.Integer({
      description:
        'Broker groups (one StatefulSet each). Lowering it drains the highest groups first: they turn read-only ' +
        'and are removed once consumers have no lag on them.',
      minimum: 1,
      maximum: MAX_BROKER_GROUPS,
      default: 1,
    }),
    replicasPerGroup: Type.Integer({
      description: 'Pods per broker group; 1 until broker replication exists.',
      minimum: 1,
      maximum: 1,
      default: 1,
    }),
    storage: StorageSpec,
    resources: Type.Optional(ResourceRequirements),
    config: BrokerConfigSpec,
  },
  { description: 'The broker groups (Managed mode).', default: {} },
);

export const ExternalBroker = Type.Object(
  {
    name: Type.String({
      description: 'Broker group name, as the broker registers it (--group, else --name).',
      pattern: BROKER_NAME_PATTERN,
      minLength: 1,
      maxLength: 64,
    }),
    adminUrl: Type.String({
      description: 'Base URL of the broker admin API, e.g. http://broker-0.example:8082.',
      minLength: 1,
      maxLength: 2048,
      pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
    }),
    credentialsSecretRef: Type.Optional(
      SecretKeyRef('Secret holding the admin bearer token of this broker (key default `token`).', 'token'),
    ),
  },
  { description: 'A broker group managed elsewhere, reached through its admin API.' },
);

export const ExternalSpec = Type.Object(
  {
    nameServer: Type.Optional(
      Type.String({
        description: 'host:port of the name server clients use; reported in status.endpoints.',
        maxLength: 512,
        pattern: '^[^\\s:/]+:[0-9]{1,5}$',
      }),
    ),
    brokers: Type.Array(ExternalBroker, {
      description: 'Every broker group of the cluster; Topics and ConsumerGroups are synced to each.',
      minItems: 1,
      maxItems: MAX_BROKER_GROUPS,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
  },
  {
    description:
      'External mode: brokers that run elsewhere. The operator runs no pods for this cluster; it only manages ' +
      'topics and groups on these brokers.',
  },
);

export const BrokerClusterSpec = Type.Object(
  {
    mode: StringEnum(CLUSTER_MODES, {
      description:
        'Managed: the operator runs name servers and broker groups. External: it manages topics and groups on the ' +
        'brokers listed in spec.external (the Managed-only fields are then ignored). Immutable.',
      default: 'Managed',
    }),
    image: Type.Optional(
      Type.String({
        description: "The rocketry image of every pod; the operator's default image when omitted.",
        minLength: 1,
        maxLength: 512,
      }),
    ),
    imagePullPolicy: Type.Optional(StringEnum(PULL_POLICIES, { description: 'Pull policy of the image.' })),
    nameServer: NameServerSpec,
    brokers: BrokersSpec,
    adminSecretRef: Type.Optional(
      SecretKeyRef(
        'Secret holding the admin bearer token of the brokers (at least 16 characters; key default `token`); the ' +
          'operator creates <cluster>-admin with a random token when omitted. Managed mode.',
        'token',
      ),
    ),
    allowedNamespaces: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 63, pattern: '^(\\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$' }), {
        description:
          'Other namespaces whose Topics, ConsumerGroups and EventRules may reference this cluster ("*" for all); ' +
          'only its own namespace when omitted.',
        maxItems: 256,
        'x-kubernetes-list-type': 'set',
      }),
    ),
    external: Type.Optional(ExternalSpec),
  },
  {
    description: 'A Rocketry cluster: name servers and broker groups run by the operator, or brokers run elsewhere.',
    'x-kubernetes-validations': [
      celRule<{ mode: string; external?: unknown }>(
        "self.mode == 'External' ? has(self.external) : !has(self.external)",
        'spec.external is required when mode is External and not allowed otherwise',
        (self) => (self.mode === 'External') === (self.external !== undefined),
        { fieldPath: '.external' },
      ),
      celRule<{ mode: string }>(
        'self.mode == oldSelf.mode',
        'mode is immutable',
        (self, old) => sameJson(self.mode, old.mode),
        { fieldPath: '.mode' },
      ),
    ],
  },
);
export type BrokerClusterSpec = Static<typeof BrokerClusterSpec>;

export const GROUP_PHASES = ['Pending', 'Running', 'Draining', 'Drained'] as const;
export type GroupPhase = (typeof GROUP_PHASES)[number];

export const BrokerGroupStatus = Type.Object({
  name: Type.String({ description: 'Broker group name.', maxLength: 64 }),
  phase: StringEnum(GROUP_PHASES, {
    description: 'Pending (starting), Running, Draining (read-only, waiting for consumers), Drained (to be removed).',
  }),
  ready: Type.Boolean({ description: 'Every pod of the group is ready.' }),
  writable: Type.Boolean({ description: 'The group accepts sends (false while draining).' }),
  endpoint: Type.Optional(Type.String({ description: 'gRPC host:port of the group.', maxLength: 512 })),
  adminUrl: Type.Optional(Type.String({ description: 'Admin API base URL of the group.', maxLength: 2048 })),
  drainStartedAt: Type.Optional(
    Type.String({ description: 'When the group was set read-only for a drain.', format: 'date-time' }),
  ),
});
export type BrokerGroupStatus = Static<typeof BrokerGroupStatus>;

export const BrokerClusterStatus = Type.Object(
  {
    ...statusBase,
    endpoints: Type.Optional(
      Type.Object(
        {
          nameServer: Type.Optional(
            Type.String({ description: 'Name server address(es) for clients, `;`-separated.', maxLength: 4096 }),
          ),
          grpc: Type.Optional(
            Type.Array(Type.String({ maxLength: 512 }), {
              description: 'gRPC host:port of every broker group.',
              maxItems: MAX_BROKER_GROUPS,
            }),
          ),
        },
        { description: 'Where clients connect; stable DNS names.' },
      ),
    ),
    groups: Type.Optional(
      Type.Array(BrokerGroupStatus, {
        description: 'Every broker group the operator knows of, including draining ones.',
        maxItems: 2 * MAX_BROKER_GROUPS,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
    ),
    readyGroups: Type.Optional(Type.Integer({ description: 'Broker groups that are ready.', minimum: 0 })),
  },
  {
    description:
      'Conditions: Ready (reasons Reconciled, InvalidSpec, Provisioning, ReconciliationPaused), Available (clients ' +
      'can produce and consume), Progressing (a roll, scale-up or drain is running; reasons RollingUpdate, ' +
      'ScalingUp, Draining, RolloutStalled), Degraded (a group is not ready).',
  },
);
export type BrokerClusterStatus = Static<typeof BrokerClusterStatus>;

export const BrokerClusterSchema = resourceSchema(BrokerClusterSpec, BrokerClusterStatus);

export type BrokerCluster = CustomResource<'BrokerCluster', BrokerClusterSpec, BrokerClusterStatus>;

const SUFFIX: Record<string, number> = {
  '': 0,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY: Record<string, bigint> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };

/** A quantity as an exact fraction numerator / 10^scale, so comparisons never round. */
export function parseQuantity(value: string | number): { numerator: bigint; scale: number } | undefined {
  const m = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/.exec(
    String(value),
  );
  if (!m) return undefined;
  const [, sign = '', num = '', suffix = ''] = m;
  const [whole = '', frac = ''] = num.split('.');
  let numerator = BigInt(`${whole || '0'}${frac}`) * (sign === '-' ? -1n : 1n);
  let scale = frac.length;
  const binary = BINARY[suffix];
  if (binary !== undefined) numerator *= 1024n ** binary;
  else if (/^[eE]/.test(suffix)) scale -= Number(suffix.slice(1));
  else scale -= SUFFIX[suffix] ?? 0;
  return { numerator, scale };
}

/** Compares two quantities (-1, 0, 1), as the Kubernetes CEL `quantity(a).compareTo(quantity(b))` does. */
export function compareQuantities(a: string | number, b: string | number): number {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  if (!qa || !qb) throw new Error(`not a quantity: ${!qa ? a : b}`);
  const scale = Math.max(qa.scale, qb.scale);
  const na = qa.numerator * 10n ** BigInt(scale - qa.scale);
  const nb = qb.numerator * 10n ** BigInt(scale - qb.scale);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

export const BROKER_CLUSTER_PLURAL = 'brokerclusters';

export const BrokerClusterKind: KindDefinition = {
  kind: 'BrokerCluster',
  plural: BROKER_CLUSTER_PLURAL,
  singular: 'brokercluster',
  shortNames: ['mqc'],
  schema: BrokerClusterSchema,
  description:
    'A Rocketry cluster: name servers and broker groups run by the operator (Managed), or brokers that run ' +
    'elsewhere whose topics and groups the operator manages (External).',
  printerColumns: [
    { name: 'Mode', type: 'string', jsonPath: '.spec.mode' },
    { name: 'Groups', type: 'integer', jsonPath: '.spec.brokers.groups', description: 'Desired broker groups.' },
    { name: 'Ready Groups', type: 'integer', jsonPath: '.status.readyGroups' },
    ...readyColumns,
    { name: 'Name Server', type: 'string', jsonPath: '.status.endpoints.nameServer', priority: 1 },
    ageColumn,
  ],
  scale: { specReplicasPath: '.spec.brokers.groups', statusReplicasPath: '.status.readyGroups' },
};
