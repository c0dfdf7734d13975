import { fileURLToPath } from 'node:url';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceClientConstructor,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Logger } from 'pino';
import type { LagReading } from './lag-reading.js';
import { CONSUMER_GROUP_KEY, SCALER_PORT } from './scaled-object.js';

/** operator/proto/externalscaler.proto (shipped next to dist/, read at start). */
export const EXTERNAL_SCALER_PROTO = fileURLToPath(new URL('../../proto/externalscaler.proto', import.meta.url));

/** A ConsumerGroup: the ScaledObject's namespace and its trigger's `consumerGroup` metadata. */
export interface ConsumerGroupKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * What the scaler needs from the operator. Both return undefined when the namespace has no such ConsumerGroup with
 * autoscaling. `lag` should come from a shared, rate-limited poller, not a broker call per KEDA request.
 */
export interface ScalerSource {
  lagPerReplica(key: ConsumerGroupKey): Promise<number | undefined>;
  lag(key: ConsumerGroupKey): Promise<LagReading | undefined>;
}

export interface ExternalScalerOptions {
  readonly source: ScalerSource;
  /** Default 0.0.0.0 (KEDA dials the Service). */
  readonly host?: string;
  /** Default 8091; 0 picks a free port. */
  readonly port?: number;
  /** How often a StreamIsActive stream re-reads the lag; it sends only changes. Default 5 s. */
  readonly streamIntervalMs?: number;
  readonly log?: Logger;
}

export interface ExternalScaler {
  readonly port: number;
  close(): Promise<void>;
}

interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}

interface GetMetricsRequest {
  scaledObjectRef: ScaledObjectRef | null;
  metricName: string;
}

class ScalerCallError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** The ExternalScaler service definition read from the .proto (keepCase: field names as KEDA sends them). */
export function externalScalerService(): ServiceClientConstructor {
  const definition = loadSync(EXTERNAL_SCALER_PROTO, { keepCase: true, longs: Number, defaults: true });
  const pkg = loadPackageDefinition(definition) as unknown as {
    externalscaler: { ExternalScaler: ServiceClientConstructor };
  };
  return pkg.externalscaler.ExternalScaler;
}

/** `rocketry-lag-<group>`; KEDA prefixes it with the trigger index (`s0-…`) in the HPA. */
export const metricNameOf = (key: ConsumerGroupKey): string =>
  `rocketry-lag-${key.name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

function keyOf(ref: ScaledObjectRef | null | undefined): ConsumerGroupKey {
  const name = ref?.scalerMetadata?.[CONSUMER_GROUP_KEY];
  if (!ref?.namespace || !name) {
    throw new ScalerCallError(
      status.INVALID_ARGUMENT,
      `trigger metadata needs ${CONSUMER_GROUP_KEY} (and a namespace)`,
    );
  }
  return { namespace: ref.namespace, name };
}

const notFound = (key: ConsumerGroupKey) =>
  new ScalerCallError(status.NOT_FOUND, `no ConsumerGroup ${key.namespace}/${key.name} with autoscaling`);

/**
 * Unknown lag is an error, not zero: KEDA then keeps the replicas (or uses its `fallback`), and the HPA does not act
 * on a failed metric, so an unreachable broker never scales consumers away.
 */
async function knownLag(source: ScalerSource, key: ConsumerGroupKey): Promise<number> {
  const lag = await source.lag(key);
  if (lag === undefined) throw notFound(key);
  if (lag.kind === 'unknown') throw new ScalerCallError(status.UNAVAILABLE, `lag unknown: ${lag.reason}`);
  return lag.messages;
}

/**
 * KEDA's external scaler (`externalscaler.ExternalScaler`) over the ConsumerGroups' lag: IsActive is lag > 0,
 * GetMetricSpec gives `lagPerReplica` as the target per replica, GetMetrics the group's total lag, and StreamIsActive
 * pushes IsActive whenever it changes (for `external-push` triggers).
 */
export async function startExternalScaler(options: ExternalScalerOptions): Promise<ExternalScaler> {
  const { source, log } = options;
  const streamIntervalMs = options.streamIntervalMs ?? 5_000;
  const server = new Server();

  const fail = (rpc: string, err: unknown): { code: status; details: string } => {
    if (err instanceof ScalerCallError) return { code: err.code, details: err.message };
    log?.warn({ err, rpc }, 'scaler call failed');
    return { code: status.INTERNAL, details: 'internal error' };
  };
  const unary =
    <Req, Res>(rpc: string, handle: (req: Req) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      handle(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => callback(fail(rpc, err)),
      );
    };

  server.addService(externalScalerService().service, {
    IsActive: unary('IsActive', async (ref: ScaledObjectRef) => ({ result: (await knownLag(source, keyOf(ref))) > 0 })),
    GetMetricSpec: unary('GetMetricSpec', async (ref: ScaledObjectRef) => {
      const key = keyOf(ref);
      const target = await source.lagPerReplica(key);
      if (target === undefined) throw notFound(key);
      return { metricSpecs: [{ metricName: metricNameOf(key), targetSize: target, targetSizeFloat: target }] };
    }),
    GetMetrics: unary('GetMetrics', async (req: GetMetricsRequest) => {
      const key = keyOf(req.scaledObjectRef);
      const messages = await knownLag(source, key);
      const metricName = req.metricName || metricNameOf(key);
      return { metricValues: [{ metricName, metricValue: messages, metricValueFloat: messages }] };
    }),
    StreamIsActive: (call: ServerWritableStream<ScaledObjectRef, { result: boolean }>) => {
      streamIsActive(call, source, streamIntervalMs, (err) => fail('StreamIsActive', err));
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    const address = `${options.host ?? '0.0.0.0'}:${options.port ?? SCALER_PORT}`;
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  log?.info({ port }, 'external scaler listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** Sends the current answer at once, then each change, until KEDA cancels; ends with the error of a failed read. */
function streamIsActive(
  call: ServerWritableStream<ScaledObjectRef, { result: boolean }>,
  source: ScalerSource,
  intervalMs: number,
  fail: (err: unknown) => { code: status; details: string },
): void {
  let last: boolean | undefined;
  let timer: NodeJS.Timeout | undefined;
  let open = true;
  const stop = () => {
    open = false;
    clearTimeout(timer);
  };
  call.on('cancelled', stop);
  call.on('close', stop);
  const tick = async () => {
    try {
      const active = (await knownLag(source, keyOf(call.request))) > 0;
      if (!open) return;
      if (active !== last) call.write({ result: active });
      last = active;
    } catch (err) {
      const failure = fail(err);
      // Unknown lag keeps the stream (and KEDA's last answer); a bad request or a missing group ends it.
      if (failure.code !== status.UNAVAILABLE) {
        stop();
        call.emit('error', failure);
        return;
      }
    }
    if (open) timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
}
