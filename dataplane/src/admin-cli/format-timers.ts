import type { TopicTimers } from './admin-client.js';
import { formatDuration, renderTable } from './format.js';

/** Pending timers per topic: how many, when the next is due (UTC) and how long until then. */
export function formatTimers(rows: readonly TopicTimers[], topic?: string): string {
  if (rows.length === 0) return `no pending timers${topic === undefined ? '' : ` in topic ${topic}`}\n`;
  return renderTable(
    ['TOPIC', 'PENDING', 'NEXT DUE', 'IN'],
    rows.map((r) => [
      r.topic,
      String(r.pending),
      new Date(r.nextDueAt).toISOString(),
      r.nextDueInMs === 0 ? 'due' : formatDuration(r.nextDueInMs),
    ]),
  );
}
