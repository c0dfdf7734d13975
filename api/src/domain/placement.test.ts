import { describe, expect, it } from 'vitest';
import type { ApiError } from '../errors.js';
import { type PlacementCandidate, placeInstance } from './placement.js';

const c = (id: string, region: string, sharing: 'shared' | 'dedicated', instances: number): PlacementCandidate => ({
  id,
  name: id,
  region,
  sharing,
  instances,
});

describe('placeInstance', () => {
  const clusters = [
    c('a', 'eu', 'shared', 3),
    c('b', 'eu', 'shared', 1),
    c('d', 'eu', 'dedicated', 0),
    c('u', 'us', 'shared', 0),
  ];

  it('picks the least loaded shared cluster of the region and gives a namespace', () => {
    expect(placeInstance('ins_x', 'eu', clusters)).toEqual({ clusterId: 'b', namespace: 'ins_x' });
  });

  it('places on a requested free dedicated cluster without a namespace', () => {
    expect(placeInstance('ins_x', 'eu', clusters, 'd')).toEqual({ clusterId: 'd', namespace: null });
  });

  it('refuses a busy dedicated cluster, another region, and a region without shared clusters', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as ApiError).code;
      }
    };
    expect(code(() => placeInstance('i', 'eu', [c('d', 'eu', 'dedicated', 1)], 'd'))).toBe('no-capacity');
    expect(code(() => placeInstance('i', 'eu', clusters, 'u'))).toBe('conflict-state');
    expect(code(() => placeInstance('i', 'ap', clusters))).toBe('no-capacity');
    expect(code(() => placeInstance('i', 'eu', clusters, 'zz'))).toBe('validation-failed');
  });
});
