import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlushMode } from '../dataplane/src/storage/commit-log.js';
import { rawSyncCeiling, rawWriteCeiling, type SyncCeiling, type WriteCeiling } from './ceilings.js';
import { median, spread } from './stats.js';
import { gib, type MemoryRun, mb, memoryRun } from './storage-memory.js';
import { BODY_BYTES, type LoadWindow, openBenchStore, timedLoad } from './store-load.js';

export interface StorageBenchOptions {
  /** Volume of the memory run in GiB (BENCH_STORAGE_GB). */
  readonly volumeGiB: number;
  readonly repeats: number;
  readonly durationMs: number;
  readonly resultsDir: string;
}

interface Scenario {
  readonly flush: FlushMode;
  readonly writers: number;
}

interface ScenarioResult extends Scenario {
  readonly recordsPerSec: number;
  /** Payload basis: records × 1 KiB. */
  readonly mbPerSec: number;
  /** Commit-log bytes, record framing and metadata included. */
  readonly logMbPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Everything the run wrote to the commit log, warm-up included. */
  readonly totalLogBytes: number;
}

interface Round {
  readonly scenarios: ScenarioResult[];
  readonly write: WriteCeiling;
  readonly sync: SyncCeiling;
}

interface Check {
  readonly name: string;
  readonly value: number;
  readonly target: string;
  readonly pass: boolean;
  readonly note: string;
}

const WARMUP_MS = 1000;
const SYNC_CEILING_MS = 2500;
const MB = 1e6;
const say = (line: string) => console.log(line);
const label = (s: Scenario) => `${s.flush}×${s.writers}`;

export async function runStorageBench(options: StorageBenchOptions): Promise<void> {
  const startedAt = new Date();
  const root = await mkdtemp(join(tmpdir(), 'rocketry-bench-storage-'));
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  const onInterrupt = () => {
    removeRoot();
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const window: LoadWindow = { warmupMs: WARMUP_MS, durationMs: options.durationMs };
    say(`storage bench: node ${process.version}, ${cpus().length} cpus, load ${loadText()}, data in ${root}`);
    say(
      `${options.repeats} round(s), ${options.durationMs / 1000} s per scenario after ${WARMUP_MS / 1000} s warm-up; MB = 10^6 bytes`,
    );
    const volumeBytes = await plannedVolume(root, options.volumeGiB * 2 ** 30);
    const rounds: Round[] = [];
    for (let r = 1; r <= options.repeats; r++) {
      say(`round ${r}/${options.repeats}`);
      rounds.push(await runRound(root, window));
    }
    say(`memory: ${gib(volumeBytes)} GiB async, 1 KiB records`);
    const memory = await memoryRun(join(root, 'memory'), volumeBytes, say);
    await rm(join(root, 'memory'), { recursive: true, force: true });
    const medians = scenarioMedians(rounds);
    const ceilings = {
      writeMbPerSec: median(rounds.map((r) => r.write.mbPerSec)),
      writeMbPerSecWithoutSync: median(rounds.map((r) => r.write.mbPerSecWithoutSync)),
      syncsPerSec: median(rounds.map((r) => r.sync.syncsPerSec)),
      syncP99Ms: median(rounds.map((r) => r.sync.p99Ms)),
    };
    const checks = evaluate(medians, ceilings, memory);
    printReport(rounds, medians, ceilings, memory, checks);
    const file = join(options.resultsDir, `storage-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await mkdir(options.resultsDir, { recursive: true });
    const host = {
      node: process.version,
      platform: process.platform,
      cpus: cpus().length,
      load: loadavg(),
      tmpdir: root,
    };
    const body = { startedAt, host, options, volumeBytes, rounds, medians, ceilings, memory, checks };
    await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
    say(`results: ${file}`);
  } finally {
    process.off('SIGINT', onInterrupt);
    removeRoot();
  }
}

/** The memory run's volume, scaled down when the disk has less than twice that free. */
async function plannedVolume(dir: string, wanted: number): Promise<number> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free >= 2 * wanted) return wanted;
  const scaled = Math.floor(free / 2 / 2 ** 20) * 2 ** 20;
  say(
    `warning: only ${gib(free)} GiB free in ${dir}; memory run scaled down from ${gib(wanted)} to ${gib(scaled)} GiB`,
  );
  return scaled;
}

/** The raw write ceiling follows async×16 and writes exactly the bytes that run put in its commit log. */
async function runRound(root: string, window: LoadWindow): Promise<Round> {
  const scenarios: ScenarioResult[] = [];
  const run = async (flush: FlushMode, writers: number) => {
    const result = await runScenario(join(root, `${flush}-${writers}`), { flush, writers }, window);
    scenarios.push(result);
    say(
      `  ${label(result).padEnd(10)} ${fmt(result.recordsPerSec, 0).padStart(9)} rec/s ${fmt(result.mbPerSec, 1).padStart(7)} MB/s` +
        `  p50 ${fmt(result.p50Ms, 3)} ms  p99 ${fmt(result.p99Ms, 3)} ms`,
    );
    return result;
  };
  const async16 = await run('async', 16);
  const write = await rawWriteCeiling(join(root, 'raw-write'), async16.totalLogBytes);
  say(
    `  raw write  ${fmt(write.mbPerSec, 0)} MB/s incl. fdatasync (${fmt(write.mbPerSecWithoutSync, 0)} MB/s without, ` +
      `sync ${fmt(write.syncMs, 0)} ms) over ${fmt(write.bytes / MB, 0)} MB`,
  );
  await run('async', 256);
  const sync = await rawSyncCeiling(join(root, 'raw-sync'), SYNC_CEILING_MS);
  say(
    `  raw sync   ${fmt(sync.syncsPerSec, 0)} fdatasync/s  p50 ${fmt(sync.p50Ms, 3)} ms  p99 ${fmt(sync.p99Ms, 3)} ms`,
  );
  for (const writers of [1, 16, 256]) await run('sync', writers);
  return { scenarios, write, sync };
}

/** A fresh store per scenario, deleted afterwards. */
async function runScenario(dataDir: string, scenario: Scenario, window: LoadWindow): Promise<ScenarioResult> {
  const store = await openBenchStore(dataDir, scenario.flush);
  try {
    const load = await timedLoad(store, scenario.writers, window);
    const [p50Ms = Number.NaN, p99Ms = Number.NaN] = load.latencies.percentiles(0.5, 0.99);
    return {
      ...scenario,
      recordsPerSec: load.records / load.seconds,
      mbPerSec: (load.records * BODY_BYTES) / MB / load.seconds,
      logMbPerSec: load.logBytes / MB / load.seconds,
      p50Ms,
      p99Ms,
      totalLogBytes: Number(store.maxOffset),
    };
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

type Medians = Record<string, ScenarioResult & { recordsPerSecSpread: number }>;

function scenarioMedians(rounds: readonly Round[]): Medians {
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
      totalLogBytes: of((s) => s.totalLogBytes),
      recordsPerSecSpread: spread(all.map((s) => s.recordsPerSec)),
    };
  }
  return medians;
}

interface Ceilings {
  readonly writeMbPerSec: number;
  readonly writeMbPerSecWithoutSync: number;
  readonly syncsPerSec: number;
  readonly syncP99Ms: number;
}

function evaluate(m: Medians, c: Ceilings, memory: MemoryRun): Check[] {
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
      note: `${fmt(async16Mb / c.writeMbPerSecWithoutSync, 2)} against raw write without fdatasync`,
    },
    {
      name: 'sync×256 records/s ÷ async×16 records/s',
      value: syncRatio,
      target: '≥ 0.5',
      pass: syncRatio >= 0.5,
      note: `${fmt(rate('sync×256') / rate('async×256'), 2)} against async×256`,
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

function printReport(
  rounds: readonly Round[],
  m: Medians,
  c: Ceilings,
  memory: MemoryRun,
  checks: readonly Check[],
): void {
  say('');
  say(`medians of ${rounds.length} round(s)`);
  say('scenario     writers   records/s     MB/s  log MB/s    p50 ms    p99 ms  spread');
  for (const s of Object.values(m)) {
    say(
      `${s.flush.padEnd(12)} ${String(s.writers).padStart(7)} ${fmt(s.recordsPerSec, 0).padStart(11)} ` +
        `${fmt(s.mbPerSec, 1).padStart(8)} ${fmt(s.logMbPerSec, 1).padStart(9)} ${fmt(s.p50Ms, 3).padStart(9)} ` +
        `${fmt(s.p99Ms, 3).padStart(9)} ${`${fmt(s.recordsPerSecSpread * 100, 0)}%`.padStart(7)}`,
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
      `${check.pass ? 'PASS' : 'MISS'}  ${check.name.padEnd(50)} ${fmt(check.value, 2).padStart(8)}  ` +
        `(target ${check.target}; ${check.note})`,
    );
  }
}

function fmt(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
