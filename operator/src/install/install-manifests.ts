import type { KubernetesObject } from '@kubernetes/client-node';
import { CRDS, type CustomResourceDefinition } from '@rocketry/crds';
import { stringify } from 'yaml';
import { apiObjects } from './api-install.js';
import type { Chart, ReleaseInfo } from './chart-values.js';
import { installLabels } from './install-labels.js';
import { operatorObjects } from './operator-install.js';

/** The release `rocketry operator manifests` renders: what `helm install rocketry charts/rocketry -n NS` would be. */
export const DEFAULT_RELEASE: ReleaseInfo = { name: 'rocketry', namespace: 'rocketry-system', service: 'rocketry-cli' };

/** The chart's templates/crds/*.yaml: the CRDs of @rocketry/crds with the chart's labels (and the keep annotation). */
function crdObjects(chart: Chart, release: ReleaseInfo): CustomResourceDefinition[] {
  if (!chart.values.crds.install) return [];
  return CRDS.map((crd) => ({
    ...structuredClone(crd),
    metadata: {
      name: crd.metadata.name,
      labels: { ...crd.metadata.labels, ...installLabels(release, chart.info) },
      ...(chart.values.crds.keep && { annotations: { 'helm.sh/resource-policy': 'keep' } }),
    },
  }));
}

/**
 * Every object the chart installs for these values, in an order `kubectl apply -f` can take (CRDs first, the
 * operator's identity and RBAC before its Deployment). The chart's templates render the same objects: see
 * chart-agreement.test.ts.
 */
export function installObjects(chart: Chart, release: ReleaseInfo = DEFAULT_RELEASE): KubernetesObject[] {
  return [
    ...(crdObjects(chart, release) as KubernetesObject[]),
    ...operatorObjects(chart.values, release, chart.info),
    ...apiObjects(chart.values, release, chart.info),
  ];
}

/** A multi-document YAML stream. No line folding, so CEL rules stay on one line as in crds/generated. */
export function manifestsYaml(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0, minContentWidth: 0 })}`).join('');
}
