/** What retention knows about a sealed segment. */
export interface SegmentAge {
  readonly start: number;
  readonly length: number;
  /** When the segment was last written (epoch ms). */
  readonly lastWriteMs: number;
}

export interface RetentionPolicy {
  /** Delete segments whose last write is older than this. Default 72 h, at most 30 days. */
  readonly retentionMs: number;
  /** Past this fraction of the disk in use, delete oldest segments regardless of age (0..1). */
  readonly maxDiskUsedRatio: number;
}

export interface DiskUsage {
  readonly totalBytes: number;
  readonly usedBytes: number;
}

/**
 * How many of the oldest segments to delete. `sealed` excludes the active segment, which is never deleted. Age
 * decides first; then disk pressure deletes oldest-first until usage would fall under the threshold.
 */
export function segmentsToDelete(
  sealed: readonly SegmentAge[],
  nowMs: number,
  policy: RetentionPolicy,
  disk: DiskUsage | undefined,
): number {
  let count = 0;
  while (count < sealed.length && nowMs - (sealed[count] as SegmentAge).lastWriteMs > policy.retentionMs) count++;
  if (!disk || disk.totalBytes <= 0) return count;
  let used = disk.usedBytes;
  for (let i = 0; i < count; i++) used -= (sealed[i] as SegmentAge).length;
  while (count < sealed.length && used / disk.totalBytes > policy.maxDiskUsedRatio) {
    used -= (sealed[count] as SegmentAge).length;
    count++;
  }
  return count;
}
