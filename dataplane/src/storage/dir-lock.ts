import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Code, DataplaneError } from '../lib/errors.js';

/**
 * One process per data directory: two brokers appending to one commit log would corrupt it. The lock file holds the
 * owner's pid; a lock whose pid is gone (the owner was killed) is taken over.
 */
export class DirLock {
  /** Locks this process holds: its own pid in a lock file is no proof of staleness. */
  private static readonly held = new Set<string>();

  private constructor(private readonly path: string) {}

  static async acquire(dir: string): Promise<DirLock> {
    const path = join(dir, 'LOCK');
    if (DirLock.held.has(path)) {
      throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `data directory ${dir} is already open in this process`);
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        DirLock.held.add(path);
        return new DirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
          throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `data directory ${dir} is in use by process ${owner}`);
        }
        await unlink(path).catch(() => {});
      }
    }
    throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `could not lock data directory ${dir}`);
  }

  async release(): Promise<void> {
    DirLock.held.delete(this.path);
    await unlink(this.path).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
