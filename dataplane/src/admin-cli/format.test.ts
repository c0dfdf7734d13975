import { describe, expect, it } from 'vitest';
import type { Message, TopicDetail } from './admin-client.js';
import {
  formatFailure,
  formatMessage,
  formatMessageList,
  formatTopicDetail,
  formatTopicList,
  renderTable,
} from './format.js';

const message = (overrides: Partial<Message> = {}): Message => ({
  topic: 'orders',
  queueId: 2,
  queueOffset: '17',
  physicalOffset: '4096',
  messageId: '01ABC',
  tag: 'paid',
  keys: ['k1', 'k2'],
  properties: { b: '2', a: '1' },
  bornTimestamp: Date.UTC(2025, 2, 1, 12, 0, 0),
  storeTimestamp: Date.UTC(2025, 2, 1, 12, 0, 1),
  bodySize: 5,
  body: Buffer.from('hello').toString('base64'),
  ...overrides,
});

describe('renderTable', () => {
  it('aligns columns two spaces apart without trailing spaces', () => {
    expect(
      renderTable(
        ['NAME', 'N', 'NOTE'],
        [
          ['a', '10', ''],
          ['longer', '1', 'x'],
        ],
      ),
    ).toBe('NAME    N   NOTE\na       10\nlonger  1   x\n');
  });
});

describe('formatTopicList', () => {
  it('lists each topic with its type, queues and accepted message types', () => {
    expect(
      formatTopicList([
        { name: 'orders', messageType: 'FIFO', queues: 8, acceptMessageTypes: ['FIFO'] },
        { name: 'auto', messageType: 'MIXED', queues: 1, acceptMessageTypes: ['NORMAL', 'FIFO'] },
      ]),
    ).toBe('NAME    TYPE   QUEUES  ACCEPTS\norders  FIFO   8       FIFO\nauto    MIXED  1       NORMAL,FIFO\n');
  });

  it('says so when there are no topics', () => {
    expect(formatTopicList([])).toBe('no topics\n');
  });
});

describe('formatTopicDetail', () => {
  it('shows the topic, then the offsets of each queue', () => {
    const topic: TopicDetail = {
      name: 'orders',
      messageType: 'NORMAL',
      queues: 2,
      acceptMessageTypes: ['NORMAL'],
      queueOffsets: [
        { queueId: 0, minOffset: '0', maxOffset: '12' },
        { queueId: 1, minOffset: '3', maxOffset: '9007199254740993' },
      ],
    };
    expect(formatTopicDetail(topic)).toBe(
      [
        'name     orders',
        'type     NORMAL',
        'queues   2',
        'accepts  NORMAL',
        '',
        'QUEUE  MIN OFFSET  MAX OFFSET',
        '0      0           12',
        '1      3           9007199254740993',
        '',
      ].join('\n'),
    );
  });
});

describe('formatMessage', () => {
  it('shows the message with sorted properties, ISO timestamps and a text body', () => {
    expect(formatMessage(message())).toBe(
      [
        'message id    01ABC',
        'topic         orders',
        'queue         2',
        'queue offset  17',
        'tag           paid',
        'keys          k1,k2',
        'born          2025-03-01T12:00:00.000Z',
        'stored        2025-03-01T12:00:01.000Z',
        'property a    1',
        'property b    2',
        'body          hello',
        '',
      ].join('\n'),
    );
  });

  it('quotes a body with control characters and cuts a long one', () => {
    const body = (text: string) => ({ body: Buffer.from(text).toString('base64') });
    expect(formatMessage(message(body('a\nb')))).toContain('body          "a\\nb"\n');
    expect(formatMessage(message(body('x'.repeat(300))))).toContain(`body          ${'x'.repeat(200)}… (300 bytes)\n`);
  });

  it('shows only the size of a body that is not UTF-8', () => {
    const binary = { body: Buffer.from([0xff, 0xfe, 0x00]).toString('base64') };
    expect(formatMessage(message(binary))).toContain('body          3 bytes, not UTF-8 (--json shows it in base64)\n');
  });
});

describe('formatMessageList', () => {
  it('lists the messages newest first as the broker answered', () => {
    expect(formatMessageList([message(), message({ messageId: '01ABD', queueOffset: '18' })], 'orders', 'k1')).toBe(
      [
        'MESSAGE ID  QUEUE  OFFSET  TAG   STORED                    KEYS',
        '01ABC       2      17      paid  2025-03-01T12:00:01.000Z  k1,k2',
        '01ABD       2      18      paid  2025-03-01T12:00:01.000Z  k1,k2',
        '',
      ].join('\n'),
    );
  });

  it('names the topic and key when nothing carries the key', () => {
    expect(formatMessageList([], 'orders', 'k9')).toBe('no messages with key k9 in topic orders\n');
  });
});

describe('formatFailure', () => {
  const server = 'http://127.0.0.1:8082';

  it("prints the problem's title, detail, code and invalid fields", () => {
    const problem = {
      title: 'Bad Request',
      status: 400,
      detail: 'invalid query at key: Too small',
      code: 40000,
      errors: [{ parameter: 'key', detail: 'Too small' }],
    };
    expect(formatFailure({ kind: 'problem', problem }, server)).toBe(
      'rocketry admin: Bad Request: invalid query at key: Too small (code 40000)\n  key: Too small\n',
    );
  });

  it('says how to pass a token when the broker wants one', () => {
    const problem = {
      title: 'Unauthorized',
      status: 401,
      detail: 'a valid admin bearer token is required',
      code: 40100,
    };
    expect(formatFailure({ kind: 'problem', problem }, server)).toContain('pass --token or set ROCKETRY_ADMIN_TOKEN');
  });

  it('names the server it could not reach', () => {
    expect(
      formatFailure({ kind: 'unreachable', url: `${server}/v1/topics`, reason: 'connection refused' }, server),
    ).toBe('rocketry admin: cannot reach the broker admin API at http://127.0.0.1:8082 (connection refused)\n');
  });
});
