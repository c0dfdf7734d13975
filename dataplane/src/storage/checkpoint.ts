import { join } from 'node:path';
import { z } from 'zod';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';

/**
 * How far derived state is durable. `dispatchedOffset`: every record below it is in the consume queues and the index
 * on disk, and in the commit log on disk. Recovery re-dispatches from here. Written atomically about once a second.
 */
export interface Checkpoint {
  readonly dispatchedOffset: bigint;
  readonly savedAt: number;
}

const CheckpointFile = z.object({
  version: z.literal(1),
  dispatchedOffset: z.string().regex(/^\d+$/),
  savedAt: z.number().int().nonnegative(),
});

export const checkpointPath = (dataDir: string): string => join(dataDir, 'checkpoint.json');

/** The checkpoint, or undefined when there is none or it cannot be trusted (then recovery rebuilds from the start). */
export async function readCheckpoint(dataDir: string): Promise<Checkpoint | undefined> {
  const raw = await readFileIfExists(checkpointPath(dataDir));
  if (!raw) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = CheckpointFile.safeParse(json);
  if (!parsed.success) return undefined;
  return { dispatchedOffset: BigInt(parsed.data.dispatchedOffset), savedAt: parsed.data.savedAt };
}

export async function writeCheckpoint(dataDir: string, checkpoint: Checkpoint): Promise<void> {
  const body = { version: 1, dispatchedOffset: String(checkpoint.dispatchedOffset), savedAt: checkpoint.savedAt };
  await writeFileAtomic(checkpointPath(dataDir), `${JSON.stringify(body)}\n`);
}
