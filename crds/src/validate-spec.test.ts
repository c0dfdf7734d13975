import { describe, expect, it } from 'vitest';
import { validateSpec } from './validate-spec.js';

const topic = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'rocketry.io/v1alpha1',
  kind: 'Topic',
  metadata: { name: 'orders', namespace: 'team-a' },
  spec,
  ...(status && { status }),
});

describe('validateSpec', () => {
  it('returns the object with the CRD defaults applied', () => {
    const result = validateSpec('Topic', topic({ clusterRef: { name: 'prod' } }));
    expect(result).toEqual({
      valid: true,
      object: topic({ clusterRef: { name: 'prod' }, messageType: 'NORMAL', queues: 8, deletionPolicy: 'Delete' }),
    });
  });

  it('keeps the status as it was and does not judge it', () => {
    const status = { observedGeneration: 'not a number' };
    const result = validateSpec('Topic', topic({ clusterRef: { name: 'prod' } }, status));
    expect(result.valid && result.object.status).toEqual(status);
  });

  it('names each bad field with a readable message', () => {
    const result = validateSpec('Topic', topic({ clusterRef: { name: 'prod' }, messageType: 'Normal', queues: 2000 }));
    expect(result).toMatchObject({
      valid: false,
      problems: [
        { path: 'spec.messageType', message: 'must be one of NORMAL, FIFO, DELAY, TRANSACTION' },
        { path: 'spec.queues', message: expect.stringMatching(/1024/) },
      ],
    });
    expect(!result.valid && result.message).toMatch(/^spec\.messageType: must be one of .*; spec\.queues: /);
  });

  it('reports a missing spec and a missing required field', () => {
    expect(validateSpec('Topic', { metadata: { name: 'x' } })).toMatchObject({
      valid: false,
      problems: [{ path: 'spec', message: 'is required' }],
    });
    expect(validateSpec('ConsumerGroup', { metadata: { name: 'x' }, spec: {} })).toMatchObject({
      valid: false,
      problems: [{ path: 'spec.clusterRef', message: 'is required' }],
    });
  });

  it('runs the rules of the CRD with their messages, transition rules only given the old object', () => {
    const old = topic({ clusterRef: { name: 'prod' }, queues: 8 });
    const shrunk = topic({ clusterRef: { name: 'prod' }, queues: 4 });
    expect(validateSpec('Topic', shrunk).valid).toBe(true);
    expect(validateSpec('Topic', shrunk, old)).toMatchObject({
      valid: false,
      problems: [{ path: 'spec.queues', message: 'queues cannot be decreased' }],
    });
  });

  it('finds duplicate names in keyed lists, which the API server checks outside CEL', () => {
    const result = validateSpec('EventRule', {
      metadata: { name: 'r' },
      spec: {
        clusterRef: { name: 'prod' },
        source: { topic: 'orders' },
        targets: [
          { name: 'a', topic: { name: 'x' } },
          { name: 'a', topic: { name: 'y' } },
        ],
      },
    });
    expect(result).toMatchObject({
      valid: false,
      problems: [{ path: 'spec.targets[1]', message: 'duplicate entry (name "a")' }],
    });
  });

  it('checks an external cluster and its broker list', () => {
    const cluster = (external: unknown) => ({
      metadata: { name: 'legacy' },
      spec: { mode: 'External', external },
    });
    const broker = { name: 'broker-a', adminUrl: 'http://broker-a.legacy.svc:8082' };
    expect(validateSpec('BrokerCluster', cluster({ brokers: [broker] })).valid).toBe(true);
    expect(validateSpec('BrokerCluster', cluster({ brokers: [] }))).toMatchObject({
      valid: false,
      problems: [{ path: 'spec.external.brokers' }],
    });
    expect(
      validateSpec('BrokerCluster', cluster({ brokers: [{ ...broker, adminUrl: 'broker-a:8082' }] })),
    ).toMatchObject({ valid: false, problems: [{ path: 'spec.external.brokers[0].adminUrl' }] });
  });
});
