import type { MessageInput } from '../../src/storage/record-codec.js';

export const CRASH_TOPIC = 'crash';
export const CRASH_QUEUES = 4;

/** Deterministic content for (writer, seq), sizes from tiny to 12 KiB so segments roll often. */
export function crashBody(w: number, n: number): Buffer {
  const size = ((w * 7919 + n * 104729) % 97) * 127 + 1;
  const body = Buffer.alloc(size, (w * 31 + n) & 0xff);
  body.write(`${w}:${n}`, 0);
  return body;
}

export function crashMessage(round: number, w: number, n: number, body: Buffer): MessageInput {
  return {
    topic: CRASH_TOPIC,
    queueId: (w + n) % CRASH_QUEUES,
    messageId: `r${round}-w${w}-n${n}`,
    tag: `w${w}`,
    keys: [`writer-${w}`],
    properties: { w: String(w), n: String(n) },
    body,
    bornTimestamp: 1_700_000_000_000,
    flags: 0,
  };
}
