import type { Logger } from 'pino';

/** What the transport hands every handler besides the request. */
export interface RpcContext {
  /** Bound to `{ rpc, clientId }`. */
  readonly log: Logger;
  /** `x-mq-client-id`, '' when the caller sent none. */
  readonly clientId: string;
}
