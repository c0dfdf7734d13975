import { tagHashOf } from '../storage/dispatcher.js';

/**
 * A compiled RocketMQ tag expression (PROTOCOL §7.11).
 *
 * Grammar: `*` or empty (after trimming) = every message; otherwise `tag ( '||' tag )*`, each tag trimmed, empty
 * elements skipped, as RocketMQ's `FilterAPI.buildSubscriptionData` does. Matching is exact and case-sensitive, and an
 * untagged message (`''`) matches only `*`. A `*` inside a list is a literal tag, as in RocketMQ. A list with no
 * non-empty element (`||`) matches nothing.
 */
export interface TagFilter {
  readonly matchesAll: boolean;
  /** The subscribed tags; empty when `matchesAll`. */
  readonly tags: ReadonlySet<string>;
  /**
   * `tagHashOf` of each subscribed tag, for pre-filtering consume-queue entries; undefined when `matchesAll`.
   * Hashes collide, so a hash hit must be confirmed with `matches` on the real tag.
   */
  readonly tagHashes: ReadonlySet<number> | undefined;
  /** `tag` is the message's tag, `''` when it has none. */
  matches(tag: string): boolean;
}

const MATCH_ALL: TagFilter = {
  matchesAll: true,
  tags: new Set(),
  tagHashes: undefined,
  matches: () => true,
};

export function compileTagFilter(expression: string): TagFilter {
  const trimmed = expression.trim();
  if (trimmed === '' || trimmed === '*') return MATCH_ALL;
  const tags = new Set<string>();
  for (const part of trimmed.split('||')) {
    const tag = part.trim();
    if (tag !== '') tags.add(tag);
  }
  const tagHashes = new Set<number>();
  for (const tag of tags) tagHashes.add(tagHashOf(tag));
  return {
    matchesAll: false,
    tags,
    tagHashes,
    matches: (tag) => tag !== '' && tags.has(tag),
  };
}
