import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR } from './chart-paths.js';
import { type Chart, loadChart, mergeValues, type ReleaseInfo } from './chart-values.js';
import { renderChart } from './helm-template.fixture.js';

/** Release values as Helm passes them: `helm install NAME charts/rocketry -n NAMESPACE`. */
export const HELM_RELEASE: ReleaseInfo = { name: 'rocketry', namespace: 'rocketry-system', service: 'Helm' };

export interface RenderedObjects {
  chart: Chart;
  objects: KubernetesObject[];
  /** Object key (`kind namespace/name`) → the template file it came from. */
  sources: Map<string, string>;
  notes: string;
}

export const objectKey = (o: KubernetesObject): string =>
  `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;

/** Renders the chart's templates for its default values merged with `overrides`, and parses every document. */
export async function renderChartObjects(overrides: unknown = {}, release = HELM_RELEASE): Promise<RenderedObjects> {
  const defaults = await loadChart(CHART_DIR);
  const chart: Chart = { info: defaults.info, values: mergeValues(defaults.values, overrides) };
  const rendered = await renderChart(CHART_DIR, {
    Values: chart.values,
    Release: { Name: release.name, Namespace: release.namespace, Service: release.service },
    Chart: { Name: chart.info.name, Version: chart.info.version, AppVersion: chart.info.appVersion },
  });
  const objects: KubernetesObject[] = [];
  const sources = new Map<string, string>();
  for (const [file, text] of rendered.manifests) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`templates/${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const object = doc.toJS() as KubernetesObject | null;
      if (object === null) continue; // Helm drops empty documents.
      objects.push(object);
      sources.set(objectKey(object), file);
    }
  }
  return { chart, objects, sources, notes: rendered.notes };
}
