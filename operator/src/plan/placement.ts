/** One live broker as the name server lists it (`GET /v1/brokers`, dataplane/src/namesrv/README.md). */
export interface BrokerRegistrationView {
  readonly brokerGroup: string;
  readonly topics: Readonly<Record<string, { readonly perm: 'RW' | 'R' }>>;
}

/**
 * The drain planner's view of topic placement from the name server's live brokers: which groups host each topic, and
 * which groups accept writes (a broker's permission is the same on all its topics; `R` while it drains). A broker
 * that is down or expired is not listed, so its topics are not seen: the drain planner waits on such a group anyway
 * (BrokerUnreachable) unless told to skip the drain.
 */
export function topicPlacement(brokers: readonly BrokerRegistrationView[]): {
  topicGroups: Record<string, string[]>;
  writableGroups: string[];
} {
  const hosts = new Map<string, Set<string>>();
  const writable = new Set<string>();
  for (const broker of brokers) {
    for (const [topic, route] of Object.entries(broker.topics)) {
      const groups = hosts.get(topic) ?? new Set<string>();
      hosts.set(topic, groups);
      groups.add(broker.brokerGroup);
      if (route.perm === 'RW') writable.add(broker.brokerGroup);
    }
  }
  const topicGroups: Record<string, string[]> = {};
  for (const topic of [...hosts.keys()].sort()) topicGroups[topic] = [...(hosts.get(topic) ?? [])].sort();
  return { topicGroups, writableGroups: [...writable].sort() };
}
