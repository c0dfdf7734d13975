import { ConfigError } from '../config.js';

/** What the broker exports over OTLP; undefined when no endpoint is set, so nothing starts. */
export interface OtelSettings {
  /** Absent when neither the base nor the traces endpoint is set. */
  readonly traces?: OtlpTarget;
  readonly metrics?: OtlpTarget & { readonly exportIntervalMs: number; readonly exportTimeoutMs: number };
  /** `service.name` of the resource; absent when OTEL_RESOURCE_ATTRIBUTES names one. */
  readonly serviceName?: string;
}

export interface OtlpTarget {
  /** The full URL POSTs go to. */
  readonly url: string;
  readonly protocol: OtlpProtocol;
}

/** The HTTP encodings of OTLP: the broker ships no gRPC exporter. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

const DEFAULT_SERVICE_NAME = 'rocketry-broker';
/** The SDK's defaults for OTEL_METRIC_EXPORT_INTERVAL and OTEL_METRIC_EXPORT_TIMEOUT. */
const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The standard OTEL_* variables that decide whether and where the broker exports: OTEL_EXPORTER_OTLP_ENDPOINT (base
 * URL, `/v1/traces` and `/v1/metrics` appended) or the per-signal OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT (used
 * as they are), OTEL_EXPORTER_OTLP[_{TRACES,METRICS}]_PROTOCOL, OTEL_SDK_DISABLED, OTEL_SERVICE_NAME and
 * OTEL_METRIC_EXPORT_{INTERVAL,TIMEOUT}. The exporters themselves still read OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and
 * _COMPRESSION, and the SDK its sampler, limits and resource variables. Throws ConfigError on a bad value.
 */
export function parseOtelSettings(env: Env): OtelSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const traces = target(env, 'traces');
  const metrics = target(env, 'metrics');
  if (!traces && !metrics) return undefined;
  const namedInResource = /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const serviceName = nonEmpty(env.OTEL_SERVICE_NAME) ?? (namedInResource ? undefined : DEFAULT_SERVICE_NAME);
  let metricsSettings: OtelSettings['metrics'];
  if (metrics) {
    const exportIntervalMs = positiveMs(env, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_INTERVAL_MS);
    // The reader refuses a timeout above the interval.
    const exportTimeoutMs = Math.min(
      positiveMs(env, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_TIMEOUT_MS),
      exportIntervalMs,
    );
    metricsSettings = { ...metrics, exportIntervalMs, exportTimeoutMs };
  }
  return Object.freeze({
    ...(traces && { traces }),
    ...(metricsSettings && { metrics: metricsSettings }),
    ...(serviceName && { serviceName }),
  });
}

/**
 * One signal's URL and protocol: the per-signal variables win over the general ones. The base endpoint gets
 * `/v1/<signal>` appended to whatever path it has; a per-signal endpoint is used as it is (OTLP exporter spec).
 */
function target(env: Env, signal: 'traces' | 'metrics'): OtlpTarget | undefined {
  const upper = signal.toUpperCase();
  const specific = nonEmpty(env[`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`]);
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const url = specific ?? (base && `${base.replace(/\/+$/, '')}/v1/${signal}`);
  if (!url) return undefined;
  const urlVar = specific ? `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT` : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new ConfigError(`${urlVar}: expected an http(s) URL, got ${specific ?? base}`);
  }
  const protocolVar = env[`OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`]
    ? `OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = nonEmpty(env[protocolVar]) ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConfigError(`${protocolVar}: ${protocol} is not supported; use http/protobuf or http/json`);
  }
  return { url, protocol };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function positiveMs(env: Env, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name}: expected milliseconds > 0, got ${raw}`);
  return value;
}
