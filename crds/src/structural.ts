import type { JSONSchemaProps } from './openapi.js';
import { schemaValueProblems } from './schema-value.js';

/**
 * The Kubernetes rules for a structural CRD schema (apiextensions.k8s.io/v1, "Specifying a structural schema" and
 * the v1 validation of JSONSchemaProps), plus what the API server checks about list types, defaults and CEL rule
 * placement. Returns one line per problem; empty means the API server would accept the schema.
 *
 * 1. Every node has a non-empty `type`, except nodes with `x-kubernetes-int-or-string: true` or
 *    `x-kubernetes-preserve-unknown-fields: true`; the root is an object.
 * 2. Inside anyOf/allOf/oneOf/not no description, type, default, additionalProperties or nullable, except the
 *    int-or-string pattern `anyOf: [{type: integer}, {type: string}]`.
 * 3. `properties` and `additionalProperties` exclude each other; `additionalProperties` is a schema, not a boolean.
 * 4. Only keywords of JSONSchemaProps that v1 allows: no $ref, definitions, dependencies, patternProperties,
 *    additionalItems, id, const; `uniqueItems` never true; exclusive bounds are booleans.
 * 5. `metadata` at the root only restricts name and generateName; no defaults inside it.
 * 6. Arrays have one `items` schema; list-type map needs object items whose map keys are required or defaulted
 *    scalars; list-type set needs scalar items; map keys only on map lists.
 * 7. Defaults are pruned (no unknown fields) and valid against their own schema.
 * 8. Transition rules (`oldSelf`) only where the API server can correlate old and new: not under an array unless
 *    every array on the way is a list-type map.
 * 9. A rule's fieldPath names a field of the node it is declared on.
 */
export function structuralProblems(root: JSONSchemaProps): string[] {
  const problems: string[] = [];
  if (root.type !== 'object') problems.push('<root>: type must be object');
  walk(root, '', { inJunctor: false, underList: false, atRoot: true }, problems);
  return problems;
}

const ALLOWED = new Set([
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'properties',
  'additionalProperties',
  'nullable',
  'example',
  'externalDocs',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);
const JUNCTOR_FORBIDDEN = ['description', 'type', 'default', 'additionalProperties', 'nullable'] as const;

interface Where {
  inJunctor: boolean;
  /** Under an array that the API server cannot correlate (anything but a list-type map). */
  underList: boolean;
  atRoot: boolean;
}

type Raw = Record<string, unknown>;

function walk(node: JSONSchemaProps, path: string, where: Where, problems: string[]): void {
  const at = path || '<root>';
  const raw = node as Raw;
  for (const key of Object.keys(raw)) {
    if (!ALLOWED.has(key)) problems.push(`${at}: keyword ${key} is not allowed in a v1 CRD schema`);
  }
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (raw['x-kubernetes-preserve-unknown-fields'] === false) {
    problems.push(`${at}: x-kubernetes-preserve-unknown-fields must be true or absent`);
  }
  if (where.inJunctor) {
    for (const key of JUNCTOR_FORBIDDEN) {
      if (raw[key] !== undefined && !(key === 'type' && isIntOrStringBranch(node))) {
        problems.push(`${at}: ${key} is not allowed inside anyOf/allOf/oneOf/not`);
      }
    }
  } else if (intOrString) {
    if (node.type !== undefined) problems.push(`${at}: x-kubernetes-int-or-string excludes type`);
    if (node.anyOf !== undefined && !isIntOrStringAnyOf(node.anyOf)) {
      problems.push(`${at}: x-kubernetes-int-or-string allows only anyOf [{type: integer}, {type: string}]`);
    }
  } else if (node.type === undefined) {
    if (!preserve) problems.push(`${at}: type is required (structural schema)`);
  } else if (!TYPES.has(node.type)) {
    problems.push(`${at}: unknown type ${node.type}`);
  }
  if (raw.uniqueItems === true) problems.push(`${at}: uniqueItems cannot be true`);
  for (const key of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (raw[key] !== undefined && typeof raw[key] !== 'boolean') problems.push(`${at}: ${key} must be a boolean`);
  }
  if (node.properties !== undefined && raw.additionalProperties !== undefined) {
    problems.push(`${at}: properties and additionalProperties exclude each other`);
  }
  if (typeof raw.additionalProperties === 'boolean') {
    problems.push(`${at}: additionalProperties must be a schema, not a boolean`);
  }
  if ((node.properties || node.additionalProperties) && node.type !== 'object' && !where.inJunctor) {
    problems.push(`${at}: properties need type object`);
  }
  if (node.type === 'array' && !where.inJunctor) {
    if (node.items === undefined) problems.push(`${at}: an array needs items`);
    if (Array.isArray(raw.items)) problems.push(`${at}: items must be one schema`);
  }
  if (node.enum !== undefined && node.type !== undefined && SCALARS.has(node.type)) {
    for (const v of node.enum) {
      if (!scalarMatches(node.type, v)) problems.push(`${at}: enum value ${JSON.stringify(v)} is not a ${node.type}`);
    }
  }
  if (node.required) {
    for (const key of node.required) {
      if (!node.properties?.[key]) problems.push(`${at}: required field ${key} is not a property`);
    }
  }
  checkListType(node, at, problems);
  if (node.default !== undefined) {
    if (where.inJunctor) problems.push(`${at}: default inside a junctor`);
    for (const p of schemaValueProblems(node, node.default, { unknownFields: 'report' })) {
      problems.push(`${at}: default ${p.path ? `${p.path} ` : ''}${p.message}`);
    }
  }
  checkRules(node, at, where, problems);

  if (where.atRoot && node.properties?.metadata) checkMetadata(node.properties.metadata, problems);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (where.atRoot && key === 'metadata') continue;
    walk(child, `${path}.${key}`, { ...where, atRoot: false }, problems);
  }
  if (node.additionalProperties) {
    walk(node.additionalProperties, `${path}[*]`, { ...where, atRoot: false }, problems);
  }
  if (node.items && !Array.isArray(raw.items)) {
    const correlatable = node['x-kubernetes-list-type'] === 'map';
    walk(node.items, `${path}[]`, { ...where, atRoot: false, underList: where.underList || !correlatable }, problems);
  }
  for (const junctor of ['anyOf', 'allOf', 'oneOf'] as const) {
    const branches = raw[junctor];
    if (branches === undefined) continue;
    if (!Array.isArray(branches)) {
      problems.push(`${at}: ${junctor} must be a list`);
      continue;
    }
    branches.forEach((b: JSONSchemaProps, i) => {
      walk(b, `${path}.${junctor}[${i}]`, { ...where, inJunctor: true, atRoot: false }, problems);
      for (const key of Object.keys(b.properties ?? {})) {
        if (!node.properties?.[key]) problems.push(`${at}: ${junctor} names field ${key} that the node does not`);
      }
    });
  }
}

function isIntOrStringBranch(node: JSONSchemaProps): boolean {
  return (node.type === 'integer' || node.type === 'string') && Object.keys(node).length === 1;
}

function isIntOrStringAnyOf(anyOf: JSONSchemaProps[]): boolean {
  return (
    anyOf.length === 2 &&
    anyOf[0]?.type === 'integer' &&
    anyOf[1]?.type === 'string' &&
    anyOf.every((b) => Object.keys(b).length === 1)
  );
}

function scalarMatches(type: string, v: unknown): boolean {
  if (type === 'integer') return Number.isInteger(v);
  return typeof v === type;
}

function checkListType(node: JSONSchemaProps, at: string, problems: string[]): void {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType !== undefined && node.type !== 'array') problems.push(`${at}: x-kubernetes-list-type needs an array`);
  if (keys !== undefined && listType !== 'map') problems.push(`${at}: x-kubernetes-list-map-keys needs list-type map`);
  if (listType === 'set' && node.items && !SCALARS.has(node.items.type ?? '')) {
    problems.push(`${at}: list-type set needs scalar items`);
  }
  if (listType === 'map') {
    const items = node.items;
    if (items?.type !== 'object') problems.push(`${at}: list-type map needs object items`);
    if (!keys || keys.length === 0) problems.push(`${at}: list-type map needs x-kubernetes-list-map-keys`);
    for (const key of keys ?? []) {
      const prop = items?.properties?.[key];
      if (!prop || !SCALARS.has(prop.type ?? '')) problems.push(`${at}: map key ${key} must be a scalar property`);
      else if (!items?.required?.includes(key) && prop.default === undefined) {
        problems.push(`${at}: map key ${key} must be required or defaulted`);
      }
    }
  }
}

function checkMetadata(metadata: JSONSchemaProps, problems: string[]): void {
  if (metadata.type !== 'object') problems.push('.metadata: type must be object');
  for (const key of Object.keys(metadata)) {
    if (!['type', 'description', 'properties'].includes(key)) problems.push(`.metadata: ${key} is not allowed`);
  }
  for (const [key, child] of Object.entries(metadata.properties ?? {})) {
    if (key !== 'name' && key !== 'generateName') problems.push(`.metadata: only name and generateName, not ${key}`);
    if (child.type !== 'string' || child.default !== undefined) {
      problems.push(`.metadata.${key}: a string restriction without default`);
    }
  }
}

function checkRules(node: JSONSchemaProps, at: string, where: Where, problems: string[]): void {
  for (const rule of node['x-kubernetes-validations'] ?? []) {
    if (typeof rule.rule !== 'string' || rule.rule.length === 0) problems.push(`${at}: a validation without rule`);
    if (rule.message === undefined && rule.messageExpression === undefined) {
      problems.push(`${at}: rule ${rule.rule} has no message`);
    }
    if (/\boldSelf\b/.test(rule.rule) && where.underList) {
      problems.push(`${at}: transition rule ${rule.rule} under a list the API server cannot correlate`);
    }
    if (rule.fieldPath !== undefined && !resolveFieldPath(node, rule.fieldPath)) {
      problems.push(`${at}: fieldPath ${rule.fieldPath} of ${rule.rule} names no field`);
    }
    if (rule.reason !== undefined) {
      const reasons = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];
      if (!reasons.includes(rule.reason)) problems.push(`${at}: unknown rule reason ${rule.reason}`);
    }
  }
}

function resolveFieldPath(node: JSONSchemaProps, fieldPath: string): boolean {
  if (!fieldPath.startsWith('.')) return false;
  let current: JSONSchemaProps | undefined = node;
  for (const part of fieldPath.slice(1).split('.')) {
    current = current?.properties?.[part];
    if (!current) return false;
  }
  return true;
}
