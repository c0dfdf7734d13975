/**
 * What the apiextensions server does to a custom resource with its structural schema before storing it: prune
 * fields the schema does not declare (unless `x-kubernetes-preserve-unknown-fields`), drop nulls that are not
 * `nullable`, and apply `default`s to absent fields (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/{pruning,defaulting}).
 * Validation (types, enums, CEL) is not done here; plug a validator in through the server's admission hook.
 */
import { isPlainObject } from './kube-object.js';

export interface StructuralSchema {
  type?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

function shape(
  value: unknown,
  schema: StructuralSchema | undefined,
  embedded: boolean,
  path: string,
  dropped: string[],
): unknown {
  if (!schema) return value;
  if (Array.isArray(value))
    return schema.items ? value.map((v, i) => shape(v, schema.items, false, `${path}[${i}]`, dropped)) : value;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  const props = schema.properties ?? {};
  const extra = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (embedded && (key === 'apiVersion' || key === 'kind')) out[key] = child;
    else if (embedded && key === 'metadata') out[key] = pruneMetadata(child, at, dropped);
    else if (props[key]) {
      if (child === null && !props[key].nullable) continue;
      out[key] = shape(child, props[key], props[key]['x-kubernetes-embedded-resource'] === true, at, dropped);
    } else if (isPlainObject(extra)) out[key] = shape(child, extra, false, at, dropped);
    else if (extra === true || preserve) out[key] = child;
    else dropped.push(at);
  }
  for (const [key, child] of Object.entries(props)) {
    if (out[key] === undefined && child.default !== undefined) {
      out[key] = shape(structuredClone(child.default), child, false, key, []);
    }
  }
  return out;
}

function pruneMetadata(meta: unknown, path: string, dropped: string[]): unknown {
  if (!isPlainObject(meta)) return meta;
  for (const k of Object.keys(meta)) if (!OBJECT_META_FIELDS.has(k)) dropped.push(`${path}.${k}`);
  return Object.fromEntries(Object.entries(meta).filter(([k]) => OBJECT_META_FIELDS.has(k)));
}

/**
 * Prunes and defaults a whole custom resource against its version's openAPIV3Schema; the paths of pruned fields are
 * appended to `dropped` (for fieldValidation=Strict).
 */
export function pruneAndDefault<T extends Record<string, unknown>>(
  obj: T,
  schema: StructuralSchema | undefined,
  dropped: string[] = [],
): T {
  if (!schema) return obj;
  return shape(obj, { ...schema, 'x-kubernetes-embedded-resource': true }, true, '', dropped) as T;
}
