import { z } from 'zod';
import { MAX_QUEUES, TOPIC_MESSAGE_TYPES, type TopicMessageType } from '../messaging/topics.js';

/**
 * What a broker tells the name server about itself, and what a route says about one broker. The one schema is used
 * by the HTTP service (request validation), its client (response validation) and the in-process table.
 */

/** RocketMQ's topic rule (as storage/message-limits.ts): 1–127 of letters, digits, `%`, `|`, `_`, `-`. */
export const TOPIC_NAME = /^[%|a-zA-Z0-9_-]{1,127}$/;
/** Broker names and groups: 1–127 of letters, digits, `.`, `_`, `-` (they appear in URLs and in wire routes). */
export const BROKER_NAME = /^[a-zA-Z0-9._-]{1,127}$/;
/** One `host:port` the clients can reach; no IPv6 literal (the client cannot parse one; PROTOCOL.md §0). */
const ENDPOINT = /^[^\s:/]+:(\d{1,5})$/;

/** `RW`: readable and writable; `R`: read-only (a draining broker: consumers still read, producers skip it). */
export const PERMS = ['RW', 'R'] as const;
export type Perm = (typeof PERMS)[number];

export const Endpoint = z.string().refine((s) => {
  const port = Number(ENDPOINT.exec(s)?.[1]);
  return port > 0 && port < 65536;
}, 'host:port (port 1-65535)');

export const TopicRoute = z.strictObject({
  queues: z.number().int().min(1).max(MAX_QUEUES),
  messageType: z.enum(TOPIC_MESSAGE_TYPES),
  perm: z.enum(PERMS),
});
export type TopicRoute = z.infer<typeof TopicRoute>;

/** The registration body without its name (the name is the URL path of `PUT /v1/brokers/{brokerName}`). */
export const RegistrationBody = z.strictObject({
  brokerName: z.string().regex(BROKER_NAME, 'broker name').optional(),
  brokerGroup: z.string().regex(BROKER_NAME, 'broker group'),
  endpoint: Endpoint,
  topics: z.record(z.string().regex(TOPIC_NAME, 'topic name'), TopicRoute),
});

export const BrokerRegistration = RegistrationBody.required({ brokerName: true });
export type BrokerRegistration = z.infer<typeof BrokerRegistration>;

/** One live broker's share of a topic: queue ids `0..queues-1` on `endpoint`. */
export interface BrokerRoute {
  readonly brokerName: string;
  readonly brokerGroup: string;
  readonly endpoint: string;
  readonly queues: number;
  readonly messageType: TopicMessageType;
  readonly perm: Perm;
}

export const BrokerRouteSchema = z.strictObject({
  brokerName: z.string(),
  brokerGroup: z.string(),
  endpoint: Endpoint,
  ...TopicRoute.shape,
});

/** `GET /v1/routes/{topic}` */
export const RoutesResponse = z.object({ topic: z.string(), brokers: z.array(BrokerRouteSchema) });
export type RoutesResponse = z.infer<typeof RoutesResponse>;

/** A registered broker as the table holds it; times are epoch ms from the injected clock. */
export interface LiveBroker {
  readonly registration: BrokerRegistration;
  readonly registeredAt: number;
  readonly heartbeatAt: number;
  readonly expiresAt: number;
}
