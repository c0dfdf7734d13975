import { type Static, Type } from '@sinclair/typebox';
import {
  type CelRule,
  ClusterRef,
  type CustomResource,
  celRule,
  resourceSchema,
  StringEnum,
  statusBase,
} from './common.js';
import { ageColumn, type KindDefinition, readyColumns } from './crd.js';
import { TOPIC_NAME_PATTERN } from './topic.js';

/** RocketMQ's charset for group names (255 characters at most); `%` may not lead. */
export const GROUP_NAME_PATTERN = '^[a-zA-Z0-9_|-][a-zA-Z0-9_|%-]{0,254}$';
export const RESERVED_GROUP_PREFIXES = ['__sys_', 'rmq_sys_', 'CID_RMQ_SYS_'] as const;
/** Bounds the broker enforces (dataplane/src/messaging/groups.ts). */
export const MAX_DELIVERY_ATTEMPTS_LIMIT = 1000;
export const MIN_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 2 * 3600_000;
export const MAX_BACKOFF_MULTIPLIER = 10;

export const GROUP_DELETION_POLICIES = ['Delete', 'Retain'] as const;
export const AUTOSCALING_MODES = ['Builtin', 'Keda'] as const;
export type AutoscalingMode = (typeof AUTOSCALING_MODES)[number];

const BackoffMs = (description: string, defaultMs: number) =>
  Type.Integer({
    description: `${description} Whole seconds in milliseconds (clients read seconds), 1000 to 7200000.`,
    minimum: MIN_BACKOFF_MS,
    maximum: MAX_BACKOFF_MS,
    multipleOf: 1000,
    default: defaultMs,
  });

export const RetryPolicy = Type.Object(
  {
    type: StringEnum(['exponential'] as const, {
      description: 'Backoff kind; exponential is the one the broker supports.',
      default: 'exponential',
    }),
    initialMs: BackoffMs('Delay before the first redelivery.', 1000),
    maxMs: BackoffMs('Longest delay between redeliveries.', 10_000),
    multiplier: Type.Number({
      description: 'Factor between successive delays, 1 to 10.',
      minimum: 1,
      maximum: MAX_BACKOFF_MULTIPLIER,
      default: 2,
    }),
  },
  {
    description: 'Redelivery backoff the brokers hand to consumers (default 1 s doubling up to 10 s).',
    default: {},
    'x-kubernetes-validations': [
      celRule<{ initialMs: number; maxMs: number }>(
        'self.maxMs >= self.initialMs',
        'retryPolicy.maxMs must not be below retryPolicy.initialMs',
        (self) => self.maxMs >= self.initialMs,
        { fieldPath: '.maxMs' },
      ),
    ],
  },
);

export const ScaleTargetRef = Type.Object(
  {
    apiVersion: Type.String({
      description: 'API version of the workload (default apps/v1).',
      minLength: 1,
      maxLength: 253,
      default: 'apps/v1',
    }),
    kind: Type.String({
      description: 'Kind of the workload; any kind with a scale subresource (default Deployment).',
      minLength: 1,
      maxLength: 63,
      default: 'Deployment',
    }),
    name: Type.String({
      description: 'Name of the workload, in the namespace of this ConsumerGroup.',
      minLength: 1,
      maxLength: 253,
    }),
  },
  { description: 'The workload whose replicas follow the lag.' },
);

export const Autoscaling = Type.Object(
  {
    mode: StringEnum(AUTOSCALING_MODES, {
      description:
        'Builtin: the operator reads lag from the brokers and writes the target scale subresource (refusing when ' +
        'another autoscaler owns the target). Keda: the operator renders a KEDA ScaledObject that points at the ' +
        "operator's external scaler.",
      default: 'Builtin',
    }),
    targetRef: ScaleTargetRef,
    minReplicas: Type.Integer({
      description: 'Fewest replicas; 0 scales the workload to zero when there is no lag.',
      minimum: 0,
      maximum: 10_000,
      default: 1,
    }),
    maxReplicas: Type.Integer({ description: 'Most replicas.', minimum: 1, maximum: 10_000 }),
    lagPerReplica: Type.Integer({
      description: 'Backlog (messages) one replica is meant to handle: replicas = ceil(lag / lagPerReplica).',
      minimum: 1,
      format: 'int64',
      default: 1000,
    }),
    cooldownSeconds: Type.Integer({
      description: 'Least time between two scale changes, and before scaling down after the last one.',
      minimum: 0,
      maximum: 86_400,
      default: 300,
    }),
    pollingSeconds: Type.Integer({
      description: 'How often lag is read (Builtin) or KEDA polls the scaler (Keda).',
      minimum: 1,
      maximum: 3600,
      default: 15,
    }),
    topics: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 127, pattern: TOPIC_NAME_PATTERN }), {
        description: 'Topics whose lag counts; every topic the group consumes when omitted.',
        maxItems: 64,
        'x-kubernetes-list-type': 'set',
      }),
    ),
  },
  {
    description: 'Scale a workload on the lag of this consumer group.',
    'x-kubernetes-validations': [
      celRule<{ minReplicas: number; maxReplicas: number }>(
        'self.minReplicas <= self.maxReplicas',
        'autoscaling.minReplicas must not exceed autoscaling.maxReplicas',
        (self) => self.minReplicas <= self.maxReplicas,
        { fieldPath: '.minReplicas' },
      ),
    ],
  },
);
export type Autoscaling = Static<typeof Autoscaling>;

export const ConsumerGroupSpec = Type.Object(
  {
    clusterRef: ClusterRef,
    groupName: Type.Optional(
      Type.String({
        description:
          'Name of the consumer group on the brokers; metadata.name when omitted (which then must have no dots). ' +
          'Immutable: setting it later to the name in use is allowed, changing it is not.',
        minLength: 1,
        maxLength: 255,
        pattern: GROUP_NAME_PATTERN,
        'x-kubernetes-validations': [
          celRule<string>(
            "!self.startsWith('__sys_') && !self.startsWith('rmq_sys_') && !self.startsWith('CID_RMQ_SYS_')",
            'groupName must not start with a reserved prefix (__sys_, rmq_sys_, CID_RMQ_SYS_)',
            (self) => !RESERVED_GROUP_PREFIXES.some((p) => self.startsWith(p)),
          ),
        ],
      }),
    ),
    fifo: Type.Boolean({
      description: 'Orderly (FIFO) consumption: one message of a message group in flight at a time. Immutable.',
      default: false,
    }),
    maxDeliveryAttempts: Type.Integer({
      description:
        'Deliveries of a message, the first included, before it goes to the dead-letter topic %DLQ%<group> ' +
        '(RocketMQ default: 16 retries, so 17).',
      minimum: 1,
      maximum: MAX_DELIVERY_ATTEMPTS_LIMIT,
      default: 17,
    }),
    retryPolicy: RetryPolicy,
    deletionPolicy: StringEnum(GROUP_DELETION_POLICIES, {
      description: 'What deleting this object does to the group on the brokers: Delete it or Retain it.',
      default: 'Delete',
    }),
    autoscaling: Type.Optional(Autoscaling),
  },
  {
    description: 'A consumer (subscription) group on every broker group of the referenced cluster.',
    'x-kubernetes-validations': [
      celRule<{ fifo: boolean }>(
        'self.fifo == oldSelf.fifo',
        'fifo is immutable (consumers pick orderly or concurrent consumption once)',
        (self, old) => self.fifo === old.fifo,
        { fieldPath: '.fifo' },
      ),
    ],
  },
);
export type ConsumerGroupSpec = Static<typeof ConsumerGroupSpec>;

export const ConsumerGroupStatus = Type.Object(
  {
    ...statusBase,
    groupName: Type.Optional(Type.String({ description: 'Name of the group on the brokers.', maxLength: 255 })),
    lag: Type.Optional(
      Type.Integer({
        description: 'Messages not yet consumed, over the counted topics and every broker group (coarse).',
        minimum: 0,
        format: 'int64',
      }),
    ),
    lagUpdatedAt: Type.Optional(Type.String({ description: 'When lag was read.', format: 'date-time' })),
    replicas: Type.Optional(
      Type.Integer({ description: "The autoscaling target's replicas when last read.", minimum: 0 }),
    ),
    desiredReplicas: Type.Optional(
      Type.Integer({ description: 'Replicas the autoscaler last asked for.', minimum: 0 }),
    ),
    lastScaleTime: Type.Optional(
      Type.String({ description: 'When the autoscaler last changed the replicas (cooldown).', format: 'date-time' }),
    ),
  },
  {
    description:
      'Conditions: Ready (reasons Reconciled, ClusterNotFound, ClusterNotReady, NamespaceNotAllowed, InvalidSpec, ' +
      'ResourceConflict, AdminError, ReconciliationPaused) and, with autoscaling, AutoscalingReady (reasons ' +
      'Scaling, TargetNotFound, ConflictingAutoscaler, KedaNotInstalled).',
  },
);
export type ConsumerGroupStatus = Static<typeof ConsumerGroupStatus>;

interface GroupRoot {
  metadata: { name: string };
  spec: { groupName?: string };
}
const groupName = (o: GroupRoot) => o.spec.groupName ?? o.metadata.name;

export const consumerGroupRootRules: readonly CelRule[] = [
  celRule<GroupRoot>(
    "has(self.spec.groupName) || !self.metadata.name.contains('.')",
    'metadata.name is not a valid group name (no dots): set spec.groupName',
    (self) => self.spec.groupName !== undefined || !self.metadata.name.includes('.'),
    { fieldPath: '.spec.groupName', reason: 'FieldValueRequired' },
  ),
  celRule<GroupRoot>(
    '(has(self.spec.groupName) ? self.spec.groupName : self.metadata.name) == ' +
      '(has(oldSelf.spec.groupName) ? oldSelf.spec.groupName : oldSelf.metadata.name)',
    'the group name (spec.groupName, else metadata.name) is immutable',
    (self, old) => groupName(self) === groupName(old),
    { fieldPath: '.spec.groupName' },
  ),
];

export const ConsumerGroupSchema = resourceSchema(ConsumerGroupSpec, ConsumerGroupStatus, consumerGroupRootRules);

export type ConsumerGroup = CustomResource<'ConsumerGroup', ConsumerGroupSpec, ConsumerGroupStatus>;

/** The name of the consumer group on the brokers. */
export const brokerGroupName = (group: Pick<ConsumerGroup, 'metadata' | 'spec'>): string =>
  group.spec.groupName ?? group.metadata.name ?? '';

export const CONSUMER_GROUP_PLURAL = 'consumergroups';

export const ConsumerGroupKind: KindDefinition = {
  kind: 'ConsumerGroup',
  plural: CONSUMER_GROUP_PLURAL,
  singular: 'consumergroup',
  shortNames: ['mqcg'],
  schema: ConsumerGroupSchema,
  description: 'A consumer group on every broker group of a BrokerCluster, optionally scaling a workload on its lag.',
  printerColumns: [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name' },
    { name: 'Group', type: 'string', jsonPath: '.status.groupName' },
    { name: 'FIFO', type: 'boolean', jsonPath: '.spec.fifo' },
    { name: 'Lag', type: 'integer', jsonPath: '.status.lag' },
    { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
    ...readyColumns,
    ageColumn,
  ],
};
