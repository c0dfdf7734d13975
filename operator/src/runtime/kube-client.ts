import {
  type Configuration,
  createConfiguration,
  HttpMethod,
  type KubeConfig,
  ServerConfiguration,
  Watch,
} from '@kubernetes/client-node';
import { KubeApiError } from './errors.js';
import type { KubeObject } from './kube-object.js';
import { apiVersionOf, type ResourceType, resourcePath } from './resources.js';

export const FIELD_MANAGER = 'rocketry-operator';
const MERGE_PATCH = 'application/merge-patch+json';

export interface ListResult<T> {
  readonly items: T[];
  readonly resourceVersion: string;
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/** A watch in progress: `stop()` ends it (its `done` callback then runs). */
export interface WatchHandle {
  stop(): void;
}

/**
 * The one place that talks to the Kubernetes API (with watch and the informers built on it). It rides on client-node's
 * transport, authentication and TLS (the KubeConfig), but sends and returns plain JSON: timestamps stay strings,
 * custom resources and built-ins look the same, and no typed serializer drops fields. Strategic merge patch and
 * server-side apply are never used (CRD_DESIGN.md §9); patches are JSON merge patches with the content type set here.
 */
export class KubeClient {
  private readonly config: Configuration;
  private readonly watcher: Watch;

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly requestTimeoutMs = 30_000,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.config = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
    });
    this.watcher = new Watch(kubeConfig);
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string } = {},
  ): Promise<T> {
    const ctx = this.config.baseServer.makeRequestContext(path, HttpMethod[method]);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, v);
    ctx.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(options.body));
    }
    ctx.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    await this.config.authMethods.default?.applySecurityAuthentication(ctx);
    let response: Awaited<ReturnType<ReturnType<Configuration['httpApi']['send']>['toPromise']>>;
    try {
      response = await this.config.httpApi.send(ctx).toPromise();
    } catch (err) {
      // Connection refused, reset, DNS: the API is unreachable. Retried by the work queue like a 503.
      throw new KubeApiError(0, 'Unreachable', `${method} ${path}: ${(err as Error).message}`, { cause: err });
    }
    const text = await response.body.text();
    const parsed = text ? safeJson(text) : undefined;
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      const status = parsed as { reason?: string; message?: string } | undefined;
      throw new KubeApiError(
        response.httpStatusCode,
        status?.reason,
        `${method} ${path}: ${response.httpStatusCode} ${status?.message ?? text.slice(0, 200)}`,
      );
    }
    return parsed as T;
  }

  async get<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', resourcePath(rt, namespace, name));
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject>(
    rt: ResourceType,
    namespace?: string,
    options: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<ListResult<T>> {
    const list = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>(
      'GET',
      resourcePath(rt, namespace),
      { query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector } },
    );
    // Lists of built-in kinds leave apiVersion/kind off their items; put them back so every object names its kind.
    const items = (list.items ?? []).map((item) => ({ apiVersion: apiVersionOf(rt), kind: rt.kind, ...item }));
    return { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  create<T extends KubeObject>(rt: ResourceType, obj: T): Promise<T> {
    return this.request<T>('POST', resourcePath(rt, obj.metadata?.namespace), {
      body: obj,
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /** PUT with the object's resourceVersion: 409 Conflict when someone wrote in between. */
  replace<T extends KubeObject>(rt: ResourceType, obj: T, subresource?: string): Promise<T> {
    const { namespace, name = '' } = obj.metadata ?? {};
    return this.request<T>('PUT', resourcePath(rt, namespace, name, subresource), {
      body: obj,
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /** JSON merge patch (RFC 7386); a `metadata.resourceVersion` in the patch makes it conditional. */
  mergePatch<T extends KubeObject>(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    subresource?: string,
  ): Promise<T> {
    return this.request<T>('PATCH', resourcePath(rt, namespace, name, subresource), {
      body: patch,
      contentType: MERGE_PATCH,
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /** Deletes; "already gone" is success (false). */
  async delete(rt: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}) {
    try {
      await this.request('DELETE', resourcePath(rt, namespace, name), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', ...options },
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 404) return false;
      throw err;
    }
  }

  /**
   * Watches from `resourceVersion`: `onEvent` per ADDED/MODIFIED/DELETED/BOOKMARK/ERROR, `done` once when the stream
   * ends (null: closed normally; an error with `statusCode` when the server refused it).
   */
  async watch(
    rt: ResourceType,
    namespace: string | undefined,
    query: Record<string, string | undefined>,
    onEvent: (type: string, obj: KubeObject & { code?: number }) => void,
    done: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const controller = await this.watcher.watch(resourcePath(rt, namespace), query, onEvent, done);
    return { stop: () => controller.abort() };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
