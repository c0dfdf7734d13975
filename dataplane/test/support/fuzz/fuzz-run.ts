import { status } from '@grpc/grpc-js';
import type { Method, Root, Type } from 'protobufjs';
import { mutateBytes } from './byte-mutations.js';
import { type CallKind, callPlan, HANG_MARGIN_MS, weightOf } from './call-plan.js';
import { LoopLag } from './loop-lag.js';
import { Prng } from './prng.js';
import { ProtoFuzzer, type ProtoObject } from './proto-values.js';
import { type BidiPlan, type CallOutcome, type CallPlan, RawMessagingClient } from './raw-calls.js';
import type { FuzzTarget } from './targets.js';
import { TEMPLATES } from './templates.js';

/** How a request was made: a template as is, a field-level mutant of one, generated from the schema, or bytes mutated. */
export type InputKind = 'valid' | 'mutated' | 'generated' | 'bytes';

export interface PlannedCall {
  readonly index: number;
  readonly rpc: string;
  readonly kind: CallKind;
  readonly target: FuzzTarget;
  readonly input: InputKind;
  /** The request objects before encoding (one, or a Telemetry call's commands); for `bytes`, what was mutated. */
  readonly objects: ProtoObject[];
  readonly encoded: Buffer[];
  readonly plan: CallPlan | BidiPlan;
  /** gRPC codes this call may end with besides OK (a short deadline, a cancel, undecodable bytes). */
  readonly allowed: ReadonlySet<number>;
}

export interface Finding {
  readonly category: string;
  readonly call: PlannedCall;
  readonly detail: string;
}

/**
 * Bigger requests are replaced by their template: the broker accepts 8 MiB, but a mutant duplicating a big list
 * could reach gigabytes, and hundreds of thousands of values take the (shared) event loop seconds to encode and decode.
 */
const MAX_REQUEST_BYTES = 4.5 * (1 << 20);
const MAX_REQUEST_VALUES = 20_000;
const OK = 20000;
const INTERNAL_CODES = new Set([50000, 50001]);

/**
 * Plans, sends and judges fuzzed calls of every MessagingService RPC. Request `index` of a seed is always planned the
 * same way (own PRNG), except for values drawn from what the targets learned (real receipt handles), which depend on
 * the broker's earlier answers; findings print the request itself.
 */
export class GrpcFuzzRun {
  readonly findings: Finding[] = [];
  /** `rpc → outcome → count`; outcomes are `grpc:<code>` or the in-band code. */
  readonly tally = new Map<string, Map<string, number>>();
  private readonly methods: Method[];
  private readonly codes: Set<number>;
  private readonly clients = new Map<FuzzTarget, RawMessagingClient>();
  readonly lag = new LoopLag();

  constructor(
    root: Root,
    private readonly seed: number,
    private readonly targets: readonly { target: FuzzTarget; weight: number }[],
  ) {
    this.methods = root.lookupService('apache.rocketmq.v2.MessagingService').methodsArray;
    this.codes = new Set(Object.values(root.lookupEnum('apache.rocketmq.v2.Code').values));
    for (const { target } of targets) this.clients.set(target, new RawMessagingClient(target.endpoint));
  }

  get rpcs(): string[] {
    return this.methods.map((m) => m.name);
  }

  /** Plans request `index`; `force` pins the RPC, target or input kind (warm-up and checks after the run). */
  plan(index: number, force: { rpc?: string; target?: FuzzTarget; input?: InputKind } = {}): PlannedCall {
    const rng = Prng.derive(this.seed, index);
    const method = force.rpc
      ? this.method(force.rpc)
      : rng.weighted(this.methods.map((m) => [weightOf(m), m] as const));
    const target = force.target ?? rng.weighted(this.targets.map(({ target, weight }) => [weight, target] as const));
    const input =
      force.input ??
      rng.weighted<InputKind>([
        [15, 'valid'],
        [40, 'mutated'],
        [15, 'generated'],
        [30, 'bytes'],
      ]);
    const type = method.resolvedRequestType as Type;
    const fuzzer = new ProtoFuzzer((field, parent, r) => target.hint(field, parent, r));
    const template = TEMPLATES[method.name];
    if (!template) throw new Error(`no template for ${method.name}`);
    const kind = method.requestStream ? 'bidi' : method.responseStream ? 'server-stream' : 'unary';
    const count =
      kind === 'bidi'
        ? rng.weighted([
            [2, 0],
            [6, 1],
            [3, rng.int(2, 5)],
            [0.3, rng.int(20, 60)],
          ])
        : 1;
    const objects: ProtoObject[] = [];
    const encoded: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      let obj = input === 'generated' ? fuzzer.message(rng, type) : template(rng, target);
      if (input === 'mutated' || (input === 'bytes' && rng.chance(0.3))) {
        obj = fuzzer.mutate(rng, type, obj, rng.pick([0.05, 0.15, 0.3]));
      }
      if (tooBig(obj)) obj = template(rng, target);
      objects.push(obj);
      const bytes = Buffer.from(type.encode(obj).finish());
      encoded.push(input === 'bytes' && (kind !== 'bidi' || rng.chance(0.5)) ? mutateBytes(rng, bytes) : bytes);
    }
    const allowed = new Set<number>();
    if (input === 'bytes') allowed.add(status.INTERNAL); // "Error deserializing request", checked in judge()
    // Big requests cross the shared HTTP/2 connection in flow-control windows: half a second per 256 KiB.
    const bytes = encoded.reduce((sum, b) => sum + b.length, 0);
    const plan = callPlan(rng, kind, allowed, Math.ceil(bytes / (256 << 10)) * 500);
    return { index, rpc: method.name, kind, target, input, objects, encoded, allowed, plan };
  }

  /** A given well-formed request (one object, or a Telemetry call's commands), judged like the fuzzed ones. */
  exact(target: FuzzTarget, rpc: string, objects: ProtoObject[]): PlannedCall {
    const method = this.method(rpc);
    const type = method.resolvedRequestType as Type;
    const kind = method.requestStream ? 'bidi' : method.responseStream ? 'server-stream' : 'unary';
    const metadata = { 'x-mq-client-id': 'fuzz-setup', 'x-mq-language': 'NODE_JS', 'x-mq-protocol': 'v2' };
    const base = { metadata, deadlineMs: 5000, hangMarginMs: HANG_MARGIN_MS };
    const plan: CallPlan | BidiPlan =
      kind === 'bidi' ? { ...base, messages: [], finish: { kind: 'half-close', afterMs: 0 } } : base;
    const encoded = objects.map((o) => Buffer.from(type.encode(o).finish()));
    return { index: -1, rpc, kind, target, input: 'valid', objects, encoded, allowed: new Set(), plan };
  }

  async run(call: PlannedCall): Promise<CallOutcome> {
    const client = this.clients.get(call.target) as RawMessagingClient;
    const outcome =
      call.kind === 'unary'
        ? await client.unary(call.rpc, call.encoded[0] as Buffer, call.plan)
        : call.kind === 'server-stream'
          ? await client.serverStream(call.rpc, call.encoded[0] as Buffer, call.plan)
          : await client.bidi(call.rpc, { ...(call.plan as BidiPlan), messages: call.encoded });
    this.judge(call, outcome);
    return outcome;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.lag.stop();
  }

  /** Records what is wrong with an outcome (findings), what the broker taught (handles, ids), and the tally. */
  judge(call: PlannedCall, outcome: CallOutcome): void {
    for (const [category, detail] of this.problems(call, outcome)) this.findings.push({ category, call, detail });
  }

  /** `[category, detail]` of everything wrong with one outcome; tallies it, and learns from a successful answer. */
  private problems(call: PlannedCall, outcome: CallOutcome): [string, string][] {
    const grpc = `grpc ${outcome.grpcCode} ${outcome.details} after ${Math.round(outcome.elapsedMs)} ms`;
    if (outcome.hung) return [['hang', `${grpc}; deadline ${call.plan.deadlineMs} ms`]];
    if (outcome.grpcCode !== status.OK) {
      this.count(call.rpc, `grpc:${outcome.grpcCode}`);
      if (outcome.grpcCode === status.DEADLINE_EXCEEDED && !call.allowed.has(status.DEADLINE_EXCEEDED)) {
        const stalledMs = this.stalledBefore(call, outcome);
        if (stalledMs === undefined) return [['deadline-exceeded', grpc]];
        this.count(call.rpc, `grpc:4 with the loop stalled ${Math.round(stalledMs)} ms`);
        return [];
      }
      const decodeFailure = outcome.grpcCode === status.INTERNAL && outcome.details.startsWith('Error deserializing');
      if (!call.allowed.has(outcome.grpcCode) || (outcome.grpcCode === status.INTERNAL && !decodeFailure)) {
        return [['grpc-status', grpc]];
      }
      return [];
    }
    const response = this.method(call.rpc).resolvedResponseType as Type;
    const frames: ProtoObject[] = [];
    for (const bytes of outcome.frames) {
      try {
        frames.push(response.toObject(response.decode(bytes), { longs: String, defaults: false }) as ProtoObject);
      } catch (err) {
        return [['undecodable-response', `${(err as Error).message}: ${bytes.toString('hex').slice(0, 200)}`]];
      }
    }
    if (call.kind !== 'bidi' && statusOf(frames[0]) === undefined) {
      return [['missing-status', `first of ${frames.length} frames has no status: ${render(frames[0])}`]];
    }
    if (call.kind === 'unary' && frames.length !== 1) return [['bad-stream-shape', `${frames.length} frames`]];
    const problems: [string, string][] = [];
    for (const frame of frames) {
      const code = statusOf(frame);
      if (code === undefined) continue;
      if (INTERNAL_CODES.has(code)) problems.push(['internal-server-error', `${code} ${messageOf(frame)}`]);
      else if (!this.codes.has(code) || code === 0) problems.push(['unknown-code', `${code} ${messageOf(frame)}`]);
    }
    const first = statusOf(frames[0]);
    this.count(call.rpc, String(first ?? `${frames.length} frames`));
    if (first === OK) this.learn(call, frames);
    return problems;
  }

  /**
   * How long the event loop stalled before a call missed its deadline, when that excuses it: a long poll (or a
   * Telemetry end) is due 300 ms before the deadline, so 200 ms of stall in the last two seconds can cost it; a unary
   * call has its whole deadline, so only a stall of a third of it does. Undefined when the broker has no excuse.
   */
  private stalledBefore(call: PlannedCall, outcome: CallOutcome): number | undefined {
    const end = performance.now();
    const stalled =
      call.kind === 'unary' ? this.lag.stalledMs(end - outcome.elapsedMs, end) : this.lag.stalledMs(end - 2000, end);
    const excuse = call.kind === 'unary' ? call.plan.deadlineMs / 3 : 200;
    return stalled >= excuse ? stalled : undefined;
  }

  private learn(call: PlannedCall, frames: ProtoObject[]): void {
    const request = call.objects[0] ?? {};
    const target = call.target;
    if (call.rpc === 'ReceiveMessage' && call.input !== 'bytes') {
      const group = (request.group as ProtoObject | undefined)?.name;
      for (const frame of frames.slice(1)) {
        const message = frame.message as ProtoObject | undefined;
        const sys = message?.system_properties as ProtoObject | undefined;
        const topic = (message?.topic as ProtoObject | undefined)?.name;
        if (typeof group === 'string' && typeof topic === 'string' && typeof sys?.receipt_handle === 'string') {
          target.remember({
            group,
            topic,
            receiptHandle: sys.receipt_handle,
            messageId: String(sys.message_id ?? ''),
          });
        }
      }
    } else if (call.rpc === 'SendMessage') {
      for (const entry of (frames[0]?.entries as ProtoObject[] | undefined) ?? []) {
        target.rememberMessageId(String(entry.message_id ?? ''));
      }
    } else if (call.rpc === 'ChangeInvisibleDuration' && call.input !== 'bytes') {
      const handle = frames[0]?.receipt_handle;
      const group = (request.group as ProtoObject | undefined)?.name;
      const topic = (request.topic as ProtoObject | undefined)?.name;
      if (typeof handle === 'string' && typeof group === 'string' && typeof topic === 'string') {
        target.remember({ group, topic, receiptHandle: handle, messageId: String(request.message_id ?? '') });
      }
    }
  }

  private count(rpc: string, outcome: string): void {
    const byOutcome = this.tally.get(rpc) ?? new Map<string, number>();
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    this.tally.set(rpc, byOutcome);
  }

  private method(name: string): Method {
    const method = this.methods.find((m) => m.name === name);
    if (!method) throw new Error(`no RPC ${name}`);
    return method;
  }
}

function statusOf(frame: ProtoObject | undefined): number | undefined {
  const s = frame?.status as ProtoObject | undefined;
  return s === undefined ? undefined : Number(s.code ?? 0);
}

function messageOf(frame: ProtoObject): string {
  return String((frame.status as ProtoObject | undefined)?.message ?? '').slice(0, 300);
}

/**
 * Whether a request object would encode to more than MAX_REQUEST_BYTES or hold more than MAX_REQUEST_VALUES values
 * (shared sub-objects count each time, as they are encoded each time); stops counting once over.
 */
export function tooBig(value: unknown): boolean {
  let bytes = 0;
  let values = 0;
  const over = () => bytes > MAX_REQUEST_BYTES || values > MAX_REQUEST_VALUES;
  const walk = (v: unknown): void => {
    if (over()) return;
    values++;
    if (typeof v === 'string') bytes += v.length * 3 + 2;
    else if (v instanceof Uint8Array) bytes += v.length + 2;
    else if (Array.isArray(v)) for (const item of v) walk(item);
    else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        bytes += k.length + 2;
        walk(item);
      }
    } else bytes += 10;
  };
  walk(value);
  return over();
}

/** A request or response for a report: long strings, bytes and lists shortened. */
export function render(value: unknown, max = 1500): string {
  const shorten = (v: unknown): unknown => {
    if (typeof v === 'string') return v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v;
    if (v instanceof Uint8Array) return `<${v.length} bytes ${Buffer.from(v).subarray(0, 24).toString('hex')}…>`;
    if (Array.isArray(v)) {
      const head = v.slice(0, 4).map(shorten);
      return v.length > 4 ? [...head, `…(${v.length} items)`] : head;
    }
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shorten(x)]));
    return v;
  };
  const text = JSON.stringify(shorten(value)) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
