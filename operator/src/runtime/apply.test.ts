import { describe, expect, it } from 'vitest';
import { isSubset } from './apply.js';

describe('isSubset (does the server object already have every desired field?)', () => {
  it('ignores fields the server added to maps', () => {
    expect(isSubset({ spec: { replicas: 1 } }, { spec: { replicas: 1, revisionHistoryLimit: 10 }, status: {} })).toBe(
      true,
    );
  });
  it('compares list elements in order and requires equal lengths', () => {
    const desired = { ports: [{ name: 'grpc', port: 8081 }] };
    expect(isSubset(desired, { ports: [{ name: 'grpc', port: 8081, protocol: 'TCP', targetPort: 8081 }] })).toBe(true);
    expect(
      isSubset(desired, {
        ports: [
          { name: 'grpc', port: 8081 },
          { name: 'admin', port: 8082 },
        ],
      }),
    ).toBe(false);
    expect(isSubset(desired, { ports: [{ name: 'grpc', port: 9999 }] })).toBe(false);
  });
  it('sees a changed or missing value, and a map where a list was', () => {
    expect(isSubset({ data: { A: '1' } }, { data: { A: '2' } })).toBe(false);
    expect(isSubset({ data: { A: '1' } }, { data: {} })).toBe(false);
    expect(isSubset({ a: [1] }, { a: { 0: 1 } })).toBe(false);
  });
  it('takes an empty map or list as matching a field the server left out', () => {
    expect(isSubset({ data: {}, spec: { tolerations: [] } }, { spec: {} })).toBe(true);
    expect(isSubset({ data: { A: '1' } }, {})).toBe(false);
  });
});
