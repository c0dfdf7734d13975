import { describe, expect, it } from 'vitest';
import type { ObservedPod, ObservedWorkload } from './observed.js';
import { planRoll } from './roll.js';

/** mulberry32: a seeded PRNG, so every run of this test sees the same random histories. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fresh = (name: string, ordinal: number, revision: string, ready: boolean): ObservedPod => ({
  name: `${name}-${ordinal}`,
  ordinal,
  revision,
  ready,
  terminating: false,
  restartRequested: false,
  notReadySinceMs: ready ? undefined : 0,
});

describe('planRoll over random histories', () => {
  it('only deletes a pod when every other pod is ready and none terminates, answers the same twice, and converges', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = random(seed);
      const sizes = [1, 1 + Math.floor(rnd() * 3), 1 + Math.floor(rnd() * 3), 1 + Math.floor(rnd() * 3)];
      let workloads: ObservedWorkload[] = sizes.map((n, w) => ({
        name: `w${w}`,
        replicas: n,
        updateRevision: 'new',
        controllerCaughtUp: true,
        pods: Array.from({ length: n }, (_, i) => fresh(`w${w}`, i, rnd() < 0.8 ? 'old' : 'new', true)),
      }));
      const update = (fn: (p: ObservedPod) => ObservedPod | undefined) => {
        workloads = workloads.map((w) => ({ ...w, pods: w.pods.flatMap((p) => fn(p) ?? []) }));
      };
      let finished = false;
      for (let step = 0; step < 400 && !finished; step++) {
        const chaos = step < 150;
        // The world moves: terminating pods go, missing pods come back (new revision, unready), pods turn ready, and
        // early on some crash.
        update((p) => {
          if (p.terminating) return rnd() < 0.5 ? undefined : p;
          if (!p.ready && rnd() < 0.4) return { ...p, ready: true, notReadySinceMs: undefined };
          if (chaos && p.ready && rnd() < 0.03) return { ...p, ready: false, notReadySinceMs: step };
          return p;
        });
        workloads = workloads.map((w) => {
          const have = new Set(w.pods.map((p) => p.ordinal));
          const missing = Array.from({ length: w.replicas }, (_, i) => i).filter((i) => !have.has(i));
          const back = missing.filter(() => rnd() < 0.5).map((i) => fresh(w.name, i, 'new', false));
          return { ...w, pods: [...w.pods, ...back].sort((a, b) => a.ordinal - b.ordinal) };
        });
        const decision = planRoll(workloads, { nowMs: step, readyTimeoutMs: 1e9 });
        expect(planRoll(workloads, { nowMs: step, readyTimeoutMs: 1e9 })).toEqual(decision);
        if (decision.action === 'done') {
          finished = !chaos;
          continue;
        }
        if (decision.action !== 'delete-pod') continue;
        const others = workloads.flatMap((w) => w.pods).filter((p) => p.name !== decision.pod);
        expect(
          others.every((p) => p.ready && !p.terminating),
          `seed ${seed} step ${step}`,
        ).toBe(true);
        expect(workloads.every((w) => w.pods.length === w.replicas)).toBe(true);
        update((p) => (p.name === decision.pod ? { ...p, terminating: true } : p));
      }
      expect(finished, `seed ${seed} converged`).toBe(true);
      expect(workloads.flatMap((w) => w.pods).every((p) => p.revision === 'new' && p.ready)).toBe(true);
    }
  });
});
