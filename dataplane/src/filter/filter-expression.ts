import { compileSql92 } from './sql92/index.js';
import { compileTagFilter } from './tag-filter.js';

export type FilterType = 'TAG' | 'SQL';

export interface FilterExpression {
  readonly type: FilterType;
  readonly expression: string;
}

export interface FilterableMessage {
  /** '' = untagged. */
  readonly tag: string;
  readonly properties: Readonly<Record<string, string>>;
}

/** A compiled subscription filter, the one entry point the broker uses (PROTOCOL §7.11). */
export interface MessageFilter {
  readonly type: FilterType;
  readonly expression: string;
  /** Every message matches (`*` or an empty tag expression): nothing needs to be stepped over. */
  readonly matchesAll: boolean;
  matches(message: FilterableMessage): boolean;
  /**
   * TAG filters other than `*`: the consume-queue tag hashes that can match. An entry whose hash is absent can be
   * skipped without reading the commit log; a hash present must still be confirmed with `matches` (hashes collide).
   * Undefined when every hash can match (`*`, empty, SQL).
   */
  readonly tagHashes?: ReadonlySet<number>;
}

/** Throws `DataplaneError(ILLEGAL_FILTER_EXPRESSION)` for an invalid SQL expression; every tag expression is valid. */
export function compileFilter(filter: FilterExpression): MessageFilter {
  const { type, expression } = filter;
  if (type === 'SQL') {
    const sql = compileSql92(expression);
    return { type, expression, matchesAll: false, matches: (message) => sql.matches(message.properties, message.tag) };
  }
  const tags = compileTagFilter(expression);
  return {
    type,
    expression,
    matchesAll: tags.matchesAll,
    matches: (message) => tags.matches(message.tag),
    ...(tags.tagHashes === undefined ? {} : { tagHashes: tags.tagHashes }),
  };
}
