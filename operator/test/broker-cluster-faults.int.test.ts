import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROKER_CLUSTERS, STATEFULSETS } from '../src/runtime/resources.js';
import {
  brokerCluster,
  condition,
  eventually,
  getCluster,
  type Harness,
  sleep,
  startHarness,
} from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const reconcileCount = async (handle: {
  metrics: { reconciles: { get(): Promise<{ values: { value: number }[] }> } };
}) => (await handle.metrics.reconciles.get()).values.reduce((n, v) => n + v.value, 0);

describe('BrokerCluster bad input and API faults', () => {
  it('an invalid spec gets Ready=False InvalidSpec with the problem, is not retried in a loop, and other clusters still reconcile', async () => {
    const op = await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'bad', { nameServer: { replicas: 3 } }));
    const bad = await eventually(
      () => getCluster(h, 'bad'),
      (cr) => condition(cr, 'Ready')?.reason === 'InvalidSpec',
      10_000,
      'bad InvalidSpec',
    );
    expect(condition(bad, 'Ready')).toMatchObject({ status: 'False', observedGeneration: 1 });
    expect(condition(bad, 'Ready')?.message).toContain('spec.nameServer.replicas: 3 is not supported yet');
    expect(await h.client.get(STATEFULSETS, h.namespace, 'bad-namesrv')).toBeUndefined();

    // Bounded: after the status write, nothing brings them back (no requeue, no backoff loop).
    const settled = await reconcileCount(op);
    const statusWrites = h.kube.writes({ resource: 'brokerclusters', subresource: 'status' }).length;
    await sleep(1_000);
    expect(await reconcileCount(op)).toBe(settled);
    expect(h.kube.writes({ resource: 'brokerclusters', subresource: 'status' }).length).toBe(statusWrites);

    // The operator is alive: a good cluster becomes Ready, and fixing the bad one makes it Ready too.
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'good'));
    await eventually(
      () => getCluster(h, 'good'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'good',
    );
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'bad', { spec: { nameServer: { replicas: 1 } } });
    const fixed = await eventually(
      () => getCluster(h, 'bad'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'bad fixed',
    );
    expect(fixed?.status?.observedGeneration).toBe(2);
  });

  it('retries injected 409 conflicts and 503s with backoff, then converges', async () => {
    const op = await h.startOperator();
    h.kube.faults.injectConflicts(3, { verbs: ['create'], resource: 'statefulsets', namespace: h.namespace });
    h.kube.faults.failNext(
      4,
      { resource: 'configmaps', namespace: h.namespace },
      { code: 503, reason: 'ServiceUnavailable', message: 'injected' },
    );
    h.kube.faults.injectConflicts(2, { verbs: ['patch'], resource: 'brokerclusters', subresource: 'status' });
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'flaky'));
    await eventually(
      () => getCluster(h, 'flaky'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    const failed = h.kube.writes({ namespace: h.namespace, includeFailed: true }).filter((w) => w.code >= 400);
    expect(failed.filter((w) => w.code === 409).length).toBeGreaterThanOrEqual(5);
    expect(failed.filter((w) => w.code === 503).length).toBe(4);
    const errors = (await op.metrics.errors.get()).values.reduce((n, v) => n + v.value, 0);
    expect(errors).toBeGreaterThanOrEqual(3);
    // Backoff (50 ms doubling here): an event may bring the key back early once, but retries then space out.
    const attempts = h.kube
      .writes({ resource: 'configmaps', namespace: h.namespace, includeFailed: true })
      .filter((w) => w.verb === 'create');
    expect(attempts.map((a) => a.code)).toEqual([503, 503, 503, 503, 201]);
    const at = attempts.map((a) => a.at);
    expect(at[4]! - at[0]!).toBeGreaterThanOrEqual(300);
    expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(at[1]! - at[0]!);
    expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(100);
  });

  it('survives an API outage: keeps retrying with backoff, then reconciles what changed during it', async () => {
    const op = await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'before'));
    await eventually(
      () => getCluster(h, 'before'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'before',
    );
    h.statefulSets.stop();
    await h.kube.faults.startOutage('refused');
    await sleep(1_500);
    await h.kube.faults.endOutage();
    // While it was down the operator kept going (its HTTP endpoint answers) and retried lists with growing gaps.
    const health = await fetch(`http://127.0.0.1:${op.port}/healthz`);
    expect(health.status).toBe(200);
    h.statefulSets.start();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'after'));
    await eventually(
      () => getCluster(h, 'after'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'after',
    );

    await h.kube.faults.startOutage('unavailable');
    await sleep(800);
    await h.kube.faults.endOutage();
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'after', { spec: { brokers: { groups: 2 } } });
    const cr = await eventually(
      () => getCluster(h, 'after'),
      (c) => condition(c, 'Ready')?.status === 'True' && c?.status?.readyGroups === 2,
      15_000,
      'after scaled up',
    );
    expect(cr?.status?.observedGeneration).toBe(2);
  });
});
