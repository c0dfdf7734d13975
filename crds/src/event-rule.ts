import { type Static, Type } from '@sinclair/typebox';
import {
  ClusterRef,
  type CustomResource,
  celRule,
  DNS_LABEL,
  resourceSchema,
  StringEnum,
  statusBase,
} from './common.js';
import { ageColumn, type KindDefinition, readyColumns } from './crd.js';
import { TOPIC_NAME_PATTERN } from './topic.js';

/**
 * EventBridge-style routing: read a source topic with the rule's own consumer group, match a pattern over CloudEvents
 * 1.0 JSON, transform, deliver to targets. The engine comes later; until then the operator reports Ready=False with
 * reason NotSupported, so the shape here is deliberately small.
 */
export const EVENT_RULE_PLURAL = 'eventrules';
export const MAX_TARGETS = 5;
export const TRANSFORM_TYPES = ['None', 'JsonPath', 'Template'] as const;
export const RULE_STATES = ['Enabled', 'Disabled'] as const;
export const RULE_DELETION_POLICIES = ['Delete', 'Retain'] as const;

const TopicName = (description: string) =>
  Type.String({ description, minLength: 1, maxLength: 127, pattern: TOPIC_NAME_PATTERN });

export const EventTarget = Type.Object(
  {
    name: Type.String({
      description: 'Name of the target, unique in the rule.',
      minLength: 1,
      maxLength: 63,
      pattern: DNS_LABEL,
    }),
    topic: Type.Optional(
      Type.Object(
        { name: TopicName('Topic on the same cluster that receives the events.') },
        { description: 'Deliver to a topic.' },
      ),
    ),
    http: Type.Optional(
      Type.Object(
        {
          url: Type.String({
            description: 'Webhook URL; events are POSTed as CloudEvents (structured JSON).',
            minLength: 1,
            maxLength: 2048,
            pattern: '^https?://[^\\s/?#]+([/?#][^\\s]*)?$',
          }),
          authSecretRef: Type.Optional(
            Type.Object(
              {
                name: Type.String({ description: 'Secret name, in this namespace.', minLength: 1, maxLength: 253 }),
                key: Type.String({
                  description: 'Key of the bearer token (default token).',
                  minLength: 1,
                  maxLength: 253,
                  default: 'token',
                }),
              },
              { description: 'Bearer token sent as Authorization.' },
            ),
          ),
        },
        { description: 'Deliver to an HTTP webhook.' },
      ),
    ),
  },
  {
    description: 'Where matching events go: exactly one of topic or http.',
    'x-kubernetes-validations': [
      celRule<{ topic?: unknown; http?: unknown }>(
        'has(self.topic) != has(self.http)',
        'a target needs exactly one of topic or http',
        (self) => (self.topic !== undefined) !== (self.http !== undefined),
      ),
    ],
  },
);

export const Transform = Type.Object(
  {
    type: StringEnum(TRANSFORM_TYPES, {
      description: 'None delivers the event as is; JsonPath delivers the part it selects; Template renders a text.',
      default: 'None',
    }),
    jsonPath: Type.Optional(
      Type.String({
        description: 'JSONPath into the event, e.g. $.data (type JsonPath).',
        minLength: 1,
        maxLength: 1024,
      }),
    ),
    template: Type.Optional(
      Type.String({
        description: 'Template text with {{ $.data.field }} placeholders (type Template).',
        minLength: 1,
        maxLength: 16_384,
      }),
    ),
  },
  {
    description: 'How a matching event is reshaped before delivery.',
    default: {},
    'x-kubernetes-validations': [
      celRule<{ type: string; jsonPath?: string; template?: string }>(
        "(self.type == 'JsonPath') == has(self.jsonPath) && (self.type == 'Template') == has(self.template)",
        'transform.jsonPath is required for type JsonPath and transform.template for type Template, and only then',
        (self) =>
          (self.type === 'JsonPath') === (self.jsonPath !== undefined) &&
          (self.type === 'Template') === (self.template !== undefined),
      ),
    ],
  },
);

export const EventRuleSpec = Type.Object(
  {
    clusterRef: ClusterRef,
    source: Type.Object(
      { topic: TopicName('Topic the rule reads, with its own consumer group.') },
      { description: 'Where events come from.' },
    ),
    pattern: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'EventBridge event pattern over the CloudEvents 1.0 JSON of each message (e.g. {"type": [{"prefix": ' +
          '"order."}]}); every event matches when omitted. Its grammar is checked by the operator (reason ' +
          'InvalidSpec), not by the API server.',
        'x-kubernetes-preserve-unknown-fields': true,
      }),
    ),
    transform: Transform,
    targets: Type.Array(EventTarget, {
      description: `Where matching events go, 1 to ${MAX_TARGETS}.`,
      minItems: 1,
      maxItems: MAX_TARGETS,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    maxDeliveryAttempts: Type.Integer({
      description: 'Deliveries to a target, the first included, before the event goes to deadLetterTopic.',
      minimum: 1,
      maximum: 1000,
      default: 17,
    }),
    deadLetterTopic: Type.Optional(TopicName('Topic for events no target accepted; dropped when omitted.')),
    state: StringEnum(RULE_STATES, {
      description: 'Disabled stops delivery and keeps the position.',
      default: 'Enabled',
    }),
    deletionPolicy: StringEnum(RULE_DELETION_POLICIES, {
      description: "What deleting this object does to the rule's consumer group on the brokers: Delete or Retain it.",
      default: 'Delete',
    }),
  },
  { description: 'Filter, transform and route events from a topic to targets.' },
);
export type EventRuleSpec = Static<typeof EventRuleSpec>;

export const EventRuleStatus = Type.Object(
  {
    ...statusBase,
    consumerGroup: Type.Optional(
      Type.String({ description: 'The consumer group the rule reads its source with.', maxLength: 255 }),
    ),
  },
  {
    description:
      'Conditions: Ready (reasons Reconciled, NotSupported while the brokers have no eventing engine, ' +
      'ClusterNotFound, ClusterNotReady, InvalidSpec, ReconciliationPaused).',
  },
);
export type EventRuleStatus = Static<typeof EventRuleStatus>;

export const EventRuleSchema = resourceSchema(EventRuleSpec, EventRuleStatus);
export type EventRule = CustomResource<'EventRule', EventRuleSpec, EventRuleStatus>;

export const EventRuleKind: KindDefinition = {
  kind: 'EventRule',
  plural: EVENT_RULE_PLURAL,
  singular: 'eventrule',
  shortNames: ['mqer'],
  schema: EventRuleSchema,
  description: 'Routes events from a topic to topics or webhooks, with a pattern and a transform.',
  printerColumns: [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name' },
    { name: 'Source', type: 'string', jsonPath: '.spec.source.topic' },
    { name: 'State', type: 'string', jsonPath: '.spec.state' },
    ...readyColumns,
    ageColumn,
  ],
};
