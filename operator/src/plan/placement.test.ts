import { describe, expect, it } from 'vitest';
import { planDrain } from './drain.js';
import { topicPlacement } from './placement.js';

describe('topicPlacement', () => {
  it('groups hosts by topic and counts a group writable when one of its brokers registers RW', () => {
    expect(
      topicPlacement([
        { brokerGroup: 'g1', topics: { orders: { perm: 'R' }, audit: { perm: 'R' } } },
        { brokerGroup: 'g0', topics: { orders: { perm: 'RW' } } },
        { brokerGroup: 'g2', topics: {} },
      ]),
    ).toEqual({ topicGroups: { audit: ['g1'], orders: ['g0', 'g1'] }, writableGroups: ['g0'] });
  });

  it('feeds the drain planner: a read-only group that alone hosts a topic is not removed', () => {
    const { topicGroups, writableGroups } = topicPlacement([
      { brokerGroup: 'g0', topics: { orders: { perm: 'RW' } } },
      { brokerGroup: 'g1', topics: { orders: { perm: 'R' }, audit: { perm: 'R' } } },
    ]);
    const decision = planDrain(
      {
        group: 'g1',
        removing: ['g1'],
        brokersWritable: [false],
        topicGroups,
        writableGroups,
        lag: {},
        startedAtMs: 0,
        nowMs: 0,
        skipDrain: true,
      },
      { timeoutMs: 1, onTimeout: 'remove', pollMs: 1 },
    );
    expect(decision).toMatchObject({ action: 'refuse', topics: ['audit'] });
  });
});
