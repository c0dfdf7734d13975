import { describe, expect, it } from 'vitest';
import { tokenize } from './lexer.js';

const kindsAndValues = (sql: string) => tokenize(sql).map((t) => [t.kind, t.value]);

describe('tokenize', () => {
  it('upper-cases keywords and keeps identifiers as written', () => {
    expect(kindsAndValues('Region and Between')).toEqual([
      ['identifier', 'Region'],
      ['keyword', 'AND'],
      ['keyword', 'BETWEEN'],
      ['end', ''],
    ]);
  });

  it('reads every operator, longest first', () => {
    expect(kindsAndValues('= <> != < <= > >=').map(([, value]) => value)).toEqual([
      '=',
      '<>',
      '!=',
      '<',
      '<=',
      '>',
      '>=',
      '',
    ]);
  });

  it('unescapes doubled quotes and keeps other characters verbatim', () => {
    expect(kindsAndValues("'it''s a ''test'' é'")).toEqual([
      ['string', "it's a 'test' é"],
      ['end', ''],
    ]);
  });

  it('reads an empty string and a string of one quote', () => {
    expect(kindsAndValues("'' ''''").map(([, value]) => value)).toEqual(['', "'", '']);
  });

  it('leaves the minus sign to the parser', () => {
    expect(kindsAndValues('-1.5e-3')).toEqual([
      ['-', '-'],
      ['number', '1.5e-3'],
      ['end', ''],
    ]);
  });

  it('records 1-based positions, the end one past the last character', () => {
    expect(tokenize("a\t= 'x'").map((t) => t.position)).toEqual([1, 3, 5, 8]);
  });

  it('reads identifiers with dots, digits, underscores and dollars', () => {
    expect(kindsAndValues('_a.b$9')).toEqual([
      ['identifier', '_a.b$9'],
      ['end', ''],
    ]);
  });

  it('does not treat keyword prefixes as keywords', () => {
    expect(kindsAndValues('ANDROID ORDER NOTE INDEX ISLAND')).toEqual([
      ...['ANDROID', 'ORDER', 'NOTE', 'INDEX', 'ISLAND'].map((word) => ['identifier', word]),
      ['end', ''],
    ]);
  });
});
