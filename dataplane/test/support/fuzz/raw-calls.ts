import { type CallOptions, Client, type ClientDuplexStream, credentials, Metadata, status } from '@grpc/grpc-js';

const SERVICE_PATH = '/apache.rocketmq.v2.MessagingService/';
const asIs = (b: Buffer): Buffer => b;

/** How a call ended, as the client saw it: the gRPC status, every response frame as bytes, and how long it took. */
export interface CallOutcome {
  readonly grpcCode: number;
  readonly details: string;
  readonly frames: Buffer[];
  readonly elapsedMs: number;
  /** The call was still open `hangMarginMs` after its deadline (cancelled then by the watchdog). */
  readonly hung: boolean;
}

export interface CallPlan {
  readonly metadata: Record<string, string>;
  readonly deadlineMs: number;
  /** How long past the deadline a call may stay open before it counts as hung. */
  readonly hangMarginMs: number;
}

export interface BidiPlan extends CallPlan {
  readonly messages: readonly Buffer[];
  /** After writing: half-close, cancel after `afterMs`, or leave the stream open until the deadline. */
  readonly finish: { kind: 'half-close'; afterMs: number } | { kind: 'cancel'; afterMs: number } | { kind: 'linger' };
}

/**
 * A grpc-js client of MessagingService that sends and receives raw bytes (identity serializers), so malformed protobuf
 * reaches the server as it is. Every call has a deadline and a watchdog: a call still open `hangMarginMs` after its
 * deadline is cancelled and reported as hung.
 */
export class RawMessagingClient {
  private readonly client: Client;

  constructor(endpoint: string) {
    this.client = new Client(endpoint, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  }

  unary(rpc: string, request: Buffer, plan: CallPlan): Promise<CallOutcome> {
    return this.track(plan, (done) => {
      const call = this.client.makeUnaryRequest(
        SERVICE_PATH + rpc,
        asIs,
        asIs,
        request,
        metadataOf(plan),
        options(plan),
        (err, response) => {
          if (err) done({ grpcCode: err.code, details: err.details, frames: [] });
          else done({ grpcCode: status.OK, details: '', frames: response ? [response] : [] });
        },
      );
      return () => call.cancel();
    });
  }

  serverStream(rpc: string, request: Buffer, plan: CallPlan): Promise<CallOutcome> {
    return this.track(plan, (done) => {
      const frames: Buffer[] = [];
      const call = this.client.makeServerStreamRequest(
        SERVICE_PATH + rpc,
        asIs,
        asIs,
        request,
        metadataOf(plan),
        options(plan),
      );
      call.on('data', (frame: Buffer) => frames.push(frame));
      call.on('error', () => {}); // the status event below carries the outcome
      call.on('status', (s) => done({ grpcCode: s.code, details: s.details, frames }));
      return () => call.cancel();
    });
  }

  bidi(rpc: string, plan: BidiPlan): Promise<CallOutcome> {
    return this.track(plan, (done) => {
      const frames: Buffer[] = [];
      const call: ClientDuplexStream<Buffer, Buffer> = this.client.makeBidiStreamRequest(
        SERVICE_PATH + rpc,
        asIs,
        asIs,
        metadataOf(plan),
        options(plan),
      );
      call.on('data', (frame: Buffer) => frames.push(frame));
      call.on('error', () => {});
      call.on('status', (s) => done({ grpcCode: s.code, details: s.details, frames }));
      for (const message of plan.messages) call.write(message);
      const { finish } = plan;
      if (finish.kind === 'half-close') setTimeout(() => call.end(), finish.afterMs).unref();
      else if (finish.kind === 'cancel') setTimeout(() => call.cancel(), finish.afterMs).unref();
      return () => call.cancel();
    });
  }

  close(): void {
    this.client.close();
  }

  private track(
    plan: CallPlan,
    start: (done: (o: Omit<CallOutcome, 'elapsedMs' | 'hung'>) => void) => () => void,
  ): Promise<CallOutcome> {
    return new Promise((resolve) => {
      const started = performance.now();
      let settled = false;
      let hung = false;
      const finish = (o: Omit<CallOutcome, 'elapsedMs' | 'hung'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        resolve({ ...o, elapsedMs: performance.now() - started, hung });
      };
      const cancel = start(finish);
      const watchdog = setTimeout(() => {
        hung = true;
        cancel();
        // A call that ignores even the cancel is reported as it is.
        setTimeout(() => finish({ grpcCode: -1, details: 'no status after cancel', frames: [] }), 1000).unref();
      }, plan.deadlineMs + plan.hangMarginMs);
    });
  }
}

function options(plan: CallPlan): CallOptions {
  return { deadline: Date.now() + plan.deadlineMs };
}

function metadataOf(plan: CallPlan): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(plan.metadata)) metadata.set(key, value);
  return metadata;
}
