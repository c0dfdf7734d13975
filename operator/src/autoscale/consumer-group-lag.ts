import { brokerGroupName, type ConsumerGroup } from '@rocketry/crds';
import { readClusterLag } from './cluster-lag.js';
import type { ConsumerGroupKey, ScalerSource } from './external-scaler.js';
import type { LagCache } from './lag-cache.js';
import type { LagReading } from './lag-reading.js';

/** How to reach the brokers of the cluster a ConsumerGroup references. */
export interface ClusterBrokers {
  readonly adminUrls: readonly string[];
  readonly token?: string;
}

export interface ConsumerGroupLagDeps {
  /** The ConsumerGroup (informer cache); undefined when there is none. */
  readonly consumerGroup: (key: ConsumerGroupKey) => ConsumerGroup | undefined;
  /** Admin endpoints and token of the group's cluster (every broker group); undefined when the cluster is unknown. */
  readonly brokers: (cg: ConsumerGroup) => Promise<ClusterBrokers | undefined>;
  readonly cache: LagCache;
  /** Per broker. Default 3 s. */
  readonly timeoutMs?: number;
}

/**
 * The lag of ConsumerGroups with autoscaling, over their `topics` (all when unset) and every broker group of their
 * cluster, through one shared cache: the source of both the built-in poll (`of`) and the KEDA scaler.
 */
export class ConsumerGroupLag implements ScalerSource {
  constructor(private readonly deps: ConsumerGroupLagDeps) {}

  async lagPerReplica(key: ConsumerGroupKey): Promise<number | undefined> {
    return this.deps.consumerGroup(key)?.spec.autoscaling?.lagPerReplica;
  }

  async lag(key: ConsumerGroupKey): Promise<LagReading | undefined> {
    const cg = this.deps.consumerGroup(key);
    return cg?.spec.autoscaling ? this.of(cg) : undefined;
  }

  /** The group's lag now (cached); unknown when its cluster or any of its brokers cannot be reached. */
  of(cg: ConsumerGroup): Promise<LagReading> {
    const key = `${cg.metadata.namespace ?? ''}/${cg.metadata.name ?? ''}`;
    return this.deps.cache.get(key, async () => {
      const brokers = await this.deps.brokers(cg);
      if (!brokers) return { kind: 'unknown', reason: `cluster ${cg.spec.clusterRef.name} not known` };
      const lag = await readClusterLag(brokers.adminUrls, brokerGroupName(cg), {
        token: brokers.token,
        topics: cg.spec.autoscaling?.topics,
        timeoutMs: this.deps.timeoutMs,
      });
      // Only the reading is cached, not the per-broker detail.
      return lag.kind === 'known' ? { kind: 'known', messages: lag.messages } : { kind: 'unknown', reason: lag.reason };
    });
  }
}
