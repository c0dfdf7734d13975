import type { ConnectedClient, ConnectionMetrics } from '../../../metrics/broker-metrics.js';
import { type SettingsPolicy, settingsReply } from '../settings-reply.js';
import { OK_STATUS } from '../status.js';
import type { TelemetryCommand, WireSettings } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

export interface TelemetryDeps {
  readonly settings: SettingsPolicy;
  /** Delay of the repeated Settings reply (PROTOCOL.md §4.4); about 1.5 s. */
  readonly settingsRepeatMs: number;
  readonly metrics: ConnectionMetrics;
}

/** The transport's side of one Telemetry call. */
export interface TelemetryPeer {
  send(command: TelemetryCommand): void;
  /** Completes the call with OK. */
  end(): void;
}

/** What the transport reports to the session. */
export interface TelemetrySession {
  onCommand(command: TelemetryCommand): void;
  /** The client half-closed its side. */
  onEnd(): void;
  /** The call is over (ended, cancelled or failed): release everything. */
  onClose(): void;
}

/**
 * One Telemetry stream. Every `Settings` from the client is answered with the broker's settings, and the same reply
 * is written once more `settingsRepeatMs` later: a client querying several topics at start-up can drop the first
 * one and would otherwise wait five minutes (PROTOCOL.md §4.4). Problems go in-band; the call is never failed
 * (§4.5). Thread stack traces and verify results from the client are logged and dropped.
 *
 * The first accepted `Settings` counts the stream as one producer or consumer connection, until the call ends.
 */
export function openTelemetry(deps: TelemetryDeps, ctx: RpcContext, peer: TelemetryPeer): TelemetrySession {
  let repeat: NodeJS.Timeout | undefined;
  let counted: ConnectedClient | undefined;
  let closed = false;
  const cancelRepeat = () => {
    clearTimeout(repeat);
    repeat = undefined;
  };
  const close = () => {
    cancelRepeat();
    if (closed) return;
    closed = true;
    if (counted) deps.metrics.connectionClosed(counted);
  };
  return {
    onCommand(command) {
      if (!command.settings) {
        ctx.log.debug({ command: command.command }, 'telemetry command ignored');
        return;
      }
      const reply = settingsReply(command.settings, deps.settings);
      ctx.log.debug({ clientType: command.settings.client_type, status: reply.status?.code }, 'settings answered');
      if (!counted && !closed && reply.status?.code === OK_STATUS.code) {
        counted = connectedClient(command.settings);
        deps.metrics.connectionOpened(counted);
      }
      peer.send(reply);
      cancelRepeat();
      repeat = setTimeout(() => {
        repeat = undefined;
        peer.send(reply);
      }, deps.settingsRepeatMs);
      repeat.unref();
    },
    onEnd() {
      close();
      peer.end();
    },
    onClose: close,
  };
}

function connectedClient(settings: WireSettings): ConnectedClient {
  return {
    clientType: String(settings.client_type ?? ''),
    group: settings.subscription?.group?.name ?? '',
    language: String(settings.user_agent?.language ?? ''),
    version: settings.user_agent?.version ?? '',
  };
}
