import type { Attributes, Link } from '@opentelemetry/api';
import type { WireMessage, WireResource, WireStatus } from '../protocol/grpc/wire.js';

/**
 * Span names and attributes of the traced RPCs, read from the request and response objects as proto-loader decodes
 * them (so the handlers know nothing of tracing). Attribute names follow the OpenTelemetry messaging and RPC semantic
 * conventions (semconv 1.2x names, as the JS instrumentations emit them today); only the shapes read here are typed.
 */

export type TracedRpc = 'SendMessage' | 'ReceiveMessage' | 'AckMessage';

export interface ReceiveMessageRequest {
  group?: WireResource;
  message_queue?: { topic?: WireResource };
  batch_size?: number;
}
/** One frame of the ReceiveMessage stream: a oneof of status, message and delivery timestamp. */
export interface ReceiveMessageFrame {
  status?: WireStatus;
  message?: WireMessage;
}
export interface AckMessageRequest {
  group?: WireResource;
  topic?: WireResource;
  entries?: { message_id?: string }[];
}
interface SendMessageRequest {
  messages?: WireMessage[];
}
interface SendMessageResponse {
  status?: WireStatus;
  entries?: { status?: WireStatus; message_id?: string }[];
}

/** What a traced call starts its span with. */
export interface SpanStart {
  readonly name: string;
  readonly attributes: Attributes;
  readonly links: Link[];
}

export const SERVICE_NAME = 'apache.rocketmq.v2.MessagingService';
export const OK_CODE = 20000;

const OPERATIONS: Record<TracedRpc, { readonly name: string; readonly type: string }> = {
  SendMessage: { name: 'send', type: 'send' },
  ReceiveMessage: { name: 'receive', type: 'receive' },
  AckMessage: { name: 'ack', type: 'settle' },
};

/** W3C `traceparent`, the format of `SystemProperties.trace_context` written by the RocketMQ 5 clients. */
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
/** Links to the messages' creation contexts, bounded so one large batch cannot blow up a span. */
const MAX_LINKS = 32;

export function isTracedRpc(rpc: string): rpc is TracedRpc {
  return Object.hasOwn(OPERATIONS, rpc);
}

/** Name, attributes and links a call starts with; `clientId` is the `x-mq-client-id` header ('' when absent). */
export function spanStart(rpc: TracedRpc, request: unknown, clientId: string): SpanStart {
  const operation = OPERATIONS[rpc];
  const attributes: Attributes = {
    'messaging.system': 'rocketmq',
    'messaging.operation.type': operation.type,
    'messaging.operation.name': operation.name,
    'rpc.system': 'grpc',
    'rpc.service': SERVICE_NAME,
    'rpc.method': rpc,
  };
  if (clientId) attributes['messaging.client.id'] = clientId;
  let topic: WireResource | undefined;
  let links: Link[] = [];
  if (rpc === 'SendMessage') {
    const messages = (request as SendMessageRequest).messages ?? [];
    topic = messages[0]?.topic;
    attributes['messaging.batch.message_count'] = messages.length;
    if (messages.length === 1) Object.assign(attributes, messageAttributes(messages[0] as WireMessage));
    links = creationLinks(messages);
  } else {
    const req = request as ReceiveMessageRequest & AckMessageRequest;
    topic = rpc === 'ReceiveMessage' ? req.message_queue?.topic : req.topic;
    const group = req.group?.name;
    if (group) {
      attributes['messaging.consumer.group.name'] = group;
      attributes['messaging.rocketmq.client_group'] = group;
    }
    if (rpc === 'AckMessage') {
      const entries = req.entries ?? [];
      attributes['messaging.batch.message_count'] = entries.length;
      const id = entries.length === 1 ? entries[0]?.message_id : undefined;
      if (id) attributes['messaging.message.id'] = id;
    }
  }
  if (topic?.name) attributes['messaging.destination.name'] = topic.name;
  if (topic?.resource_namespace) attributes['messaging.rocketmq.namespace'] = topic.resource_namespace;
  return { name: topic?.name ? `${operation.name} ${topic.name}` : operation.name, attributes, links };
}

/** Attributes of one message: set only on spans that carry exactly one. */
export function messageAttributes(message: WireMessage): Attributes {
  const sys = message.system_properties ?? {};
  const attributes: Attributes = { 'messaging.message.body.size': message.body?.length ?? 0 };
  if (sys.message_id) attributes['messaging.message.id'] = sys.message_id;
  if (typeof sys.message_type === 'string' && sys.message_type !== 'MESSAGE_TYPE_UNSPECIFIED') {
    attributes['messaging.rocketmq.message.type'] = sys.message_type.toLowerCase();
  }
  if (sys.tag) attributes['messaging.rocketmq.message.tag'] = sys.tag;
  if (sys.keys?.length) attributes['messaging.rocketmq.message.keys'] = sys.keys;
  if (sys.message_group) attributes['messaging.rocketmq.message.group'] = sys.message_group;
  return attributes;
}

function creationLinks(messages: readonly WireMessage[]): Link[] {
  const links: Link[] = [];
  for (const message of messages) {
    // `trace_context` (field 18) is one wire.ts does not list.
    const sys = message.system_properties as { trace_context?: string } | undefined;
    const parsed = TRACEPARENT.exec(sys?.trace_context ?? '');
    if (!parsed) continue;
    const [, traceId = '', spanId = '', flags = '00'] = parsed;
    links.push({ context: { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true } });
    if (links.length === MAX_LINKS) break;
  }
  return links;
}

/** How a call ended, as its span and the RPC latency metric record it. */
export interface RpcOutcome {
  /** `apache.rocketmq.v2.Code` of the response status; OK_CODE on success. */
  readonly code: number;
  readonly message: string;
  /** Set once the response is known (e.g. the one message id of a send). */
  readonly attributes: Attributes;
}

/** The outcome of a unary call from its response (every response of the service has a top-level status). */
export function unaryOutcome(rpc: string, response: unknown): RpcOutcome {
  const status = (response as { status?: WireStatus } | null | undefined)?.status;
  const attributes: Attributes = {};
  if (rpc === 'SendMessage') {
    const entries = (response as SendMessageResponse).entries ?? [];
    const id = entries.length === 1 ? entries[0]?.message_id : undefined;
    if (id) attributes['messaging.message.id'] = id;
  }
  return { code: status?.code ?? OK_CODE, message: status?.message ?? '', attributes };
}
