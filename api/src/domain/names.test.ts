import { describe, expect, it } from 'vitest';
import { LABEL_NAME, resourceNameProblem } from './names.js';

describe('resourceNameProblem', () => {
  it('accepts ordinary topic and group names', () => {
    for (const name of ['orders', 'Orders_2024', 'a', 'x'.repeat(64), 'payments-eu']) {
      expect(resourceNameProblem('topic', name)).toBeUndefined();
      expect(resourceNameProblem('group', name)).toBeUndefined();
    }
  });

  it('refuses characters and lengths RocketMQ or a namespace prefix cannot take', () => {
    for (const name of ['', 'x'.repeat(65), 'a.b', 'a b', 'ns%topic', 'a|b', 'ü']) {
      expect(resourceNameProblem('topic', name)).toMatch(/1-64 characters/);
    }
  });

  it('refuses reserved topic names, prefixes and suffixes in any case', () => {
    expect(resourceNameProblem('topic', 'TBW102')).toMatch(/reserved topic name/);
    expect(resourceNameProblem('topic', 'tbw102')).toMatch(/reserved topic name/);
    expect(resourceNameProblem('topic', 'SCHEDULE_TOPIC_XXXX')).toMatch(/reserved/);
    expect(resourceNameProblem('topic', 'rmq_sys_anything')).toMatch(/starting with rmq_sys_/);
    expect(resourceNameProblem('topic', 'RMQ_SYS_TRACE_TOPIC')).toMatch(/reserved/);
    expect(resourceNameProblem('topic', '__sys_timer')).toMatch(/starting with __sys_/);
    expect(resourceNameProblem('topic', 'rocketmq-broker-a')).toMatch(/reserved/);
    expect(resourceNameProblem('topic', 'c1_REPLY_TOPIC')).toMatch(/ending with _reply_topic/);
  });

  it('refuses reserved group names and prefixes', () => {
    expect(resourceNameProblem('group', 'DEFAULT_CONSUMER')).toMatch(/reserved group name/);
    expect(resourceNameProblem('group', 'CID_RMQ_SYS_x')).toMatch(/starting with cid_rmq_sys_/);
    expect(resourceNameProblem('group', 'TBW102')).toBeUndefined();
  });
});

describe('LABEL_NAME', () => {
  it('takes DNS labels only', () => {
    expect(LABEL_NAME.test('acme')).toBe(true);
    expect(LABEL_NAME.test('acme-eu-1')).toBe(true);
    expect(LABEL_NAME.test('-acme')).toBe(false);
    expect(LABEL_NAME.test('Acme')).toBe(false);
    expect(LABEL_NAME.test('a'.repeat(64))).toBe(false);
  });
});
