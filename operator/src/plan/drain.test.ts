import { describe, expect, it } from 'vitest';
import { type DrainInput, type DrainOptions, orphanedTopics, planDrain } from './drain.js';
import { planScaleDown } from './scale-down.js';

const NOW = 1_800_000_000_000;
const options: DrainOptions = { timeoutMs: 600_000, onTimeout: 'remove', pollMs: 10_000 };

/** Group g2 of g0..g2 leaves; topic `orders` is on all three, all writable but g2 (already read-only). */
const base: DrainInput = {
  group: 'g2',
  removing: ['g2'],
  brokersWritable: [false],
  topicGroups: { orders: ['g0', 'g1', 'g2'] },
  writableGroups: ['g0', 'g1'],
  lag: { billing: 0, audit: 0 },
  startedAtMs: NOW - 60_000,
  nowMs: NOW,
  skipDrain: false,
};

const outcome = (input: Partial<DrainInput>, opts: Partial<DrainOptions> = {}) => {
  const d = planDrain({ ...base, ...input }, { ...options, ...opts });
  return d.action === 'wait' ? `wait ${d.reason}${d.stalled ? ' stalled' : ''}` : `${d.action} ${d.reason}`;
};

describe('planDrain', () => {
  const cases: [string, Partial<DrainInput>, Partial<DrainOptions>, string][] = [
    [
      'sets a writable group read-only first',
      { brokersWritable: [true], writableGroups: ['g0', 'g1', 'g2'] },
      {},
      'set-read-only Cordoning',
    ],
    [
      'sets the group read-only when any one of its brokers still accepts writes',
      { brokersWritable: [false, true] },
      {},
      'set-read-only Cordoning',
    ],
    [
      'waits while a consumer group has lag on the read-only group',
      { lag: { billing: 12, audit: 0 } },
      {},
      'wait WaitingForConsumers',
    ],
    [
      'waits on a single message in flight (the caller sums ready + inflight)',
      { lag: { billing: 1 } },
      {},
      'wait WaitingForConsumers',
    ],
    ['removes the group once no consumer group has lag on it', {}, {}, 'remove Drained'],
    ['removes a group that has no consumer groups at all', { lag: {} }, {}, 'remove Drained'],
    ['waits when lag could not be read, rather than assuming none', { lag: undefined }, {}, 'wait LagUnknown'],
    [
      'waits when a broker of the group does not answer',
      { brokersWritable: [false, undefined] },
      {},
      'wait BrokerUnreachable',
    ],
    [
      'removes after the timeout even with lag left (onTimeout remove)',
      { lag: { billing: 5 }, startedAtMs: NOW - 600_000 },
      {},
      'remove DrainTimeout',
    ],
    [
      'keeps waiting past the timeout and reports a stall (onTimeout wait)',
      { lag: { billing: 5 }, startedAtMs: NOW - 600_000 },
      { onTimeout: 'wait' },
      'wait WaitingForConsumers stalled',
    ],
    [
      'does not time out a drain whose start is not recorded yet',
      { lag: { billing: 5 }, startedAtMs: undefined },
      {},
      'wait WaitingForConsumers',
    ],
    [
      'removes without waiting for consumers with the skip-drain annotation',
      { lag: { billing: 5 }, skipDrain: true },
      {},
      'remove DrainSkipped',
    ],
    [
      'still sets the group read-only before removing it with skip-drain',
      { brokersWritable: [true], skipDrain: true },
      {},
      'set-read-only Cordoning',
    ],
    [
      'refuses to remove the last writable group of a topic',
      { topicGroups: { orders: ['g0', 'g2'] }, writableGroups: ['g1'] },
      {},
      'refuse WouldOrphanTopic',
    ],
    [
      'refuses even with skip-drain when a topic would be orphaned',
      { topicGroups: { solo: ['g2'] }, skipDrain: true },
      {},
      'refuse WouldOrphanTopic',
    ],
    [
      'refuses to make the only writable group of a topic read-only',
      { brokersWritable: [true], topicGroups: { solo: ['g2'] }, writableGroups: ['g2'] },
      {},
      'refuse WouldOrphanTopic',
    ],
    [
      'does not count another group that leaves at the same time as a replacement',
      { removing: ['g2', 'g1'], topicGroups: { orders: ['g1', 'g2'] }, writableGroups: ['g1'] },
      {},
      'refuse WouldOrphanTopic',
    ],
    [
      'ignores topics the leaving group does not host',
      { topicGroups: { orders: ['g0', 'g2'], other: ['g1'] }, writableGroups: ['g0'] },
      {},
      'remove Drained',
    ],
  ];
  it.each(cases)('%s', (_name, input, opts, expected) => {
    expect(outcome(input, opts)).toBe(expected);
  });

  it('says which consumer groups hold the drain, largest lag first', () => {
    const d = planDrain({ ...base, lag: { a: 1, b: 30, c: 0, d: 2, e: 7 } }, options);
    expect(d).toEqual({
      action: 'wait',
      reason: 'WaitingForConsumers',
      stalled: false,
      requeueAfterMs: 10_000,
      message: 'draining g2: 4 consumer group(s) still have 40 message(s): b (30), e (7), d (2) and 1 more',
    });
  });

  it('requeues no later than the moment the timeout passes', () => {
    const d = planDrain({ ...base, lag: { a: 1 }, startedAtMs: NOW - 597_000 }, options);
    expect(d).toMatchObject({ action: 'wait', requeueAfterMs: 3_000 });
  });

  it('names the orphaned topics, sorted', () => {
    const d = planDrain(
      { ...base, topicGroups: { zeta: ['g2'], alpha: ['g2', 'g1'], orders: ['g0', 'g2'] }, writableGroups: ['g0'] },
      options,
    );
    expect(d).toMatchObject({ action: 'refuse', topics: ['alpha', 'zeta'] });
    expect(d.message).toBe('not removing g2: it is the last writable broker group of alpha, zeta');
    expect(
      orphanedTopics({ group: 'g0', removing: [], topicGroups: { t: ['g0', 'g1'] }, writableGroups: ['g1'] }),
    ).toEqual([]);
  });

  it('walks set-read-only, wait, remove as the broker and consumers change', () => {
    let writable = true;
    let lag = 3;
    const steps: string[] = [];
    for (let i = 0; i < 10; i++) {
      const d = planDrain({ ...base, brokersWritable: [writable], lag: { billing: lag } }, options);
      steps.push(d.action);
      if (d.action === 'set-read-only') writable = false;
      else if (d.action === 'wait') lag -= 1;
      else break;
    }
    expect(steps).toEqual(['set-read-only', 'wait', 'wait', 'wait', 'remove']);
  });
});

describe('planScaleDown', () => {
  const groups = [0, 1, 2, 3].map((index) => ({ index, name: `g${index}`, writable: true as boolean | undefined }));

  it('removes the highest-index groups first, one at a time', () => {
    const plan = planScaleDown(2, groups);
    expect(plan.removing.map((g) => g.name)).toEqual(['g3', 'g2']);
    expect(plan.next?.name).toBe('g3');
  });

  it('has nothing to do when the spec keeps every group', () => {
    expect(planScaleDown(4, groups)).toEqual({ restoreWrite: [], removing: [], next: undefined });
  });

  it('gives write permission back to a group whose drain was cancelled by raising groups again', () => {
    const drained = groups.map((g) => (g.index === 3 ? { ...g, writable: false } : g));
    expect(planScaleDown(4, drained)).toEqual({ restoreWrite: ['g3'], removing: [], next: undefined });
  });
});
