/**
 * The patch formats the server accepts, as pure functions over JSON values.
 *
 *   application/merge-patch+json            RFC 7386 (null deletes a key, objects merge, everything else replaces)
 *   application/json-patch+json             RFC 6902 (add, remove, replace, move, copy, test; JSON Pointer paths)
 *   application/strategic-merge-patch+json  built-in kinds only, applied as a merge patch: lists are replaced whole
 *                                           rather than merged by key, and `$patch` directives are refused
 */
import { badRequest, KubeStatusError } from './status.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Refuses the strategic-merge directives a plain merge patch would silently store as data. */
export function checkStrategicMergePatch(patch: Json): void {
  const walk = (v: Json, path: string): void => {
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, `${path}[${i}]`);
    } else if (isObject(v)) {
      for (const [key, value] of Object.entries(v)) {
        if (key.startsWith('$')) {
          throw new KubeStatusError(
            415,
            'UnsupportedMediaType',
            `strategic merge patch directive ${key} at ${path || '.'} is not supported by the test server; use a merge patch`,
          );
        }
        walk(value, `${path}.${key}`);
      }
    }
  };
  walk(patch, '');
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

const unprocessable = (message: string) =>
  new KubeStatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw unprocessable(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(arr: Json[], token: string, forAdd: boolean, pointer: string): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw unprocessable(`invalid array index "${token}" in "${pointer}"`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw unprocessable(`array index out of range in "${pointer}"`);
  return i;
}

function parentOf(doc: Json, tokens: string[], pointer: string): Json {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false, pointer)]!;
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t]!;
    else throw unprocessable(`path "${pointer}" does not exist`);
  }
  return cur;
}

function get(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, false, pointer)]!;
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last]!;
  throw unprocessable(`path "${pointer}" does not exist`);
}

function remove(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw unprocessable('cannot remove the document root');
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false, pointer), 1)[0]!;
  if (isObject(parent) && Object.hasOwn(parent, last)) {
    const old = parent[last]!;
    delete parent[last];
    return old;
  }
  throw unprocessable(`path "${pointer}" does not exist`);
}

function add(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, !replace, pointer);
    parent.splice(i, replace ? 1 : 0, value);
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, last)) throw unprocessable(`path "${pointer}" does not exist`);
    parent[last] = value;
  } else {
    throw unprocessable(`path "${pointer}" does not exist`);
  }
  return doc;
}

function equal(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json | undefined): Json | undefined {
  if (Array.isArray(v)) return v.map((x) => sortKeys(x) as Json);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k]) as Json]),
    );
  return v;
}

export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let doc = structuredClone(target);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('json patch operations need "op" and "path"');
    }
    const op = raw as unknown as JsonPatchOperation;
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, structuredClone(op.value ?? null), false);
        break;
      case 'replace':
        doc = add(doc, op.path, structuredClone(op.value ?? null), true);
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'move': {
        const value = remove(doc, op.from ?? '');
        doc = add(doc, op.path, value, false);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, structuredClone(get(doc, op.from ?? '')), false);
        break;
      case 'test':
        if (!equal(get(doc, op.path), op.value)) throw unprocessable(`testing value ${op.path} failed`);
        break;
      default:
        throw badRequest(`unexpected json patch operation "${String(raw.op)}"`);
    }
  }
  return doc;
}

export { equal as jsonEqual };
