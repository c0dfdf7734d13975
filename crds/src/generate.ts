import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFiles, GENERATED_DIR } from './manifests.js';

// `npm run generate -w crds`: rewrites crds/generated/ from the TypeBox source (run from dist/).
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', GENERATED_DIR);
await mkdir(dir, { recursive: true });
for (const name of await readdir(dir)) {
  if (name.endsWith('.yaml')) await rm(join(dir, name));
}
for (const file of crdFiles()) {
  await writeFile(join(dir, file.name), file.text);
  process.stdout.write(`wrote ${join(GENERATED_DIR, file.name)}\n`);
}
