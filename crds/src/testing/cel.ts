import { CelScalar, celEnv, celFunc, celMethod, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { compareQuantities, parseQuantity } from '../broker-cluster.js';
import type { JSONSchemaProps } from '../openapi.js';

/**
 * Evaluates a CRD schema's `x-kubernetes-validations` over an object the way the API server does: every rule on every
 * node whose value is present, `self` bound to that value (integers as CEL ints, numbers as doubles), transition rules
 * only when the old object has the node too. Rules are read from the schema as given (the tests pass the schema
 * parsed from the committed YAML), so what is evaluated is the text Kubernetes will see.
 *
 * Kubernetes adds libraries to standard CEL; the shim below implements the ones the rules use (strings extension,
 * quantity). A rule calling anything else fails with "unbound function", so nothing goes unchecked silently.
 */
export interface RuleOutcome {
  /** Field path of the node the rule is declared on (`.spec.queues`; empty at the root). */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  readonly passed: boolean;
}

/** Kubernetes' quantity library, as far as the rules use it: quantity(s) and q.compareTo(q). */
const QUANTITY = '\u0000quantity:';
const kubernetesLibrary = [
  celFunc('quantity', [CelScalar.STRING], CelScalar.STRING, (s: string) => {
    if (!parseQuantity(s)) throw new Error(`quantities must match the regular expression: ${s}`);
    return QUANTITY + s;
  }),
  celFunc('isQuantity', [CelScalar.STRING], CelScalar.BOOL, (s: string) => parseQuantity(s) !== undefined),
  celMethod('compareTo', CelScalar.STRING, [CelScalar.STRING], CelScalar.INT, function (this: string, other: string) {
    if (!this.startsWith(QUANTITY) || !other.startsWith(QUANTITY)) throw new Error('compareTo needs quantities');
    return BigInt(compareQuantities(this.slice(QUANTITY.length), other.slice(QUANTITY.length)));
  }),
];

const env = celEnv({ funcs: [...strings, ...kubernetesLibrary] });
const planned = new Map<string, ReturnType<typeof plan>>();

export function evaluateRule(rule: string, self: unknown, oldSelf?: unknown): boolean {
  let run = planned.get(rule);
  if (!run) {
    run = plan(env, parse(rule));
    planned.set(rule, run);
  }
  const bindings = (oldSelf === undefined ? { self } : { self, oldSelf }) as Parameters<typeof run>[0];
  const result = run(bindings);
  if (isCelError(result)) throw new Error(`CEL rule ${rule} failed: ${result.message}`, { cause: result });
  if (typeof result !== 'boolean') throw new Error(`CEL rule ${rule} returned ${String(result)}, not a bool`);
  return result;
}

export function evaluateRules(schema: JSONSchemaProps, object: unknown, old?: unknown): RuleOutcome[] {
  const outcomes: RuleOutcome[] = [];
  walk(schema, object, old, '', outcomes);
  return outcomes;
}

/** The messages of the rules that failed. */
export function ruleViolations(schema: JSONSchemaProps, object: unknown, old?: unknown): string[] {
  return evaluateRules(schema, object, old)
    .filter((o) => !o.passed)
    .map((o) => o.message);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(schema: JSONSchemaProps, value: unknown, old: unknown, path: string, out: RuleOutcome[]): void {
  if (value === undefined || value === null) return;
  for (const r of schema['x-kubernetes-validations'] ?? []) {
    const transition = /\boldSelf\b/.test(r.rule);
    if (transition && (old === undefined || old === null)) continue;
    const passed = evaluateRule(r.rule, toCel(schema, value), transition ? toCel(schema, old) : undefined);
    out.push({ path, rule: r.rule, message: r.message ?? r.rule, passed });
  }
  if (isObject(value)) {
    const oldObject = isObject(old) ? old : undefined;
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      walk(child, value[key], oldObject?.[key], `${path}.${key}`, out);
    }
    if (schema.additionalProperties) {
      for (const key of Object.keys(value)) {
        walk(schema.additionalProperties, value[key], oldObject?.[key], `${path}.${key}`, out);
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    const keys = schema['x-kubernetes-list-type'] === 'map' ? (schema['x-kubernetes-list-map-keys'] ?? []) : undefined;
    value.forEach((item, i) => {
      // Only list-type map items correlate with the old list (by their keys); others never see oldSelf.
      const match =
        keys && Array.isArray(old)
          ? old.find((o) => isObject(o) && isObject(item) && keys.every((k) => o[k] === item[k]))
          : undefined;
      walk(items, item, match, `${path}[${i}]`, out);
    });
  }
}

/** A JSON value as the API server hands it to CEL: integer fields become ints (bigint here), numbers doubles. */
export function toCel(schema: JSONSchemaProps | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => toCel(schema?.items, v));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, toCel(schema?.properties?.[k] ?? schema?.additionalProperties, v)]),
    );
  }
  if (typeof value === 'number') {
    const integer = schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] === true;
    return integer || (schema?.type === undefined && Number.isInteger(value)) ? BigInt(value) : value;
  }
  return value;
}
