import { compileFilter, type FilterType, type MessageFilter } from '../../filter/filter-expression.js';
import { Code, DataplaneError } from '../../lib/errors.js';
import { validateGroupName } from '../../messaging/groups.js';
import { validateTopicName } from '../../storage/message-limits.js';
import { msFromTimestamp } from './convert.js';
import type { WireDuration, WireFilterExpression, WireResource } from './wire.js';

/** The group of a consumer request; ILLEGAL_CONSUMER_GROUP when missing or malformed. */
export function groupOf(resource: WireResource | undefined): string {
  const name = resource?.name ?? '';
  validateGroupName(name);
  return name;
}

/** The topic of a consumer request; ILLEGAL_TOPIC when missing or malformed. */
export function topicOf(resource: WireResource | undefined): string {
  const name = resource?.name ?? '';
  validateTopicName(name);
  return name;
}

/** Milliseconds of a protobuf Duration (same shape as a Timestamp); undefined when absent. */
export function msOfDuration(duration: WireDuration | undefined): number | undefined {
  return msFromTimestamp(duration);
}

const compiled = new Map<string, MessageFilter>();
const MAX_CACHED_FILTERS = 1000;

/**
 * The compiled filter of a subscription (TAG when unspecified; PROTOCOL.md §7.11). Compiled filters are cached, as
 * every receive of a consumer repeats its expression. ILLEGAL_FILTER_EXPRESSION for an unknown type or bad SQL.
 */
export function filterOf(wire: WireFilterExpression | undefined): MessageFilter {
  const type = filterTypeOf(wire?.type);
  const expression = wire?.expression ?? '*';
  const key = `${type}\u0000${expression}`;
  let filter = compiled.get(key);
  if (!filter) {
    filter = compileFilter({ type, expression });
    if (compiled.size >= MAX_CACHED_FILTERS) compiled.clear();
    compiled.set(key, filter);
  }
  return filter;
}

function filterTypeOf(type: string | number | undefined): FilterType {
  if (type === undefined || type === 'TAG' || type === 'FILTER_TYPE_UNSPECIFIED' || type === 0 || type === 1) {
    return 'TAG';
  }
  if (type === 'SQL' || type === 2) return 'SQL';
  throw new DataplaneError(Code.ILLEGAL_FILTER_EXPRESSION, `unknown filter type ${type}`);
}
