import { BrokerClusterKind } from './broker-cluster.js';
import { ConsumerGroupKind } from './consumer-group.js';
import { type CustomResourceDefinition, customResourceDefinition, type KindDefinition } from './crd.js';
import { EventRuleKind } from './event-rule.js';
import { TopicKind } from './topic.js';

/** Every kind, in the order the manifests list them. */
export const KINDS = {
  BrokerCluster: BrokerClusterKind,
  Topic: TopicKind,
  ConsumerGroup: ConsumerGroupKind,
  EventRule: EventRuleKind,
} as const satisfies Record<string, KindDefinition>;
export type KindName = keyof typeof KINDS;

export const BrokerClusterCrd: CustomResourceDefinition = customResourceDefinition(BrokerClusterKind);
export const TopicCrd: CustomResourceDefinition = customResourceDefinition(TopicKind);
export const ConsumerGroupCrd: CustomResourceDefinition = customResourceDefinition(ConsumerGroupKind);
export const EventRuleCrd: CustomResourceDefinition = customResourceDefinition(EventRuleKind);

/** The CustomResourceDefinitions to install, one per kind. */
export const CRDS: readonly CustomResourceDefinition[] = [BrokerClusterCrd, TopicCrd, ConsumerGroupCrd, EventRuleCrd];
