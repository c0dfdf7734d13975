import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRDS } from '@rocketry/crds';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_CRD_DIR, chartCrdFileName, chartCrdTemplate } from './chart-crds.js';
import { CHART_DIR } from './chart-paths.js';
import { renderChartObjects } from './chart-render.fixture.js';

const GENERATED = fileURLToPath(new URL('../../../crds/generated/', import.meta.url));

async function generatedCrds(): Promise<Record<string, unknown>[]> {
  const files = (await readdir(GENERATED)).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (f) => parse(await readFile(join(GENERATED, f), 'utf8')) as Record<string, unknown>),
  );
}

describe('the chart CRDs', () => {
  it('are the committed templates generated from @rocketry/crds (regenerate: node operator/dist/install/write-chart-crds.js)', async () => {
    const dir = join(CHART_DIR, CHART_CRD_DIR);
    expect((await readdir(dir)).sort()).toEqual(CRDS.map(chartCrdFileName).sort());
    for (const crd of CRDS) {
      expect(await readFile(join(dir, chartCrdFileName(crd)), 'utf8')).toBe(chartCrdTemplate(crd));
    }
  });

  it('render to exactly the CRDs of crds/generated, plus the chart labels and the keep annotation', async () => {
    type Crd = Record<string, unknown> & { metadata: { name: string; labels: Record<string, string> } };
    const { objects } = await renderChartObjects();
    const rendered = objects.filter((o) => o.kind === 'CustomResourceDefinition') as unknown as Crd[];
    const generated = (await generatedCrds()) as Crd[];
    expect(rendered.map((c) => c.metadata.name).sort()).toEqual(generated.map((c) => c.metadata.name).sort());
    for (const crd of generated) {
      const mine = rendered.find((c) => c.metadata.name === crd.metadata.name);
      expect({ ...mine, metadata: undefined }).toEqual({ ...crd, metadata: undefined });
      expect(mine?.metadata).toEqual({
        name: crd.metadata.name,
        labels: expect.objectContaining(crd.metadata.labels),
        annotations: { 'helm.sh/resource-policy': 'keep' },
      });
    }
  });

  it('keep a description with double braces verbatim', async () => {
    const { objects } = await renderChartObjects();
    expect(JSON.stringify(objects)).toContain('Template text with {{ $.data.field }} placeholders');
  });
});
