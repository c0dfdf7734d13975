import { describe, expect, it } from 'vitest';
import { segmentsToDelete } from './retention.js';

const HOUR = 3600_000;
const seg = (start: number, ageHours: number, now: number) => ({
  start,
  length: 100,
  lastWriteMs: now - ageHours * HOUR,
});

describe('segmentsToDelete', () => {
  const now = 1_000 * HOUR;
  const policy = { retentionMs: 72 * HOUR, maxDiskUsedRatio: 0.9 };

  it('deletes the leading segments older than the retention time and stops at the first younger one', () => {
    const sealed = [seg(0, 100, now), seg(100, 80, now), seg(200, 10, now), seg(300, 90, now)];
    expect(segmentsToDelete(sealed, now, policy, undefined)).toBe(2);
  });

  it('keeps everything when nothing is old and the disk has room', () => {
    expect(segmentsToDelete([seg(0, 1, now)], now, policy, { totalBytes: 1000, usedBytes: 100 })).toBe(0);
  });

  it('deletes oldest first under disk pressure until usage falls under the threshold', () => {
    const sealed = [seg(0, 1, now), seg(100, 1, now), seg(200, 1, now)];
    expect(segmentsToDelete(sealed, now, policy, { totalBytes: 1000, usedBytes: 1050 })).toBe(2);
  });

  it('counts age-expired segments toward freeing space', () => {
    const sealed = [seg(0, 100, now), seg(100, 1, now), seg(200, 1, now)];
    expect(segmentsToDelete(sealed, now, policy, { totalBytes: 1000, usedBytes: 990 })).toBe(1);
  });

  it('never deletes more than the sealed segments it is given', () => {
    expect(segmentsToDelete([seg(0, 1, now)], now, policy, { totalBytes: 100, usedBytes: 100_000 })).toBe(1);
  });
});
