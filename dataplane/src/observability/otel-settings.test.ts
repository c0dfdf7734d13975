import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { parseOtelSettings } from './otel-settings.js';

describe('parseOtelSettings', () => {
  it('starts nothing when no OTLP endpoint is set', () => {
    expect(parseOtelSettings({})).toBeUndefined();
    expect(parseOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_SERVICE_NAME: 'x' })).toBeUndefined();
  });

  it('starts nothing when the SDK is disabled, endpoint or not', () => {
    expect(
      parseOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBeUndefined();
  });

  it('appends the signal paths to the base endpoint and defaults to http/protobuf every 60 s', () => {
    expect(parseOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      traces: { url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' },
      metrics: {
        url: 'http://collector:4318/v1/metrics',
        protocol: 'http/protobuf',
        exportIntervalMs: 60_000,
        exportTimeoutMs: 30_000,
      },
      serviceName: 'rocketry-broker',
    });
  });

  it('keeps a path prefix of the base endpoint', () => {
    const settings = parseOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp' });
    expect(settings?.traces?.url).toBe('https://gw.example/otlp/v1/traces');
  });

  it('uses a per-signal endpoint and protocol as given, and exports only the signals that have an endpoint', () => {
    const settings = parseOtelSettings({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom/traces',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
    expect(settings?.traces).toEqual({ url: 'http://tempo:4318/custom/traces', protocol: 'http/json' });
    expect(settings?.metrics).toBeUndefined();
  });

  it('reads the metric export interval and keeps the timeout within it', () => {
    const settings = parseOtelSettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    });
    expect(settings?.metrics).toMatchObject({ exportIntervalMs: 500, exportTimeoutMs: 500 });
  });

  it('leaves the service name to OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES when they set one', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(parseOtelSettings({ ...base, OTEL_SERVICE_NAME: 'broker-a' })?.serviceName).toBe('broker-a');
    const named = parseOtelSettings({ ...base, OTEL_RESOURCE_ATTRIBUTES: 'team=mq, service.name=b' });
    expect(named).not.toHaveProperty('serviceName');
  });

  it('refuses gRPC, unknown protocols, non-HTTP endpoints and bad intervals with the variable name', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317' };
    expect(() => parseOtelSettings({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported/,
    );
    expect(() => parseOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(() => parseOtelSettings({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'ftp://x/y' })).toThrow(
      /OTEL_EXPORTER_OTLP_METRICS_ENDPOINT/,
    );
    expect(() => parseOtelSettings({ ...base, OTEL_METRIC_EXPORT_INTERVAL: '0' })).toThrow(
      /OTEL_METRIC_EXPORT_INTERVAL: expected milliseconds > 0, got 0/,
    );
  });
});
