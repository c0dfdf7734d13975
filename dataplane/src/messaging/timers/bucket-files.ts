import { type FileHandle, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileIfExists } from '../../storage/atomic-file.js';
import { decodeEntries, encodeEntries, type TimerEntry } from './timer-entry.js';

const SUFFIX = '.tl';

/** Bucket files kept open for appending (the few being written now); the least recently written are closed first. */
const MAX_OPEN_FILES = 32;

/**
 * The timer bucket files in `<dir>`, one per bucket that has timers, named by the bucket's start (epoch ms). Entries
 * are buffered per bucket and appended in one write per bucket and flush, through handles kept open for the buckets
 * written lately. Flushes, syncs and removals run one at a time, in call order. `sync` makes the files written since
 * the last sync durable.
 */
export class BucketFiles {
  private queued = new Map<number, TimerEntry[]>();
  private queuedCount = 0;
  private readonly unsynced = new Set<number>();
  /** Open handles in least-recently-written order. */
  private readonly handles = new Map<number, FileHandle>();
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<{ files: BucketFiles; buckets: number[] }> {
    await mkdir(dir, { recursive: true });
    const buckets: number[] = [];
    for (const name of await readdir(dir)) {
      if (name.endsWith(`${SUFFIX}.tmp`)) await rm(join(dir, name), { force: true });
      if (!name.endsWith(SUFFIX)) continue;
      const start = Number(name.slice(0, -SUFFIX.length));
      if (Number.isSafeInteger(start)) buckets.push(start);
    }
    return { files: new BucketFiles(dir), buckets: buckets.sort((a, b) => a - b) };
  }

  /** Entries waiting for the next flush (the caller flushes before this grows without bound). */
  get queuedEntries(): number {
    return this.queuedCount;
  }

  append(bucket: number, entry: TimerEntry): void {
    let list = this.queued.get(bucket);
    if (!list) {
      list = [];
      this.queued.set(bucket, list);
    }
    list.push(entry);
    this.queuedCount++;
  }

  /** Writes every queued entry (to the page cache); resolves when they and all earlier ones are written. */
  flush(): Promise<void> {
    if (this.queuedCount === 0) return this.chain;
    const batch = this.queued;
    this.queued = new Map();
    this.queuedCount = 0;
    return this.serially(async () => {
      await Promise.all(
        [...batch].map(async ([bucket, entries]) => {
          await (await this.handleOf(bucket)).write(encodeEntries(entries));
          this.unsynced.add(bucket);
        }),
      );
      while (this.handles.size > MAX_OPEN_FILES) {
        const [oldest, handle] = this.handles.entries().next().value as [number, FileHandle];
        this.handles.delete(oldest);
        await handle.close();
      }
    });
  }

  /** fdatasyncs every file written since the last sync (queued entries are written first). */
  async sync(): Promise<void> {
    await this.flush();
    return this.serially(async () => {
      const buckets = [...this.unsynced];
      this.unsynced.clear();
      for (const bucket of buckets) {
        const held = this.handles.get(bucket);
        if (held) {
          await held.datasync();
          continue;
        }
        let file: FileHandle;
        try {
          file = await open(this.pathOf(bucket), 'r+');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // done and removed meanwhile
          throw err;
        }
        try {
          await file.datasync();
        } finally {
          await file.close();
        }
      }
    });
  }

  /** Every entry of a bucket, queued ones included (flushed first); [] when it has no file. */
  async read(bucket: number): Promise<TimerEntry[]> {
    await this.flush();
    const raw = await readFileIfExists(this.pathOf(bucket));
    return raw ? decodeEntries(raw) : [];
  }

  async remove(bucket: number): Promise<void> {
    await this.flush();
    return this.serially(async () => {
      this.unsynced.delete(bucket);
      await this.closeHandle(bucket);
      await rm(this.pathOf(bucket), { force: true });
    });
  }

  /** Writes what is queued and closes every handle. */
  async close(): Promise<void> {
    await this.flush();
    return this.serially(async () => {
      for (const bucket of [...this.handles.keys()]) await this.closeHandle(bucket);
    });
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.chain.catch(() => {}).then(work);
    this.chain = next;
    return next;
  }

  private async handleOf(bucket: number): Promise<FileHandle> {
    let handle = this.handles.get(bucket);
    if (handle) {
      this.handles.delete(bucket); // to the most recent end
    } else {
      handle = await open(this.pathOf(bucket), 'a');
    }
    this.handles.set(bucket, handle);
    return handle;
  }

  private async closeHandle(bucket: number): Promise<void> {
    const handle = this.handles.get(bucket);
    if (!handle) return;
    this.handles.delete(bucket);
    await handle.close();
  }

  private pathOf(bucket: number): string {
    return join(this.dir, `${bucket}${SUFFIX}`);
  }
}

/**
 * The topics timers are delivered to, numbered in `<dir>/topics.txt` (one name a line, the line number is the id),
 * so bucket entries carry a 4-byte id instead of a name. Appended and synced before an entry names a new id.
 */
export class TimerTopics {
  private readonly ids = new Map<string, number>();
  private adding: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly names: string[],
  ) {
    names.forEach((name, id) => {
      this.ids.set(name, id);
    });
  }

  static async open(dir: string): Promise<TimerTopics> {
    const path = join(dir, 'topics.txt');
    const raw = await readFileIfExists(path);
    const lines = raw ? raw.toString('utf8').split('\n') : [];
    // A torn last line (no newline) was never used by an entry: entries are written after the line is synced.
    lines.pop();
    return new TimerTopics(path, lines);
  }

  nameOf(id: number): string | undefined {
    return this.names[id];
  }

  idOf(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** The id of `name`, registering it durably when new. */
  async register(name: string): Promise<number> {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    const next = this.adding.then(async () => {
      const again = this.ids.get(name);
      if (again !== undefined) return again;
      const file = await open(this.path, 'a');
      try {
        await file.write(`${name}\n`);
        await file.datasync();
      } finally {
        await file.close();
      }
      this.names.push(name);
      this.ids.set(name, this.names.length - 1);
      return this.names.length - 1;
    });
    this.adding = next.catch(() => {});
    return next;
  }
}

export async function readCheckpoint(path: string): Promise<{ scanOffset: number } | undefined> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as { version?: number; scanOffset?: unknown };
    return json.version === 1 && typeof json.scanOffset === 'number' ? { scanOffset: json.scanOffset } : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
