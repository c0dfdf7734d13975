import type { TSchema } from '@sinclair/typebox';
import type { CelRule } from './common.js';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps that the CRDs use. */
export interface JSONSchemaProps {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps;
  items?: JSONSchemaProps;
  anyOf?: JSONSchemaProps[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
  'x-kubernetes-validations'?: ValidationRule[];
}

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
  optionalOldSelf?: boolean;
}

/** Keywords a TypeBox schema may carry into a CRD; anything else is a mistake and fails generation. */
const SCALAR_KEYWORDS = [
  'format',
  'minimum',
  'maximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
] as const;
const HANDLED = new Set<string>([
  ...SCALAR_KEYWORDS,
  'description',
  'type',
  'default',
  'required',
  'properties',
  'patternProperties',
  'items',
  'anyOf',
  'const',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
]);

type Node = Record<string, unknown>;

/**
 * Turns a TypeBox schema into the structural OpenAPI v3 schema of a CRD: unions of literals become `enum`, records
 * become `additionalProperties`, int-or-string unions take Kubernetes' quantity shape, and fields with a default leave
 * `required` (the API server fills them before it validates, so the operator's types can treat them as present).
 */
export function toOpenApiSchema(schema: TSchema): JSONSchemaProps {
  return convert(schema as Node, '');
}

function convert(node: Node, path: string): JSONSchemaProps {
  for (const key of Object.keys(node)) {
    if (!HANDLED.has(key)) throw new Error(`${path || '<root>'}: keyword ${key} has no CRD equivalent`);
  }
  const out: JSONSchemaProps = {};
  if (typeof node.description === 'string') out.description = node.description;
  if (node['x-kubernetes-int-or-string'] === true) {
    out['x-kubernetes-int-or-string'] = true;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    const string = (node.anyOf as Node[]).find((n) => n.type === 'string');
    if (typeof string?.pattern === 'string') out.pattern = string.pattern;
  } else if (Array.isArray(node.anyOf)) {
    const members = node.anyOf as Node[];
    if (!members.every((m) => typeof m.const === 'string')) throw new Error(`${path}: only unions of string literals`);
    out.type = 'string';
    out.enum = members.map((m) => m.const);
  } else {
    out.type = node.type as JSONSchemaProps['type'];
  }
  if (node.default !== undefined) out.default = node.default;
  for (const key of SCALAR_KEYWORDS) {
    if (node[key] !== undefined) (out as Node)[key] = node[key];
  }
  if (node.type === 'object') {
    if (node.properties) {
      const props = node.properties as Record<string, Node>;
      out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, convert(v, `${path}.${k}`)]));
      const required = ((node.required as string[] | undefined) ?? []).filter((k) => props[k]?.default === undefined);
      if (required.length > 0) out.required = required;
      if (Object.keys(props).length === 0) delete out.properties;
    }
    if (node.patternProperties) {
      const [value] = Object.values(node.patternProperties as Record<string, Node>);
      if (node['x-kubernetes-preserve-unknown-fields'] !== true && value) {
        out.additionalProperties = convert(value, `${path}.*`);
      }
    }
  }
  if (node.items) out.items = convert(node.items as Node, `${path}[]`);
  if (node['x-kubernetes-preserve-unknown-fields'] === true) out['x-kubernetes-preserve-unknown-fields'] = true;
  const rules = node['x-kubernetes-validations'] as readonly CelRule[] | undefined;
  if (rules && rules.length > 0) {
    out['x-kubernetes-validations'] = rules.map((r) => ({
      rule: r.rule,
      message: r.message,
      ...(r.fieldPath === undefined ? {} : { fieldPath: r.fieldPath }),
      ...(r.reason === undefined ? {} : { reason: r.reason }),
    }));
  }
  return out;
}
