import { describe, expect, it } from 'vitest';
import { DataplaneError } from '../../lib/errors.js';
import { ILLEGAL_FILTER_EXPRESSION } from '../filter-error.js';
import { compileSql92 } from './index.js';
import { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH, parseSql92 } from './parser.js';

/** Compiles and returns the ILLEGAL_FILTER_EXPRESSION message, failing the test on any other outcome. */
function rejection(sql: string): string {
  try {
    compileSql92(sql);
  } catch (err) {
    if (err instanceof DataplaneError && err.code === ILLEGAL_FILTER_EXPRESSION) return err.message;
    throw err;
  }
  throw new Error(`accepted: ${sql}`);
}

const invalid: { says: string; sql: string; message: RegExp }[] = [
  { says: 'an empty expression', sql: '', message: /expected a property name or a literal at position 1, found end/ },
  { says: 'a blank expression', sql: '   ', message: /at position 4, found end of expression/ },
  {
    says: 'a bare property',
    sql: 'region',
    message: /expected a comparison operator, IN, BETWEEN or IS at position 7/,
  },
  {
    says: 'a tripled operator (scenario F04)',
    sql: 'amount >>> (',
    message: /expected a property name or a literal at position 9, found '>'/,
  },
  { says: 'a comparison without a right side', sql: 'amount >', message: /at position 9, found end of expression/ },
  {
    says: 'a comparison without a left side',
    sql: '= 1',
    message: /expected a property name or a literal at position 1, found '='/,
  },
  { says: '== as an operator', sql: 'a == 1', message: /position 4, found '='/ },
  {
    says: 'a chained comparison',
    sql: 'a = 1 = 2',
    message: /expected AND, OR or end of expression at position 7, found '='/,
  },
  { says: 'an unclosed parenthesis', sql: "(a = 'x'", message: /expected '\)' at position 9, found end of expression/ },
  {
    says: 'a stray closing parenthesis',
    sql: "a = 'x')",
    message: /expected AND, OR or end of expression at position 8, found '\)'/,
  },
  { says: 'empty parentheses', sql: '()', message: /expected a property name or a literal at position 2, found '\)'/ },
  { says: 'a dangling AND', sql: "a = 'x' AND", message: /position 12, found end of expression/ },
  { says: 'a leading OR', sql: "OR a = 'x'", message: /position 1, found keyword OR/ },
  { says: 'a dangling NOT', sql: 'NOT', message: /position 4, found end of expression/ },
  {
    says: 'an unterminated string',
    sql: "a = 'x",
    message: /unterminated string literal at position 5: expected a closing quote/,
  },
  { says: 'a double-quoted string', sql: 'a = "x"', message: /unexpected character "\\"" at position 5/ },
  { says: 'an unknown character', sql: 'a = #', message: /unexpected character "#" at position 5/ },
  {
    says: 'a number with a trailing dot',
    sql: 'a = 1.',
    message: /malformed number at position 5: unexpected '\.' at position 6/,
  },
  { says: 'a number glued to letters', sql: 'a = 12abc', message: /malformed number at position 5/ },
  { says: 'a number with an empty exponent', sql: 'a = 1e', message: /malformed number at position 5/ },
  { says: 'a leading-dot number', sql: 'a = .5', message: /unexpected character "\." at position 5/ },
  {
    says: 'a minus before a property',
    sql: 'a = -b',
    message: /expected a number after '-' at position 6, found identifier 'b'/,
  },
  { says: 'a minus before a string', sql: "a = -'1'", message: /expected a number after '-' at position 6/ },
  {
    says: 'arithmetic',
    sql: 'a - 1 > 0',
    message: /expected a comparison operator, IN, BETWEEN or IS at position 3, found '-'/,
  },
  { says: 'a comparison with NULL', sql: 'a = NULL', message: /NULL at position 5 cannot be compared; use IS NULL/ },
  { says: 'IS without NULL', sql: 'a IS', message: /expected NULL or NOT NULL after IS at position 5/ },
  {
    says: 'IS NOT without NULL',
    sql: "a IS NOT 'x'",
    message: /expected NULL after IS NOT at position 10, found string 'x'/,
  },
  { says: 'IN without parentheses', sql: "a IN 'x'", message: /expected '\(' after IN at position 6/ },
  { says: 'an empty IN list', sql: 'a IN ()', message: /expected a string literal in the IN list at position 7/ },
  {
    says: 'a number in an IN list, as RocketMQ rejects',
    sql: 'a IN (1)',
    message: /expected a string literal in the IN list at position 7, found '1'/,
  },
  {
    says: 'a trailing comma in an IN list',
    sql: "a IN ('x',)",
    message: /expected a string literal in the IN list at position 11/,
  },
  { says: 'an unclosed IN list', sql: "a IN ('x'", message: /expected ',' or '\)' in the IN list at position 10/ },
  {
    says: 'BETWEEN without AND',
    sql: 'a BETWEEN 1 OR 2',
    message: /expected AND between the BETWEEN bounds at position 13, found keyword OR/,
  },
  {
    says: 'BETWEEN with a string bound',
    sql: "a BETWEEN 'a' AND 'z'",
    message: /BETWEEN compares numbers only, expected a property name or a number at position 11/,
  },
  {
    says: 'ordering against a string',
    sql: "a > 'x'",
    message: /> compares numbers only, expected a property name or a number at position 5, found string 'x'/,
  },
  {
    says: 'ordering against a boolean',
    sql: 'TRUE < a',
    message: /< compares numbers only.* at position 1, found keyword TRUE/,
  },
  {
    says: 'NOT in the wrong place',
    sql: "a NOT = 'x'",
    message: /expected a comparison operator, IN, BETWEEN or IS at position 3, found keyword NOT/,
  },
  {
    says: 'LIKE, which is not supported',
    sql: "a LIKE 'x%'",
    message: /expected a comparison operator, IN, BETWEEN or IS at position 3, found identifier 'LIKE'/,
  },
  { says: 'a keyword used as a property name', sql: "in = 'x'", message: /position 1, found keyword IN/ },
  { says: 'a parenthesised operand', sql: "(a) = 'x'", message: /position 3, found '\)'/ },
];

describe('parseSql92', () => {
  it.each(invalid)('rejects $says with a message naming the position and what was expected', ({ sql, message }) => {
    expect(rejection(sql)).toMatch(message);
  });

  it(`accepts an expression of exactly ${MAX_EXPRESSION_LENGTH} characters`, () => {
    const sql = `a = '${'x'.repeat(MAX_EXPRESSION_LENGTH - 6)}'`;
    expect(sql).toHaveLength(MAX_EXPRESSION_LENGTH);
    expect(() => parseSql92(sql)).not.toThrow();
  });

  it(`rejects an expression longer than ${MAX_EXPRESSION_LENGTH} characters before reading it`, () => {
    expect(rejection(`a = '${'x'.repeat(MAX_EXPRESSION_LENGTH)}'`)).toMatch(/1030 characters long, the limit is 1024/);
  });

  it(`accepts ${MAX_NESTING_DEPTH} nested parentheses`, () => {
    const sql = `${'('.repeat(MAX_NESTING_DEPTH)}TRUE${')'.repeat(MAX_NESTING_DEPTH)}`;
    expect(compileSql92(sql).matches({}, '')).toBe(true);
  });

  it('rejects one parenthesis too many, naming the position', () => {
    const sql = `${'('.repeat(MAX_NESTING_DEPTH + 1)}TRUE${')'.repeat(MAX_NESTING_DEPTH + 1)}`;
    expect(rejection(sql)).toMatch(/nesting deeper than 64 levels of parentheses and NOT at position 65/);
  });

  it('counts NOT towards the nesting depth', () => {
    expect(compileSql92(`${'NOT '.repeat(MAX_NESTING_DEPTH)}TRUE`).matches({}, '')).toBe(true);
    expect(rejection(`${'NOT '.repeat(MAX_NESTING_DEPTH + 1)}TRUE`)).toMatch(/nesting deeper than 64/);
  });

  it('parses long flat AND/OR chains without nesting', () => {
    const terms = Array.from({ length: 100 }, (_, i) => `a${i}<1`);
    expect(compileSql92(terms.join(' AND ')).matches({ a99: '0' }, '')).toBe(false);
    expect(compileSql92(terms.join(' OR ')).matches({ a99: '0' }, '')).toBe(true);
  });

  it('builds a flat tree, folds != into <> and keeps big integers exact', () => {
    expect(parseSql92("a != 'x' OR b > -9007199254740993 OR TRUE")).toEqual({
      kind: 'or',
      operands: [
        { kind: 'compare', op: '<>', left: { kind: 'property', name: 'a' }, right: { kind: 'literal', value: 'x' } },
        {
          kind: 'compare',
          op: '>',
          left: { kind: 'property', name: 'b' },
          right: { kind: 'literal', value: { kind: 'number', value: -9007199254740992, integer: -9007199254740993n } },
        },
        { kind: 'constant', value: true },
      ],
    });
  });
});
