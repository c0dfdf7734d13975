/**
 * The commit-log record's `flags` word, owned by messaging (storage treats it as opaque):
 *
 *   bits 0-3  message type, as `apache.rocketmq.v2.MessageType` numbers (1 NORMAL … 6 PRIORITY)
 *   bit  4    body is gzip-compressed as the producer sent it (delivered with `body_encoding = GZIP`)
 *   bits 5-31 reserved, 0
 */
export const MESSAGE_TYPES = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'LITE', 'PRIORITY'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

const TYPE_MASK = 0x0f;
const GZIP_BIT = 0x10;

export interface MessageFlags {
  readonly type: MessageType;
  readonly gzipBody: boolean;
}

export function encodeFlags(flags: MessageFlags): number {
  return (MESSAGE_TYPES.indexOf(flags.type) + 1) | (flags.gzipBody ? GZIP_BIT : 0);
}

/** Undefined when the type bits hold no known type (a record written by a newer version). */
export function decodeFlags(flags: number): MessageFlags | undefined {
  const type = MESSAGE_TYPES[(flags & TYPE_MASK) - 1];
  return type === undefined ? undefined : { type, gzipBody: (flags & GZIP_BIT) !== 0 };
}
