import { describe, expect, it } from 'vitest';
import type { Group, GroupLag, Message, TopicDetail } from './admin-client.js';
import {
  formatDuration,
  formatFailure,
  formatGroupDetail,
  formatGroupLag,
  formatGroupList,
  formatMessage,
  formatMessageList,
  formatOffsetReset,
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

const group = (overrides: Partial<Group> = {}): Group => ({
  name: 'billing',
  fifo: false,
  maxDeliveryAttempts: 17,
  retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2 },
  deadLetterTopic: '%DLQ%billing',
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

describe('formatGroupList', () => {
  it('lists each group with FIFO, max attempts and its retry backoff', () => {
    const fifo = group({
      name: 'shipping',
      fifo: true,
      maxDeliveryAttempts: 3,
      retryPolicy: { type: 'exponential', initialMs: 2000, maxMs: 7_200_000, multiplier: 1.5 },
    });
    expect(formatGroupList([group(), fifo])).toBe(
      [
        'NAME      FIFO  MAX ATTEMPTS  RETRY BACKOFF',
        'billing   no    17            1s x2 up to 10s',
        'shipping  yes   3             2s x1.5 up to 2h0m',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no groups', () => {
    expect(formatGroupList([])).toBe('no groups\n');
  });
});

describe('formatGroupDetail', () => {
  it('shows every setting of the group and where its dead letters go', () => {
    expect(formatGroupDetail(group())).toBe(
      [
        'name              billing',
        'fifo              no',
        'max attempts      17 (deliveries, the first one included)',
        'retry initial     1000 ms',
        'retry max         10000 ms',
        'retry multiplier  2',
        'dead letters      %DLQ%billing',
        '',
      ].join('\n'),
    );
  });
});

describe('formatGroupLag', () => {
  it('shows a row per topic and queue, then the totals', () => {
    const lag: GroupLag = {
      group: 'billing',
      ready: 12,
      inflight: 3,
      queues: [
        {
          topic: 'orders',
          queueId: 0,
          committedOffset: 40,
          maxOffset: 52,
          ready: 10,
          inflight: 2,
          oldestReadyAgeMs: 200_000,
          oldestUnconsumedAgeMs: 250_000,
        },
        {
          topic: 'orders',
          queueId: 1,
          committedOffset: 7,
          maxOffset: 8,
          ready: 0,
          inflight: 1,
          oldestReadyAgeMs: null,
          oldestUnconsumedAgeMs: 1_000,
        },
        {
          topic: 'refunds',
          queueId: 0,
          committedOffset: 1,
          maxOffset: 3,
          ready: 2,
          inflight: 0,
          oldestReadyAgeMs: 450,
          oldestUnconsumedAgeMs: 450,
        },
      ],
    };
    expect(formatGroupLag(lag)).toBe(
      [
        'TOPIC    QUEUE  COMMITTED  MAX  READY  INFLIGHT  OLDEST READY',
        'orders   0      40         52   10     2         3m20s',
        'orders   1      7          8    0      1         -',
        'refunds  0      1          3    2      0         450ms',
        'total                           12     3',
        '',
      ].join('\n'),
    );
  });

  it('says so when the group has not consumed on this broker', () => {
    expect(formatGroupLag({ group: 'billing', ready: 0, inflight: 0, queues: [] })).toBe(
      'group billing has consumed nothing on this broker yet\n',
    );
  });
});

describe('formatOffsetReset', () => {
  it('names the group, topic and target, then the new offset of each queue', () => {
    const reset = {
      group: 'billing',
      topic: 'orders',
      to: '2025-03-01T12:00:00Z',
      offsets: [
        { queueId: 0, offset: 17 },
        { queueId: 1, offset: 0 },
      ],
    };
    expect(formatOffsetReset(reset)).toBe(
      [
        'reset group billing in topic orders to 2025-03-01T12:00:00Z',
        '',
        'QUEUE  OFFSET',
        '0      17',
        '1      0',
        '',
      ].join('\n'),
    );
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    const cases: [number, string][] = [
      [0, '0ms'],
      [999, '999ms'],
      [1_000, '1s'],
      [59_999, '59s'],
      [60_000, '1m0s'],
      [3_599_000, '59m59s'],
      [3_600_000, '1h0m'],
      [86_399_000, '23h59m'],
      [90_000_000, '1d1h'],
    ];
    expect(cases.map(([ms]) => formatDuration(ms))).toEqual(cases.map(([, text]) => text));
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
