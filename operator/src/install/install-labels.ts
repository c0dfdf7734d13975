import type { ChartInfo, ReleaseInfo } from './chart-values.js';

/** The chart's `rocketry.labels` (charts/rocketry/templates/_helpers.tpl). */
export function installLabels(release: ReleaseInfo, chart: ChartInfo): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'rocketry',
    'app.kubernetes.io/instance': release.name,
    'app.kubernetes.io/version': chart.appVersion,
    'app.kubernetes.io/part-of': 'rocketry',
    'app.kubernetes.io/managed-by': release.service,
  };
}

export const LABEL_KEYS: readonly string[] = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
];

export type InstallComponent = 'operator' | 'api';

/** `rocketry.operatorSelector` / `rocketry.apiSelector`: never changes for a release. */
export function componentSelector(release: ReleaseInfo, component: InstallComponent): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'rocketry',
    'app.kubernetes.io/instance': release.name,
    'app.kubernetes.io/component': component,
  };
}

export function componentLabels(
  release: ReleaseInfo,
  chart: ChartInfo,
  component: InstallComponent,
): Record<string, string> {
  return { ...installLabels(release, chart), 'app.kubernetes.io/component': component };
}
