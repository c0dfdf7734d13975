import { status } from '@grpc/grpc-js';
import type { Method } from 'protobufjs';
import type { Prng } from './prng.js';
import type { BidiPlan, CallPlan } from './raw-calls.js';

export type CallKind = 'unary' | 'server-stream' | 'bidi';

/** How long past its deadline a call may stay open before it counts as hung. */
export const HANG_MARGIN_MS = 2000;

/**
 * How often each RPC is fuzzed: consumption and Telemetry hold the most state and branches; the RPCs that only
 * answer NOT_IMPLEMENTED need few calls.
 */
export function weightOf(method: Method): number {
  if (['ReceiveMessage', 'AckMessage', 'ChangeInvisibleDuration', 'PullMessage', 'Telemetry'].includes(method.name)) {
    return 2;
  }
  return ['EndTransaction', 'RecallMessage', 'SyncLiteSubscription'].includes(method.name) ? 0.5 : 1;
}

/**
 * Deadline, metadata and (for Telemetry) how the call ends. `allowed` gets the gRPC codes the plan makes legitimate:
 * DEADLINE_EXCEEDED for a short deadline or a stream left open, CANCELLED for a cancel. `extraMs` lengthens the
 * deadline of big requests.
 */
export function callPlan(rng: Prng, kind: CallKind, allowed: Set<number>, extraMs: number): CallPlan | BidiPlan {
  const metadata = metadataOf(rng);
  const base = { metadata, hangMarginMs: HANG_MARGIN_MS };
  if (kind === 'bidi') {
    const finish = rng.weighted<BidiPlan['finish']>([
      [7, { kind: 'half-close', afterMs: rng.int(0, 200) }],
      [2, { kind: 'cancel', afterMs: rng.int(0, 300) }],
      [1, { kind: 'linger' }],
    ]);
    if (finish.kind === 'cancel') allowed.add(status.CANCELLED);
    if (finish.kind === 'linger') allowed.add(status.DEADLINE_EXCEEDED);
    const deadlineMs = finish.kind === 'linger' ? rng.int(300, 1000) : 3000 + extraMs;
    return { ...base, finish, messages: [], deadlineMs };
  }
  // Long polls end 300 ms before the deadline (receive-message.ts), so a normal deadline is never exceeded.
  const normal = (kind === 'unary' ? 5000 : rng.pick([1500, 3000, 3000])) + extraMs;
  if (rng.chance(0.9)) return { ...base, deadlineMs: normal };
  allowed.add(status.DEADLINE_EXCEEDED);
  return { ...base, deadlineMs: rng.int(1, 600) };
}

const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';

/** The official client's headers; the client id is usually one of a few stable ids, sometimes missing or odd. */
function metadataOf(rng: Prng): Record<string, string> {
  const metadata: Record<string, string> = {
    'x-mq-language': rng.chance(0.9) ? 'NODE_JS' : 'COBOL',
    'x-mq-protocol': 'v2',
    'x-mq-client-version': '5.0.8',
    'x-mq-request-id': `req-${rng.u32()}`,
  };
  const clientId = rng.weighted<string | undefined>([
    [8, `fuzz-client-${rng.int(0, 20)}`],
    [1, undefined],
    [1, Array.from({ length: rng.int(0, 100) }, () => rng.pick([...PRINTABLE])).join('')],
  ]);
  if (clientId !== undefined) metadata['x-mq-client-id'] = clientId;
  return metadata;
}
