import type { z } from 'zod';
import { Code, DataplaneError } from '../lib/errors.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';

/**
 * Metadata kept as one JSON file, replaced atomically (temp, fsync, rename, fsync dir) so a crash leaves the old or
 * the new version, never a mix. Saves coalesce: updates during a write are saved together by the next one.
 */
export class JsonDocument<T> {
  private saving: Promise<void> | undefined;
  private version = 0;
  private savedVersion = 0;

  private constructor(
    readonly path: string,
    private current: T,
  ) {}

  /** Loads and validates the file; a missing file starts from `initial`, an invalid one is refused, naming the file. */
  static async open<T>(path: string, schema: z.ZodType<T>, initial: T): Promise<JsonDocument<T>> {
    const raw = await readFileIfExists(path);
    if (!raw) return new JsonDocument(path, initial);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `metadata file ${path} is not valid JSON`, { cause: err });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataplaneError(
        Code.INTERNAL_SERVER_ERROR,
        `metadata file ${path} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      );
    }
    return new JsonDocument(path, parsed.data);
  }

  get value(): T {
    return this.current;
  }

  /** Replaces the value now; resolves once a save that includes it is durable. */
  async set(value: T): Promise<void> {
    this.current = value;
    const wanted = ++this.version;
    while (this.savedVersion < wanted) {
      if (this.saving) {
        await this.saving.catch(() => {});
        continue;
      }
      const version = this.version;
      this.saving = writeFileAtomic(this.path, `${JSON.stringify(this.current, null, 2)}\n`)
        .then(() => {
          this.savedVersion = version;
        })
        .finally(() => {
          this.saving = undefined;
        });
      await this.saving;
    }
  }
}
