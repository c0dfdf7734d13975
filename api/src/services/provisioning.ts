import type { Logger } from 'pino';
import type { ClusterRow, InstanceRow } from '../db/tables.js';
import type { Db } from '../db/transaction.js';
import type { ClusterConnection } from '../schemas/clusters.js';
import type { Status } from '../schemas/common.js';
import type { Group } from '../schemas/groups.js';
import type { Topic } from '../schemas/topics.js';

/**
 * Bringing the data plane in line with committed topics and groups. Runs after the change committed (never inside a
 * database transaction); what it returns becomes the resource's status. Undefined means "nothing to report".
 */
export interface Provisioning {
  applyTopic(instance: InstanceRow, topic: Topic): Promise<Status | undefined>;
  deleteTopic(instance: InstanceRow, name: string): Promise<void>;
  applyGroup(instance: InstanceRow, group: Group): Promise<Status | undefined>;
  deleteGroup(instance: InstanceRow, name: string): Promise<void>;
}

/**
 * The name a resource has on the brokers: on a shared cluster `<namespace>%<name>`, RocketMQ's own convention for
 * namespaced resources (NamespaceUtil.wrapNamespace), so instances sharing a cluster never collide.
 */
export const physicalName = (instance: Pick<InstanceRow, 'namespace'>, name: string) =>
  instance.namespace ? `${instance.namespace}%${name}` : name;

const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Local mode: PUT/DELETE on every broker's admin API (`/v1/topics/{t}`, `/v1/groups/{g}`). Cluster mode (custom
 * resources through the Kubernetes API) is not wired yet: such resources stay PROVISIONING with a condition saying so.
 */
export class DataplaneProvisioning implements Provisioning {
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async applyTopic(instance: InstanceRow, topic: Topic): Promise<Status> {
    return this.apply(instance, topic.generation, `/v1/topics/${enc(physicalName(instance, topic.name))}`, {
      messageType: topic.messageType,
      queues: topic.queues,
    });
  }

  async applyGroup(instance: InstanceRow, group: Group): Promise<Status> {
    return this.apply(instance, group.generation, `/v1/groups/${enc(physicalName(instance, group.name))}`, {
      fifo: group.fifo,
      maxDeliveryAttempts: group.maxDeliveryAttempts,
      retryPolicy: { type: 'exponential', ...group.retryPolicy },
    });
  }

  deleteTopic(instance: InstanceRow, name: string): Promise<void> {
    return this.remove(instance, `/v1/topics/${enc(physicalName(instance, name))}`);
  }

  deleteGroup(instance: InstanceRow, name: string): Promise<void> {
    return this.remove(instance, `/v1/groups/${enc(physicalName(instance, name))}`);
  }

  private async apply(instance: InstanceRow, generation: number, path: string, body: unknown): Promise<Status> {
    const connection = await this.connection(instance);
    if (connection.mode !== 'local') {
      return status(
        'PROVISIONING',
        generation,
        'Unknown',
        'ClusterModePending',
        'custom resources are not applied yet',
      );
    }
    const failures: string[] = [];
    await Promise.all(
      connection.brokerAdminUrls.map(async (base) => {
        try {
          const res = await this.fetchFn(new URL(path, base), {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          await res.arrayBuffer();
          if (!res.ok) failures.push(`${base} answered ${res.status}`);
        } catch (err) {
          failures.push(`${base} unreachable`);
          this.log.warn({ err, broker: base, path }, 'broker admin request failed');
        }
      }),
    );
    const brokers = connection.brokerAdminUrls.length;
    return failures.length === 0
      ? status('READY', generation, 'True', 'Applied', `applied to ${brokers} broker(s)`)
      : status('FAILED', generation, 'False', 'BrokerError', failures.sort().join('; '));
  }

  /** Best effort: a broker that is down keeps the resource until it is deleted again (logged). */
  private async remove(instance: InstanceRow, path: string): Promise<void> {
    const connection = await this.connection(instance);
    if (connection.mode !== 'local') return;
    await Promise.all(
      connection.brokerAdminUrls.map(async (base) => {
        try {
          const res = await this.fetchFn(new URL(path, base), {
            method: 'DELETE',
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          await res.arrayBuffer();
          if (!res.ok && res.status !== 404)
            this.log.warn({ broker: base, path, status: res.status }, 'broker kept a deleted resource');
        } catch (err) {
          this.log.warn({ err, broker: base, path }, 'broker admin request failed');
        }
      }),
    );
  }

  private async connection(instance: InstanceRow): Promise<ClusterConnection> {
    const row: Pick<ClusterRow, 'connection'> = await this.db
      .selectFrom('clusters')
      .select('connection')
      .where('id', '=', instance.cluster_id)
      .executeTakeFirstOrThrow();
    return row.connection as ClusterConnection;
  }
}

const enc = encodeURIComponent;

function status(
  phase: Status['phase'],
  generation: number,
  synced: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
): Status {
  return {
    phase,
    observedGeneration: generation,
    conditions: [{ type: 'Synced', status: synced, reason, message, lastTransitionTime: new Date().toISOString() }],
  };
}
