import { describe, expect, it } from 'vitest';
import { AUTOSCALED_BY, type AutoscalerObservation } from './autoscaler-conflicts.js';
import { decideReplicas, desiredReplicas, type ScaleDecisionInput } from './decide-replicas.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const spec = { minReplicas: 1, maxReplicas: 10, lagPerReplica: 100, cooldownSeconds: 300 };
const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'workers' };

type InputOverrides = Partial<Omit<ScaleDecisionInput, 'lag'>> & { lag?: ScaleDecisionInput['lag'] | number };

const input = ({ lag = 0, ...rest }: InputOverrides): ScaleDecisionInput => ({
  autoscaling: spec,
  currentReplicas: 1,
  lastScaleTime: undefined,
  nowMs: NOW,
  ...rest,
  lag: typeof lag === 'number' ? { kind: 'known', messages: lag } : lag,
});

const owners = (over: Partial<AutoscalerObservation>): AutoscalerObservation => ({
  self: { name: 'orders', uid: 'uid-orders', creationTimestamp: '2026-01-02T00:00:00Z' },
  mode: 'Builtin',
  target,
  targetAnnotations: {},
  hpas: [],
  scaledObjects: [],
  ...over,
});

describe('desiredReplicas', () => {
  it.each([
    [0, 1],
    [1, 1],
    [100, 1],
    [101, 2],
    [950, 10],
    [1_000_000, 10],
  ])('gives ceil(lag / lagPerReplica) within bounds: lag %i -> %i replicas', (lag, replicas) => {
    expect(desiredReplicas(lag, spec)).toBe(replicas);
  });

  it('scales to zero when minReplicas is 0 and there is no lag, and to one for a single message', () => {
    expect(desiredReplicas(0, { ...spec, minReplicas: 0 })).toBe(0);
    expect(desiredReplicas(1, { ...spec, minReplicas: 0 })).toBe(1);
  });
});

describe('decideReplicas', () => {
  it('raises replicas for a backlog, within maxReplicas', () => {
    expect(decideReplicas(input({ lag: 450 }))).toEqual({
      action: 'scale',
      replicas: 5,
      reason: 'lag 450 at 100 per replica: 1 -> 5',
    });
    expect(decideReplicas(input({ lag: 50_000 }))).toMatchObject({ action: 'scale', replicas: 10 });
  });

  it('scales up at once even inside the cooldown (HPA convention: no scale-up stabilisation)', () => {
    expect(decideReplicas(input({ lag: 450, currentReplicas: 2, lastScaleTime: ago(10) }))).toMatchObject({
      action: 'scale',
      replicas: 5,
    });
  });

  it('holds a scale-down until cooldownSeconds after status.lastScaleTime', () => {
    const held = decideReplicas(input({ lag: 100, currentReplicas: 5, lastScaleTime: ago(60) }));
    expect(held).toEqual({
      action: 'hold',
      reason: 'lag 100 at 100 per replica: 5 -> 1 after the cooldown (240 s left)',
    });
    expect(decideReplicas(input({ lag: 100, currentReplicas: 5, lastScaleTime: ago(300) }))).toMatchObject({
      action: 'scale',
      replicas: 1,
    });
  });

  it('scales down to minReplicas when there is no lag and the cooldown has passed', () => {
    expect(decideReplicas(input({ lag: 0, currentReplicas: 7, lastScaleTime: ago(301) }))).toEqual({
      action: 'scale',
      replicas: 1,
      reason: 'no lag: 7 -> 1',
    });
    expect(decideReplicas(input({ lag: 0, currentReplicas: 7 }))).toMatchObject({ action: 'scale', replicas: 1 });
    const toZero = input({ lag: 0, currentReplicas: 3, autoscaling: { ...spec, minReplicas: 0 } });
    expect(decideReplicas(toZero)).toMatchObject({ action: 'scale', replicas: 0 });
  });

  it('holds when the target already has the desired replicas', () => {
    expect(decideReplicas(input({ lag: 250, currentReplicas: 3 }))).toEqual({
      action: 'hold',
      reason: 'lag 250 at 100 per replica: 3 replicas already',
    });
  });

  it('holds on unknown lag, never scaling down on it', () => {
    const unknown = { kind: 'unknown', reason: 'broker-1 timed out' } as const;
    expect(decideReplicas(input({ lag: unknown, currentReplicas: 9 }))).toEqual({
      action: 'hold',
      reason: 'lag unknown (broker-1 timed out)',
    });
  });

  it('brings replicas set by hand above maxReplicas back within bounds', () => {
    expect(decideReplicas(input({ lag: 5000, currentReplicas: 30 }))).toMatchObject({ action: 'scale', replicas: 10 });
  });

  it('treats a malformed lastScaleTime as no cooldown', () => {
    expect(decideReplicas(input({ currentReplicas: 4, lastScaleTime: 'yesterday' }))).toMatchObject({
      action: 'scale',
      replicas: 1,
    });
  });
});

describe('decideReplicas refuses a target another autoscaler owns', () => {
  const refuse = (o: AutoscalerObservation) => decideReplicas(input({ lag: 900, owners: o }));

  it('refuses when an HPA scaleTargetRef names the target', () => {
    const hpa = { metadata: { name: 'workers-cpu' }, spec: { scaleTargetRef: { ...target } } };
    expect(refuse(owners({ hpas: [hpa] }))).toEqual({
      action: 'refuse',
      reason: 'HorizontalPodAutoscaler workers-cpu scales Deployment/workers; not scaling it as well',
    });
  });

  it('refuses when a KEDA ScaledObject targets it (KEDA defaults apps/v1 Deployment)', () => {
    const so = { metadata: { name: 'workers-kafka' }, spec: { scaleTargetRef: { name: 'workers' } } };
    expect(refuse(owners({ scaledObjects: [so] }))).toEqual({
      action: 'refuse',
      reason: 'KEDA ScaledObject workers-kafka scales Deployment/workers; not scaling it as well',
    });
  });

  it('refuses when the target is annotated as autoscaled by something else', () => {
    expect(refuse(owners({ targetAnnotations: { [AUTOSCALED_BY]: 'team-b/custom-scaler' } }))).toMatchObject({
      action: 'refuse',
      reason: `Deployment/workers is annotated ${AUTOSCALED_BY}=team-b/custom-scaler; not scaling it as well`,
    });
    expect(refuse(owners({ targetAnnotations: { [AUTOSCALED_BY]: 'ConsumerGroup/orders' } }))).toMatchObject({
      action: 'scale',
    });
  });

  it('refuses when an older ConsumerGroup already autoscales the same target, and the older one proceeds', () => {
    const older = {
      metadata: { name: 'billing', uid: 'uid-billing', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { autoscaling: { targetRef: target } },
    };
    const self = { metadata: { name: 'orders', uid: 'uid-orders' }, spec: { autoscaling: { targetRef: target } } };
    expect(refuse(owners({ consumerGroups: [older, self] }))).toMatchObject({
      action: 'refuse',
      reason: 'ConsumerGroup billing already scales Deployment/workers; not scaling it as well',
    });
    const asBilling = owners({
      self: { name: 'billing', uid: 'uid-billing', creationTimestamp: '2026-01-01T00:00:00Z' },
      consumerGroups: [older, { ...self, metadata: { ...self.metadata, creationTimestamp: '2026-01-02T00:00:00Z' } }],
    });
    expect(refuse(asBilling)).toMatchObject({ action: 'scale' });
  });

  it('ignores autoscalers of other workloads, of other kinds with the same name, and of other API groups', () => {
    const hpas = [
      { metadata: { name: 'a' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' } } },
      {
        metadata: { name: 'b' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'workers' } },
      },
      {
        metadata: { name: 'c' },
        spec: { scaleTargetRef: { apiVersion: 'x.io/v1', kind: 'Deployment', name: 'workers' } },
      },
    ];
    expect(refuse(owners({ hpas }))).toMatchObject({ action: 'scale', replicas: 9 });
  });

  it("in Keda mode, does not count the group's own ScaledObject or the HPA KEDA made for it", () => {
    const so = {
      metadata: { name: 'orders-mq', ownerReferences: [{ kind: 'ConsumerGroup', name: 'orders', uid: 'uid-orders' }] },
      spec: { scaleTargetRef: target },
    };
    const hpa = {
      metadata: {
        name: 'keda-hpa-orders-mq',
        ownerReferences: [{ kind: 'ScaledObject', name: 'orders-mq', uid: 'u' }],
      },
      spec: { scaleTargetRef: target },
    };
    expect(refuse(owners({ mode: 'Keda', scaledObjects: [so], hpas: [hpa] }))).toMatchObject({ action: 'scale' });
    expect(refuse(owners({ mode: 'Builtin', scaledObjects: [so], hpas: [hpa] }))).toMatchObject({ action: 'refuse' });
  });
});
