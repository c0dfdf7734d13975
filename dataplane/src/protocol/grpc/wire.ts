/**
 * The slice of `apache.rocketmq.v2` the handlers read and write, as @grpc/proto-loader presents it with the options in
 * server.ts: field names as in the .proto (snake_case), enums as their names (numbers when unknown), int64 as decimal
 * strings, absent scalars undefined, repeated fields and maps always present. Written by hand from the shipped protos
 * (node_modules/rocketmq-client-nodejs/proto/apache/rocketmq/v2/); only the fields in use are listed.
 */
export type WireEnum = string | number;
export type WireLong = string | number;

export interface WireTimestamp {
  seconds?: WireLong;
  nanos?: number;
}
export type WireDuration = WireTimestamp;

export interface WireStatus {
  code: number;
  message: string;
}

export interface WireResource {
  resource_namespace?: string;
  name?: string;
}

export interface WireAddress {
  host?: string;
  port?: number;
}

export interface WireEndpoints {
  scheme?: WireEnum;
  addresses?: WireAddress[];
}

export interface WireBroker {
  name: string;
  id: number;
  endpoints: WireEndpoints;
}

export interface WireMessageQueue {
  topic: WireResource;
  id: number;
  permission: WireEnum;
  broker: WireBroker;
  accept_message_types: WireEnum[];
}

export interface WireDigest {
  type?: WireEnum;
  checksum?: string;
}

export interface WireSystemProperties {
  tag?: string;
  keys?: string[];
  message_id?: string;
  body_digest?: WireDigest;
  body_encoding?: WireEnum;
  message_type?: WireEnum;
  born_timestamp?: WireTimestamp;
  born_host?: string;
  delivery_timestamp?: WireTimestamp;
  queue_id?: number;
  message_group?: string;
  lite_topic?: string;
  priority?: number;
  store_timestamp?: WireTimestamp;
  store_host?: string;
  receipt_handle?: string;
  queue_offset?: WireLong;
  invisible_duration?: WireDuration;
  delivery_attempt?: number;
  dead_letter_queue?: { topic: string; message_id: string };
}

export interface WireMessage {
  topic?: WireResource;
  user_properties?: Record<string, string>;
  system_properties?: WireSystemProperties;
  body?: Buffer;
}

export interface QueryRouteRequest {
  topic?: WireResource;
  endpoints?: WireEndpoints;
}
export interface QueryRouteResponse {
  status: WireStatus;
  message_queues: WireMessageQueue[];
}

export interface SendMessageRequest {
  messages?: WireMessage[];
}
export interface SendResultEntry {
  status: WireStatus;
  message_id: string;
  transaction_id: string;
  offset: WireLong;
  recall_handle?: string;
}
export interface SendMessageResponse {
  status: WireStatus;
  entries: SendResultEntry[];
}

export interface HeartbeatRequest {
  group?: WireResource;
  client_type?: WireEnum;
}
export interface NotifyClientTerminationRequest {
  group?: WireResource;
}
/** Every response of the service has a top-level status; unary error answers carry only that. */
export interface StatusResponse {
  status: WireStatus;
}

export interface WireRetryPolicy {
  max_attempts: number;
  exponential_backoff?: { initial: WireDuration; max: WireDuration; multiplier: number };
  customized_backoff?: { next: WireDuration[] };
}

export interface WireSubscriptionEntry {
  topic?: WireResource;
  expression?: { type?: WireEnum; expression?: string };
}

export interface WireSettings {
  client_type?: WireEnum;
  access_point?: WireEndpoints;
  backoff_policy?: WireRetryPolicy;
  request_timeout?: WireDuration;
  publishing?: { topics?: WireResource[]; max_body_size?: number; validate_message_type?: boolean };
  subscription?: {
    group?: WireResource;
    subscriptions?: WireSubscriptionEntry[];
    fifo?: boolean;
    receive_batch_size?: number;
    long_polling_timeout?: WireDuration;
  };
  user_agent?: { language?: WireEnum; version?: string; platform?: string; hostname?: string };
}

export interface TelemetryCommand {
  status?: WireStatus;
  settings?: WireSettings;
  /** Client → server: the reply to `print_thread_stack_trace_command`. */
  thread_stack_trace?: { nonce?: string; thread_stack_trace?: string };
  verify_message_result?: { nonce?: string };
  /** Server → client; the Node client also puts its verify reply here (PROTOCOL.md §4.1). */
  verify_message_command?: { nonce?: string; message?: WireMessage };
  print_thread_stack_trace_command?: { nonce: string };
  reconnect_endpoints_command?: { nonce: string };
  recover_orphaned_transaction_command?: { message: WireMessage; transaction_id: string };
  /** Set by proto-loader (`oneofs: true`) on decoded commands: which member of the `command` oneof is present. */
  command?: string;
  /** The bytes were not a TelemetryCommand (set by the server's lenient decoder, never sent). */
  malformed?: true;
}

/* Pop consumption (ReceiveMessage and what follows a delivery). */

export interface WireFilterExpression {
  type?: WireEnum;
  expression?: string;
}

export interface ReceiveMessageRequest {
  group?: WireResource;
  message_queue?: Partial<WireMessageQueue>;
  filter_expression?: WireFilterExpression;
  batch_size?: number;
  invisible_duration?: WireDuration;
  auto_renew?: boolean;
  long_polling_timeout?: WireDuration;
  attempt_id?: string;
}
/** One frame of the ReceiveMessage stream: exactly one member is set. */
export interface ReceiveMessageResponse {
  status?: WireStatus;
  message?: WireMessage;
  delivery_timestamp?: WireTimestamp;
}

export interface AckMessageEntry {
  message_id?: string;
  receipt_handle?: string;
}
export interface AckMessageRequest {
  group?: WireResource;
  topic?: WireResource;
  entries?: AckMessageEntry[];
}
export interface AckMessageResultEntry {
  message_id: string;
  receipt_handle: string;
  status: WireStatus;
}
export interface AckMessageResponse {
  status: WireStatus;
  entries: AckMessageResultEntry[];
}

export interface ChangeInvisibleDurationRequest {
  group?: WireResource;
  topic?: WireResource;
  receipt_handle?: string;
  invisible_duration?: WireDuration;
  message_id?: string;
}
export interface ChangeInvisibleDurationResponse {
  status: WireStatus;
  receipt_handle: string;
}

export interface ForwardMessageToDeadLetterQueueRequest {
  group?: WireResource;
  topic?: WireResource;
  receipt_handle?: string;
  message_id?: string;
  delivery_attempt?: number;
  max_delivery_attempts?: number;
}

export interface QueryAssignmentRequest {
  topic?: WireResource;
  group?: WireResource;
  endpoints?: WireEndpoints;
}
export interface QueryAssignmentResponse {
  status: WireStatus;
  assignments: { message_queue: WireMessageQueue }[];
}

/* Queue-level consumption (PullMessage and offsets): the queue id is the real queue, not a hint. */

export interface WireQueueRef {
  topic?: WireResource;
  id?: number;
}

export interface PullMessageRequest {
  group?: WireResource;
  message_queue?: WireQueueRef;
  offset?: WireLong;
  batch_size?: number;
  filter_expression?: WireFilterExpression;
  long_polling_timeout?: WireDuration;
}
/** One frame of the PullMessage stream: exactly one member is set (status first, then messages, then next_offset). */
export interface PullMessageResponse {
  status?: WireStatus;
  message?: WireMessage;
  next_offset?: WireLong;
}

export interface UpdateOffsetRequest {
  group?: WireResource;
  message_queue?: WireQueueRef;
  offset?: WireLong;
}
export interface GetOffsetRequest {
  group?: WireResource;
  message_queue?: WireQueueRef;
}
export interface QueryOffsetRequest {
  message_queue?: WireQueueRef;
  query_offset_policy?: WireEnum;
  timestamp?: WireTimestamp;
}
/** GetOffset and QueryOffset answer an offset beside the status. */
export interface OffsetResponse {
  status: WireStatus;
  offset?: WireLong;
}

/* Transactions. */

export interface EndTransactionRequest {
  topic?: WireResource;
  message_id?: string;
  transaction_id?: string;
  resolution?: WireEnum;
  source?: WireEnum;
}
