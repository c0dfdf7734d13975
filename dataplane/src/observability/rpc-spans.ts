import type {
  Metadata,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { WireMessage } from '../protocol/grpc/wire.js';
import {
  isTracedRpc,
  messageAttributes,
  OK_CODE,
  type ReceiveMessageFrame,
  type ReceiveMessageRequest,
  type RpcOutcome,
  spanStart,
  type TracedRpc,
  unaryOutcome,
} from './rpc-attributes.js';
import type { RpcMeters } from './rpc-meters.js';

export interface RpcTelemetry {
  readonly tracer: Tracer;
  readonly meters: RpcMeters;
}

/** `apache.rocketmq.v2.Code.MESSAGE_NOT_FOUND`. */
const MESSAGE_NOT_FOUND = 40401;
/** RPCs of MessagingService that are not unary; every other method is. */
const SERVER_STREAMING = new Set(['ReceiveMessage', 'PullMessage']);
const BIDI_STREAMING = new Set(['Telemetry']);

/** Reads W3C trace context (`traceparent`, `tracestate`, `baggage`) from gRPC metadata, for callers that send it. */
const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key).map(String);
    return values.length > 1 ? values : values[0];
  },
};

/**
 * Wraps the handlers of a MessagingService implementation so that SendMessage, ReceiveMessage and AckMessage run
 * inside a SERVER span (`send <topic>`, `receive <topic>`, `ack <topic>`) that ends with the call, and every unary and
 * server-streaming call records the RPC latency; ReceiveMessage's message frames count as messages out. The handlers are called
 * unchanged; the span is the active context while they run. Unknown methods pass through as they are.
 */
export function instrumentRpcs(
  implementation: UntypedServiceImplementation,
  telemetry: RpcTelemetry,
): UntypedServiceImplementation {
  const instrumented: UntypedServiceImplementation = {};
  for (const [rpc, handler] of Object.entries(implementation)) {
    if (BIDI_STREAMING.has(rpc)) instrumented[rpc] = handler;
    else if (SERVER_STREAMING.has(rpc)) instrumented[rpc] = traceStream(rpc, handler, telemetry);
    else instrumented[rpc] = traceUnary(rpc, handler, telemetry);
  }
  return instrumented;
}

function traceUnary(rpc: string, handler: UntypedHandleCall, { tracer, meters }: RpcTelemetry): UntypedHandleCall {
  const handle = handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const started = performance.now();
    const span = isTracedRpc(rpc) ? startSpan(tracer, rpc, call.request, call.metadata) : undefined;
    const respond: sendUnaryData<unknown> = (err, value, ...rest) => {
      const outcome = err ? transportFailure(err) : unaryOutcome(rpc, value);
      meters.observeRpc(rpc, outcome.code, performance.now() - started);
      if (rpc === 'SendMessage' && !err) recordSend(meters, call.request, value);
      if (span) endSpan(span, outcome);
      callback(err, value, ...rest);
    };
    if (!span) return handle(call, respond);
    runInSpan(span, () => handle(call, respond));
  };
}

/**
 * Server-streaming calls: latency and status code (of the first status frame) when the handler ends the stream, as
 * the unary ones; ReceiveMessage also gets its span and counts its message frames as messages out.
 */
function traceStream(rpc: string, handler: UntypedHandleCall, { tracer, meters }: RpcTelemetry): UntypedHandleCall {
  const handle = handler as (call: ServerWritableStream<unknown, unknown>) => void;
  return (call: ServerWritableStream<unknown, unknown>) => {
    const started = performance.now();
    const receive = rpc === 'ReceiveMessage';
    const group = receive ? ((call.request as ReceiveMessageRequest).group?.name ?? '') : '';
    const span = receive ? startSpan(tracer, 'ReceiveMessage', call.request, call.metadata) : undefined;
    let status: { code: number; message: string } | undefined;
    let delivered = 0;
    let first: WireMessage | undefined;
    let ended = false;
    const finish = (outcome: RpcOutcome) => {
      if (ended) return;
      ended = true;
      if (span) endSpan(span, outcome);
    };
    const write = call.write.bind(call) as (chunk: unknown, ...rest: unknown[]) => boolean;
    call.write = ((chunk: ReceiveMessageFrame, ...rest: unknown[]) => {
      if (receive && chunk.message) {
        delivered += 1;
        first ??= chunk.message;
        meters.recordDelivered(chunk.message, group);
      } else if (chunk.status && !status) {
        status = chunk.status;
      }
      return write(chunk, ...rest);
    }) as typeof call.write;
    const end = call.end.bind(call);
    call.end = ((...args: Parameters<typeof call.end>) => {
      if (!ended) meters.observeRpc(rpc, status?.code ?? OK_CODE, performance.now() - started);
      const attributes: Attributes = receive ? { 'messaging.batch.message_count': delivered } : {};
      if (delivered === 1 && first) Object.assign(attributes, messageAttributes(first));
      // MESSAGE_NOT_FOUND is how a long poll ends empty: a receive of no message, not a failure.
      const code = status?.code === MESSAGE_NOT_FOUND ? OK_CODE : (status?.code ?? OK_CODE);
      finish({ code, message: status?.message ?? '', attributes });
      return end(...args);
    }) as typeof call.end;
    call.once('cancelled', () =>
      finish({ code: -1, message: 'cancelled by the client', attributes: { 'error.type': 'cancelled' } }),
    );
    if (!span) return handle(call);
    runInSpan(span, () => handle(call));
  };
}

function startSpan(tracer: Tracer, rpc: TracedRpc, request: unknown, metadata: Metadata): Span {
  const clientId = String(metadata.get('x-mq-client-id')[0] ?? '');
  const { name, attributes, links } = spanStart(rpc, request ?? {}, clientId);
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  return tracer.startSpan(name, { kind: SpanKind.SERVER, attributes, links }, parent);
}

/** Runs `fn` with `span` active; a handler that throws before answering still ends its span. */
function runInSpan(span: Span, fn: () => void): void {
  try {
    context.with(trace.setSpan(context.active(), span), fn);
  } catch (err) {
    span.recordException(err as Error);
    endSpan(span, { code: -1, message: 'handler threw', attributes: { 'error.type': (err as Error).name } });
    throw err;
  }
}

/**
 * The RocketMQ status is in-band (gRPC status OK), so a failed call is marked by its code: `error.type` is the
 * five-digit `apache.rocketmq.v2.Code` and the span status ERROR carries the status message.
 */
function endSpan(span: Span, outcome: RpcOutcome): void {
  span.setAttributes(outcome.attributes);
  if (outcome.code !== OK_CODE && span.isRecording()) {
    if (outcome.attributes['error.type'] === undefined) span.setAttribute('error.type', String(outcome.code));
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
  }
  span.end();
}

/** A gRPC-level error (never sent by the handlers, which answer in-band): `error.type` is the gRPC code. */
function transportFailure(err: { code?: number; details?: string; message?: string }): RpcOutcome {
  const code = err.code ?? 2;
  return { code: -1, message: err.details ?? err.message ?? '', attributes: { 'error.type': `grpc_${code}` } };
}

function recordSend(meters: RpcMeters, request: unknown, response: unknown): void {
  const messages = (request as { messages?: WireMessage[] }).messages ?? [];
  const entries = (response as { entries?: { status?: { code?: number } }[] } | null)?.entries ?? [];
  meters.recordSend(
    messages,
    entries.map((entry) => entry.status?.code),
  );
}
