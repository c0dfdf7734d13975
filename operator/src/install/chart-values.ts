import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR } from './chart-paths.js';

/** Pod placement and resources as the chart passes them through (`toYaml`): Kubernetes' own shapes, unchecked here. */
type PassThrough = Record<string, unknown>;

/** The values of charts/rocketry/values.yaml (documented there). */
export interface ChartValues {
  image: { repository: string; tag: string; pullPolicy: string };
  imagePullSecrets: { name: string }[];
  watchNamespaces: string[];
  crds: { install: boolean; keep: boolean };
  operator: {
    replicas: number;
    leaderElection: boolean;
    brokerImage: string;
    clusterDomain: string;
    podDisruptionBudgets: boolean;
    logLevel: string;
    resources: PassThrough;
    podAnnotations: Record<string, string>;
    nodeSelector: Record<string, string>;
    tolerations: PassThrough[];
    affinity: PassThrough;
    service: { type: string };
  };
  api: {
    enabled: boolean;
    replicas: number;
    database: { url: string; existingSecret: string; existingSecretKey: string };
    resources: PassThrough;
    service: { type: string };
    podAnnotations: Record<string, string>;
    nodeSelector: Record<string, string>;
    tolerations: PassThrough[];
    affinity: PassThrough;
  };
}

/** `.Chart` of the templates: the fields of Chart.yaml they use. */
export interface ChartInfo {
  name: string;
  version: string;
  appVersion: string;
}

/** `.Release` of the templates. `service` is "Helm" under Helm and names the CLI in `rocketry operator manifests`. */
export interface ReleaseInfo {
  name: string;
  namespace: string;
  service: string;
}

export interface Chart {
  info: ChartInfo;
  values: ChartValues;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads Chart.yaml and the default values. */
export async function loadChart(dir: string = CHART_DIR): Promise<Chart> {
  const chart: unknown = parse(await readFile(join(dir, 'Chart.yaml'), 'utf8'));
  const values: unknown = parse(await readFile(join(dir, 'values.yaml'), 'utf8'));
  if (!isObject(chart) || typeof chart.name !== 'string' || typeof chart.appVersion !== 'string') {
    throw new Error(`${join(dir, 'Chart.yaml')}: name and appVersion (strings) are required`);
  }
  if (!isObject(values) || !isObject(values.image) || !isObject(values.operator) || !isObject(values.api)) {
    throw new Error(`${join(dir, 'values.yaml')}: image, operator and api sections are required`);
  }
  return {
    info: { name: chart.name, version: String(chart.version), appVersion: chart.appVersion },
    values: values as unknown as ChartValues,
  };
}

/**
 * Helm's merge of user values over the defaults: maps merge key by key, anything else (lists included) replaces.
 * Returns a fresh object; neither input is changed.
 */
export function mergeValues<T>(defaults: T, overrides: unknown): T {
  if (!isObject(defaults) || !isObject(overrides)) {
    return structuredClone((overrides === undefined ? defaults : overrides) as T);
  }
  const merged: Record<string, unknown> = structuredClone(defaults);
  for (const [key, value] of Object.entries(overrides)) merged[key] = mergeValues(merged[key], value);
  return merged as T;
}
