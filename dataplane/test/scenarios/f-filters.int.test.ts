import { FilterExpression, type SimpleConsumer } from 'rocketmq-client-nodejs';
import { describe, it } from 'vitest';
import { SQL_FILTER } from '../support/official-clients.js';
import {
  clientsOf,
  codesInCauseChain,
  fileBroker,
  groupName,
  receiveCount,
  receiveOwn,
  scenarioProperties,
  seqOf,
  topicName,
  within,
} from './scenario-support.js';

/** SCENARIOS.md group F: tag and SQL92 filters. */
const broker = fileBroker();
const endpoint = () => broker().endpoint;

const ILLEGAL_FILTER_EXPRESSION = 40010;
const BAD_REQUEST = 40000;

/** The own sequence numbers a consumer receives until `count` arrived, plus one more (empty) long poll. */
async function consume(
  consumer: SimpleConsumer,
  scn: string,
  count: number,
): Promise<{ seqs: number[]; more: number }> {
  const got = await receiveCount(consumer, scn, count);
  const more = await receiveOwn(consumer, scn);
  return { seqs: got.map((m) => seqOf(m, scn) as number).sort((a, b) => a - b), more: more.length };
}

describe.concurrent('F: filters with the official simple consumer', () => {
  it('F01: a single-tag filter gets exactly its tag, `*` gets every message, untagged included', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('F01');
    const onlyB = await clients.simple(groupName('F01'), { [topic]: 'B' });
    const all = await clients.simple(groupName('F01'), { [topic]: '*' });
    const producer = await clients.producer([topic]);
    const tags = ['A', 'B', 'C', 'B', undefined];
    for (const [seq, tag] of tags.entries()) {
      await producer.send({
        topic,
        body: Buffer.from(`f01-${seq}`),
        properties: scenarioProperties('F01', seq),
        ...(tag && { tag }),
      });
    }
    expect(await consume(onlyB, 'F01', 2)).toEqual({ seqs: [1, 3], more: 0 });
    expect(await consume(all, 'F01', 5)).toEqual({ seqs: [0, 1, 2, 3, 4], more: 0 });
  });

  it('F02: `A||C` and ` A || C ` both get exactly the A and C messages', async ({ expect, onTestFinished }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('F02');
    const tight = await clients.simple(groupName('F02'), { [topic]: 'A||C' });
    const spaced = await clients.simple(groupName('F02'), { [topic]: ' A || C ' });
    const producer = await clients.producer([topic]);
    const tags = ['A', 'B', 'C', undefined];
    for (const [seq, tag] of tags.entries()) {
      await producer.send({
        topic,
        body: Buffer.from(`f02-${seq}`),
        properties: scenarioProperties('F02', seq),
        ...(tag && { tag }),
      });
    }
    expect(await consume(tight, 'F02', 2)).toEqual({ seqs: [0, 2], more: 0 });
    expect(await consume(spaced, 'F02', 2)).toEqual({ seqs: [0, 2], more: 0 });
  });

  it('F03: an SQL92 filter matches exactly messages 0 and 3, and a message without `region` does not match', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('F03');
    const filter = new FilterExpression("(region = 'eu' AND amount > 100) OR vip = 'true'", SQL_FILTER);
    const consumer = await clients.simple(groupName('F03'), { [topic]: filter });
    const producer = await clients.producer([topic]);
    const properties: Record<string, string>[] = [
      { region: 'eu', amount: '150', vip: 'false' }, // matches: eu and over 100
      { region: 'eu', amount: '50', vip: 'false' },
      { region: 'us', amount: '500', vip: 'false' },
      { region: 'us', amount: '10', vip: 'true' }, // matches: vip
      { amount: '500', vip: 'false' }, // no region: the comparison is not true
    ];
    for (const [seq, extra] of properties.entries()) {
      await producer.send({
        topic,
        body: Buffer.from(`f03-${seq}`),
        properties: scenarioProperties('F03', seq, extra),
      });
    }
    expect(await consume(consumer, 'F03', 2)).toEqual({ seqs: [0, 3], more: 0 });
  });

  it('F04: a bad SQL expression fails start-up or the first receive with ILLEGAL_FILTER_EXPRESSION, never a hang', async ({
    expect,
    onTestFinished,
  }) => {
    const clients = clientsOf({ onTestFinished }, endpoint);
    const topic = topicName('F04');
    const consumer = clients.newSimple(groupName('F04'), { [topic]: new FilterExpression('amount >>> (', SQL_FILTER) });
    const attempt = async () => {
      try {
        await consumer.startup();
        await consumer.receive(1, 3000);
        return { failed: false, codes: [] as number[] };
      } catch (err) {
        return { failed: true, codes: codesInCauseChain(err) };
      }
    };
    const outcome = await within(15_000, attempt());
    expect(outcome).not.toBe('timed out');
    const { failed, codes } = outcome as Exclude<typeof outcome, 'timed out'>;
    expect(failed).toBe(true);
    const code = codes.find((c) => c === ILLEGAL_FILTER_EXPRESSION || c === BAD_REQUEST);
    expect(code, `codes in the cause chain: ${codes.join(', ')}`).toBeDefined();
  });
});
