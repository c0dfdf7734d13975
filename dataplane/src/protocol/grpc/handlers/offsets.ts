import { Code, DataplaneError } from '../../../lib/errors.js';
import type { GroupConfig } from '../../../messaging/groups.js';
import type { QueueOffsetStore } from '../../../messaging/queue-offsets.js';
import type { TopicConfig } from '../../../messaging/topics.js';
import { validateTopicName } from '../../../storage/message-limits.js';
import type { MessageStore } from '../../../storage/message-store.js';
import { offsetByTime } from '../../../storage/offset-by-time.js';
import { msFromTimestamp } from '../convert.js';
import { OK_STATUS } from '../status.js';
import type {
  GetOffsetRequest,
  OffsetResponse,
  QueryOffsetRequest,
  StatusResponse,
  UpdateOffsetRequest,
  WireLong,
  WireQueueRef,
} from '../wire.js';

export interface QueueDeps {
  readonly store: Pick<MessageStore, 'read' | 'queueOffsets'>;
  /** Reading never creates a topic: an unknown one is TOPIC_NOT_FOUND even where sends auto-create. */
  readonly topics: { get(name: string): TopicConfig | undefined };
  /** A consumer's group, auto-created or CONSUMER_GROUP_NOT_FOUND (as for Telemetry). */
  readonly groups: { resolve(name: string): Promise<GroupConfig> };
}

export interface OffsetDeps extends QueueDeps {
  readonly offsets: QueueOffsetStore;
}

export interface QueueAddress {
  readonly topic: string;
  readonly queueId: number;
}

/** The queue a queue-level request names: a topic of this broker and one of its queue ids, taken literally. */
export function queueOf(deps: QueueDeps, ref: WireQueueRef | undefined): QueueAddress {
  const topic = ref?.topic?.name ?? '';
  validateTopicName(topic);
  if (ref?.topic?.resource_namespace) {
    throw new DataplaneError(Code.UNSUPPORTED, 'resource namespaces are not supported yet');
  }
  const config = deps.topics.get(topic);
  if (!config) throw new DataplaneError(Code.TOPIC_NOT_FOUND, `topic ${topic} does not exist`);
  const queueId = ref?.id ?? 0;
  if (!Number.isInteger(queueId) || queueId < 0 || queueId >= config.queues) {
    throw new DataplaneError(
      Code.BAD_REQUEST,
      `queue ${queueId} does not exist: topic ${topic} has queues 0-${config.queues - 1}`,
    );
  }
  return { topic, queueId };
}

/** The group of a consumer request, validated (and created when groups auto-create). */
export async function resolveGroup(deps: QueueDeps, group: { name?: string } | undefined): Promise<string> {
  const name = group?.name ?? '';
  await deps.groups.resolve(name);
  return name;
}

/** A request's queue offset: absent means 0, negative is ILLEGAL_OFFSET. */
export function offsetOf(wire: WireLong | undefined): bigint {
  const offset = BigInt(wire ?? 0);
  if (offset < 0n) throw new DataplaneError(Code.ILLEGAL_OFFSET, `offset ${offset} is negative`);
  return offset;
}

/**
 * Commits a group's position in one queue: the next offset it will consume, at most the queue's end. Below the
 * queue's start is accepted (retention may have passed it); a pull from there answers ILLEGAL_OFFSET with the start.
 */
export function updateOffset(deps: OffsetDeps) {
  return async (req: UpdateOffsetRequest): Promise<StatusResponse> => {
    const { topic, queueId } = queueOf(deps, req.message_queue);
    const group = await resolveGroup(deps, req.group);
    const offset = offsetOf(req.offset);
    const { max } = deps.store.queueOffsets(topic, queueId);
    if (offset > max) {
      throw new DataplaneError(Code.ILLEGAL_OFFSET, `offset ${offset} is past the end of queue ${queueId} (${max})`);
    }
    await deps.offsets.commitOffset(group, topic, queueId, offset);
    return { status: OK_STATUS };
  };
}

/** The group's committed position in one queue; OFFSET_NOT_FOUND when it never committed there. */
export function getOffset(deps: OffsetDeps) {
  return async (req: GetOffsetRequest): Promise<OffsetResponse> => {
    const { topic, queueId } = queueOf(deps, req.message_queue);
    const group = await resolveGroup(deps, req.group);
    const offset = deps.offsets.committedOffset(group, topic, queueId);
    if (offset === undefined) {
      return {
        status: { code: Code.OFFSET_NOT_FOUND, message: `group ${group} has no offset in ${topic} queue ${queueId}` },
      };
    }
    return { status: OK_STATUS, offset: String(offset) };
  };
}

/** Where a consumer can start in one queue: its start (BEGINNING, the default), its end (END) or from a time on. */
export function queryOffset(deps: QueueDeps) {
  return async (req: QueryOffsetRequest): Promise<OffsetResponse> => {
    const { topic, queueId } = queueOf(deps, req.message_queue);
    const policy = req.query_offset_policy ?? 'BEGINNING';
    const { min, max } = deps.store.queueOffsets(topic, queueId);
    let offset: bigint;
    if (policy === 'BEGINNING') offset = min;
    else if (policy === 'END') offset = max;
    else if (policy === 'TIMESTAMP') {
      const timestampMs = msFromTimestamp(req.timestamp);
      if (timestampMs === undefined) throw new DataplaneError(Code.BAD_REQUEST, 'TIMESTAMP policy without timestamp');
      offset = await offsetByTime(deps.store, topic, queueId, timestampMs);
    } else throw new DataplaneError(Code.BAD_REQUEST, `unknown query offset policy ${policy}`);
    return { status: OK_STATUS, offset: String(offset) };
  };
}
