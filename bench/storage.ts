import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlushMode } from '../dataplane/src/storage/commit-log.js';
import { rawSyncCeiling, rawWriteCeiling } from './ceilings.js';
import { gib, memoryRunInChild } from './storage-memory.js';
import {
  ceilingMedians,
  evaluate,
  fmt,
  label,
  loadText,
  printReport,
  type Round,
  type Scenario,
  type ScenarioResult,
  scenarioMedians,
} from './storage-report.js';
import { BODY_BYTES, type LoadWindow, openBenchStore, timedLoad } from './store-load.js';

export interface StorageBenchOptions {
  /** Volume of the memory run in GiB (BENCH_STORAGE_GB). */
  readonly volumeGiB: number;
  readonly repeats: number;
  readonly durationMs: number;
  readonly resultsDir: string;
}

const WARMUP_MS = 1000;
const SYNC_CEILING_MS = 2500;
const MB = 1e6;
const say = (line: string) => console.log(line);

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
    const memory = await memoryRunInChild(join(root, 'memory'), volumeBytes, say);
    await rm(join(root, 'memory'), { recursive: true, force: true });
    const medians = scenarioMedians(rounds);
    const ceilings = ceilingMedians(rounds);
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
        `  p50 ${fmt(result.p50Ms, 3)} ms  p99 ${fmt(result.p99Ms, 3)} ms  cpu ${fmt(result.cpuUsPerRecord, 1)} µs/rec`,
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
      cpuUsPerRecord: load.cpuUsPerRecord,
      totalLogBytes: Number(store.maxOffset),
    };
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
