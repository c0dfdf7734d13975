import { brokerGroupName, type ConsumerGroup, validateSpec } from '@rocketry/crds';
import type { GroupInfo } from '../../broker-admin/broker-admin.js';
import type { Reconciler } from '../../runtime/reconciler.js';
import { CONSUMER_GROUPS } from '../../runtime/resources.js';
import type { EntityKind, EntityObject } from './entity-kind.js';
import { type EntityReconcilerDeps, entityReconciler } from './entity-reconciler.js';
import { compareGroup, type DesiredGroup, desiredGroup } from './group-rules.js';

type ConsumerGroupObject = ConsumerGroup & EntityObject;

export const consumerGroupKind: EntityKind<ConsumerGroupObject, DesiredGroup, GroupInfo> = {
  kind: 'ConsumerGroup',
  resource: CONSUMER_GROUPS,
  noun: 'consumer group',
  validate(obj) {
    const v = validateSpec('ConsumerGroup', obj);
    return v.valid ? { valid: true, object: v.object as ConsumerGroupObject } : { valid: false, message: v.message };
  },
  brokerName: (obj) => brokerGroupName(obj as ConsumerGroup),
  policy: (g) => g.spec.deletionPolicy,
  desired: (g) => desiredGroup(g.spec),
  compare: compareGroup,
  read: (admin, name) => admin.getGroup(name),
  write: (admin, name, desired) => admin.putGroup(name, desired),
  remove: (admin, name) => admin.deleteGroup(name),
  statusFields: (name) => ({ groupName: name }),
};

/** ConsumerGroup → a consumer group on every broker group of its cluster (autoscaling is not handled here). */
export const consumerGroupReconciler = (deps: EntityReconcilerDeps): Reconciler<EntityObject> =>
  entityReconciler(consumerGroupKind, deps);
