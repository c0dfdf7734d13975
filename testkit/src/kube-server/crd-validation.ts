/**
 * OpenAPI v3 validation of a custom resource against its CRD's structural schema, as the apiextensions server does
 * after pruning and defaulting: types (with nullable and x-kubernetes-int-or-string), required, enum, numeric bounds,
 * multipleOf, string length and pattern, item and property counts, uniqueItems, allOf/anyOf/oneOf/not.
 * `format` and CEL rules (`x-kubernetes-validations`) are not checked here; see README.md.
 */

import type { KubeObject } from './kube-object.js';
import { isPlainObject } from './kube-object.js';
import type { ResourceType } from './resource-types.js';
import { type FieldCause, invalid } from './status.js';

export interface ValidationSchema {
  type?: string;
  nullable?: boolean;
  properties?: Record<string, ValidationSchema>;
  additionalProperties?: ValidationSchema | boolean;
  items?: ValidationSchema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: ValidationSchema[];
  anyOf?: ValidationSchema[];
  oneOf?: ValidationSchema[];
  not?: ValidationSchema;
  'x-kubernetes-int-or-string'?: boolean;
}

const typeOf = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

function typeMatches(schema: ValidationSchema, v: unknown): boolean {
  if (schema['x-kubernetes-int-or-string'])
    return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  const actual = typeOf(v);
  switch (schema.type) {
    case undefined:
      return true;
    case 'number':
      return actual === 'number' || actual === 'integer';
    case 'object':
      return isPlainObject(v);
    default:
      return actual === schema.type;
  }
}

function check(schema: ValidationSchema, v: unknown, path: string, out: FieldCause[]): void {
  const fail = (message: string) => out.push({ field: path, message: `Invalid value: ${show(v)}: ${message}` });
  if (v === null) {
    if (!schema.nullable && schema.type)
      out.push({
        field: path,
        message: `Invalid value: "null": ${path} in body must be of type ${schema.type}: "null"`,
      });
    return;
  }
  if (!typeMatches(schema, v)) {
    out.push({
      field: path,
      message: `Invalid value: "${typeOf(v)}": ${path} in body must be of type ${schema.type}: "${typeOf(v)}"`,
    });
    return;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    out.push({
      field: path,
      message: `Unsupported value: ${show(v)}: supported values: ${schema.enum.map(show).join(', ')}`,
    });
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? v <= schema.minimum : v < schema.minimum)) {
      fail(`${path} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`);
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? v >= schema.maximum : v > schema.maximum)) {
      fail(`${path} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`);
    }
    if (schema.multipleOf !== undefined && v % schema.multipleOf !== 0)
      fail(`${path} in body should be a multiple of ${schema.multipleOf}`);
  }
  if (typeof v === 'string') {
    const length = [...v].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      fail(`${path} in body should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      out.push({ field: path, message: `Too long: may not be more than ${schema.maxLength} bytes` });
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(v))
      fail(`${path} in body should match '${schema.pattern}'`);
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems)
      fail(`${path} in body should have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems) {
      out.push({ field: path, message: `Too many: ${v.length}: must have at most ${schema.maxItems} items` });
    }
    if (schema.uniqueItems && new Set(v.map((i) => JSON.stringify(i))).size !== v.length) {
      out.push({ field: path, message: `Duplicate value: ${path} in body shouldn't contain duplicates` });
    }
    if (schema.items) {
      for (const [i, item] of v.entries()) check(schema.items, item, `${path}[${i}]`, out);
    }
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties)
      fail(`${path} in body should have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
      fail(`${path} in body should have at most ${schema.maxProperties} properties`);
    for (const key of schema.required ?? []) {
      if (v[key] === undefined) out.push({ field: path ? `${path}.${key}` : key, message: 'Required value' });
    }
    for (const [key, child] of Object.entries(v)) {
      const childSchema =
        schema.properties?.[key] ??
        (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (childSchema) check(childSchema, child, path ? `${path}.${key}` : key, out);
    }
  }
  const passes = (s: ValidationSchema) => {
    const errs: FieldCause[] = [];
    check(s, v, path, errs);
    return errs.length === 0;
  };
  for (const s of schema.allOf ?? []) check(s, v, path, out);
  if (schema.anyOf && !schema.anyOf.some(passes)) fail(`${path} in body must match at least one schema in anyOf`);
  if (schema.oneOf && schema.oneOf.filter(passes).length !== 1)
    fail(`${path} in body must match exactly one schema in oneOf`);
  if (schema.not && passes(schema.not)) fail(`${path} in body must not match the schema in not`);
}

/** Field errors of a custom resource (metadata, apiVersion and kind are the server's business, not the schema's). */
export function validateAgainstSchema(
  obj: Record<string, unknown>,
  schema: ValidationSchema | undefined,
): FieldCause[] {
  if (!schema) return [];
  const out: FieldCause[] = [];
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  const root: ValidationSchema = { ...schema, properties: { ...schema.properties } };
  for (const key of ['metadata', 'apiVersion', 'kind']) delete root.properties![key];
  root.required = (schema.required ?? []).filter((k) => !['metadata', 'apiVersion', 'kind'].includes(k));
  check(root, rest, '', out);
  return out;
}

/** Throws 422 Invalid when a custom resource does not satisfy its CRD's schema. */
export function checkSchema(type: ResourceType, obj: KubeObject): void {
  const causes = validateAgainstSchema(obj, type.schema as ValidationSchema | undefined);
  if (causes.length > 0) throw invalid(type.kind, type.group, obj.metadata.name ?? '', causes);
}
