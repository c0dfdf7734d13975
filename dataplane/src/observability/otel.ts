import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { type DiagLogger, DiagLogLevel, diag, metrics, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { OtelSettings, OtlpTarget } from './otel-settings.js';
import { RpcMeters } from './rpc-meters.js';
import { instrumentRpcs } from './rpc-spans.js';

/** A started OpenTelemetry SDK: what the gRPC server wraps its handlers with, and a flush-and-stop for shutdown. */
export interface Otel {
  /** Spans for send, receive and ack, RPC latency and messages in/out (see rpc-spans.ts). */
  instrument(implementation: UntypedServiceImplementation): UntypedServiceImplementation;
  /** Exports what is still buffered, then stops; never rejects. */
  shutdown(): Promise<void>;
}

const SCOPE = '@rocketry/dataplane';

/**
 * Starts `@opentelemetry/sdk-node` with OTLP/HTTP exporters (protobuf or JSON) for traces and metrics, and no
 * auto-instrumentation: the broker's spans and instruments are its own. The SDK is imported only here, when the
 * settings ask for it, so a broker without OTEL_EXPORTER_OTLP_ENDPOINT loads none of it.
 */
export async function startOtel(settings: OtelSettings, deps: { readonly log: Logger }): Promise<Otel> {
  const { log } = deps;
  // Export failures and SDK warnings go to the broker's log (OTEL_LOG_LEVEL, when set, makes the SDK use the console).
  diag.setLogger(diagToPino(log), DiagLogLevel.WARN);
  const [{ NodeSDK }, { PeriodicExportingMetricReader }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-metrics'),
  ]);
  const spanExporter = settings.traces && (await traceExporter(settings.traces));
  const metricReader =
    settings.metrics &&
    new PeriodicExportingMetricReader({
      exporter: await metricExporter(settings.metrics),
      exportIntervalMillis: settings.metrics.exportIntervalMs,
      exportTimeoutMillis: settings.metrics.exportTimeoutMs,
    });
  const sdk = new NodeSDK({
    ...(settings.serviceName && { serviceName: settings.serviceName }),
    ...(spanExporter ? { traceExporter: spanExporter } : { spanProcessors: [] }),
    metricReaders: metricReader ? [metricReader] : [],
    // Empty lists, not absent ones: absent, the SDK would build its own exporters from OTEL_* variables.
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  const telemetry = { tracer: trace.getTracer(SCOPE), meters: new RpcMeters(metrics.getMeter(SCOPE)) };
  log.info(
    {
      traces: settings.traces?.url,
      metrics: settings.metrics?.url,
      protocol: (settings.traces ?? settings.metrics)?.protocol,
    },
    'opentelemetry export started',
  );
  return {
    instrument: (implementation) => instrumentRpcs(implementation, telemetry),
    shutdown: async () => {
      try {
        await sdk.shutdown();
      } catch (err) {
        log.warn({ err }, 'opentelemetry shutdown failed');
      }
    },
  };
}

async function traceExporter(target: OtlpTarget) {
  const { OTLPTraceExporter } =
    target.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: target.url });
}

async function metricExporter(target: OtlpTarget) {
  const { OTLPMetricExporter } =
    target.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-metrics-otlp-http')
      : await import('@opentelemetry/exporter-metrics-otlp-proto');
  return new OTLPMetricExporter({ url: target.url });
}

/** The SDK's diagnostics are about the export, not requests: one level below their own (error → warn). */
function diagToPino(log: Logger): DiagLogger {
  const at =
    (level: 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string, ...args: unknown[]) =>
      log[level]({ args }, message);
  return { error: at('warn'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('trace') };
}
