import { illegalFilterExpression } from '../filter-error.js';

/**
 * Tokens of RocketMQ's SQL92 filter subset:
 *
 *   identifier := [A-Za-z_$] [A-Za-z0-9_$.]*            (case-sensitive property name; keywords excluded)
 *   keyword    := AND | OR | NOT | IN | BETWEEN | IS | NULL | TRUE | FALSE     (case-insensitive)
 *   string     := "'" ( any char but "'" | "''" )* "'"     ('' is one quote)
 *   number     := digit+ ( "." digit+ )? ( [eE] [+-]? digit+ )?   (a leading '-' is the parser's)
 *   operator   := = | <> | != | < | <= | > | >=
 *   punctuation:= ( | ) | , | -
 *   whitespace := space | tab | CR | LF | FF              (separates tokens, otherwise ignored)
 *
 * Positions are 1-based character offsets into the expression, as shown in error messages.
 */
export type TokenKind = 'identifier' | 'keyword' | 'string' | 'number' | 'operator' | '(' | ')' | ',' | '-' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Keywords upper-cased, strings unquoted and unescaped, everything else as written. */
  readonly value: string;
  /** 1-based offset of the token's first character. */
  readonly position: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
]);

const WHITESPACE = /[ \t\r\n\f]/;
const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$.]/;
const DIGIT = /[0-9]/;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    const position = i + 1;
    if (WHITESPACE.test(c)) {
      i += 1;
    } else if (IDENTIFIER_START.test(c)) {
      let end = i + 1;
      while (end < source.length && IDENTIFIER_PART.test(source.charAt(end))) end += 1;
      const word = source.slice(i, end);
      const upper = word.toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { kind: 'keyword', value: upper, position }
          : { kind: 'identifier', value: word, position },
      );
      i = end;
    } else if (DIGIT.test(c)) {
      NUMBER.lastIndex = i;
      const text = NUMBER.exec(source)?.[0] ?? c;
      const end = i + text.length;
      const next = source.charAt(end);
      if (next !== '' && IDENTIFIER_PART.test(next)) {
        throw illegalFilterExpression(
          `SQL filter: malformed number at position ${position}: unexpected '${next}' at position ${end + 1}`,
        );
      }
      tokens.push({ kind: 'number', value: text, position });
      i = end;
    } else if (c === "'") {
      i = readString(source, i, tokens);
    } else {
      const two = source.slice(i, i + 2);
      if (two === '<>' || two === '!=' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'operator', value: two, position });
        i += 2;
      } else if (c === '=' || c === '<' || c === '>') {
        tokens.push({ kind: 'operator', value: c, position });
        i += 1;
      } else if (c === '(' || c === ')' || c === ',' || c === '-') {
        tokens.push({ kind: c, value: c, position });
        i += 1;
      } else {
        throw illegalFilterExpression(`SQL filter: unexpected character ${JSON.stringify(c)} at position ${position}`);
      }
    }
  }
  tokens.push({ kind: 'end', value: '', position: source.length + 1 });
  return tokens;
}

/** Reads the string literal opening at `start`, pushes it and returns the offset after its closing quote. */
function readString(source: string, start: number, tokens: Token[]): number {
  let value = '';
  let i = start + 1;
  for (;;) {
    const close = source.indexOf("'", i);
    if (close < 0) {
      throw illegalFilterExpression(
        `SQL filter: unterminated string literal at position ${start + 1}: expected a closing quote`,
      );
    }
    value += source.slice(i, close);
    if (source.charAt(close + 1) !== "'") {
      tokens.push({ kind: 'string', value, position: start + 1 });
      return close + 1;
    }
    value += "'";
    i = close + 2;
  }
}
