/**
 * Fault injection for tests: failing the next N matching requests (409 Conflict storms, 500s, 429s), latency, and
 * outages, either answered with 503 or with the listener closed so connections are refused. Matching is pure; the
 * server asks `check()` before it serves each request.
 */
import { conflict, KubeStatusError, type StatusReason } from './status.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const WRITE_VERBS: readonly Verb[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export interface RequestInfo {
  verb: Verb;
  group: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Which requests a fault applies to; absent fields match anything. `verbs` defaults to the write verbs. */
export interface RequestMatch {
  verbs?: readonly Verb[];
  group?: string;
  /** Resource plural: `configmaps`, `topics`. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** `''` for the main resource, `status`, `scale`. */
  subresource?: string;
}

export function matches(match: RequestMatch, req: RequestInfo): boolean {
  return (
    (match.verbs ?? WRITE_VERBS).includes(req.verb) &&
    (match.group === undefined || match.group === req.group) &&
    (match.resource === undefined || match.resource === req.plural) &&
    (match.namespace === undefined || match.namespace === req.namespace) &&
    (match.name === undefined || match.name === req.name) &&
    (match.subresource === undefined || match.subresource === (req.subresource ?? ''))
  );
}

export type OutageMode = 'unavailable' | 'refused';

export interface InjectedError {
  code: number;
  reason: StatusReason;
  message: string;
}

interface Rule {
  match: RequestMatch;
  remaining: number;
  error: (req: RequestInfo) => KubeStatusError;
}

export interface OutageHooks {
  refuse(): Promise<void>;
  restore(): Promise<void>;
  dropWatches(): void;
}

export class FaultInjector {
  private rules: Rule[] = [];
  private outageMode: OutageMode | undefined;
  /** Added before each request is served. */
  latencyMs = 0;

  constructor(private readonly hooks: OutageHooks) {}

  /** The next `count` matching writes fail with 409 Conflict, as if another writer got there first. */
  injectConflicts(count: number, match: RequestMatch = {}): void {
    this.rules.push({
      match,
      remaining: count,
      error: (req) => conflict({ group: req.group, plural: req.plural }, req.name ?? ''),
    });
  }

  /** The next `count` matching requests fail with the given status. */
  failNext(count: number, match: RequestMatch, error: InjectedError): void {
    this.rules.push({
      match,
      remaining: count,
      error: () => new KubeStatusError(error.code, error.reason, error.message),
    });
  }

  /** Consumes a matching rule, if any, and returns the error to answer with. */
  check(req: RequestInfo): KubeStatusError | undefined {
    if (this.outageMode === 'unavailable') {
      return new KubeStatusError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    }
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.match, req));
    if (!rule) return undefined;
    rule.remaining--;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return rule.error(req);
  }

  get outage(): OutageMode | undefined {
    return this.outageMode;
  }

  /** Starts an outage: open watches are closed, then requests get 503 or their connections are refused. */
  async startOutage(mode: OutageMode = 'unavailable'): Promise<void> {
    if (this.outageMode) await this.endOutage();
    this.outageMode = mode;
    this.hooks.dropWatches();
    if (mode === 'refused') await this.hooks.refuse();
  }

  async endOutage(): Promise<void> {
    const mode = this.outageMode;
    this.outageMode = undefined;
    if (mode === 'refused') await this.hooks.restore();
  }

  /** An outage for `durationMs`; resolves when the API is back. */
  async outageFor(durationMs: number, mode: OutageMode = 'unavailable'): Promise<void> {
    await this.startOutage(mode);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    await this.endOutage();
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
  }
}
