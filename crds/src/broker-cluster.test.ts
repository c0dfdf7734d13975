import { describe, expect, it } from 'vitest';
import { compareQuantities, parseQuantity } from './broker-cluster.js';

describe('compareQuantities', () => {
  it.each<[string | number, string | number, number]>([
    ['1Gi', '1024Mi', 0],
    ['1.5Gi', '1536Mi', 0],
    ['1000Mi', '1Gi', -1],
    ['1G', '1Gi', -1],
    ['10Gi', '10G', 1],
    ['500m', '0.5', 0],
    ['1e3', '1k', 0],
    ['2', 1, 1],
    ['1Ti', '1023Gi', 1],
    ['-1', '0', -1],
  ])('compares %s with %s as %i', (a, b, expected) => {
    expect(compareQuantities(a, b)).toBe(expected);
  });

  it('rejects what is not a quantity', () => {
    expect(parseQuantity('10 Gi')).toBeUndefined();
    expect(parseQuantity('Gi')).toBeUndefined();
    expect(parseQuantity('1iB')).toBeUndefined();
    expect(() => compareQuantities('ten', '1')).toThrow(/not a quantity/);
  });
});
