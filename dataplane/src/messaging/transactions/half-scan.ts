import type { Logger } from 'pino';
import type { MessageStore } from '../../storage/message-store.js';
import { HALF_QUEUE, HALF_TOPIC, halfFactsOf } from './half-message.js';
import type { ScannedHalf } from './txn-table.js';

const SCAN_BATCH_BYTES = 4 << 20;

/** Half messages stored at or after half-queue offset `from`, and the half queue's end. */
export async function scanHalves(
  store: Pick<MessageStore, 'read' | 'queueOffsets'>,
  from: number,
  log: Logger,
): Promise<{ halves: ScannedHalf[]; end: number }> {
  const { min, max } = store.queueOffsets(HALF_TOPIC, HALF_QUEUE);
  const halves: ScannedHalf[] = [];
  let offset = Math.max(from, Number(min));
  if (from < Number(min) && from > 0) log.warn({ from, min: String(min) }, 'half queue starts past the snapshot');
  while (offset < Number(max)) {
    const result = await store.read(HALF_TOPIC, HALF_QUEUE, BigInt(offset), {
      maxCount: 1024,
      maxBytes: SCAN_BATCH_BYTES,
    });
    if (result.kind !== 'found') break;
    for (const m of result.messages) {
      const facts = halfFactsOf(m);
      if (!facts) continue;
      halves.push({
        txnId: facts.transactionId,
        messageId: m.messageId,
        topic: facts.topic,
        clientId: facts.clientId,
        halfOffset: Number(m.queueOffset),
        physicalOffset: Number(m.physicalOffset),
        storeTimestamp: m.storeTimestamp,
      });
    }
    if (Number(result.nextOffset) <= offset) break;
    offset = Number(result.nextOffset);
  }
  return { halves, end: Number(max) };
}
