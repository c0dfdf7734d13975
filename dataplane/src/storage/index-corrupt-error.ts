/** An index file whose bytes disagree with the format drawn in index-file-layout.ts, named by its path. */
export class IndexCorruptError extends Error {
  override readonly name = 'IndexCorruptError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`index file ${file} is corrupt: ${reason}`);
  }
}
