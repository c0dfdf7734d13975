import type { Logger } from 'pino';
import type { Backoff } from './backoff.js';
import { Informer } from './informer.js';
import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './kube-object.js';
import type { ResourceType } from './resources.js';

const cacheId = (rt: ResourceType, labelSelector?: string) =>
  `${rt.group}/${rt.version}/${rt.plural}?${labelSelector ?? ''}`;

/** One informer per resource type and label selector, shared by every reconciler that declares it. */
export class CacheSet {
  private readonly informers = new Map<string, Informer<KubeObject>>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: {
      namespace?: string;
      backoff: Backoff;
      watchTimeoutSeconds: number;
      log: Logger;
    },
  ) {}

  informer<T extends KubeObject>(rt: ResourceType, labelSelector?: string): Informer<T> {
    const id = cacheId(rt, labelSelector);
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer<KubeObject>(this.client, rt, {
        ...this.options,
        ...(labelSelector !== undefined && { labelSelector }),
        log: this.options.log.child({ informer: rt.plural }),
      });
      this.informers.set(id, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** The informer of a type, whatever its selector (the first declared). */
  find<T extends KubeObject>(rt: ResourceType): Informer<T> | undefined {
    for (const informer of this.informers.values()) {
      if (informer.resource === rt || (informer.resource.plural === rt.plural && informer.resource.group === rt.group))
        return informer as unknown as Informer<T>;
    }
    return undefined;
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  get synced(): boolean {
    return [...this.informers.values()].every((i) => i.synced);
  }

  async whenSynced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.whenSynced()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
