import { stringify } from 'yaml';
import type { CustomResourceDefinition } from './crd.js';
import { CRDS } from './crds.js';

/** Directory of the committed YAML, relative to the crds package. */
export const GENERATED_DIR = 'generated';

const HEADER = '# Generated from crds/src by `npm run generate -w crds`. Do not edit.\n';

/** One CRD as committed YAML. No line folding, so every CEL rule appears verbatim on one line. */
export function crdYaml(crd: CustomResourceDefinition): string {
  return HEADER + stringify(crd, { lineWidth: 0, minContentWidth: 0 });
}

/** File name (in GENERATED_DIR) and text of every CRD. */
export function crdFiles(): { name: string; text: string }[] {
  return CRDS.map((crd) => ({ name: `${crd.metadata.name}.yaml`, text: crdYaml(crd) }));
}
