import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import { EVENTS } from './resources.js';

export type EventType = 'Normal' | 'Warning';

/** Records core/v1 Events on objects. Reconcilers call it only when they did or found something, never per resync. */
export interface EventRecorder {
  record(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export const COMPONENT = 'rocketry-operator';

/**
 * Writes each event as its own core/v1 Event, fire-and-forget: a failed event write is logged and never fails a
 * reconcile. No aggregation (count stays 1); reconcilers emit on transitions only, so volume stays small.
 */
export class KubeEventRecorder implements EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly instance: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const { name = '', namespace = 'default', uid, resourceVersion } = obj.metadata ?? {};
    const at = this.now().toISOString();
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace, uid, resourceVersion },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: COMPONENT },
      reportingComponent: COMPONENT,
      reportingInstance: this.instance,
      firstTimestamp: at.replace(/\.\d+Z$/, 'Z'),
      lastTimestamp: at.replace(/\.\d+Z$/, 'Z'),
      count: 1,
    };
    this.log.info({ kind: obj.kind, namespace, name, type, reason, eventMessage: message }, 'event');
    this.client.create(EVENTS, event).catch((err: unknown) => this.log.warn({ err, reason }, 'event not recorded'));
  }
}
