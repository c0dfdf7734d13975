import type { TSchema } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { BrokerCluster } from './broker-cluster.js';
import { type CelRule, CHECK } from './common.js';
import type { ConsumerGroup } from './consumer-group.js';
import { KINDS, type KindName } from './crds.js';
import type { EventRule } from './event-rule.js';
import type { Topic } from './topic.js';

export interface ResourceOfKind {
  BrokerCluster: BrokerCluster;
  Topic: Topic;
  ConsumerGroup: ConsumerGroup;
  EventRule: EventRule;
}

export interface SpecProblem {
  /** Where, as a field path from the object root (`spec.queues`). */
  readonly path: string;
  readonly message: string;
}

export type SpecValidation<K extends KindName> =
  | { readonly valid: true; readonly object: ResourceOfKind[K] }
  | { readonly valid: false; readonly message: string; readonly problems: readonly SpecProblem[] };

// The CRD formats, for TypeBox (which rejects unregistered formats). Kubernetes only checks date-time's shape.
const FORMATS: Record<string, (v: string) => boolean> = {
  int32: () => true,
  int64: () => true,
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v),
};
for (const [name, check] of Object.entries(FORMATS)) {
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);
}

/**
 * Checks a custom resource's spec the way the API server would (schema and CEL rules), for objects that reached the
 * operator without that check (an older CRD installed, a test server, a client that skipped validation). Defaults are
 * applied first, as the API server applies them. Pass `old` to run the transition rules too. The messages are the CRD
 * rules' messages, so `Ready=False, reason=InvalidSpec` reads the same as an admission error.
 */
export function validateSpec<K extends KindName>(kind: K, object: unknown, old?: unknown): SpecValidation<K> {
  const schema = KINDS[kind].schema;
  const source = (object ?? {}) as Record<string, unknown>;
  const candidate = Value.Default(schema, {
    ...source,
    metadata: source.metadata ?? {},
    status: undefined,
  }) as Record<string, unknown>;
  delete candidate.status;
  const problems = schemaProblems(schema, candidate);
  if (problems.length === 0) {
    const oldSource = old as Record<string, unknown> | undefined;
    const previous = oldSource
      ? (Value.Default(schema, { ...oldSource, metadata: oldSource.metadata ?? {}, status: undefined }) as Record<
          string,
          unknown
        >)
      : undefined;
    ruleProblems(schema, candidate, previous, '', problems);
  }
  if (problems.length > 0) {
    return { valid: false, problems, message: problems.map((p) => `${p.path}: ${p.message}`).join('; ') };
  }
  return { valid: true, object: { ...candidate, status: source.status } as ResourceOfKind[K] };
}

function schemaProblems(schema: TSchema, value: unknown): SpecProblem[] {
  const seen = new Set<string>();
  const problems: SpecProblem[] = [];
  for (const error of Value.Errors(schema, value)) {
    const path =
      error.path
        .split('/')
        .filter(Boolean)
        .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
        .join('')
        .replace(/^\./, '') || '<root>';
    if (seen.has(path)) continue;
    seen.add(path);
    const members = (error.schema as { anyOf?: { const?: unknown }[] }).anyOf;
    const literals = members?.every((m) => typeof m.const === 'string') ? members.map((m) => m.const) : undefined;
    const message = literals
      ? `must be one of ${literals.join(', ')}`
      : error.message.replace(/^Expected required property$/, 'is required');
    problems.push({ path, message });
  }
  return problems;
}

type Json = Record<string, unknown>;

function ruleProblems(schema: TSchema, value: unknown, old: unknown, path: string, out: SpecProblem[]): void {
  const node = schema as Json;
  for (const rule of (node['x-kubernetes-validations'] as CelRule[] | undefined) ?? []) {
    const transition = /\boldSelf\b/.test(rule.rule);
    if (transition && old === undefined) continue;
    let ok: boolean;
    try {
      ok = (rule[CHECK] as (self: unknown, oldSelf: unknown) => boolean)(value, old);
    } catch {
      ok = false;
    }
    if (!ok) out.push({ path: `${path}${rule.fieldPath ?? ''}`.replace(/^\./, '') || '<root>', message: rule.message });
  }
  if (node.type === 'object' && node.properties && typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(node.properties as Record<string, TSchema>)) {
      const v = (value as Json)[key];
      if (v === undefined) continue;
      const o = typeof old === 'object' && old !== null ? (old as Json)[key] : undefined;
      ruleProblems(child, v, o, `${path}.${key}`, out);
    }
  }
  if (node.type === 'array' && node.items && Array.isArray(value)) {
    duplicateProblems(node, value, path, out);
    // Transition rules inside lists would need Kubernetes' list correlation; Rocketry's lists have none.
    value.forEach((item, i) => {
      ruleProblems(node.items as TSchema, item, undefined, `${path}[${i}]`, out);
    });
  }
}

/** What the API server checks for list-type map and set lists, which neither TypeBox nor CEL rules express. */
function duplicateProblems(node: Json, list: unknown[], path: string, out: SpecProblem[]): void {
  const listType = node['x-kubernetes-list-type'];
  if (listType !== 'map' && listType !== 'set') return;
  const keys = (node['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const identity =
      listType === 'map'
        ? keys.map((k) => `${k} ${JSON.stringify((item as Json)[k])}`).join(', ')
        : JSON.stringify(item);
    if (seen.has(identity))
      out.push({ path: `${path}[${i}]`.replace(/^\./, ''), message: `duplicate entry (${identity})` });
    seen.add(identity);
  });
}
