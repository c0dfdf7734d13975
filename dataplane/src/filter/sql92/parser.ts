import { illegalFilterExpression } from '../filter-error.js';
import { type Token, type TokenKind, tokenize } from './lexer.js';

/**
 * Grammar (precedence from loosest to tightest; keywords case-insensitive):
 *
 *   filter     := or <end>
 *   or         := and ( OR and )*
 *   and        := not ( AND not )*
 *   not        := NOT not | primary
 *   primary    := '(' or ')' | TRUE | FALSE | predicate
 *   predicate  := operand ( compare operand
 *                         | [NOT] BETWEEN operand AND operand
 *                         | [NOT] IN '(' string ( ',' string )* ')'
 *                         | IS [NOT] NULL )
 *   operand    := identifier | string | number | '-' number | TRUE | FALSE
 *
 * Static checks, as RocketMQ's selector parser makes them: `<`, `<=`, `>`, `>=` and BETWEEN take properties and
 * numbers only; NULL appears only in IS [NOT] NULL; IN lists hold string literals only.
 */
export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** A numeric literal; `integer` is set when it has no fraction or exponent, so big integers compare exactly. */
export interface SqlNumber {
  readonly kind: 'number';
  readonly value: number;
  readonly integer: bigint | undefined;
}

export type Literal = string | boolean | SqlNumber;

export type Operand =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: Literal };

export type Sql92Node =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Sql92Node[] }
  | { readonly kind: 'not'; readonly operand: Sql92Node }
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Operand }
  | {
      readonly kind: 'between';
      readonly negated: boolean;
      readonly operand: Operand;
      readonly low: Operand;
      readonly high: Operand;
    }
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: Operand; readonly values: ReadonlySet<string> }
  | { readonly kind: 'is-null'; readonly negated: boolean; readonly operand: Operand };

/** RocketMQ rejects longer SQL subscriptions. */
export const MAX_EXPRESSION_LENGTH = 1024;
/** Parentheses plus NOTs; bounds the parser's and evaluator's recursion. */
export const MAX_NESTING_DEPTH = 64;

export function parseSql92(source: string): Sql92Node {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw illegalFilterExpression(
      `SQL filter: expression is ${source.length} characters long, the limit is ${MAX_EXPRESSION_LENGTH}`,
    );
  }
  return new Parser(tokenize(source)).parseFilter();
}

const describe = (token: Token): string => {
  switch (token.kind) {
    case 'end':
      return 'end of expression';
    case 'string':
      return `string '${token.value.replaceAll("'", "''")}'`;
    case 'keyword':
      return `keyword ${token.value}`;
    case 'identifier':
      return `identifier '${token.value}'`;
    default:
      return `'${token.value}'`;
  }
};

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseFilter(): Sql92Node {
    const node = this.parseOr();
    this.expectKind('end', 'AND, OR or end of expression');
    return node;
  }

  private parseOr(): Sql92Node {
    const operands = [this.parseAnd()];
    while (this.acceptKeyword('OR')) operands.push(this.parseAnd());
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private parseAnd(): Sql92Node {
    const operands = [this.parseNot()];
    while (this.acceptKeyword('AND')) operands.push(this.parseNot());
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private parseNot(): Sql92Node {
    if (!this.acceptKeyword('NOT')) return this.parsePrimary();
    this.enter();
    const operand = this.parseNot();
    this.depth -= 1;
    return { kind: 'not', operand };
  }

  private parsePrimary(): Sql92Node {
    if (this.acceptKind('(')) {
      this.enter();
      const node = this.parseOr();
      this.expectKind(')', "')'");
      this.depth -= 1;
      return node;
    }
    const start = this.peek();
    const left = this.parseOperand();
    const next = this.peek();
    if (next.kind === 'operator') return this.parseComparison(left, start);
    if (next.kind === 'keyword') {
      if (next.value === 'IS') return this.parseIsNull(left);
      const after = this.peek(1);
      const negated =
        next.value === 'NOT' && after.kind === 'keyword' && (after.value === 'IN' || after.value === 'BETWEEN');
      if (negated) this.index += 1;
      if (this.acceptKeyword('IN')) return this.parseIn(left, negated);
      if (this.acceptKeyword('BETWEEN')) return this.parseBetween(left, negated, start);
    }
    if (left.kind === 'literal' && typeof left.value === 'boolean') return { kind: 'constant', value: left.value };
    throw this.error('a comparison operator, IN, BETWEEN or IS', next);
  }

  private parseComparison(left: Operand, leftToken: Token): Sql92Node {
    const opToken = this.next();
    const op: CompareOp = opToken.value === '!=' ? '<>' : (opToken.value as CompareOp);
    const rightToken = this.peek();
    const right = this.parseOperand();
    if (op !== '=' && op !== '<>') {
      this.checkOrderable(left, leftToken, opToken.value);
      this.checkOrderable(right, rightToken, opToken.value);
    }
    return { kind: 'compare', op, left, right };
  }

  private parseBetween(operand: Operand, negated: boolean, operandToken: Token): Sql92Node {
    const lowToken = this.peek();
    const low = this.parseOperand();
    this.expectKeyword('AND', 'AND between the BETWEEN bounds');
    const highToken = this.peek();
    const high = this.parseOperand();
    this.checkOrderable(operand, operandToken, 'BETWEEN');
    this.checkOrderable(low, lowToken, 'BETWEEN');
    this.checkOrderable(high, highToken, 'BETWEEN');
    return { kind: 'between', negated, operand, low, high };
  }

  private parseIn(operand: Operand, negated: boolean): Sql92Node {
    this.expectKind('(', "'(' after IN");
    const values = new Set<string>();
    do {
      values.add(this.expectKind('string', 'a string literal in the IN list').value);
    } while (this.acceptKind(','));
    this.expectKind(')', "',' or ')' in the IN list");
    return { kind: 'in', negated, operand, values };
  }

  private parseIsNull(operand: Operand): Sql92Node {
    this.index += 1;
    const negated = this.acceptKeyword('NOT');
    this.expectKeyword('NULL', negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS');
    return { kind: 'is-null', negated, operand };
  }

  private parseOperand(): Operand {
    const token = this.next();
    switch (token.kind) {
      case 'identifier':
        return { kind: 'property', name: token.value };
      case 'string':
        return { kind: 'literal', value: token.value };
      case 'number':
        return { kind: 'literal', value: toSqlNumber(token.value, false) };
      case '-':
        return { kind: 'literal', value: toSqlNumber(this.expectKind('number', "a number after '-'").value, true) };
      case 'keyword':
        if (token.value === 'TRUE' || token.value === 'FALSE')
          return { kind: 'literal', value: token.value === 'TRUE' };
        if (token.value === 'NULL') {
          throw illegalFilterExpression(
            `SQL filter: NULL at position ${token.position} cannot be compared; use IS NULL or IS NOT NULL`,
          );
        }
        break;
    }
    throw this.error('a property name or a literal', token);
  }

  private checkOrderable(operand: Operand, token: Token, op: string): void {
    if (operand.kind === 'literal' && typeof operand.value !== 'object') {
      throw illegalFilterExpression(
        `SQL filter: ${op} compares numbers only, expected a property name or a number at position ${token.position}, found ${describe(token)}`,
      );
    }
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING_DEPTH) {
      const at = this.tokens[this.index - 1]?.position ?? 1;
      throw illegalFilterExpression(
        `SQL filter: nesting deeper than ${MAX_NESTING_DEPTH} levels of parentheses and NOT at position ${at}`,
      );
    }
  }

  private peek(ahead = 0): Token {
    // The token list always ends with 'end', and nothing reads past it.
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private acceptKind(kind: TokenKind): boolean {
    if (this.peek().kind !== kind) return false;
    this.index += 1;
    return true;
  }

  private acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token.kind !== 'keyword' || token.value !== keyword) return false;
    this.index += 1;
    return true;
  }

  private expectKind(kind: TokenKind, expected: string): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.error(expected, token);
    return this.next();
  }

  private expectKeyword(keyword: string, expected: string): void {
    if (!this.acceptKeyword(keyword)) throw this.error(expected, this.peek());
  }

  private error(expected: string, found: Token) {
    return illegalFilterExpression(
      `SQL filter: expected ${expected} at position ${found.position}, found ${describe(found)}`,
    );
  }
}

function toSqlNumber(text: string, negative: boolean): SqlNumber {
  const signed = negative ? `-${text}` : text;
  const integer = /^-?[0-9]+$/.test(signed) ? BigInt(signed) : undefined;
  return { kind: 'number', value: Number(signed), integer };
}
