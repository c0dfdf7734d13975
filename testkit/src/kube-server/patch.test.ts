import { describe, expect, it } from 'vitest';
import { checkStrategicMergePatch, jsonPatch, mergePatch } from './patch.js';
import { KubeStatusError } from './status.js';

describe('mergePatch (RFC 7386)', () => {
  it('follows the examples of RFC 7386 appendix A', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['c', 'd'],
      ],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, result] of cases) {
      expect(mergePatch(target as never, patch as never)).toEqual(result);
    }
  });

  it('does not modify the target', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('jsonPatch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2, 3] } };

  it('adds, replaces, removes, moves and copies', () => {
    const out = jsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'replace', path: '/metadata/labels/a', value: 'x' },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'add', path: '/spec/list/0', value: 0 },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'copy', from: '/metadata/labels', path: '/spec/copied' },
      { op: 'move', from: '/spec/copied/b', path: '/spec/moved' },
    ]);
    expect(out).toEqual({
      metadata: { labels: { a: 'x', b: '2' } },
      spec: { list: [0, 2, 3, 4], copied: { a: 'x' }, moved: '2' },
    });
    expect(doc.spec.list).toEqual([1, 2, 3]);
  });

  it('escapes ~0 and ~1 in pointers', () => {
    expect(jsonPatch({ m: {} }, [{ op: 'add', path: '/m/rocketry.io~1a~0b', value: 1 }])).toEqual({
      m: { 'rocketry.io/a~b': 1 },
    });
  });

  it('fails the whole patch with 422 when a test operation does not hold', () => {
    const err = (() => {
      try {
        jsonPatch(doc, [{ op: 'test', path: '/metadata/labels/a', value: '2' }]);
      } catch (e) {
        return e as KubeStatusError;
      }
    })();
    expect(err?.code).toBe(422);
    expect(jsonPatch(doc, [{ op: 'test', path: '/spec', value: { list: [1, 2, 3] } }])).toEqual(doc);
  });

  it('refuses replacing or removing a missing path, and a body that is not an array (400)', () => {
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/spec/missing', value: 1 }])).toThrow(KubeStatusError);
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/spec/list/9' }])).toThrow(KubeStatusError);
    try {
      jsonPatch(doc, { metadata: {} });
    } catch (e) {
      expect((e as KubeStatusError).code).toBe(400);
    }
  });
});

describe('strategic merge patch', () => {
  it('refuses $patch and other directives it would otherwise store as data', () => {
    expect(() => checkStrategicMergePatch({ spec: { containers: [{ name: 'a', $patch: 'delete' }] } })).toThrow(
      KubeStatusError,
    );
    expect(() => checkStrategicMergePatch({ spec: { replicas: 2 } })).not.toThrow();
  });
});
