import type { TopicTransactions } from './admin-client.js';
import { formatDuration, renderTable } from './format.js';

/** Unresolved transactions per topic: how many, and how long the oldest has waited. */
export function formatTransactions(rows: readonly TopicTransactions[], topic?: string): string {
  if (rows.length === 0) return `no unresolved transactions${topic === undefined ? '' : ` in topic ${topic}`}\n`;
  return renderTable(
    ['TOPIC', 'UNRESOLVED', 'OLDEST'],
    rows.map((r) => [r.topic, String(r.unresolved), formatDuration(r.oldestAgeMs)]),
  );
}
