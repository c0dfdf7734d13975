/**
 * Serves one resource request (everything but the watch stream): decides the verb, reads query options, calls the
 * store and shapes the answer as the apiserver does (list kinds, list items without apiVersion/kind for built-ins,
 * delete answers, the scale subresource, dryRun).
 */
import type { Verb } from './faults.js';
import type { KubeObject } from './kube-object.js';
import { isPlainObject } from './kube-object.js';
import type { UpdateTarget } from './object-rules.js';
import type { DeleteOptions, ObjectStore, PatchType, PropagationPolicy, WriteOptions } from './object-store.js';
import { type Json, jsonPatch, mergePatch } from './patch.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import type { Route } from './routes.js';
import { applyScale, toScale } from './scale.js';
import {
  checkFieldSelector,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.js';
import { badRequest, KubeStatusError, success } from './status.js';
import type { ObjectFilter } from './watch-filter.js';

export type ResourceRoute = Extract<Route, { kind: 'resource' }>;

export interface ApiResult {
  status: number;
  body: unknown;
}

const notAllowed = (method: string) =>
  new KubeStatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  );

export function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): Verb {
  const watch = route.watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
      return route.name === undefined ? (watch ? 'watch' : 'list') : watch ? 'watch' : 'get';
    case 'POST':
      if (route.name !== undefined) throw notAllowed(method);
      return 'create';
    case 'PUT':
      if (route.name === undefined) throw notAllowed(method);
      return 'update';
    case 'PATCH':
      if (route.name === undefined) throw notAllowed(method);
      return 'patch';
    case 'DELETE':
      return route.name === undefined ? 'deletecollection' : 'delete';
    default:
      throw new KubeStatusError(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource`,
      );
  }
}

export function patchTypeOf(contentType: string): PatchType {
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (media === 'application/merge-patch+json') return 'merge';
  if (media === 'application/json-patch+json') return 'json';
  if (media === 'application/strategic-merge-patch+json') return 'strategic';
  throw new KubeStatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${media || 'none'}; server-side apply is not supported by the test server)`,
  );
}

/** The object as served at `version`: custom resources served at several versions differ only in apiVersion. */
export function present(type: ResourceType, version: string, obj: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(type, version);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

/** Namespace, label selector and field selector of a list or watch, as one predicate. Throws 400 on bad selectors. */
export function objectFilter(type: ResourceType, namespace: string | undefined, query: URLSearchParams): ObjectFilter {
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined);
  checkFieldSelector(fields, type.fieldSelectors);
  return (obj) =>
    (namespace === undefined || !type.namespaced || obj.metadata.namespace === namespace) &&
    matchesLabels(labels, obj.metadata.labels) &&
    matchesFields(fields, obj);
}

function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const b = isPlainObject(body) ? body : {};
  let policy = (query.get('propagationPolicy') ?? b.propagationPolicy) as PropagationPolicy | undefined;
  const orphan = query.get('orphanDependents') ?? b.orphanDependents;
  if (policy === undefined && (orphan === true || orphan === 'true')) policy = 'Orphan';
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}"`);
  }
  const pre = isPlainObject(b.preconditions) ? (b.preconditions as DeleteOptions['preconditions']) : undefined;
  const grace = query.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  return {
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(pre ? { preconditions: pre } : {}),
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
  };
}

interface ContinueToken {
  after: string;
}

export class ResourceHandler {
  constructor(private readonly store: ObjectStore) {}

  handle(
    verb: Verb,
    type: ResourceType,
    route: ResourceRoute,
    query: URLSearchParams,
    contentType: string,
    body: unknown,
  ): ApiResult {
    const ns = type.namespaced ? route.namespace : undefined;
    const name = route.name ?? '';
    const write: WriteOptions = {
      dryRun: query.getAll('dryRun').includes('All'),
      ...(query.get('fieldValidation') === 'Strict' ? { fieldValidation: 'Strict' as const } : {}),
    };
    const sub = route.subresource ?? '';
    if (
      sub !== '' &&
      !(sub === 'status' && type.statusSubresource) &&
      !(sub === 'scale' && type.scale) &&
      !(sub === 'finalize' && type.plural === 'namespaces' && type.group === '')
    ) {
      throw new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (sub === 'scale') return this.scale(verb, type, route, contentType, body, write);
    const target: UpdateTarget = sub === 'status' ? 'status' : 'main';
    const out = (status: number, obj: KubeObject) => ({ status, body: present(type, route.version, obj) });
    switch (verb) {
      case 'get':
        return out(200, this.store.get(type, ns, name));
      case 'list':
        return this.list(type, route, ns, query);
      case 'create': {
        if (sub !== '') throw new KubeStatusError(405, 'MethodNotAllowed', 'create is not allowed on a subresource');
        const created = this.store.create(type, ns, body as KubeObject, write);
        return out(201, created);
      }
      case 'update': {
        const updated =
          sub === 'finalize'
            ? this.finalize(type, name, body)
            : this.store.update(type, ns, name, body as KubeObject, target, write);
        return out(200, updated);
      }
      case 'patch': {
        const updated = this.store.patch(type, ns, name, patchTypeOf(contentType), body as Json, target, write);
        return out(200, updated);
      }
      case 'delete': {
        const { deleted, object } = this.store.delete(type, ns, name, deleteOptions(query, body), write);
        if (deleted && !type.returnDeletedObject)
          return { status: 200, body: success(type, name, object.metadata.uid ?? '') };
        return out(200, object);
      }
      case 'deletecollection': {
        const filter = objectFilter(type, ns, query);
        const items = this.store.list(type, ns).filter(filter);
        for (const item of items) {
          if (!this.store.find(type, item.metadata.namespace, item.metadata.name!)) continue;
          this.store.delete(type, item.metadata.namespace, item.metadata.name!, deleteOptions(query, body), write);
        }
        return this.listResult(type, route, items, this.store.currentResourceVersion);
      }
      default:
        throw new KubeStatusError(405, 'MethodNotAllowed', `${verb} is not served here`);
    }
  }

  /** Namespaces' /finalize replaces spec.finalizers only. */
  private finalize(type: ResourceType, name: string, body: unknown): KubeObject {
    const old = this.store.get(type, undefined, name);
    const finalizers = isPlainObject(body) && isPlainObject(body.spec) ? body.spec.finalizers : undefined;
    return this.store.systemUpdate(type, old, (o) => {
      o.spec = { ...(o.spec as object), finalizers: Array.isArray(finalizers) ? finalizers : [] };
    });
  }

  private list(type: ResourceType, route: ResourceRoute, ns: string | undefined, query: URLSearchParams): ApiResult {
    const filter = objectFilter(type, ns, query);
    let items = this.store.list(type, ns).filter(filter);
    const rv = this.store.currentResourceVersion;
    const token = query.get('continue');
    if (token) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(token, 'base64url').toString()) as ContinueToken).after;
      } catch {
        throw badRequest('continue key is not valid');
      }
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > after);
    }
    const limit = Number(query.get('limit') ?? 0);
    let next: string | undefined;
    let remaining = 0;
    if (limit > 0 && items.length > limit) {
      remaining = items.length - limit;
      items = items.slice(0, limit);
      const last = items.at(-1)!;
      next = Buffer.from(JSON.stringify({ after: `${last.metadata.namespace ?? ''}/${last.metadata.name}` })).toString(
        'base64url',
      );
    }
    return this.listResult(type, route, items, rv, next, remaining);
  }

  private listResult(
    type: ResourceType,
    route: ResourceRoute,
    items: KubeObject[],
    rv: number,
    next?: string,
    remaining = 0,
  ): ApiResult {
    return {
      status: 200,
      body: {
        kind: type.listKind,
        apiVersion: apiVersionOf(type, route.version),
        metadata: { resourceVersion: String(rv), ...(next ? { continue: next, remainingItemCount: remaining } : {}) },
        items: items.map((o) => {
          if (type.custom) return present(type, route.version, o);
          const { apiVersion: _a, kind: _k, ...rest } = o;
          return rest;
        }),
      },
    };
  }

  private scale(
    verb: Verb,
    type: ResourceType,
    route: ResourceRoute,
    contentType: string,
    body: unknown,
    write: WriteOptions,
  ): ApiResult {
    const ns = type.namespaced ? route.namespace : undefined;
    const name = route.name ?? '';
    const current = this.store.get(type, ns, name);
    let scale: unknown;
    if (verb === 'get') return { status: 200, body: toScale(type, current) };
    if (verb === 'update') scale = body;
    else if (verb === 'patch') {
      const patchType = patchTypeOf(contentType);
      const base = toScale(type, current) as unknown as Json;
      scale = patchType === 'json' ? jsonPatch(base, body as Json) : mergePatch(base, body as Json);
    } else throw new KubeStatusError(405, 'MethodNotAllowed', `${verb} is not allowed on scale`);
    const desired = applyScale(type, current, scale);
    // An unconditional scale write (no resourceVersion in the Scale) applies to whatever is stored now.
    desired.metadata.resourceVersion ??= current.metadata.resourceVersion;
    const updated = this.store.update(type, ns, name, desired, 'main', write);
    return { status: 200, body: toScale(type, updated) };
  }
}
