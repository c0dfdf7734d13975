/**
 * Label and field selectors as the apiserver parses them (k8s.io/apimachinery/pkg/labels and pkg/fields).
 *
 * Label selector grammar:
 *   selector    := requirement ( ',' requirement )*
 *   requirement := '!' key | key | key ( '=' | '==' | '!=' ) value | key ( 'in' | 'notin' ) '(' values ')'
 *                | key ( '>' | '<' ) integer
 * Field selector grammar:
 *   selector    := term ( ',' term )*      term := field ( '=' | '==' | '!=' ) value
 */
import { badRequest } from './status.js';

export type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${selector}"`);
  return key;
}

function parseRequirement(term: string, selector: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    if (values.length === 1 && values[0] === '') {
      throw badRequest(`unable to parse requirement: for 'in', 'notin' operators, values set can't be empty`);
    }
    return { key: checkKey(set[1]!, selector), op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^=!<>\s]+)\s*(==|!=|=|>|<)\s*(.*)$/.exec(term);
  if (cmp) {
    const key = checkKey(cmp[1]!, selector);
    const value = cmp[3]!.trim();
    if (cmp[2] === '>' || cmp[2] === '<') {
      if (!/^-?\d+$/.test(value))
        throw badRequest(`unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer`);
      return { key, op: cmp[2] === '>' ? 'gt' : 'lt', value: Number(value) };
    }
    return { key, op: cmp[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim(), selector), op: '!exists' };
  return { key: checkKey(term, selector), op: 'exists' };
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text || text.trim() === '') return [];
  return splitTerms(text).map((term) => {
    if (term === '') throw badRequest(`unable to parse requirement: empty term in "${text}"`);
    return parseRequirement(term, text);
  });
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'gt':
        return has && /^-?\d+$/.test(v!) && Number(v) > r.value;
      case 'lt':
        return has && /^-?\d+$/.test(v!) && Number(v) < r.value;
      default:
        return false;
    }
  });
}

/** `metav1.LabelSelector` (matchLabels / matchExpressions) as the string form `/scale` reports in `status.selector`. */
export function labelSelectorToString(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}): string {
  const parts = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (!text || text.trim() === '') return [];
  return text.split(',').map((term) => {
    const m = /^([^=!]+)(==|!=|=)(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { field: m[1]!.trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() };
  });
}

/** Field paths a resource can be selected by (`metadata.name` and `metadata.namespace` always). */
export function checkFieldSelector(selector: FieldSelector, supported: readonly string[]): void {
  for (const r of selector) {
    if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !supported.includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function matchesFields(selector: FieldSelector, obj: unknown): boolean {
  return selector.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}
