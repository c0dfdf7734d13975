/** Every request the server answered, for tests that assert on API traffic ("no more than 2 writes per CR"). */
import { matches, type RequestInfo, type RequestMatch, WRITE_VERBS } from './faults.js';

export interface RequestRecord extends RequestInfo {
  method: string;
  path: string;
  /** The query string without `?`, e.g. `watch=true&resourceVersion=12`. */
  query: string;
  code: number;
  at: number;
}

export interface WriteFilter extends Omit<RequestMatch, 'verbs'> {
  /** Count refused writes too (409, 503...). Default false: only writes the server applied (2xx). */
  includeFailed?: boolean;
}

export class RequestLog {
  private readonly records: RequestRecord[] = [];

  add(record: RequestRecord): void {
    this.records.push(record);
  }

  all(): readonly RequestRecord[] {
    return [...this.records];
  }

  writes(filter: WriteFilter = {}): RequestRecord[] {
    return this.records.filter(
      (r) => matches({ ...filter, verbs: WRITE_VERBS }, r) && (filter.includeFailed || (r.code >= 200 && r.code < 300)),
    );
  }

  writeCounts(filter: WriteFilter = {}): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.writes(filter)) {
      if (r.name === undefined) continue;
      const key = `${r.namespace ?? ''}/${r.name}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }
}
