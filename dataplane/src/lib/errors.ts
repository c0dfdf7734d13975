/**
 * Status codes of `apache.rocketmq.v2.Code` (definition.proto shipped by rocketmq-client-nodejs): five digits, the
 * first three being the HTTP status. Only the codes the dataplane raises are listed.
 */
export const Code = {
  BAD_REQUEST: 40000,
  ILLEGAL_TOPIC: 40002,
  ILLEGAL_CONSUMER_GROUP: 40003,
  ILLEGAL_MESSAGE_TAG: 40004,
  ILLEGAL_MESSAGE_KEY: 40005,
  ILLEGAL_MESSAGE_GROUP: 40006,
  ILLEGAL_MESSAGE_PROPERTY_KEY: 40007,
  INVALID_TRANSACTION_ID: 40008,
  ILLEGAL_MESSAGE_ID: 40009,
  ILLEGAL_FILTER_EXPRESSION: 40010,
  ILLEGAL_INVISIBLE_TIME: 40011,
  ILLEGAL_DELIVERY_TIME: 40012,
  INVALID_RECEIPT_HANDLE: 40013,
  MESSAGE_PROPERTY_CONFLICT_WITH_TYPE: 40014,
  UNRECOGNIZED_CLIENT_TYPE: 40015,
  CLIENT_ID_REQUIRED: 40017,
  ILLEGAL_POLLING_TIME: 40018,
  ILLEGAL_OFFSET: 40019,
  FORBIDDEN: 40300,
  NOT_FOUND: 40400,
  MESSAGE_NOT_FOUND: 40401,
  TOPIC_NOT_FOUND: 40402,
  CONSUMER_GROUP_NOT_FOUND: 40403,
  OFFSET_NOT_FOUND: 40404,
  MESSAGE_BODY_TOO_LARGE: 41301,
  TOO_MANY_REQUESTS: 42900,
  MESSAGE_PROPERTIES_TOO_LARGE: 43101,
  INTERNAL_ERROR: 50000,
  INTERNAL_SERVER_ERROR: 50001,
  NOT_IMPLEMENTED: 50100,
  PROXY_TIMEOUT: 50400,
  UNSUPPORTED: 50500,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

/** The dataplane's one exception class: the request cannot proceed. Mapped to the wire once, at each boundary. */
export class DataplaneError extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DataplaneError';
  }
}

/**
 * Durable data failed its checks. Names the file and the byte position so an operator can look, repair or restore.
 * `offset` is the commit-log (physical) offset; `position` the byte position inside `file`.
 */
export class StorageCorruptionError extends DataplaneError {
  constructor(
    readonly file: string,
    readonly position: number,
    readonly offset: bigint,
    readonly reason: string,
  ) {
    super(Code.INTERNAL_SERVER_ERROR, `storage corrupt: ${reason} in ${file} at byte ${position} (offset ${offset})`);
    this.name = 'StorageCorruptionError';
  }
}
