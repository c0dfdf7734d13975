/**
 * Resource names as RocketMQ accepts them, minus what a managed service must keep for itself. Topic and group names
 * are 1-64 of [A-Za-z0-9_-] (RocketMQ allows 127 of [%|A-Za-z0-9_-]; `%` and `|` separate a resource namespace from
 * the name, and the shorter limit leaves room for a namespace prefix). System names and prefixes RocketMQ and the
 * Rocketry broker reserve are refused, case-insensitively, so `tbw102` cannot shadow `TBW102` on a case-folding tool.
 */
export const RESOURCE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** RocketMQ's TopicValidator system topics and the broker's own. */
const RESERVED_TOPICS = [
  'TBW102',
  'SCHEDULE_TOPIC_XXXX',
  'BenchmarkTest',
  'OFFSET_MOVED_EVENT',
  'SELF_TEST_TOPIC',
  'TRANS_CHECK_MAX_TIME_TOPIC',
  'RMQ_SYS_TRANS_HALF_TOPIC',
  'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  'RMQ_SYS_TRACE_TOPIC',
  'CHECKPOINT_TOPIC',
  'DefaultCluster',
];
const RESERVED_TOPIC_PREFIXES = ['rmq_sys_', '__sys_', '%RETRY%', '%DLQ%', 'rocketmq-broker-', 'rocketmq-proxy-'];
const RESERVED_TOPIC_SUFFIXES = ['_REPLY_TOPIC'];

/** RocketMQ's MixAll system groups and prefixes. */
const RESERVED_GROUPS = [
  'DEFAULT_CONSUMER',
  'DEFAULT_PRODUCER',
  'TOOLS_CONSUMER',
  'FILTERSRV_CONSUMER',
  '__MONITOR_CONSUMER',
  'CLIENT_INNER_PRODUCER',
  'SELF_TEST_P_GROUP',
  'SELF_TEST_C_GROUP',
  'CID_ONS-HTTP-PROXY',
  'CID_ONSAPI_PERMISSION',
  'CID_ONSAPI_OWNER',
  'CID_ONSAPI_PULL',
];
const RESERVED_GROUP_PREFIXES = ['CID_RMQ_SYS_', 'rmq_sys_', '__sys_', '%RETRY%', '%DLQ%'];

const lower = (list: readonly string[]) => list.map((s) => s.toLowerCase());
const RULES = {
  topic: {
    exact: new Set(lower(RESERVED_TOPICS)),
    prefixes: lower(RESERVED_TOPIC_PREFIXES),
    suffixes: lower(RESERVED_TOPIC_SUFFIXES),
  },
  group: { exact: new Set(lower(RESERVED_GROUPS)), prefixes: lower(RESERVED_GROUP_PREFIXES), suffixes: [] },
};

/** Why `name` cannot name a topic or consumer group, or undefined when it can. */
export function resourceNameProblem(kind: 'topic' | 'group', name: string): string | undefined {
  if (!RESOURCE_NAME.test(name)) return 'must be 1-64 characters of A-Z, a-z, 0-9, _ and -';
  const folded = name.toLowerCase();
  const rules = RULES[kind];
  if (rules.exact.has(folded)) return `${name} is a reserved ${kind} name`;
  const prefix = rules.prefixes.find((p) => folded.startsWith(p));
  if (prefix) return `${kind} names starting with ${prefix} are reserved`;
  const suffix = rules.suffixes.find((s) => folded.endsWith(s));
  if (suffix) return `${kind} names ending with ${suffix} are reserved`;
  return undefined;
}

/** Names of tenants, instances and clusters: DNS-label-like, as they also name Kubernetes objects. */
export const LABEL_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
