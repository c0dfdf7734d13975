import { randomUUID } from 'node:crypto';
import { Code, DataplaneError } from '../../lib/errors.js';
import { codeNumber } from './protos.js';
import type { TelemetryCommand, WireMessage, WireStatus } from './wire.js';

/** A client as its Telemetry stream introduced it. */
export interface ClientSessionInfo {
  readonly clientId: string;
  /** `apache.rocketmq.v2.ClientType` name. */
  readonly clientType: string;
  /** Consumer group; '' for producers. */
  readonly group: string;
  /** Publishing topics of a producer, subscribed topics of a consumer. */
  readonly topics: readonly string[];
  readonly language: string;
  readonly version: string;
  readonly hostname: string;
  /** Epoch ms the stream was accepted. */
  readonly connectedAt: number;
}

interface Session {
  readonly info: ClientSessionInfo;
  send(command: TelemetryCommand): void;
}

/** What a client answered to a server command. */
export interface ClientAnswer {
  readonly status: WireStatus | undefined;
  /** A thread stack trace reply's text. */
  readonly text?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The clients with an open Telemetry stream to this broker, so the broker can send them commands (PROTOCOL.md §4.2):
 * print a stack trace or verify a message, answered on the stream with the command's nonce, or reconnect (no
 * answer; the client opens a new stream and sends its Settings again).
 */
export class ClientSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly pending = new Map<string, (answer: ClientAnswer) => void>();

  /** Registers a stream's client; the returned function unregisters this stream (a newer one of the client stays). */
  register(info: ClientSessionInfo, send: (command: TelemetryCommand) => void): () => void {
    const session = { info, send };
    this.sessions.set(info.clientId, session);
    return () => {
      if (this.sessions.get(info.clientId) === session) this.sessions.delete(info.clientId);
    };
  }

  list(): ClientSessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info).sort((a, b) => a.clientId.localeCompare(b.clientId));
  }

  printThreadStackTrace(clientId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ClientAnswer> {
    return this.request(clientId, (nonce) => ({ print_thread_stack_trace_command: { nonce } }), timeoutMs);
  }

  verifyMessage(clientId: string, message: WireMessage, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ClientAnswer> {
    return this.request(clientId, (nonce) => ({ verify_message_command: { nonce, message } }), timeoutMs);
  }

  /** Asks the client to reopen its stream; there is no answer to wait for. */
  reconnect(clientId: string): void {
    this.session(clientId).send({ reconnect_endpoints_command: { nonce: randomUUID() } });
  }

  /**
   * Writes a command that expects no answer on the stream (e.g. recover_orphaned_transaction_command) to a producer of
   * `topic`: the client `preferredClientId` when it is a connected producer, else a random connected producer that
   * declared the topic in its Settings. The id of the client it went to; undefined when there is none.
   */
  sendToProducer(topic: string, preferredClientId: string, command: TelemetryCommand): string | undefined {
    const isProducer = (s: Session | undefined): s is Session => s?.info.clientType === 'PRODUCER';
    let target = this.sessions.get(preferredClientId);
    if (!isProducer(target)) {
      const candidates = [...this.sessions.values()].filter((s) => isProducer(s) && s.info.topics.includes(topic));
      target = candidates[Math.floor(Math.random() * candidates.length)];
    }
    if (!target) return undefined;
    target.send(command);
    return target.info.clientId;
  }

  /** A command from a client: true when it answered a pending request (matched by nonce in either verify slot). */
  onAnswer(command: TelemetryCommand): boolean {
    const nonce =
      command.thread_stack_trace?.nonce ??
      command.verify_message_result?.nonce ??
      command.verify_message_command?.nonce;
    const resolve = nonce === undefined ? undefined : this.pending.get(nonce);
    if (!resolve) return false;
    const { status } = command;
    resolve({
      status: status && { code: codeNumber(status.code), message: status.message ?? '' },
      ...(command.thread_stack_trace && { text: command.thread_stack_trace.thread_stack_trace ?? '' }),
    });
    return true;
  }

  private session(clientId: string): Session {
    const session = this.sessions.get(clientId);
    if (!session) throw new DataplaneError(Code.NOT_FOUND, `no client ${clientId} is connected to this broker`);
    return session;
  }

  private request(
    clientId: string,
    command: (nonce: string) => TelemetryCommand,
    timeoutMs: number,
  ): Promise<ClientAnswer> {
    const session = this.session(clientId);
    const nonce = randomUUID();
    return new Promise<ClientAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(nonce);
        reject(new DataplaneError(Code.PROXY_TIMEOUT, `client ${clientId} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(nonce, (answer) => {
        clearTimeout(timer);
        this.pending.delete(nonce);
        resolve(answer);
      });
      session.send(command(nonce));
    });
  }
}
