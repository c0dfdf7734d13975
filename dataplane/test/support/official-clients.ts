import { type FilterExpression, Producer, type PushConsumer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { quietClientLogger } from './grpc-broker.js';

/** `FilterType.SQL` of the client's protos, for `new FilterExpression(sql, SQL_FILTER)` (the enum is not exported). */
export const SQL_FILTER = 2 as ConstructorParameters<typeof FilterExpression>[1];

/** Topic → filter (a tag expression or a FilterExpression). */
export type Subscriptions = Record<string, string | FilterExpression>;

/** The official clients of one test, on one broker endpoint, all shut down by `shutdownAll`. */
export class OfficialClients {
  protected readonly clients: (Producer | SimpleConsumer | PushConsumer)[] = [];

  constructor(
    protected readonly endpoint: () => string,
    private readonly defaultAwaitMs = 1000,
  ) {}

  /** A producer, started (declared topics make `startup()` wait for the Settings reply). */
  async producer(topics?: string[]): Promise<Producer> {
    const producer = this.newProducer(topics);
    await producer.startup();
    return producer;
  }

  /** A producer, not started. */
  newProducer(topics?: string[]): Producer {
    const producer = new Producer({
      endpoints: this.endpoint(),
      namespace: '',
      logger: quietClientLogger,
      ...(topics && { topics }),
    });
    this.clients.push(producer);
    return producer;
  }

  async simple(group: string, subscriptions: Subscriptions, awaitMs = this.defaultAwaitMs): Promise<SimpleConsumer> {
    const consumer = this.newSimple(group, subscriptions, awaitMs);
    await consumer.startup();
    return consumer;
  }

  newSimple(group: string, subscriptions: Subscriptions, awaitMs = this.defaultAwaitMs): SimpleConsumer {
    const consumer = new SimpleConsumer({
      endpoints: this.endpoint(),
      namespace: '',
      consumerGroup: group,
      subscriptions: new Map(Object.entries(subscriptions)),
      awaitDuration: awaitMs,
      logger: quietClientLogger,
    });
    this.clients.push(consumer);
    return consumer;
  }

  /** Registers a client made elsewhere (e.g. a push consumer with its own listener) for `shutdownAll`. */
  track<C extends Producer | SimpleConsumer | PushConsumer>(client: C): C {
    this.clients.push(client);
    return client;
  }

  async shutdownAll(): Promise<void> {
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((c) => (c.isRunning() ? c.shutdown().catch(() => {}) : undefined)));
  }
}
