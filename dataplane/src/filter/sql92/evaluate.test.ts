import { describe, expect, it } from 'vitest';
import { compileSql92 } from './index.js';

interface Case {
  says: string;
  sql: string;
  props?: Record<string, string>;
  tag?: string;
  expected: boolean;
}

const P = {
  region: 'eu',
  amount: '150',
  vip: 'true',
  name: "O'Brien",
  zero: '0',
  text: 'abc',
  big: '9007199254740993',
};

const cases: Record<string, Case[]> = {
  'string equality': [
    { says: 'matches an equal string', sql: "region = 'eu'", props: P, expected: true },
    { says: 'does not match a different string', sql: "region = 'us'", props: P, expected: false },
    { says: 'compares strings case-sensitively', sql: "region = 'EU'", props: P, expected: false },
    { says: 'does not trim property values', sql: "region = 'eu'", props: { region: 'eu ' }, expected: false },
    { says: 'accepts the literal on the left', sql: "'eu' = region", props: P, expected: true },
    { says: 'unescapes a doubled quote in a literal', sql: "name = 'O''Brien'", props: P, expected: true },
    { says: 'matches the empty string literal', sql: "region = ''", props: { region: '' }, expected: true },
    { says: 'treats an empty property as present', sql: "region <> 'eu'", props: { region: '' }, expected: true },
    { says: 'compares two properties as strings', sql: 'region = region', props: P, expected: true },
    { says: 'matches <> on a different string', sql: "region <> 'us'", props: P, expected: true },
    { says: 'treats != as <>', sql: "region != 'eu'", props: P, expected: false },
    {
      says: 'does not parse numeric-looking strings for string equality',
      sql: "amount = '150.0'",
      props: P,
      expected: false,
    },
    { says: 'keeps spaces inside a literal', sql: "region = ' eu'", props: P, expected: false },
  ],
  'numeric comparison': [
    { says: 'matches > on a larger number', sql: 'amount > 100', props: P, expected: true },
    { says: 'does not match > on an equal number', sql: 'amount > 150', props: P, expected: false },
    { says: 'matches >= on an equal number', sql: 'amount >= 150', props: P, expected: true },
    { says: 'matches < on a smaller number', sql: 'amount < 200', props: P, expected: true },
    { says: 'matches <= on an equal number', sql: 'amount <= 150', props: P, expected: true },
    { says: 'does not match <= on a larger number', sql: 'amount <= 149', props: P, expected: false },
    { says: 'compares numerically, not lexically', sql: 'amount > 20', props: P, expected: true },
    { says: 'matches = on a number written differently', sql: 'amount = 150.0', props: P, expected: true },
    { says: 'matches <> on a different number', sql: 'amount <> 151', props: P, expected: true },
    { says: 'compares against a negative literal', sql: 'zero > -1', props: P, expected: true },
    { says: 'parses a negative property value', sql: 'delta < -2.5', props: { delta: '-3' }, expected: true },
    { says: 'compares decimals', sql: 'price >= 9.99', props: { price: '9.991' }, expected: true },
    { says: 'accepts an exponent literal', sql: 'amount < 1.5e2', props: P, expected: false },
    { says: 'accepts the number on the left', sql: '100 < amount', props: P, expected: true },
    { says: 'compares two numeric properties', sql: 'amount > zero', props: P, expected: true },
    { says: 'compares integers beyond 2^53 exactly', sql: 'big > 9007199254740992', props: P, expected: true },
    { says: 'compares big integers for equality exactly', sql: 'big = 9007199254740992', props: P, expected: false },
    { says: 'makes > false on a non-numeric property', sql: 'text > 1', props: P, expected: false },
    { says: 'makes < false on a non-numeric property', sql: 'text < 1', props: P, expected: false },
    { says: 'makes = false on a non-numeric property', sql: 'text = 1', props: P, expected: false },
    { says: 'makes <> true on a non-numeric property', sql: 'text <> 1', props: P, expected: true },
    {
      says: 'lets NOT select a non-numeric value, since its comparison is false',
      sql: 'NOT text > 1',
      props: P,
      expected: true,
    },
    {
      says: 'does not accept spaces around a numeric property value',
      sql: 'n = 1',
      props: { n: ' 1' },
      expected: false,
    },
    { says: 'does not accept hex property values', sql: 'n = 16', props: { n: '0x10' }, expected: false },
    { says: 'compares two literals', sql: '1 < 2', expected: true },
  ],
  booleans: [
    { says: 'matches a TRUE constant', sql: 'TRUE', expected: true },
    { says: 'does not match a FALSE constant', sql: 'FALSE', expected: false },
    { says: 'matches a property against TRUE', sql: 'vip = TRUE', props: P, expected: true },
    { says: 'reads true case-insensitively against TRUE', sql: 'vip = true', props: { vip: 'TRUE' }, expected: true },
    { says: 'does not equate a non-boolean string with FALSE', sql: 'text = FALSE', props: P, expected: false },
    { says: 'matches <> FALSE on a true property', sql: 'vip <> FALSE', props: P, expected: true },
  ],
  'AND, OR, NOT and precedence': [
    { says: 'matches AND when both sides hold', sql: "region = 'eu' AND amount > 100", props: P, expected: true },
    {
      says: 'does not match AND when one side fails',
      sql: "region = 'eu' AND amount > 200",
      props: P,
      expected: false,
    },
    { says: 'matches OR when one side holds', sql: "region = 'us' OR amount > 100", props: P, expected: true },
    { says: 'does not match OR when both fail', sql: "region = 'us' OR amount > 200", props: P, expected: false },
    { says: 'negates with NOT', sql: "NOT region = 'us'", props: P, expected: true },
    { says: 'negates twice with NOT NOT', sql: "NOT NOT region = 'eu'", props: P, expected: true },
    {
      says: 'binds AND tighter than OR',
      sql: "region = 'us' AND amount > 1 OR vip = 'true'",
      props: P,
      expected: true,
    },
    {
      says: 'binds AND tighter than OR on the right',
      sql: "vip = 'true' OR region = 'us' AND amount > 1",
      props: P,
      expected: true,
    },
    {
      says: 'lets parentheses override precedence',
      sql: "(vip = 'true' OR region = 'us') AND amount > 1000",
      props: P,
      expected: false,
    },
    { says: 'binds NOT tighter than AND', sql: "NOT region = 'us' AND amount > 1000", props: P, expected: false },
    { says: 'binds NOT looser than a comparison', sql: 'NOT amount > 1000', props: P, expected: true },
    {
      says: 'evaluates nested parentheses',
      sql: "((region = 'eu') AND (NOT (amount < 100)))",
      props: P,
      expected: true,
    },
    { says: 'chains many ORs', sql: "a = '1' OR a = '2' OR a = '3' OR a = '4'", props: { a: '4' }, expected: true },
    {
      says: 'chains many ANDs',
      sql: "a = '1' AND b = '2' AND c = '3'",
      props: { a: '1', b: '2', c: '4' },
      expected: false,
    },
  ],
  'IN and NOT IN': [
    { says: 'matches IN when the value is listed', sql: "region IN ('us', 'eu')", props: P, expected: true },
    { says: 'does not match IN when the value is absent', sql: "region IN ('us', 'cn')", props: P, expected: false },
    { says: 'matches a one-element IN list', sql: "region IN ('eu')", props: P, expected: true },
    { says: 'compares IN values as exact strings', sql: "amount IN ('150.0')", props: P, expected: false },
    { says: 'matches NOT IN when the value is absent', sql: "region NOT IN ('us', 'cn')", props: P, expected: true },
    { says: 'does not match NOT IN when the value is listed', sql: "region NOT IN ('eu')", props: P, expected: false },
    { says: 'unescapes quotes inside an IN list', sql: "name IN ('O''Brien')", props: P, expected: true },
  ],
  'BETWEEN and NOT BETWEEN': [
    { says: 'matches BETWEEN inside the range', sql: 'amount BETWEEN 100 AND 200', props: P, expected: true },
    { says: 'includes the lower bound', sql: 'amount BETWEEN 150 AND 200', props: P, expected: true },
    { says: 'includes the upper bound', sql: 'amount BETWEEN 0 AND 150', props: P, expected: true },
    { says: 'does not match BETWEEN outside the range', sql: 'amount BETWEEN 151 AND 200', props: P, expected: false },
    { says: 'matches nothing for an inverted range', sql: 'amount BETWEEN 200 AND 100', props: P, expected: false },
    { says: 'matches NOT BETWEEN outside the range', sql: 'amount NOT BETWEEN 0 AND 100', props: P, expected: true },
    {
      says: 'does not match NOT BETWEEN inside the range',
      sql: 'amount NOT BETWEEN 100 AND 200',
      props: P,
      expected: false,
    },
    { says: 'accepts negative bounds', sql: 'zero BETWEEN -5 AND 5', props: P, expected: true },
    {
      says: 'keeps the BETWEEN AND apart from a following AND',
      sql: "amount BETWEEN 1 AND 200 AND region = 'eu'",
      props: P,
      expected: true,
    },
    {
      says: 'matches neither BETWEEN nor NOT BETWEEN on a non-numeric value',
      sql: 'text BETWEEN 0 AND 9 OR text NOT BETWEEN 0 AND 9',
      props: P,
      expected: false,
    },
    { says: 'accepts property bounds', sql: 'amount BETWEEN zero AND big', props: P, expected: true },
  ],
  'IS NULL and three-valued logic': [
    { says: 'matches IS NULL on a missing property', sql: 'missing IS NULL', props: P, expected: true },
    { says: 'does not match IS NULL on a present property', sql: 'region IS NULL', props: P, expected: false },
    { says: 'matches IS NOT NULL on a present property', sql: 'region IS NOT NULL', props: P, expected: true },
    { says: 'does not match IS NOT NULL on a missing property', sql: 'missing IS NOT NULL', props: P, expected: false },
    { says: 'treats an empty value as not null', sql: 'region IS NOT NULL', props: { region: '' }, expected: true },
    { says: 'does not match = on a missing property', sql: "missing = 'x'", props: P, expected: false },
    { says: 'does not match <> on a missing property', sql: "missing <> 'x'", props: P, expected: false },
    {
      says: 'does not match NOT of a comparison on a missing property',
      sql: "NOT missing = 'x'",
      props: P,
      expected: false,
    },
    {
      says: 'does not match > or <= on a missing property',
      sql: 'missing > 1 OR missing <= 1',
      props: P,
      expected: false,
    },
    {
      says: 'does not match IN or NOT IN on a missing property',
      sql: "missing IN ('x') OR missing NOT IN ('x')",
      props: P,
      expected: false,
    },
    {
      says: 'does not match BETWEEN or NOT BETWEEN on a missing property',
      sql: 'missing BETWEEN 1 AND 2 OR missing NOT BETWEEN 1 AND 2',
      props: P,
      expected: false,
    },
    { says: 'lets TRUE win an OR with unknown', sql: "missing = 'x' OR region = 'eu'", props: P, expected: true },
    {
      says: 'lets FALSE win an AND with unknown, so NOT of it matches',
      sql: "NOT (missing = 'x' AND region = 'us')",
      props: P,
      expected: true,
    },
    {
      says: 'keeps unknown AND true unknown under NOT',
      sql: "NOT (missing = 'x' AND region = 'eu')",
      props: P,
      expected: false,
    },
    {
      says: 'keeps unknown OR false unknown under NOT',
      sql: "NOT (missing = 'x' OR region = 'us')",
      props: P,
      expected: false,
    },
    {
      says: 'makes a bound that is missing unknown',
      sql: 'NOT amount BETWEEN missing AND 200',
      props: P,
      expected: false,
    },
    {
      says: 'ignores inherited object keys as properties',
      sql: 'constructor IS NULL AND toString IS NULL',
      props: P,
      expected: true,
    },
  ],
  TAGS: [
    { says: 'reads the message tag as TAGS', sql: "TAGS = 'TagA'", tag: 'TagA', expected: true },
    { says: 'matches TAGS against an IN list', sql: "TAGS IN ('TagA', 'TagB')", tag: 'TagB', expected: true },
    { says: 'treats an untagged message as TAGS IS NULL', sql: 'TAGS IS NULL', tag: '', expected: true },
    {
      says: 'does not match a TAGS comparison on an untagged message',
      sql: "TAGS <> 'TagA'",
      tag: '',
      expected: false,
    },
    {
      says: 'prefers the tag over a user property named TAGS',
      sql: "TAGS = 'real'",
      props: { TAGS: 'fake' },
      tag: 'real',
      expected: true,
    },
    {
      says: 'treats the TAGS name case-sensitively, like every property',
      sql: 'tags IS NULL',
      tag: 'TagA',
      expected: true,
    },
  ],
  'keywords and whitespace': [
    {
      says: 'accepts lower-case keywords',
      sql: "region in ('eu') and not amount between 1 and 2 or vip is null",
      props: P,
      expected: true,
    },
    { says: 'accepts mixed-case keywords', sql: 'Missing Is Null AnD TrUe', props: P, expected: true },
    { says: 'treats property names case-sensitively', sql: "Region = 'eu'", props: P, expected: false },
    {
      says: 'accepts tabs and newlines between tokens',
      sql: "region\t=\n'eu'\r\nAND\famount>100",
      props: P,
      expected: true,
    },
    { says: 'accepts no whitespace around operators', sql: "(region='eu')AND(amount>=150)", props: P, expected: true },
    {
      says: 'accepts dots, digits, underscores and dollars in names',
      sql: "a.b_c$1 = 'x'",
      props: { 'a.b_c$1': 'x' },
      expected: true,
    },
    { says: 'accepts surrounding whitespace', sql: "   region = 'eu'   ", props: P, expected: true },
  ],
};

describe('compileSql92', () => {
  for (const [group, table] of Object.entries(cases)) {
    describe(group, () => {
      it.each(table)('$says', ({ sql, props, tag, expected }) => {
        expect(compileSql92(sql).matches(props ?? {}, tag ?? '')).toBe(expected);
      });
    });
  }

  it('keeps the expression it was compiled from', () => {
    expect(compileSql92("a = 'b'").expression).toBe("a = 'b'");
  });
});
