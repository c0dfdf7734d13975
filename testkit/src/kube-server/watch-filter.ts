/**
 * Turns a stored event into what one watch sees, as the apiserver's cacheWatcher does: an object that starts matching
 * the watch's namespace and selectors arrives as ADDED, one that stops matching leaves as DELETED (its previous state at
 * the event's resourceVersion), and events of other resources or non-matching objects are not sent.
 */
import type { KubeObject } from './kube-object.js';
import type { StoredEvent, WatchEventType } from './watch-hub.js';

export type ObjectFilter = (obj: KubeObject) => boolean;

export interface VisibleEvent {
  type: WatchEventType;
  object: KubeObject;
}

const atVersion = (obj: KubeObject, rv: number): KubeObject => ({
  ...obj,
  metadata: { ...obj.metadata, resourceVersion: String(rv) },
});

export function visibleEvent(event: StoredEvent, resource: string, filter: ObjectFilter): VisibleEvent | undefined {
  if (event.resource !== resource) return undefined;
  const now = filter(event.object);
  switch (event.type) {
    case 'ADDED':
      return now ? { type: 'ADDED', object: event.object } : undefined;
    case 'DELETED':
      return now ? { type: 'DELETED', object: event.object } : undefined;
    case 'MODIFIED': {
      const before = event.oldObject ? filter(event.oldObject) : false;
      if (now && before) return { type: 'MODIFIED', object: event.object };
      if (now) return { type: 'ADDED', object: event.object };
      if (before) return { type: 'DELETED', object: atVersion(event.oldObject!, event.resourceVersion) };
      return undefined;
    }
  }
}
