import type { JSONSchemaProps } from './openapi.js';

/**
 * Values against a CRD's OpenAPI schema, as the API server treats them: defaulting, then validation of the
 * JSON-schema keywords (CEL rules are separate). Pure and dependency-free, so an in-test API server can use it as
 * admission and the CRD tests can check fixtures and defaults with it.
 */
export interface ValueProblem {
  /** Field path from the node validated (`.spec.queues`, `.targets[0].name`); empty for the node itself. */
  readonly path: string;
  readonly message: string;
}

export interface ValueCheckOptions {
  /** `prune`: ignore fields the schema does not name (the API server drops them); `report`: list them. */
  readonly unknownFields?: 'prune' | 'report';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `value` with the schema's defaults filled in wherever a field is absent and its parent is present. */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((item) => applyDefaults(schema.items!, item)) : value;
  if (!isObject(value)) return value;
  const out: Json = { ...value };
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (out[key] === undefined && child.default !== undefined) out[key] = structuredClone(child.default);
    if (out[key] !== undefined) out[key] = applyDefaults(child, out[key]);
  }
  if (schema.additionalProperties) {
    for (const key of Object.keys(out)) out[key] = applyDefaults(schema.additionalProperties, out[key]);
  }
  return out;
}

export function schemaValueProblems(
  schema: JSONSchemaProps,
  value: unknown,
  options: ValueCheckOptions = {},
): ValueProblem[] {
  const problems: ValueProblem[] = [];
  check(schema, value, '', options.unknownFields ?? 'prune', problems);
  return problems;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function check(
  schema: JSONSchemaProps,
  value: unknown,
  path: string,
  unknown: 'prune' | 'report',
  out: ValueProblem[],
): void {
  const fail = (message: string) => out.push({ path, message });
  if (value === null) {
    fail('must not be null');
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value === 'string') {
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) fail(`must match ${schema.pattern}`);
    } else if (!Number.isInteger(value)) fail('must be an integer or a string');
    return;
  }
  if (schema.type === undefined) return;
  if (!typeMatches(schema.type, value)) {
    fail(`must be of type ${schema.type}`);
    return;
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    fail(`must be one of ${schema.enum.map(String).join(', ')}`);
  }
  if (typeof value === 'number') checkNumber(schema, value, fail);
  if (typeof value === 'string') checkString(schema, value, fail);
  if (Array.isArray(value)) {
    checkArray(schema, value, fail);
    value.forEach((item, i) => {
      if (schema.items) check(schema.items, item, `${path}[${i}]`, unknown, out);
    });
  }
  if (isObject(value)) {
    if (schema.minProperties !== undefined && Object.keys(value).length < schema.minProperties) {
      fail(`must have at least ${schema.minProperties} fields`);
    }
    if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) {
      fail(`must have at most ${schema.maxProperties} fields`);
    }
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) out.push({ path: `${path}.${key}`, message: 'is required' });
    }
    for (const [key, v] of Object.entries(value)) {
      const child = schema.properties?.[key] ?? schema.additionalProperties;
      if (child) check(child, v, `${path}.${key}`, unknown, out);
      // The root's metadata is ObjectMeta, which the API server validates itself; the CRD schema leaves it open.
      else if (unknown === 'report' && !schema['x-kubernetes-preserve-unknown-fields'] && path !== '.metadata') {
        out.push({ path: `${path}.${key}`, message: 'is not a field of the schema' });
      }
    }
  }
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

function checkNumber(schema: JSONSchemaProps, value: number, fail: (m: string) => void): void {
  if (schema.minimum !== undefined && value < schema.minimum) fail(`must be at least ${schema.minimum}`);
  if (schema.maximum !== undefined && value > schema.maximum) fail(`must be at most ${schema.maximum}`);
  if (schema.multipleOf !== undefined) {
    const ratio = value / schema.multipleOf;
    if (Math.abs(ratio - Math.round(ratio)) > 1e-9) fail(`must be a multiple of ${schema.multipleOf}`);
  }
}

function checkString(schema: JSONSchemaProps, value: string, fail: (m: string) => void): void {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength)
    fail(`must have at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined && length > schema.maxLength)
    fail(`must have at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) fail(`must match ${schema.pattern}`);
  if (schema.format === 'date-time' && !DATE_TIME.test(value)) fail('must be an RFC 3339 date-time');
}

function checkArray(schema: JSONSchemaProps, value: unknown[], fail: (m: string) => void): void {
  if (schema.minItems !== undefined && value.length < schema.minItems)
    fail(`must have at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined && value.length > schema.maxItems)
    fail(`must have at most ${schema.maxItems} items`);
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set' && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
    fail('must not repeat an item (list-type set)');
  }
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set(value.map((v) => JSON.stringify(keys.map((k) => (isObject(v) ? v[k] : undefined)))));
    if (seen.size !== value.length) fail(`must not repeat ${keys.join(', ')} (list-type map)`);
  }
}
