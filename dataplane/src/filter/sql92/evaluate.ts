import type { CompareOp, Literal, Operand, Sql92Node, SqlNumber } from './parser.js';

/**
 * Evaluates a parsed filter against one message with SQL's three-valued logic, as RocketMQ (and the ActiveMQ selector
 * engine it derives from) does: a comparison that reads a missing property is UNKNOWN (`null`), NOT UNKNOWN is
 * UNKNOWN, AND/OR follow Kleene's tables, and a message matches only when the whole filter is TRUE. We chose this
 * over "missing means false" so that `NOT (region = 'eu')` does not select messages that have no region at all, and
 * `a <> 'x'` never selects a message lacking `a` — the same answers a RocketMQ broker gives.
 *
 * Values: properties are strings; `TAGS` is the message tag (missing when untagged). Equality between two strings is
 * exact; against a number literal the string is parsed as a decimal number (`^[+-]?digits[.digits][e±digits]$`,
 * nothing else, no surrounding spaces) and compared numerically; against TRUE/FALSE it must read `true`/`false` in any
 * case. Ordering (`<`, `<=`, `>`, `>=`, BETWEEN) is numeric. A value of the wrong type makes the comparison FALSE, not
 * UNKNOWN, as in RocketMQ; so `NOT (amount > 5)` selects `amount = 'abc'`, while a missing `amount` is never selected
 * by either form.
 */
export type Truth = boolean | null;

export interface Sql92Input {
  readonly properties: Readonly<Record<string, string>>;
  /** '' = untagged. */
  readonly tag: string;
}

/** The property name RocketMQ binds to the message tag. */
export const TAGS = 'TAGS';

export function evaluateSql92(node: Sql92Node, input: Sql92Input): Truth {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'not':
      return not(evaluateSql92(node.operand, input));
    case 'and': {
      let result: Truth = true;
      for (const operand of node.operands) {
        const value = evaluateSql92(operand, input);
        if (value === false) return false;
        if (value === null) result = null;
      }
      return result;
    }
    case 'or': {
      let result: Truth = false;
      for (const operand of node.operands) {
        const value = evaluateSql92(operand, input);
        if (value === true) return true;
        if (value === null) result = null;
      }
      return result;
    }
    case 'is-null':
      return (resolve(node.operand, input) === undefined) !== node.negated;
    case 'in': {
      const value = resolve(node.operand, input);
      if (value === undefined) return null;
      // RocketMQ's IN only ever holds strings; a non-string left side is UNKNOWN there too.
      if (typeof value !== 'string') return null;
      return node.values.has(value) !== node.negated;
    }
    case 'between': {
      const value = resolve(node.operand, input);
      const low = resolve(node.low, input);
      const high = resolve(node.high, input);
      if (node.negated) return or(compare('<', value, low), compare('>', value, high));
      return and(compare('>=', value, low), compare('<=', value, high));
    }
    case 'compare':
      return compare(node.op, resolve(node.left, input), resolve(node.right, input));
  }
}

const not = (value: Truth): Truth => (value === null ? null : !value);
const and = (a: Truth, b: Truth): Truth =>
  a === false || b === false ? false : a === null || b === null ? null : true;
const or = (a: Truth, b: Truth): Truth => (a === true || b === true ? true : a === null || b === null ? null : false);

/** `undefined` = missing property (SQL NULL). */
function resolve(operand: Operand, input: Sql92Input): Literal | undefined {
  if (operand.kind === 'literal') return operand.value;
  if (operand.name === TAGS) return input.tag === '' ? undefined : input.tag;
  return Object.hasOwn(input.properties, operand.name) ? input.properties[operand.name] : undefined;
}

function compare(op: CompareOp, left: Literal | undefined, right: Literal | undefined): Truth {
  if (left === undefined || right === undefined) return null;
  if (op === '=') return equals(left, right);
  if (op === '<>') return !equals(left, right);
  const l = toNumber(left);
  const r = toNumber(right);
  if (l === undefined || r === undefined) return false;
  const order = compareNumbers(l, r);
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function equals(left: Literal, right: Literal): boolean {
  if (typeof left === 'string' && typeof right === 'string') return left === right;
  if (typeof left === 'object' || typeof right === 'object') {
    const l = toNumber(left);
    const r = toNumber(right);
    return l !== undefined && r !== undefined && compareNumbers(l, r) === 0;
  }
  const l = toBoolean(left);
  return l !== undefined && l === toBoolean(right);
}

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INTEGER = /^[+-]?[0-9]+$/;

function toNumber(value: Literal): SqlNumber | undefined {
  if (typeof value === 'object') return value;
  if (typeof value === 'boolean' || !DECIMAL.test(value)) return undefined;
  return { kind: 'number', value: Number(value), integer: INTEGER.test(value) ? BigInt(value) : undefined };
}

function toBoolean(value: Literal): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/** Integers compare exactly (property values may exceed 2^53); anything with a fraction compares as a double. */
function compareNumbers(left: SqlNumber, right: SqlNumber): number {
  if (left.integer !== undefined && right.integer !== undefined) {
    return left.integer < right.integer ? -1 : left.integer > right.integer ? 1 : 0;
  }
  return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
}
