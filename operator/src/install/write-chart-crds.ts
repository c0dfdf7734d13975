import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CRDS } from '@rocketry/crds';
import { CHART_CRD_DIR, chartCrdFileName, chartCrdTemplate } from './chart-crds.js';
import { CHART_DIR } from './chart-paths.js';

// `node operator/dist/install/write-chart-crds.js`: rewrites charts/rocketry/templates/crds/ from @rocketry/crds.
const dir = join(CHART_DIR, CHART_CRD_DIR);
for (const name of await readdir(dir)) {
  if (name.endsWith('.yaml')) await rm(join(dir, name));
}
for (const crd of CRDS) {
  await writeFile(join(dir, chartCrdFileName(crd)), chartCrdTemplate(crd));
  process.stdout.write(`wrote ${join(CHART_CRD_DIR, chartCrdFileName(crd))}\n`);
}
