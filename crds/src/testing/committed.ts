import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { CustomResourceDefinition } from '../crd.js';
import { GENERATED_DIR } from '../manifests.js';
import type { JSONSchemaProps } from '../openapi.js';

/** crds/generated/, the committed YAML the tests read (never the TypeScript objects). */
export const generatedDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', GENERATED_DIR);

export interface CommittedCrd {
  readonly file: string;
  readonly text: string;
  readonly crd: CustomResourceDefinition;
  readonly schema: JSONSchemaProps;
}

export function committedFiles(): { name: string; text: string }[] {
  return readdirSync(generatedDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(generatedDir, name), 'utf8') }));
}

/** Every committed CRD by kind, parsed from its YAML text. */
export function committedCrds(): Map<string, CommittedCrd> {
  const byKind = new Map<string, CommittedCrd>();
  for (const { name, text } of committedFiles()) {
    const crd = parse(text) as CustomResourceDefinition;
    const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
    if (!schema) throw new Error(`${name}: no schema`);
    byKind.set(crd.spec.names.kind, { file: name, text, crd, schema });
  }
  return byKind;
}
