import type { CustomResourceDefinition } from '@rocketry/crds';
import { stringify } from 'yaml';
import { LABEL_KEYS } from './install-labels.js';

/**
 * The chart's CRD templates (charts/rocketry/templates/crds/<name>.yaml), generated from the CRD objects of
 * @rocketry/crds (the same source as crds/generated/). They are templates rather than files in the chart's crds/ so
 * that `helm upgrade` updates them. Regenerate with `node operator/dist/install/write-chart-crds.js`; a test fails
 * while a committed template differs from this text.
 */
export const CHART_CRD_DIR = 'templates/crds';

const HEADER =
  '# Generated from @rocketry/crds by `node operator/dist/install/write-chart-crds.js`. Do not edit.\n' +
  '# Helm would take double braces in a description for an action: they are written as a string action here.\n';

export const chartCrdFileName = (crd: CustomResourceDefinition): string => `${crd.metadata.name}.yaml`;

export function chartCrdTemplate(crd: CustomResourceDefinition): string {
  const ownLabels = Object.entries(crd.metadata.labels ?? {}).filter(([key]) => !LABEL_KEYS.includes(key));
  const spec = stringify({ spec: crd.spec }, { lineWidth: 0, minContentWidth: 0 }).replaceAll('{{', '{{ "{{" }}');
  return [
    '{{- if .Values.crds.install }}\n',
    HEADER,
    `apiVersion: ${crd.apiVersion}\n`,
    `kind: ${crd.kind}\n`,
    'metadata:\n',
    `  name: ${crd.metadata.name}\n`,
    '  labels:\n',
    '    {{- include "rocketry.labels" . | nindent 4 }}\n',
    ...ownLabels.map(([key, value]) => `    ${key}: ${JSON.stringify(value)}\n`),
    '  {{- if .Values.crds.keep }}\n',
    '  annotations:\n',
    '    helm.sh/resource-policy: keep\n',
    '  {{- end }}\n',
    spec,
    '{{- end }}\n',
  ].join('');
}
