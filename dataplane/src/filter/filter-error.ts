import { Code, DataplaneError } from '../lib/errors.js';

export const ILLEGAL_FILTER_EXPRESSION = Code.ILLEGAL_FILTER_EXPRESSION;

/** The one error every filter compiler throws: the subscription cannot be accepted (sent in-band, PROTOCOL §4.5). */
export const illegalFilterExpression = (message: string): DataplaneError =>
  new DataplaneError(ILLEGAL_FILTER_EXPRESSION, message);
