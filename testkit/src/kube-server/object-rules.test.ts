import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-object.js';
import type { UpdateTarget } from './object-rules.js';
import {
  bumpGeneration,
  generatedName,
  markDeleting,
  prepareForUpdate as prepare,
  prepareForCreate,
  validateMetadata,
} from './object-rules.js';
import { BUILTIN_RESOURCE_TYPES, fromCrd, type ResourceType } from './resource-types.js';
import { KubeStatusError } from './status.js';

const type = (plural: string): ResourceType => BUILTIN_RESOURCE_TYPES.find((t) => t.plural === plural)!;
const deployments = type('deployments');
const now = new Date('2026-01-02T03:04:05.678Z');
const created = (t: ResourceType, body: Partial<KubeObject> = {}) =>
  prepareForCreate(
    t,
    { metadata: { name: 'a' }, spec: { replicas: 1 }, status: { replicas: 9 }, ...body },
    {
      uid: 'u1',
      now,
      namespace: 'ns',
    },
  );

describe('prepareForCreate', () => {
  it('sets uid, a whole-second creationTimestamp, generation 1 and drops status behind a status subresource', () => {
    expect(created(deployments)).toEqual({
      metadata: { name: 'a', namespace: 'ns', uid: 'u1', creationTimestamp: '2026-01-02T03:04:05Z', generation: 1 },
      spec: { replicas: 1 },
    });
  });

  it('keeps status and sets no generation for kinds without them', () => {
    const cm = created(type('configmaps'));
    expect(cm.metadata.generation).toBeUndefined();
    expect(cm.status).toEqual({ replicas: 9 });
  });
});

/** prepareForUpdate followed by the generation bump, as the store runs them. */
const prepareForUpdate = (t: ResourceType, old: KubeObject, incoming: KubeObject, target: UpdateTarget) => {
  const obj = prepare(t, old, incoming, target);
  bumpGeneration(t, old, obj);
  return obj;
};

describe('prepareForUpdate', () => {
  const old = { ...created(deployments), status: { replicas: 1 } };

  it('bumps generation on a spec change and keeps the stored status on a main-resource write', () => {
    const next = prepareForUpdate(deployments, old, { ...old, spec: { replicas: 2 }, status: { replicas: 5 } }, 'main');
    expect(next.metadata.generation).toBe(2);
    expect(next.status).toEqual({ replicas: 1 });
  });

  it('keeps generation on metadata-only and status writes, and a status write changes only status', () => {
    const labelled = prepareForUpdate(
      deployments,
      old,
      { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } },
      'main',
    );
    expect(labelled.metadata.generation).toBe(1);
    const status = prepareForUpdate(
      deployments,
      old,
      { ...old, metadata: { ...old.metadata, labels: { a: 'b' } }, spec: { replicas: 7 }, status: { replicas: 3 } },
      'status',
    );
    expect(status).toEqual({ ...old, status: { replicas: 3 } });
  });

  it('bumps generation on status changes of a custom resource without a status subresource', () => {
    const crdType = fromCrd({
      metadata: { name: 'xs.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'xs', kind: 'X' },
        versions: [{ name: 'v1', served: true, storage: true }],
      },
    });
    const x = created(crdType);
    expect(prepareForUpdate(crdType, x, { ...x, status: { replicas: 1 } }, 'main').metadata.generation).toBe(2);
  });

  it('drops empty labels, annotations, finalizers and owner references, as Go omitempty does', () => {
    const next = prepareForUpdate(
      deployments,
      old,
      { ...old, metadata: { ...old.metadata, labels: {}, annotations: {}, finalizers: [], ownerReferences: [] } },
      'main',
    );
    expect(next).toEqual(old);
  });

  it('keeps identity and server-owned metadata from the stored object', () => {
    const next = prepareForUpdate(
      deployments,
      old,
      { ...old, metadata: { name: 'a', uid: 'forged', generation: 40 } },
      'main',
    );
    expect(next.metadata).toMatchObject({ uid: 'u1', generation: 1, creationTimestamp: '2026-01-02T03:04:05Z' });
  });
});

describe('markDeleting', () => {
  it('sets deletionTimestamp and a zero grace period once and bumps generation once', () => {
    const marked = markDeleting(created(deployments), now);
    expect(marked.metadata).toMatchObject({
      deletionTimestamp: '2026-01-02T03:04:05Z',
      deletionGracePeriodSeconds: 0,
      generation: 2,
    });
    expect(markDeleting(marked, new Date()).metadata.generation).toBe(2);
  });
});

describe('validateMetadata and generatedName', () => {
  it('rejects invalid names and label values with 422 Invalid', () => {
    const cm = type('configmaps');
    expect(() => validateMetadata(cm, { metadata: { name: 'Upper' } })).toThrow(KubeStatusError);
    expect(() => validateMetadata(cm, { metadata: { name: 'ok', labels: { a: 'x'.repeat(64) } } })).toThrow(
      KubeStatusError,
    );
    expect(() => validateMetadata(type('services'), { metadata: { name: 'a.b' } })).toThrow(KubeStatusError);
    expect(() => validateMetadata(cm, { metadata: { name: 'a.b', labels: { 'rocketry.io/x': 'y' } } })).not.toThrow();
  });

  it('appends five characters from the apiserver alphabet', () => {
    expect(generatedName('web-')).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
