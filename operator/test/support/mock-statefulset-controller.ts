import { createHash } from 'node:crypto';
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeClient } from '../../src/runtime/kube-client.js';
import type { KubeObject } from '../../src/runtime/kube-object.js';
import { PODS, STATEFULSETS } from '../../src/runtime/resources.js';

type Sts = V1StatefulSet & KubeObject;
type Pod = V1Pod & KubeObject;

/** On a pod: keep it NotReady (a pod that never starts). */
export const HOLD_NOT_READY = 'test.rocketry.io/hold-not-ready';

/**
 * What kube-controller-manager and the kubelet would do for StatefulSets in one namespace (Strimzi's MockKube3
 * controllers, in small): publish `status.updateRevision` (a hash of the pod template) and `observedGeneration`,
 * create missing pods at the update revision (OnDelete: existing pods keep theirs), delete pods above `replicas`, and
 * mark pods Ready after `readyDelayMs` unless they carry `HOLD_NOT_READY`. It writes only when something differs, so
 * a settled namespace costs no writes. Polls (this is a test double, not the code under test).
 */
export class MockStatefulSetController {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  readonly readyAt = new Map<string, number>();
  /** Pod names in the order they were created. */
  readonly created: string[] = [];
  /** Pods (by name) created from now on that never become ready, as if their broker did not start. */
  readonly holdNotReady = new Set<string>();

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly readyDelayMs = 50,
  ) {}

  start(intervalMs = 25): this {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.step()
        .catch(() => undefined)
        .finally(() => {
          this.busy = false;
        });
    }, intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async step(): Promise<void> {
    const { items: sets } = await this.client.list<Sts>(STATEFULSETS, this.namespace);
    const { items: pods } = await this.client.list<Pod>(PODS, this.namespace);
    for (const sts of sets) await this.syncSet(sts, pods);
    for (const pod of pods) await this.syncPod(pod);
  }

  private async syncSet(sts: Sts, pods: Pod[]): Promise<void> {
    const name = sts.metadata?.name ?? '';
    const revision = `${name}-${createHash('sha256').update(JSON.stringify(sts.spec?.template)).digest('hex').slice(0, 10)}`;
    const replicas = sts.spec?.replicas ?? 1;
    const own = pods.filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === sts.metadata?.uid));
    for (let i = 0; i < replicas; i++) {
      if (own.some((p) => p.metadata?.name === `${name}-${i}`)) continue;
      await this.client.create<Pod>(PODS, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-${i}`,
          namespace: this.namespace,
          labels: { ...sts.spec?.template.metadata?.labels, 'controller-revision-hash': revision },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: sts.metadata?.uid ?? '', controller: true },
          ],
        },
        spec: structuredClone(sts.spec?.template.spec) ?? { containers: [] },
      });
      this.created.push(`${name}-${i}`);
    }
    for (const p of own) {
      const ordinal = Number(p.metadata?.name?.slice(name.length + 1));
      if (ordinal >= replicas) await this.client.delete(PODS, this.namespace, p.metadata?.name ?? '');
    }
    const ready = own.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const status = {
      observedGeneration: sts.metadata?.generation,
      replicas: own.length,
      readyReplicas: ready.length,
      updateRevision: revision,
      currentRevision: revision,
    };
    const s = sts.status as Record<string, unknown> | undefined;
    if (!s || Object.entries(status).some(([k, v]) => s[k] !== v)) {
      await this.client.mergePatch(STATEFULSETS, this.namespace, name, { status }, 'status');
    }
  }

  private async syncPod(pod: Pod): Promise<void> {
    const held = this.holdNotReady.has(pod.metadata?.name ?? '');
    if (held || pod.metadata?.annotations?.[HOLD_NOT_READY] === 'true') {
      if (pod.status?.conditions === undefined) await this.setReady(pod, false);
      return;
    }
    const isReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (isReady) return;
    const uid = pod.metadata?.uid ?? '';
    const at = this.readyAt.get(uid) ?? Date.now() + this.readyDelayMs;
    this.readyAt.set(uid, at);
    if (Date.now() >= at) await this.setReady(pod, true);
    else if (pod.status?.conditions === undefined) await this.setReady(pod, false);
  }

  private setReady(pod: Pod, ready: boolean) {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return this.client.mergePatch(
      PODS,
      this.namespace,
      pod.metadata?.name ?? '',
      {
        status: {
          phase: ready ? 'Running' : 'Pending',
          conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
        },
      },
      'status',
    );
  }
}
