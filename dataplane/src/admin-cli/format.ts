import type { AdminFailure, Group, GroupLag, Message, OffsetReset, Topic, TopicDetail } from './admin-client.js';

/** Human-readable renderings of admin API answers. Pure: every function returns the text, newline-terminated. */

/** Left-aligned columns two spaces apart; the last column is not padded, so lines carry no trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all
    .map((row) =>
      headers
        .map((_, col) => (col === headers.length - 1 ? (row[col] ?? '') : (row[col] ?? '').padEnd(widths[col] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** `label  value` lines with the values aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${`${label.padEnd(width)}  ${value}`.trimEnd()}\n`).join('');
}

export function formatTopicList(topics: readonly Topic[]): string {
  if (topics.length === 0) return 'no topics\n';
  return renderTable(
    ['NAME', 'TYPE', 'QUEUES', 'ACCEPTS'],
    topics.map((t) => [t.name, t.messageType, String(t.queues), t.acceptMessageTypes.join(',')]),
  );
}

export function formatTopicDetail(topic: TopicDetail): string {
  const fields = renderFields([
    ['name', topic.name],
    ['type', topic.messageType],
    ['queues', String(topic.queues)],
    ['accepts', topic.acceptMessageTypes.join(',')],
  ]);
  const queues = renderTable(
    ['QUEUE', 'MIN OFFSET', 'MAX OFFSET'],
    topic.queueOffsets.map((q) => [String(q.queueId), q.minOffset, q.maxOffset]),
  );
  return `${fields}\n${queues}`;
}

export function formatMessage(message: Message): string {
  return renderFields([
    ['message id', message.messageId],
    ['topic', message.topic],
    ['queue', String(message.queueId)],
    ['queue offset', message.queueOffset],
    ['tag', message.tag],
    ['keys', message.keys.join(',')],
    ['born', timestamp(message.bornTimestamp)],
    ['stored', timestamp(message.storeTimestamp)],
    ...Object.entries(message.properties)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]): [string, string] => [`property ${name}`, value]),
    ['body', bodyPreview(message)],
  ]);
}

export function formatMessageList(messages: readonly Message[], topic: string, key: string): string {
  if (messages.length === 0) return `no messages with key ${key} in topic ${topic}\n`;
  return renderTable(
    ['MESSAGE ID', 'QUEUE', 'OFFSET', 'TAG', 'STORED', 'KEYS'],
    messages.map((m) => [
      m.messageId,
      String(m.queueId),
      m.queueOffset,
      m.tag,
      timestamp(m.storeTimestamp),
      m.keys.join(','),
    ]),
  );
}

export function formatGroupList(groups: readonly Group[]): string {
  if (groups.length === 0) return 'no groups\n';
  return renderTable(
    ['NAME', 'FIFO', 'MAX ATTEMPTS', 'RETRY BACKOFF'],
    groups.map((g) => [g.name, g.fifo ? 'yes' : 'no', String(g.maxDeliveryAttempts), retryBackoff(g)]),
  );
}

export function formatGroupDetail(group: Group): string {
  const { initialMs, maxMs, multiplier } = group.retryPolicy;
  return renderFields([
    ['name', group.name],
    ['fifo', group.fifo ? 'yes' : 'no'],
    ['max attempts', `${group.maxDeliveryAttempts} (deliveries, the first one included)`],
    ['retry initial', `${initialMs} ms`],
    ['retry max', `${maxMs} ms`],
    ['retry multiplier', String(multiplier)],
    ['dead letters', group.deadLetterTopic],
  ]);
}

/** One row per topic and queue the group consumes on this broker, then the totals the broker summed. */
export function formatGroupLag(lag: GroupLag): string {
  if (lag.queues.length === 0) return `group ${lag.group} has consumed nothing on this broker yet\n`;
  return renderTable(
    ['TOPIC', 'QUEUE', 'COMMITTED', 'MAX', 'READY', 'INFLIGHT', 'OLDEST READY'],
    [
      ...lag.queues.map((q) => [
        q.topic,
        String(q.queueId),
        String(q.committedOffset),
        String(q.maxOffset),
        String(q.ready),
        String(q.inflight),
        q.oldestReadyAgeMs === null ? '-' : formatDuration(q.oldestReadyAgeMs),
      ]),
      ['total', '', '', '', String(lag.ready), String(lag.inflight), ''],
    ],
  );
}

export function formatOffsetReset(reset: OffsetReset): string {
  const table = renderTable(
    ['QUEUE', 'OFFSET'],
    reset.offsets.map((o) => [String(o.queueId), String(o.offset)]),
  );
  return `reset group ${reset.group} in topic ${reset.topic} to ${reset.to}\n\n${table}`;
}

/** A duration as people read it, in its two largest units: `850ms`, `42s`, `3m20s`, `5h7m`, `2d4h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

/** `1s x2 up to 10s`: the first retry's delay, multiplied per retry, up to the cap. */
function retryBackoff(group: Group): string {
  const { initialMs, maxMs, multiplier } = group.retryPolicy;
  return `${formatDuration(initialMs)} x${multiplier} up to ${formatDuration(maxMs)}`;
}

/** What went wrong, for stderr; `server` is the admin URL the command was pointed at. */
export function formatFailure(failure: AdminFailure, server: string): string {
  switch (failure.kind) {
    case 'problem': {
      const { title, detail, code, status, errors = [] } = failure.problem;
      const lines = [`rocketry admin: ${title}: ${detail} (code ${code})`];
      for (const item of errors) {
        const at = item.pointer ?? item.parameter;
        lines.push(`  ${typeof at === 'string' ? `${at}: ` : ''}${String(item.detail ?? '')}`);
      }
      if (status === 401) lines.push('  pass --token or set ROCKETRY_ADMIN_TOKEN');
      return `${lines.join('\n')}\n`;
    }
    case 'unreachable':
      return `rocketry admin: cannot reach the broker admin API at ${server} (${failure.reason})\n`;
    case 'unexpected':
      return `rocketry admin: unexpected answer from ${failure.url}: ${failure.reason}\n`;
  }
}

const BODY_PREVIEW_CHARS = 200;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as text when it is UTF-8, cut at 200 characters; quoted with escapes when it holds control characters
 * (newlines included), which would garble the table. Otherwise only its size.
 */
function bodyPreview(message: Message): string {
  if (message.body === undefined) return '';
  const bytes = Buffer.from(message.body, 'base64');
  let text: string;
  try {
    text = textDecoder.decode(bytes);
  } catch {
    return `${bytes.length} bytes, not UTF-8 (--json shows it in base64)`;
  }
  const cut = text.length > BODY_PREVIEW_CHARS ? text.slice(0, BODY_PREVIEW_CHARS) : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  const shown = /[\u0000-\u001f\u007f]/.test(cut) ? JSON.stringify(cut) : cut;
  return cut === text ? shown : `${shown}… (${bytes.length} bytes)`;
}

function timestamp(epochMs: number | undefined): string {
  return epochMs === undefined ? '' : new Date(epochMs).toISOString();
}
