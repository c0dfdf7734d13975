import { loadavg } from 'node:os';
import type { FlushMode } from '../dataplane/src/storage/commit-log.js';
import type { SyncCeiling, WriteCeiling } from './ceilings.js';
import { median, spread } from './stats.js';
import { gib, type MemoryRun, mb } from './storage-memory.js';

export interface Scenario {
  readonly flush: FlushMode;
  readonly writers: number;
}

export interface ScenarioResult extends Scenario {
  readonly recordsPerSec: number;
  /** Payload basis: records × 1 KiB. */
  readonly mbPerSec: number;
  /** Commit-log bytes, record framing and metadata included. */
  readonly logMbPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRecord: number;
  /** Everything the run wrote to the commit log, warm-up included. */
  readonly totalLogBytes: number;
}

export interface Round {
  readonly scenarios: ScenarioResult[];
  readonly write: WriteCeiling;
  readonly sync: SyncCeiling;
}

export interface Check {
  readonly name: string;
  readonly value: number;
  readonly target: string;
  readonly pass: boolean;
  readonly note: string;
}

export interface Ceilings {
  readonly writeMbPerSec: number;
  readonly writeMbPerSecWithoutSync: number;
  readonly syncsPerSec: number;
  readonly syncP99Ms: number;
}

const MB = 1e6;
const say = (line: string) => console.log(line);
export const label = (s: Scenario) => `${s.flush}×${s.writers}`;

/** Per scenario, the median of each metric over the rounds, and how far the rounds' throughputs spread. */
export type Medians = Record<string, ScenarioResult & { recordsPerSecSpread: number }>;

export function scenarioMedians(rounds: readonly Round[]): Medians {
  const medians: Medians = {};
  for (const [i, first] of (rounds[0]?.scenarios ?? []).entries()) {
    const all = rounds.map((r) => r.scenarios[i] as ScenarioResult);
    const of = (pick: (s: ScenarioResult) => number) => median(all.map(pick));
    medians[label(first)] = {
      flush: first.flush,
      writers: first.writers,
      recordsPerSec: of((s) => s.recordsPerSec),
      mbPerSec: of((s) => s.mbPerSec),
      logMbPerSec: of((s) => s.logMbPerSec),
      p50Ms: of((s) => s.p50Ms),
      p99Ms: of((s) => s.p99Ms),
      cpuUsPerRecord: of((s) => s.cpuUsPerRecord),
      totalLogBytes: of((s) => s.totalLogBytes),
      recordsPerSecSpread: spread(all.map((s) => s.recordsPerSec)),
    };
  }
  return medians;
}

export function ceilingMedians(rounds: readonly Round[]): Ceilings {
  return {
    writeMbPerSec: median(rounds.map((r) => r.write.mbPerSec)),
    writeMbPerSecWithoutSync: median(rounds.map((r) => r.write.mbPerSecWithoutSync)),
    syncsPerSec: median(rounds.map((r) => r.sync.syncsPerSec)),
    syncP99Ms: median(rounds.map((r) => r.sync.p99Ms)),
  };
}

/** Ratios against the issue's targets: the store next to what the same disk does for plain Node code. */
export function evaluate(m: Medians, c: Ceilings, memory: MemoryRun): Check[] {
  const rate = (key: string) => m[key]?.recordsPerSec ?? Number.NaN;
  const async16Mb = m['async×16']?.mbPerSec ?? Number.NaN;
  const writeRatio = async16Mb / c.writeMbPerSec;
  const syncRatio = rate('sync×256') / rate('async×16');
  const singleRatio = rate('sync×1') / c.syncsPerSec;
  const maxRssMb = memory.maxRssBytes / MB;
  return [
    {
      name: 'async×16 MB/s ÷ raw write MB/s (incl. fdatasync)',
      value: writeRatio,
      target: '≥ 0.5',
      pass: writeRatio >= 0.5,
      note: `${fmtRatio(async16Mb / c.writeMbPerSecWithoutSync)} against raw write without fdatasync`,
    },
    {
      name: 'sync×256 records/s ÷ async×16 records/s',
      value: syncRatio,
      target: '≥ 0.5',
      pass: syncRatio >= 0.5,
      note: `${fmtRatio(rate('sync×256') / rate('async×256'))} against async×256`,
    },
    {
      name: 'sync×1 records/s ÷ raw fdatasync/s',
      value: singleRatio,
      target: '≥ 0.67',
      pass: singleRatio >= 0.67,
      note: `${fmt(rate('sync×1'), 0)} vs ${fmt(c.syncsPerSec, 0)} per second`,
    },
    {
      name: `max RSS during ${gib(memory.volumeBytes)} GiB async (MB)`,
      value: maxRssMb,
      target: '< 300',
      pass: maxRssMb < 300,
      note: `${mb(memory.early.rssBytes)} MB at ${gib(memory.early.appendedBytes)} GiB, ${mb(memory.end.rssBytes)} MB at ${gib(memory.end.appendedBytes)} GiB`,
    },
  ];
}

export function printReport(
  rounds: readonly Round[],
  m: Medians,
  c: Ceilings,
  memory: MemoryRun,
  checks: readonly Check[],
): void {
  say('');
  say(`medians of ${rounds.length} round(s)`);
  say('scenario     writers   records/s     MB/s  log MB/s    p50 ms    p99 ms  cpu µs/rec  spread');
  for (const s of Object.values(m)) {
    say(
      `${s.flush.padEnd(12)} ${String(s.writers).padStart(7)} ${fmt(s.recordsPerSec, 0).padStart(11)} ` +
        `${fmt(s.mbPerSec, 1).padStart(8)} ${fmt(s.logMbPerSec, 1).padStart(9)} ${fmt(s.p50Ms, 3).padStart(9)} ` +
        `${fmt(s.p99Ms, 3).padStart(9)} ${fmt(s.cpuUsPerRecord, 1).padStart(11)} ` +
        `${`${fmt(s.recordsPerSecSpread * 100, 0)}%`.padStart(7)}`,
    );
  }
  say(
    `raw write    ${fmt(c.writeMbPerSec, 0)} MB/s incl. final fdatasync, ${fmt(c.writeMbPerSecWithoutSync, 0)} MB/s without`,
  );
  say(`raw sync     ${fmt(c.syncsPerSec, 0)} fdatasync/s, p99 ${fmt(c.syncP99Ms, 3)} ms`);
  say(
    `memory       ${gib(memory.volumeBytes)} GiB in ${fmt(memory.seconds, 0)} s ` +
      `(${fmt(memory.volumeBytes / MB / memory.seconds, 0)} MB/s, ${memory.writers} writers): rss baseline ` +
      `${mb(memory.baselineRssBytes)} MB, max ${mb(memory.maxRssBytes)} MB, ` +
      `${mb(memory.early.rssBytes)} MB at ${gib(memory.early.appendedBytes)} GiB, ${mb(memory.end.rssBytes)} MB at ${gib(memory.end.appendedBytes)} GiB`,
  );
  say(`load         ${loadText()}`);
  say('');
  for (const check of checks) {
    say(
      `${check.pass ? 'PASS' : 'MISS'}  ${check.name.padEnd(50)} ${fmtRatio(check.value).padStart(8)}  ` +
        `(target ${check.target}; ${check.note})`,
    );
  }
}

/** Enough digits to tell 0.004 from 0.04, none for values such as MB. */
function fmtRatio(value: number): string {
  return fmt(value, value >= 10 ? 0 : value >= 0.1 ? 2 : 3);
}

export function fmt(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
