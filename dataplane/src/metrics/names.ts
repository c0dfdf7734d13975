/** Metric names: RocketMQ 5's where one exists (so its dashboards work), `rocketry_*` otherwise. */
export const metricNames = {
  storageSize: 'rocketmq_storage_size',
  flushBehindBytes: 'rocketmq_storage_flush_behind_bytes',
  dispatchBehindBytes: 'rocketmq_storage_dispatch_behind_bytes',
  commitLogMinOffset: 'rocketry_commitlog_min_offset',
  commitLogMaxOffset: 'rocketry_commitlog_max_offset',
  storageOpenSeconds: 'rocketry_storage_open_seconds',
} as const;
