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

/** The broker's message types (dataplane admin API); sends must match the topic's type. */
export const MESSAGE_TYPES = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
/** Queue ids run 0..queues-1 and the broker's storage accepts ids up to 1023. */
export const MAX_QUEUES = 1024;
/** RocketMQ's charset for resource names; `%` may not lead (retry and dead-letter topics are `%RETRY%g`, `%DLQ%g`). */
export const TOPIC_NAME_PATTERN = '^[a-zA-Z0-9_|-][a-zA-Z0-9_|%-]{0,126}$';
/** Prefixes of the broker's own topics, which no Topic may claim. */
export const RESERVED_TOPIC_PREFIXES = ['__sys_', 'rmq_sys_'] as const;

export const TOPIC_DELETION_POLICIES = ['Delete', 'Retain', 'DeleteIfEmpty'] as const;

export const TopicSpec = Type.Object(
  {
    clusterRef: ClusterRef,
    topicName: Type.Optional(
      Type.String({
        description:
          'Name of the topic on the brokers; metadata.name when omitted (which then must have no dots and at most ' +
          '127 characters). Immutable: setting it later to the name in use is allowed, changing it is not.',
        minLength: 1,
        maxLength: 127,
        pattern: TOPIC_NAME_PATTERN,
        'x-kubernetes-validations': [
          celRule<string>(
            "!self.startsWith('__sys_') && !self.startsWith('rmq_sys_')",
            'topicName must not start with a reserved prefix (__sys_, rmq_sys_)',
            (self) => !RESERVED_TOPIC_PREFIXES.some((p) => self.startsWith(p)),
          ),
        ],
      }),
    ),
    messageType: StringEnum(MESSAGE_TYPES, {
      description: 'What the topic accepts: NORMAL, FIFO, DELAY or TRANSACTION messages. Immutable.',
      default: 'NORMAL',
    }),
    queues: Type.Integer({
      description: 'Queues per broker group. May grow, never shrink (queue ids and offsets stay valid).',
      minimum: 1,
      maximum: MAX_QUEUES,
      default: 8,
    }),
    deletionPolicy: StringEnum(TOPIC_DELETION_POLICIES, {
      description:
        'What deleting this object does to the topic on the brokers: Delete it, Retain it, or DeleteIfEmpty ' +
        '(delete once no consumer group has a backlog on it; until then Ready=False, reason DeletionBlocked).',
      default: 'Delete',
    }),
  },
  {
    description: 'A topic on every broker group of the referenced cluster.',
    'x-kubernetes-validations': [
      celRule<{ messageType: string }>(
        'self.messageType == oldSelf.messageType',
        'messageType is immutable',
        (self, old) => self.messageType === old.messageType,
        { fieldPath: '.messageType' },
      ),
      celRule<{ queues: number }>(
        'self.queues >= oldSelf.queues',
        'queues cannot be decreased',
        (self, old) => self.queues >= old.queues,
        { fieldPath: '.queues' },
      ),
    ],
  },
);
export type TopicSpec = Static<typeof TopicSpec>;

export const TopicStatus = Type.Object(
  {
    ...statusBase,
    topicName: Type.Optional(Type.String({ description: 'Name of the topic on the brokers.', maxLength: 127 })),
    brokerGroups: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String({ description: 'Broker group name.', maxLength: 127 }),
          queues: Type.Integer({ description: 'Queues the topic has on that group.', minimum: 0 }),
          messageType: Type.Optional(Type.String({ description: 'Message type the broker reports.', maxLength: 32 })),
        }),
        {
          description: 'Broker groups the topic was last synced to.',
          maxItems: 256,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
      ),
    ),
  },
  {
    description:
      'Conditions: Ready (reasons Reconciled, ClusterNotFound, ClusterNotReady, NamespaceNotAllowed, InvalidSpec, ' +
      'ResourceConflict, AdminError, DeletionBlocked, ReconciliationPaused).',
  },
);
export type TopicStatus = Static<typeof TopicStatus>;

/** The topic name on the brokers is spec.topicName, else metadata.name; CRD rules can read metadata.name at the root. */
interface TopicRoot {
  metadata: { name: string };
  spec: { topicName?: string };
}
const topicName = (o: TopicRoot) => o.spec.topicName ?? o.metadata.name;

export const topicRootRules: readonly CelRule[] = [
  celRule<TopicRoot>(
    "has(self.spec.topicName) || (self.metadata.name.size() <= 127 && !self.metadata.name.contains('.'))",
    'metadata.name is not a valid topic name (no dots, at most 127 characters): set spec.topicName',
    (self) =>
      self.spec.topicName !== undefined || (self.metadata.name.length <= 127 && !self.metadata.name.includes('.')),
    { fieldPath: '.spec.topicName', reason: 'FieldValueRequired' },
  ),
  celRule<TopicRoot>(
    '(has(self.spec.topicName) ? self.spec.topicName : self.metadata.name) == ' +
      '(has(oldSelf.spec.topicName) ? oldSelf.spec.topicName : oldSelf.metadata.name)',
    'the topic name (spec.topicName, else metadata.name) is immutable',
    (self, old) => topicName(self) === topicName(old),
    { fieldPath: '.spec.topicName' },
  ),
];

export const TopicSchema = resourceSchema(TopicSpec, TopicStatus, topicRootRules);

export type Topic = CustomResource<'Topic', TopicSpec, TopicStatus>;

/** The name of the topic on the brokers. */
export const brokerTopicName = (topic: Pick<Topic, 'metadata' | 'spec'>): string =>
  topic.spec.topicName ?? topic.metadata.name ?? '';

export const TOPIC_PLURAL = 'topics';

export const TopicKind: KindDefinition = {
  kind: 'Topic',
  plural: TOPIC_PLURAL,
  singular: 'topic',
  shortNames: ['mqt'],
  schema: TopicSchema,
  description: 'A topic on every broker group of a BrokerCluster, synced through the broker admin API.',
  printerColumns: [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name' },
    { name: 'Topic', type: 'string', jsonPath: '.status.topicName' },
    { name: 'Type', type: 'string', jsonPath: '.spec.messageType' },
    { name: 'Queues', type: 'integer', jsonPath: '.spec.queues' },
    ...readyColumns,
    ageColumn,
  ],
};
