/**
 * An in-process Kubernetes API server for tests: node:http on 127.0.0.1, plain JSON, the REST protocol and semantics
 * that controllers built on @kubernetes/client-node rely on (see README.md for what is and is not emulated). Tests
 * reach the store, the event history, a log of every request and the fault injector through this object.
 */

import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { BackgroundControllers } from './background-controllers.js';
import { FaultInjector, type Verb } from './faults.js';
import { discoveryDocument, parseBody, readBody, resourceNotFound, send } from './http-io.js';
import type { KubeObject } from './kube-object.js';
import { type KubeConfigOptions, kubeConfigOptions, kubeconfigYaml } from './kubeconfig.js';
import { type Admission, ObjectStore } from './object-store.js';
import { RequestLog, type RequestRecord, type WriteFilter } from './request-log.js';
import { ResourceHandler, type ResourceRoute, verbOf } from './resource-handler.js';
import { fromCrd, type ResourceType, resourceKey } from './resource-types.js';
import { parseRoute } from './routes.js';
import { KubeStatusError } from './status.js';
import type { StoredEvent } from './watch-hub.js';
import { serveWatch } from './watch-stream.js';

export interface KubeServerOptions {
  port?: number;
  /** Events the watch history keeps; watches from an older resourceVersion get 410 Gone. Default 10,000. */
  historySize?: number;
  now?: () => Date;
  /** Refuse creates in missing (404) or terminating (403) namespaces. Default true, as in a cluster. */
  namespaceLifecycle?: boolean;
  admission?: Admission;
  /** BOOKMARK interval for watches that allow them. Default 60 s, like the apiserver. */
  bookmarkIntervalMs?: number;
  /** Watch length when the client sends no timeoutSeconds. Default 1,800 s. */
  defaultWatchTimeoutSeconds?: number;
  /** Delay before the garbage collector and namespace/CRD cleanup run after a write. Default 0 (next timer tick). */
  backgroundDelayMs?: number;
}

export class KubeServer {
  readonly store: ObjectStore;
  readonly faults: FaultInjector;
  private readonly controllers: BackgroundControllers;
  private readonly handler: ResourceHandler;
  private readonly log = new RequestLog();
  /** Open watches: how to end each, by the resource (`group/plural`) it watches. */
  private readonly watches = new Map<() => void, string>();
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private readonly tempDirs: string[] = [];

  private constructor(
    private readonly server: Server,
    private readonly options: KubeServerOptions,
  ) {
    this.store = new ObjectStore({
      now: options.now ?? (() => new Date()),
      historySize: options.historySize ?? 10_000,
      namespaceLifecycle: options.namespaceLifecycle ?? true,
      ...(options.admission ? { admission: options.admission } : {}),
      // The background controllers run after every change, whether it came through HTTP or `kube.store`.
      onChange: () => this.controllers?.onChange(),
    });
    this.controllers = new BackgroundControllers(this.store, options.backgroundDelayMs ?? 0);
    this.handler = new ResourceHandler(this.store);
    this.faults = new FaultInjector({
      refuse: () => this.closeListener(),
      restore: () => this.listen(this.port),
      dropWatches: () => this.closeWatches(),
    });
    // A CRD that is gone takes its kind's watches with it, as the apiserver tears down that kind's handler.
    this.store.hub.subscribe(this.store.currentResourceVersion, (event) => {
      if (event.type !== 'DELETED' || event.resource !== 'apiextensions.k8s.io/customresourcedefinitions') return;
      const served = resourceKey(fromCrd(event.object));
      for (const [end, key] of [...this.watches]) if (key === served) end();
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => void this.onRequest(req, res));
  }

  static async start(options: KubeServerOptions = {}): Promise<KubeServer> {
    const kube = new KubeServer(createServer(), options);
    await kube.listen(options.port ?? 0);
    return kube;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Options for `KubeConfig.loadFromOptions`, pointing at this server. */
  kubeConfigOptions(): KubeConfigOptions {
    return kubeConfigOptions(this.url);
  }

  /** A kubeconfig file's text, for `--kubeconfig PATH` or `KUBECONFIG`. */
  kubeconfigYaml(): string {
    return kubeconfigYaml(this.url);
  }

  /**
   * Writes a kubeconfig file for this server and returns its path: `path` if given, else a file in a fresh temporary
   * directory that `stop()` removes.
   */
  async writeKubeconfig(path?: string): Promise<string> {
    let target = path;
    if (target === undefined) {
      const dir = await mkdtemp(join(tmpdir(), 'rocketry-kube-'));
      this.tempDirs.push(dir);
      target = join(dir, 'kubeconfig');
    }
    await writeFile(target, this.kubeconfigYaml());
    return target;
  }

  /** A client-node KubeConfig for this server (client-node is loaded on first use, so importing testkit stays cheap). */
  async kubeConfig(): Promise<KubeConfig> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromOptions(this.kubeConfigOptions());
    return kc;
  }

  /**
   * Creates an object from its manifest (apiVersion, kind, metadata.namespace), with every server rule applied but
   * without a request: for arranging a test, e.g. installing the CRDs from `crds/` exactly as written (client-node's
   * typed models would drop schema keys such as `x-kubernetes-preserve-unknown-fields`).
   */
  createObject(manifest: KubeObject): KubeObject {
    const type = this.store.registry.byKind(String(manifest.apiVersion ?? ''), String(manifest.kind ?? ''));
    if (!type) throw new KubeStatusError(404, 'NotFound', `no resource serves ${manifest.apiVersion} ${manifest.kind}`);
    return this.store.create(type, type.namespaced ? (manifest.metadata.namespace ?? 'default') : undefined, manifest);
  }

  /** Every request served so far, oldest first. */
  requests(): readonly RequestRecord[] {
    return this.log.all();
  }

  /** Writes (create, update, patch, delete) that matched `filter`. */
  writes(filter: WriteFilter = {}): RequestRecord[] {
    return this.log.writes(filter);
  }

  /** Applied writes per object (`namespace/name`), e.g. to assert "no more than 2 writes per CR". */
  writeCounts(filter: WriteFilter = {}): Map<string, number> {
    return this.log.writeCounts(filter);
  }

  /** The watch history: every ADDED / MODIFIED / DELETED still retained, oldest first. */
  events(): readonly StoredEvent[] {
    return this.store.hub.history();
  }

  /** Forgets the watch history, so any watch resuming from an earlier resourceVersion gets 410 Gone. */
  compactHistory(): void {
    this.store.hub.compact(this.store.currentResourceVersion);
  }

  /** Ends every open watch, as an apiserver restart or a load balancer timeout does. */
  closeWatches(): void {
    for (const end of [...this.watches.keys()]) end();
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /** Runs the garbage collector and namespace/CRD cleanup now instead of after `backgroundDelayMs`. */
  settle(): void {
    this.controllers.settle();
  }

  async stop(): Promise<void> {
    this.controllers.stop();
    await this.faults.endOutage();
    this.closeWatches();
    await this.closeListener();
    await Promise.all(this.tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }

  private async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async closeListener(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      verb: 'get',
      group: '',
      plural: '',
      code: 0,
      at: Date.now(),
    };
    try {
      const raw = await readBody(req);
      if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
      this.serve(req, res, url, raw, record);
    } catch (err) {
      const status =
        err instanceof KubeStatusError
          ? err
          : new KubeStatusError(500, 'InternalError', `internal error: ${String(err)}`);
      record.code = status.code;
      send(res, status.code, status.toStatus());
    }
    this.log.add(record);
  }

  private serve(req: IncomingMessage, res: ServerResponse, url: URL, raw: string, record: RequestRecord): void {
    if (this.faults.outage === 'unavailable') {
      throw new KubeStatusError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    }
    const route = parseRoute(url.pathname);
    if (route.kind !== 'resource') {
      const doc = discoveryDocument(route, this.store.registry.all());
      record.code = 200;
      if (typeof doc === 'string') res.writeHead(200, { 'Content-Type': 'text/plain' }).end(doc);
      else send(res, 200, doc);
      return;
    }
    const query = url.searchParams;
    const verb = verbOf(req.method ?? 'GET', route, query);
    Object.assign(record, {
      verb,
      group: route.group,
      plural: route.plural,
      ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
      ...(route.name !== undefined ? { name: route.name } : {}),
      ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
    });
    const type = this.store.registry.find(route.group, route.version, route.plural);
    const wrongScope =
      type &&
      ((!type.namespaced && route.namespace !== undefined) ||
        (type.namespaced && route.namespace === undefined && verb !== 'list' && verb !== 'watch'));
    if (!type || wrongScope) throw resourceNotFound();
    const body = parseBody(raw, req.method ?? 'GET');
    // A create names its object in the body, not the URL; record it so writes can be counted per object.
    const named = (body as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
    if (verb === 'create' && typeof named === 'string') record.name = named;
    const fault = this.faults.check(record);
    if (fault) throw fault;
    if (verb === 'watch') {
      this.watch(res, type, route, query, record);
      return;
    }
    const result = this.handler.handle(verb, type, route, query, req.headers['content-type'] ?? '', body);
    record.code = result.status;
    const created = result.body as { metadata?: { name?: string } };
    if (verb === 'create' && created.metadata?.name) record.name = created.metadata.name;
    send(res, result.status, result.body);
  }

  private watch(
    res: ServerResponse,
    type: ResourceType,
    route: ResourceRoute,
    query: URLSearchParams,
    record: RequestRecord,
  ): void {
    const end = serveWatch(res, this.store, type, route, query, {
      bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 60_000,
      defaultTimeoutSeconds: this.options.defaultWatchTimeoutSeconds ?? 1800,
    });
    record.code = 200;
    if (res.writableEnded) return;
    this.watches.set(end, resourceKey(type));
    res.on('close', () => this.watches.delete(end));
  }
}

export type { RequestRecord, Verb, WriteFilter };
