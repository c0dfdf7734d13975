import { evaluateSql92 } from './evaluate.js';
import { parseSql92 } from './parser.js';

export { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH } from './parser.js';

/** A compiled SQL92 subscription (PROTOCOL §7.11); see parser.ts for the grammar, evaluate.ts for the semantics. */
export interface Sql92Filter {
  readonly expression: string;
  /** `tag` is the message tag ('' = untagged), visible to the expression as `TAGS`. */
  matches(properties: Readonly<Record<string, string>>, tag: string): boolean;
}

/** Throws `DataplaneError(ILLEGAL_FILTER_EXPRESSION)`, and nothing else, when `expression` is not a valid filter. */
export function compileSql92(expression: string): Sql92Filter {
  const root = parseSql92(expression);
  return { expression, matches: (properties, tag) => evaluateSql92(root, { properties, tag }) === true };
}
