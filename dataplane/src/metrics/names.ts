/** Metric names: RocketMQ 5's where one exists (so its dashboards work), `rocketry_*` otherwise. */
export const metricNames = {
  storageSize: 'rocketmq_storage_size',
  flushBehindBytes: 'rocketmq_storage_flush_behind_bytes',
  dispatchBehindBytes: 'rocketmq_storage_dispatch_behind_bytes',
  commitLogMinOffset: 'rocketry_commitlog_min_offset',
  commitLogMaxOffset: 'rocketry_commitlog_max_offset',
  storageOpenSeconds: 'rocketry_storage_open_seconds',
  messagesIn: 'rocketmq_messages_in_total',
  throughputIn: 'rocketmq_throughput_in_total',
  messageSize: 'rocketmq_message_size',
  rpcLatency: 'rocketmq_rpc_latency',
  producerConnections: 'rocketmq_producer_connections',
  consumerConnections: 'rocketmq_consumer_connections',
} as const;
