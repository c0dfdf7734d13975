import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { StorageCorruptionError } from '../lib/errors.js';
import { readCheckpoint } from './checkpoint.js';
import { ConsumeQueueSet } from './consume-queue-set.js';
import { Dispatcher, indexKeysFor, QueueGapError } from './dispatcher.js';
import { MessageIndex } from './message-index.js';
import { scanLog } from './recovery.js';
import type { SegmentSet } from './segment-set.js';
import type { StoreConfig } from './store-config.js';

export interface StoreDirs {
  readonly log: string;
  readonly cq: string;
  readonly index: string;
}

export interface RecoveredState {
  readonly queues: ConsumeQueueSet;
  readonly index: MessageIndex;
  readonly dispatcher: Dispatcher;
  readonly recoveredFrom: number;
  readonly redispatchedRecords: number;
  readonly tornBytes: number;
  readonly rebuilt: boolean;
}

/**
 * Brings consume queues and index level with the commit log: trims them back to the checkpoint, then re-dispatches
 * every record after it (verifying CRCs, cutting a torn tail). Rebuilds both from the start of the log when there is
 * no checkpoint, they are missing, or a queue turns out to be behind the checkpoint.
 */
export async function recoverDerivedState(
  config: StoreConfig,
  log: Logger,
  dirs: StoreDirs,
  segments: SegmentSet,
): Promise<RecoveredState> {
  const logMin = segments.first?.start ?? 0;
  const logEnd = segments.last ? segments.last.start + segments.last.length : 0;
  const checkpoint = await readCheckpoint(config.dataDir);
  let rebuild = !checkpoint || !existsSync(dirs.cq) || !existsSync(dirs.index);
  let from = checkpoint ? Math.max(Number(checkpoint.dispatchedOffset), logMin) : logMin;
  if (from > logEnd) {
    const last = segments.last;
    if (!config.repair || !last) {
      const message = `commit log ends before the checkpoint (${from})`;
      throw new StorageCorruptionError(last?.file.path ?? dirs.log, last?.length ?? 0, BigInt(logEnd), message);
    }
    rebuild = true;
  }
  for (;;) {
    if (rebuild) {
      from = logMin;
      await rm(dirs.cq, { recursive: true, force: true });
      await rm(dirs.index, { recursive: true, force: true });
      if (logEnd > logMin) log.warn({ from }, 'rebuilding consume queues and index from the commit log');
    }
    const queues = await ConsumeQueueSet.open(dirs.cq, config.consumeQueueEntriesPerFile);
    const index = await MessageIndex.open(dirs.index, config.index);
    for (const queue of queues) await queue.truncateFrom(BigInt(from));
    const dispatcher = new Dispatcher(index, from, config.repair);
    try {
      const scan = await scanLog(
        segments,
        from,
        {
          maxTornBytes: config.maxPendingBytes + config.limits.maxBodyBytes + 128 * 1024,
          repair: config.repair,
          onProgress: progressLogger(log, from, logEnd),
        },
        (msg) => {
          const queue = queues.getOrCreate(msg.topic, msg.queueId);
          if (!rebuild && queue.isEmpty && msg.queueOffset > 0n)
            throw new QueueGapError(queue.dir, 0n, msg.queueOffset);
          const request = {
            queue,
            queueOffset: Number(msg.queueOffset),
            tagHash: Number(msg.tagHash),
            storeTimestamp: msg.storeTimestamp,
            indexKeys: indexKeysFor(msg.topic, msg.messageId, msg.keys),
          };
          dispatcher.dispatch(request, Number(msg.physicalOffset), msg.size);
        },
      );
      if (scan.tornBytes > 0)
        log.warn({ bytes: scan.tornBytes, end: scan.validEnd }, 'truncated torn tail of the commit log');
      for (const s of scan.skipped) log.error(s, 'repair skipped a corrupt stretch of the commit log');
      dispatcher.dispatchedEnd = scan.validEnd;
      for (const queue of queues) await queue.deleteBelow(BigInt(logMin));
      return {
        queues,
        index,
        dispatcher,
        recoveredFrom: from,
        redispatchedRecords: scan.records,
        tornBytes: scan.tornBytes,
        rebuilt: rebuild,
      };
    } catch (err) {
      await queues.closeAll();
      await index.close();
      if (!(err instanceof QueueGapError) || rebuild) throw err;
      log.warn({ queue: err.queueDir }, 'consume queue behind the checkpoint');
      rebuild = true;
    }
  }
}

/** Logs recovery progress about every 5% of the log to verify (nothing for small logs). */
function progressLogger(log: Logger, from: number, end: number): (offset: number) => void {
  const step = Math.max((end - from) / 20, 256 << 20);
  let next = from + step;
  return (offset) => {
    if (offset < next) return;
    next = offset + step;
    log.info({ offset, end, percent: Math.round(((offset - from) / (end - from)) * 100) }, 'recovering commit log');
  };
}
