import {
  type BrokerAdmin,
  BrokerAdminError,
  type BrokerAdminFactory,
  type GroupInfo,
  type GroupLag,
  type GroupSpec,
  type PutOutcome,
  type TopicDetail,
  type TopicInfo,
  type TopicSpec,
} from '../../src/broker-admin/broker-admin.js';

/** One broker's state in memory. */
export class FakeBroker implements BrokerAdmin {
  write = true;
  reachable = true;
  readonly topics = new Map<string, TopicSpec>();
  readonly groups = new Map<string, GroupInfo>();
  /** Consumer group → messages not yet consumed on this broker. */
  readonly lag = new Map<string, number>();
  readonly calls: string[] = [];

  constructor(readonly url: string) {}

  private check(call: string): void {
    this.calls.push(call);
    if (!this.reachable) throw new BrokerAdminError(0, undefined, `${this.url}: unreachable`);
  }

  async healthy(): Promise<boolean> {
    this.calls.push('healthy');
    return this.reachable;
  }

  async ready(): Promise<boolean> {
    return this.healthy();
  }

  async listTopics(): Promise<TopicInfo[]> {
    this.check('listTopics');
    return [...this.topics].map(([name, t]) => ({ name, ...t, acceptMessageTypes: [t.messageType] }));
  }

  async getTopic(name: string): Promise<TopicDetail | undefined> {
    this.check(`getTopic ${name}`);
    const t = this.topics.get(name);
    return t && { name, ...t, acceptMessageTypes: [t.messageType], queueOffsets: [] };
  }

  async putTopic(name: string, spec: TopicSpec): Promise<PutOutcome<TopicDetail>> {
    this.check(`putTopic ${name}`);
    const kind = this.topics.has(name) ? 'updated' : 'created';
    this.topics.set(name, spec);
    return { kind, value: { name, ...spec, acceptMessageTypes: [spec.messageType], queueOffsets: [] } };
  }

  async deleteTopic(name: string): Promise<boolean> {
    this.check(`deleteTopic ${name}`);
    return this.topics.delete(name);
  }

  async listGroups(): Promise<GroupInfo[]> {
    this.check('listGroups');
    return [...this.groups.values()];
  }

  async getGroup(name: string): Promise<GroupInfo | undefined> {
    this.check(`getGroup ${name}`);
    return this.groups.get(name);
  }

  async putGroup(name: string, spec: GroupSpec): Promise<PutOutcome<GroupInfo>> {
    this.check(`putGroup ${name}`);
    const kind = this.groups.has(name) ? 'updated' : 'created';
    const value: GroupInfo = {
      name,
      fifo: spec.fifo ?? false,
      maxDeliveryAttempts: spec.maxDeliveryAttempts ?? 17,
      retryPolicy: { type: 'exponential', initialMs: 1000, maxMs: 10_000, multiplier: 2, ...spec.retryPolicy },
      deadLetterTopic: `%DLQ%${name}`,
    };
    this.groups.set(name, value);
    return { kind, value };
  }

  async deleteGroup(name: string): Promise<boolean> {
    this.check(`deleteGroup ${name}`);
    return this.groups.delete(name);
  }

  async groupLag(name: string): Promise<GroupLag | undefined> {
    this.check(`groupLag ${name}`);
    if (!this.groups.has(name)) return undefined;
    return { group: name, ready: this.lag.get(name) ?? 0, inflight: 0, queues: [] };
  }

  async getPermission(): Promise<{ write: boolean }> {
    this.check('getPermission');
    return { write: this.write };
  }

  async setPermission(write: boolean): Promise<{ write: boolean }> {
    this.check(`setPermission ${write}`);
    this.write = write;
    return { write };
  }
}

/**
 * In-memory brokers by admin URL, for the reconcilers' tests (RMQ-TO's counterfeiter fake, in small): a broker
 * appears the first time the operator asks for its URL. Records the token each was reached with.
 */
export class FakeBrokers {
  readonly brokers = new Map<string, FakeBroker>();
  readonly tokens = new Set<string | undefined>();

  readonly factory: BrokerAdminFactory = (url, token) => {
    this.tokens.add(token);
    return this.get(url);
  };

  get(url: string): FakeBroker {
    let b = this.brokers.get(url);
    if (!b) {
      b = new FakeBroker(url);
      this.brokers.set(url, b);
    }
    return b;
  }

  /** The broker of pod 0 of a group, by the group's StatefulSet name (`<cluster>-broker-<i>`). */
  group(sts: string): FakeBroker {
    const url = [...this.brokers.keys()].find((u) => u.startsWith(`http://${sts}-0.${sts}.`));
    if (!url) throw new Error(`no broker of ${sts} reached yet`);
    return this.get(url);
  }
}
