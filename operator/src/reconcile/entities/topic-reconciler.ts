import { brokerTopicName, type Topic, validateSpec } from '@rocketry/crds';
import type { TopicDetail, TopicSpec } from '../../broker-admin/broker-admin.js';
import type { Reconciler } from '../../runtime/reconciler.js';
import { TOPICS } from '../../runtime/resources.js';
import type { EntityKind, EntityObject } from './entity-kind.js';
import { type EntityReconcilerDeps, entityReconciler } from './entity-reconciler.js';
import { compareTopic, desiredTopic, topicBacklog } from './topic-rules.js';

type TopicObject = Topic & EntityObject;

export const topicKind: EntityKind<TopicObject, TopicSpec, TopicDetail> = {
  kind: 'Topic',
  resource: TOPICS,
  noun: 'topic',
  validate(obj) {
    const v = validateSpec('Topic', obj);
    return v.valid ? { valid: true, object: v.object as TopicObject } : { valid: false, message: v.message };
  },
  brokerName: (obj) => brokerTopicName(obj as Topic),
  policy: (t) => t.spec.deletionPolicy,
  desired: (t) => desiredTopic(t.spec),
  compare: compareTopic,
  read: (admin, name) => admin.getTopic(name),
  write: (admin, name, desired) => admin.putTopic(name, desired),
  remove: (admin, name) => admin.deleteTopic(name),
  async backlog(admin, name) {
    const detail = await admin.getTopic(name);
    if (!detail) return { kind: 'known', messages: 0, detail: '' };
    const groups = await admin.listGroups();
    const lags = await Promise.all(groups.map((g) => admin.groupLag(g.name)));
    return topicBacklog(
      name,
      detail,
      lags.filter((l) => l !== undefined),
    );
  },
  statusFields: (name, groups) => ({
    topicName: name,
    brokerGroups: groups.map((g) => ({ name: g.name, queues: g.value.queues, messageType: g.value.messageType })),
  }),
};

/** Topic → a topic on every broker group of its cluster. */
export const topicReconciler = (deps: EntityReconcilerDeps): Reconciler<EntityObject> =>
  entityReconciler(topicKind, deps);
