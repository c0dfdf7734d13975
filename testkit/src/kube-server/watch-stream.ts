/**
 * Streams a watch as the apiserver does: headers flushed at once, one JSON event per line, synthetic ADDED events for
 * the current state when the watch starts without a resourceVersion (or at "0"), replay from the history after a given
 * resourceVersion, an ERROR event carrying a 410 Expired Status (then the stream ends) when that version is older than
 * the history, BOOKMARK events when allowed, and the end of the stream after timeoutSeconds.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from './kube-object.js';
import type { ObjectStore } from './object-store.js';
import { objectFilter, present, type ResourceRoute } from './resource-handler.js';
import { apiVersionOf, type ResourceType, resourceKey } from './resource-types.js';
import { badRequest, gone } from './status.js';
import { visibleEvent } from './watch-filter.js';

export interface WatchStreamOptions {
  bookmarkIntervalMs: number;
  /** Used when the client sends no timeoutSeconds (the apiserver picks 30 to 60 minutes). */
  defaultTimeoutSeconds: number;
}

/** Starts a watch on `res`; returns a function that ends it (used by outages and `closeWatches`). */
export function serveWatch(
  res: ServerResponse,
  store: ObjectStore,
  type: ResourceType,
  route: ResourceRoute,
  query: URLSearchParams,
  options: WatchStreamOptions,
): () => void {
  const ns = type.namespaced ? route.namespace : undefined;
  let filter = objectFilter(type, ns, query);
  if (route.name !== undefined) {
    const byName = filter;
    filter = (o) => byName(o) && o.metadata.name === route.name;
  }
  const rvParam = query.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? options.defaultTimeoutSeconds);
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const sendInitialEvents = query.get('sendInitialEvents') === 'true';

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let ended = false;
  const write = (type: string, object: unknown) => {
    if (!ended) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    write('BOOKMARK', {
      kind: type.kind,
      apiVersion: apiVersionOf(type, route.version),
      metadata: { resourceVersion: String(store.currentResourceVersion), ...(annotations ? { annotations } : {}) },
    });

  const timers: NodeJS.Timeout[] = [];
  let stopSubscription = () => {};
  const end = () => {
    if (ended) return;
    ended = true;
    for (const t of timers) clearTimeout(t);
    stopSubscription();
    res.end();
  };
  res.on('close', end);

  const startFromState = rvParam === '' || rvParam === '0' || sendInitialEvents;
  let from = Number(rvParam || 0);
  if (startFromState) {
    for (const obj of store.list(type, ns).filter(filter)) write('ADDED', present(type, route.version, obj));
    from = store.currentResourceVersion;
    if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  }
  const key = resourceKey(type);
  const subscription = store.hub.subscribe(from, (event) => {
    const visible = visibleEvent(event, key, filter);
    if (visible) write(visible.type, present(type, route.version, visible.object as KubeObject));
  });
  if (subscription.kind === 'expired') {
    write('ERROR', gone(`too old resource version: ${from} (${subscription.oldest})`).toStatus());
    end();
    return end;
  }
  stopSubscription = subscription.stop;
  for (const event of subscription.replay) {
    const visible = visibleEvent(event, key, filter);
    if (visible) write(visible.type, present(type, route.version, visible.object));
  }
  if (timeoutSeconds > 0) {
    timers.push(
      setTimeout(() => {
        if (bookmarks) bookmark();
        end();
      }, timeoutSeconds * 1000),
    );
  }
  if (bookmarks && options.bookmarkIntervalMs > 0) {
    const interval = setInterval(bookmark, options.bookmarkIntervalMs);
    res.on('close', () => clearInterval(interval));
  }
  return end;
}
