import { describe, expect, it } from 'vitest';
import { DataplaneError } from '../../lib/errors.js';
import { ILLEGAL_FILTER_EXPRESSION } from '../filter-error.js';
import { compileSql92 } from './index.js';

/** mulberry32: a seeded generator, so a failure reproduces from the printed seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = [
  "(region = 'eu' AND amount > 100) OR vip = 'true'",
  "TAGS IN ('a', 'b''c') AND NOT x BETWEEN -1.5 AND 2e3",
  'a IS NOT NULL OR b IS NULL AND NOT (c <> 3 OR d != 4)',
  "x NOT IN ('1') AND y NOT BETWEEN 1 AND 2 AND z >= -7 AND w <= 8 AND v < 9 AND u > 0",
  'TRUE AND FALSE OR NOT TRUE',
];
const PIECES = [
  ...'()\',-=<>!.$_ \t\n"#;*+/%\\@`~0123456789aZé€\u0000\uffff'.split(''),
  ...['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'IS', 'NULL', 'TRUE', 'FALSE', 'LIKE', 'TAGS', "''", '<>', '!=', '>=', '<='],
  ...['1.5', '1e9', '-', 'a.b', "'x'", '(', ')', ' ', ' ', ' ', '99999999999999999999999'],
];
const PROPERTY_SETS: Record<string, string>[] = [
  {},
  { region: 'eu', amount: '150', vip: 'true', a: '1', b: 'x', c: '3', x: '1', y: '2', z: '-7', TAGS: 'a' },
  { a: '', b: '1e400', c: 'NaN', x: '-0', y: 'Infinity', z: '1.', w: ' 8', v: '0x10', u: '99999999999999999999999' },
];

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

function randomExpression(next: () => number): string {
  const length = Math.floor(next() * 40);
  let sql = '';
  for (let i = 0; i < length; i += 1) sql += pick(next, PIECES);
  return sql;
}

function mutate(next: () => number, source: string): string {
  let sql = source;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i += 1) {
    const at = Math.floor(next() * (sql.length + 1));
    const span = Math.floor(next() * 6);
    switch (Math.floor(next() * 4)) {
      case 0:
        sql = sql.slice(0, at) + sql.slice(at + span);
        break;
      case 1:
        sql = sql.slice(0, at) + pick(next, PIECES) + sql.slice(at);
        break;
      case 2:
        sql = sql.slice(0, at) + pick(next, PIECES) + sql.slice(at + span);
        break;
      default:
        sql = sql.slice(0, at) + sql.slice(at, at + span).repeat(2 + Math.floor(next() * 3)) + sql.slice(at + span);
    }
  }
  return sql;
}

const spaced = (next: () => number, ...parts: string[]): string => parts.join(pick(next, [' ', '  ', '\t', '\n']));

/** A random sentence of the grammar in parser.ts, keywords in random case, nesting at most `depth` deep. */
function grammatical(next: () => number, depth: number): string {
  const keyword = (word: string) => (next() < 0.5 ? word : word.toLowerCase());
  const name = () => pick(next, ['a', 'b', 'TAGS', 'x.y', '$z_1']);
  const number = () => pick(next, ['0', '-1', '2.5', '-3e2', '12345678901234567890']);
  const operand = () => (next() < 0.5 ? name() : number());
  const string = () => pick(next, ["'x'", "''", "'it''s'", "'1'"]);
  const choice = depth <= 0 ? Math.floor(next() * 6) : Math.floor(next() * 9);
  switch (choice) {
    case 0:
      return spaced(next, name(), pick(next, ['=', '<>', '!=']), pick(next, [string(), number(), keyword('TRUE')]));
    case 1:
      return spaced(next, operand(), pick(next, ['<', '<=', '>', '>=']), operand());
    case 2:
      return spaced(
        next,
        name(),
        ...(next() < 0.5 ? [keyword('NOT')] : []),
        keyword('IN'),
        `(${string()}, ${string()})`,
      );
    case 3:
      return spaced(
        next,
        operand(),
        ...(next() < 0.5 ? [keyword('NOT')] : []),
        keyword('BETWEEN'),
        operand(),
        keyword('AND'),
        operand(),
      );
    case 4:
      return spaced(next, name(), keyword('IS'), ...(next() < 0.5 ? [keyword('NOT')] : []), keyword('NULL'));
    case 5:
      return keyword(next() < 0.5 ? 'TRUE' : 'FALSE');
    case 6:
      return spaced(next, keyword('NOT'), grammatical(next, depth - 1));
    case 7:
      return `(${grammatical(next, depth - 1)})`;
    default:
      return spaced(
        next,
        grammatical(next, depth - 1),
        keyword(next() < 0.5 ? 'AND' : 'OR'),
        grammatical(next, depth - 1),
      );
  }
}

/** Compiles and evaluates; any outcome but a boolean or ILLEGAL_FILTER_EXPRESSION fails, naming the input. */
function check(sql: string): 'accepted' | 'rejected' {
  const startedAt = performance.now();
  try {
    const filter = compileSql92(sql);
    for (const properties of PROPERTY_SETS) {
      expect(typeof filter.matches(properties, properties.TAGS ?? '')).toBe('boolean');
    }
    return 'accepted';
  } catch (err) {
    if (!(err instanceof DataplaneError) || err.code !== ILLEGAL_FILTER_EXPRESSION) {
      throw new Error(`unexpected error for ${JSON.stringify(sql)}`, { cause: err });
    }
    expect(err.message).toMatch(/^SQL filter: .*(position \d+|limit is 1024)/);
    return 'rejected';
  } finally {
    expect(performance.now() - startedAt, JSON.stringify(sql)).toBeLessThan(250);
  }
}

describe('compileSql92 under fuzzing', () => {
  const seed = 20250301;

  it(`accepts every seed expression (seed ${seed})`, () => {
    for (const sql of VALID) expect(check(sql)).toBe('accepted');
  });

  it('only ever throws ILLEGAL_FILTER_EXPRESSION on random token soup, and never hangs', () => {
    const next = random(seed);
    const outcomes = { accepted: 0, rejected: 0 };
    for (let i = 0; i < 3000; i += 1) outcomes[check(randomExpression(next))] += 1;
    expect(outcomes.rejected).toBeGreaterThan(0);
  });

  it('only ever throws ILLEGAL_FILTER_EXPRESSION on mutations of valid expressions, and never hangs', () => {
    const next = random(seed + 1);
    const outcomes = { accepted: 0, rejected: 0 };
    for (let i = 0; i < 3000; i += 1) outcomes[check(mutate(next, pick(next, VALID)))] += 1;
    // The mutations must exercise both paths, or the test proves little.
    expect(outcomes.accepted).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('accepts and evaluates every random sentence of the grammar', () => {
    const next = random(seed + 2);
    for (let i = 0; i < 2000; i += 1) {
      const sql = grammatical(next, 4);
      if (sql.length <= 1024) expect(check(sql), sql).toBe('accepted');
    }
  });

  it('rejects pathological inputs quickly', () => {
    for (const sql of [
      '('.repeat(1024),
      'NOT '.repeat(256),
      "'".repeat(1023),
      "'".repeat(1024),
      'a'.repeat(1024),
      '9'.repeat(1024),
      `${'a = 1 AND '.repeat(102)}`,
      '\u0000'.repeat(10),
      '\ud800',
      'x'.repeat(1_000_000),
    ]) {
      check(sql);
    }
  });
});
