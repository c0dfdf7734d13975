import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.js';
import { visibleEvent } from './watch-filter.js';
import { type StoredEvent, WatchHub } from './watch-hub.js';

const obj = (name: string, rv: number, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: 'ns', resourceVersion: String(rv), labels },
});
const added = (rv: number, resource = '/configmaps'): StoredEvent => ({
  type: 'ADDED',
  resource,
  resourceVersion: rv,
  object: obj(`o${rv}`, rv),
});

describe('WatchHub', () => {
  it('replays the events after a resourceVersion, then delivers new ones', () => {
    const hub = new WatchHub(10);
    hub.publish(added(2));
    hub.publish(added(3));
    const seen: number[] = [];
    const sub = hub.subscribe(2, (e) => seen.push(e.resourceVersion));
    expect(sub.kind === 'watching' && sub.replay.map((e) => e.resourceVersion)).toEqual([3]);
    hub.publish(added(4));
    expect(seen).toEqual([4]);
    if (sub.kind === 'watching') sub.stop();
    hub.publish(added(5));
    expect(seen).toEqual([4]);
  });

  it('expires a watch from before the oldest retained event, as etcd compaction does', () => {
    const hub = new WatchHub(2);
    for (let rv = 2; rv <= 20; rv++) hub.publish(added(rv));
    const history = hub.history().map((e) => e.resourceVersion);
    expect(history.length).toBeLessThanOrEqual(3);
    expect(history.at(-1)).toBe(20);
    const oldest = history[0]!;
    expect(hub.subscribe(oldest - 2, () => {})).toEqual({ kind: 'expired', oldest: oldest - 1 });
    expect(hub.subscribe(oldest - 1, () => {}).kind).toBe('watching');
  });

  it('compacts the history up to a resourceVersion on demand', () => {
    const hub = new WatchHub(100);
    for (const rv of [2, 3, 4]) hub.publish(added(rv));
    hub.compact(4);
    expect(hub.history()).toEqual([]);
    expect(hub.subscribe(3, () => {}).kind).toBe('expired');
    expect(hub.subscribe(4, () => {}).kind).toBe('watching');
  });
});

describe('visibleEvent', () => {
  const app = (o: KubeObject) => o.metadata.labels?.app === 'a';
  const modified = (before: Record<string, string>, after: Record<string, string>): StoredEvent => ({
    type: 'MODIFIED',
    resource: '/configmaps',
    resourceVersion: 9,
    object: obj('x', 9, after),
    oldObject: obj('x', 8, before),
  });

  it('ignores other resources and objects outside the selector', () => {
    expect(visibleEvent(added(2, 'apps/deployments'), '/configmaps', () => true)).toBeUndefined();
    expect(visibleEvent(added(2), '/configmaps', app)).toBeUndefined();
  });

  it('sends an object that starts matching as ADDED and one that stops as DELETED at the new version', () => {
    expect(visibleEvent(modified({}, { app: 'a' }), '/configmaps', app)?.type).toBe('ADDED');
    const left = visibleEvent(modified({ app: 'a' }, {}), '/configmaps', app);
    expect(left?.type).toBe('DELETED');
    expect(left?.object.metadata.labels).toEqual({ app: 'a' });
    expect(left?.object.metadata.resourceVersion).toBe('9');
    expect(visibleEvent(modified({ app: 'a' }, { app: 'a' }), '/configmaps', app)?.type).toBe('MODIFIED');
  });
});
