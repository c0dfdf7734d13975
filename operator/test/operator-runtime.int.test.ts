import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { BROKER_CLUSTERS, LEASES } from '../src/runtime/resources.js';
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

const reconciles = async (op: { metrics: { reconciles: { get(): Promise<{ values: { value: number }[] }> } } }) =>
  (await op.metrics.reconciles.get()).values.reduce((n, v) => n + v.value, 0);

const election = (leaseNamespace: string) => ({
  leaseNamespace,
  leaseDurationMs: 1_000,
  renewDeadlineMs: 700,
  retryPeriodMs: 100,
});

describe('operator runtime', () => {
  it('makes no writes in steady state: resyncs reconcile every cluster and find nothing to change', async () => {
    const op = await h.startOperator({ resyncMs: 150 });
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'calm', { brokers: { groups: 2 } }));
    await h.client.create(
      BROKER_CLUSTERS,
      brokerCluster(h.namespace, 'quiet', { brokers: { groups: 1, config: { flush: 'sync' } } }),
    );
    for (const name of ['calm', 'quiet']) {
      await eventually(
        () => getCluster(h, name),
        (cr) => condition(cr, 'Ready')?.status === 'True',
        15_000,
        name,
      );
    }
    await sleep(300); // the last events of getting there (pod status, StatefulSet status) settle
    const writesBefore = h.kube.writes({ namespace: h.namespace }).length;
    const reconcilesBefore = await reconciles(op);
    await sleep(1_500);
    expect(await reconciles(op)).toBeGreaterThanOrEqual(reconcilesBefore + 2 * 8); // ~10 resyncs of 2 clusters
    const writes = h.kube.writes({ namespace: h.namespace }).slice(writesBefore);
    expect(writes.map((w) => `${w.verb} ${w.plural}/${w.name}${w.subresource ? `/${w.subresource}` : ''}`)).toEqual([]);
  });

  it('a second instance stays passive until the Lease expires, then takes over and reconciles', async () => {
    const a = await h.startOperator({ identity: 'op-a', leaderElection: election(h.namespace) });
    await eventually(async () => a.isLeader(), Boolean, 5_000, 'a leads');
    const b = await h.startOperator({ identity: 'op-b', leaderElection: election(h.namespace) });
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'le'));
    await eventually(
      () => getCluster(h, 'le'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    await sleep(500);
    expect(b.isLeader()).toBe(false);
    expect(await reconciles(b)).toBe(0);
    expect(h.kube.writes({ resource: 'leases' }).every((w) => w.verb === 'create' || w.verb === 'update')).toBe(true);
    const lease = await h.client.get<KubeObject & { spec?: { holderIdentity?: string } }>(
      LEASES,
      h.namespace,
      'rocketry-operator',
    );
    expect(lease?.spec?.holderIdentity).toBe('op-a');

    // A crash: no release, so b waits out the lease duration measured from the last renewal it saw.
    const stoppedAt = Date.now();
    await a.stop({ releaseLease: false });
    await eventually(async () => b.isLeader(), Boolean, 5_000, 'b leads');
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(800);
    await h.client.mergePatch(BROKER_CLUSTERS, h.namespace, 'le', { spec: { brokers: { groups: 2 } } });
    const cr = await eventually(
      () => getCluster(h, 'le'),
      (c) => condition(c, 'Ready')?.status === 'True' && c?.status?.observedGeneration === 2,
      15_000,
      'reconciled by b',
    );
    expect(cr?.status?.readyGroups).toBe(2);
    expect(await reconciles(b)).toBeGreaterThan(0);

    // A graceful stop releases the Lease: a standby takes over at once, well inside the lease duration.
    const c = await h.startOperator({ identity: 'op-c', leaderElection: election(h.namespace) });
    await sleep(300);
    expect(c.isLeader()).toBe(false);
    const releasedAt = Date.now();
    await b.stop();
    await eventually(async () => c.isLeader(), Boolean, 5_000, 'c leads');
    expect(Date.now() - releasedAt).toBeLessThan(800);
  });

  it('serves /healthz, /readyz and /metrics with reconcile counts, durations and queue depth', async () => {
    const op = await h.startOperator();
    await h.client.create(BROKER_CLUSTERS, brokerCluster(h.namespace, 'metrics'));
    await eventually(
      () => getCluster(h, 'metrics'),
      (cr) => condition(cr, 'Ready')?.status === 'True',
      15_000,
      'Ready',
    );
    const base = `http://127.0.0.1:${op.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/rocketry_operator_reconcile_total\{kind="BrokerCluster",result="(success|requeue)"\} \d+/);
    expect(text).toContain('rocketry_operator_reconcile_duration_seconds_bucket{le="0.005",kind="BrokerCluster"}');
    expect(text).toContain('rocketry_operator_queue_depth{kind="BrokerCluster"}');
    expect(text).toContain('rocketry_operator_leader 1');
    await op.stop();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
