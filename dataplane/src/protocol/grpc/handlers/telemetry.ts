import type { Clock } from '../../../lib/clock.js';
import { Code } from '../../../lib/errors.js';
import type { GroupConfig } from '../../../messaging/groups.js';
import type { ClientLiveness } from '../../../messaging/pop/client-liveness.js';
import type { ConnectedClient, ConnectionMetrics } from '../../../metrics/broker-metrics.js';
import type { ClientSessionInfo, ClientSessions } from '../client-sessions.js';
import { filterOf, topicOf } from '../consumer-request.js';
import { isConsumer, type SettingsPolicy, settingsReply } from '../settings-reply.js';
import { OK_STATUS, toStatus } from '../status.js';
import type { TelemetryCommand, WireSettings } from '../wire.js';
import type { RpcContext } from './rpc-context.js';

/** The part of `Groups` Telemetry uses: a consumer's group, auto-created or CONSUMER_GROUP_NOT_FOUND. */
export interface GroupSource {
  resolve(name: string): Promise<GroupConfig>;
}

export interface TelemetryDeps {
  readonly settings: SettingsPolicy;
  readonly groups: GroupSource;
  /** Starts the group's consumption of a subscribed topic where the topic ends now (PROTOCOL.md §7.2). */
  readonly subscriptions: { subscribe(group: string, topic: string): Promise<unknown> };
  readonly liveness: Pick<ClientLiveness, 'streamOpened' | 'streamClosed'>;
  /** Where the broker finds the stream of a client to send it commands. */
  readonly sessions: Pick<ClientSessions, 'register' | 'onAnswer'>;
  readonly clock: Clock;
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
 * (§4.5). Once its Settings are accepted, the client is registered in `sessions`, which matches its answers to the
 * broker's commands (stack traces, verify results) by nonce.
 *
 * A consumer's settings are answered from its group (FIFO, delivery attempts, backoff) and start its subscriptions;
 * an unknown or illegal group, topic or filter gets a status-only reply. Replies keep the order of the client's settings even while a group is being created.
 *
 * The first accepted `Settings` counts the stream as one producer or consumer connection, until the call ends.
 */
export function openTelemetry(deps: TelemetryDeps, ctx: RpcContext, peer: TelemetryPeer): TelemetrySession {
  deps.liveness.streamOpened(ctx.clientId);
  let repeat: NodeJS.Timeout | undefined;
  let counted: ConnectedClient | undefined;
  let closed = false;
  let unregister: (() => void) | undefined;
  let answering: Promise<void> = Promise.resolve();
  const cancelRepeat = () => {
    clearTimeout(repeat);
    repeat = undefined;
  };
  const close = () => {
    cancelRepeat();
    if (closed) return;
    closed = true;
    deps.liveness.streamClosed(ctx.clientId);
    unregister?.();
    if (counted) deps.metrics.connectionClosed(counted);
  };
  const replyTo = async (settings: WireSettings): Promise<TelemetryCommand> => {
    if (!isConsumer(settings)) return settingsReply(settings, deps.settings);
    try {
      const groupName = settings.subscription?.group?.name ?? '';
      const group = await deps.groups.resolve(groupName);
      for (const entry of settings.subscription?.subscriptions ?? []) {
        filterOf(entry.expression); // a bad filter fails start-up in-band (§4.5) rather than every receive
        await deps.subscriptions.subscribe(groupName, topicOf(entry.topic));
      }
      return settingsReply(settings, deps.settings, group);
    } catch (err) {
      return { status: toStatus(err, ctx.log) };
    }
  };
  const answer = async (settings: WireSettings): Promise<void> => {
    const reply = await replyTo(settings);
    ctx.log.debug({ clientType: settings.client_type, status: reply.status?.code }, 'settings answered');
    if (closed) return;
    if (!counted && reply.status?.code === OK_STATUS.code) {
      counted = connectedClient(settings);
      deps.metrics.connectionOpened(counted);
      if (ctx.clientId !== '')
        unregister = deps.sessions.register(sessionInfo(ctx.clientId, settings, deps.clock.now()), peer.send);
    }
    peer.send(reply);
    cancelRepeat();
    repeat = setTimeout(() => {
      repeat = undefined;
      peer.send(reply);
    }, deps.settingsRepeatMs);
    repeat.unref();
  };
  return {
    onCommand(command) {
      const settings = command.settings;
      if (command.malformed) {
        peer.send({ status: { code: Code.BAD_REQUEST, message: 'undecodable telemetry command' } });
        return;
      }
      if (!settings) {
        if (!deps.sessions.onAnswer(command)) ctx.log.debug({ command: command.command }, 'telemetry command ignored');
        return;
      }
      answering = answering
        .then(() => answer(settings))
        .catch((err: unknown) => {
          if (!closed) peer.send({ status: toStatus(err, ctx.log) });
        });
    },
    onEnd() {
      // The client is done writing; settings it sent before still get their answer.
      void answering.then(() => {
        close();
        peer.end();
      });
    },
    onClose: close,
  };
}

function sessionInfo(clientId: string, settings: WireSettings, now: number): ClientSessionInfo {
  const topics = settings.publishing
    ? (settings.publishing.topics ?? []).map((t) => t.name ?? '')
    : (settings.subscription?.subscriptions ?? []).map((s) => s.topic?.name ?? '');
  return {
    clientId,
    clientType: String(settings.client_type ?? ''),
    group: settings.subscription?.group?.name ?? '',
    topics,
    language: String(settings.user_agent?.language ?? ''),
    version: settings.user_agent?.version ?? '',
    hostname: settings.user_agent?.hostname ?? '',
    connectedAt: now,
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
