import type { ClusterRef } from '@rocketry/crds';
import type { BrokerAdmin } from '../../broker-admin/broker-admin.js';
import type { KubeObject } from '../../runtime/kube-object.js';
import type { ResourceType } from '../../runtime/resources.js';
import type { Backlog, Comparison, DeletionPolicy } from './decide.js';
import type { EntityStatusFields } from './entity-status.js';

/** On every Topic and ConsumerGroup the operator syncs: deleting the CR waits until the broker object is handled. */
export const ENTITY_FINALIZER = 'rocketry.io/finalizer';

/** A Topic or ConsumerGroup as the API sends it (spec possibly invalid). */
export interface EntityObject extends KubeObject {
  spec?: { clusterRef?: ClusterRef; deletionPolicy?: string } & Record<string, unknown>;
  status?: EntityStatusFields;
}

/** What differs between Topic and ConsumerGroup; the reconcile itself is the same. */
export interface EntityKind<T extends EntityObject, D, R> {
  readonly kind: string;
  readonly resource: ResourceType;
  /** `topic`, `consumer group`. */
  readonly noun: string;
  validate(obj: EntityObject): { valid: true; object: T } | { valid: false; message: string };
  /** The name on the brokers, also for an invalid spec (the CR's name when unset). */
  brokerName(obj: EntityObject): string;
  policy(obj: T): DeletionPolicy;
  desired(obj: T): D;
  compare(name: string, desired: D, reported: R, group: string): Comparison;
  read(admin: BrokerAdmin, name: string): Promise<R | undefined>;
  write(admin: BrokerAdmin, name: string, desired: D): Promise<unknown>;
  remove(admin: BrokerAdmin, name: string): Promise<boolean>;
  /** For DeleteIfEmpty. */
  backlog?(admin: BrokerAdmin, name: string): Promise<Backlog>;
  /** Kind-specific status fields: the broker name, and per group what it holds (`synced`: the desired object). */
  statusFields(name: string, groups: readonly { name: string; value: D | R }[]): Record<string, unknown>;
}
