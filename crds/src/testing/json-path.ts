import type { JSONSchemaProps } from '../openapi.js';

/**
 * The JSONPath subset printer columns use: `.field` steps and `[?(@.field=="value")]` filters. `resolveInSchema`
 * finds the schema node a path reads; `readPath` reads a value from an object, as kubectl would print it.
 */
type Step = { kind: 'field'; name: string } | { kind: 'filter'; field: string; equals: string };

const STEP = /\.([A-Za-z0-9_-]+)|\[\?\(@\.([A-Za-z0-9_-]+)=="([^"]*)"\)\]/y;

export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  STEP.lastIndex = 0;
  while (STEP.lastIndex < path.length) {
    const at = STEP.lastIndex;
    const m = STEP.exec(path);
    if (!m) throw new Error(`unsupported JSONPath ${path} at ${at}`);
    steps.push(m[1] !== undefined ? { kind: 'field', name: m[1] } : { kind: 'filter', field: m[2]!, equals: m[3]! });
  }
  return steps;
}

/** ObjectMeta fields printer columns may read (the CRD schema leaves metadata opaque). */
const METADATA: Record<string, JSONSchemaProps['type']> = {
  name: 'string',
  namespace: 'string',
  creationTimestamp: 'string',
  generation: 'integer',
  uid: 'string',
};

export function resolveInSchema(root: JSONSchemaProps, path: string): JSONSchemaProps | undefined {
  const steps = parsePath(path);
  const [first, second] = steps;
  if (first?.kind === 'field' && first.name === 'metadata') {
    const type = second?.kind === 'field' && steps.length === 2 ? METADATA[second.name] : undefined;
    return type ? { type } : undefined;
  }
  let node: JSONSchemaProps | undefined = root;
  for (const step of steps) {
    if (!node) return undefined;
    if (step.kind === 'field') node = node.properties?.[step.name];
    else node = node.type === 'array' && node.items?.properties?.[step.field] ? node.items : undefined;
  }
  return node;
}

export function readPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const step of parsePath(path)) {
    if (step.kind === 'field') {
      current =
        typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[step.name] : undefined;
    } else {
      current = Array.isArray(current)
        ? current.find((item) => (item as Record<string, unknown>)?.[step.field] === step.equals)
        : undefined;
    }
  }
  return current;
}
