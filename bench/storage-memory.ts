import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { BODY_BYTES, countedLoad, openBenchStore } from './store-load.js';

export interface RssSample {
  readonly atMs: number;
  /** Payload bytes acknowledged so far (records × 1 KiB). */
  readonly appendedBytes: number;
  readonly rssBytes: number;
}

export interface MemoryRun {
  readonly volumeBytes: number;
  readonly writers: number;
  readonly seconds: number;
  readonly baselineRssBytes: number;
  readonly maxRssBytes: number;
  /** RSS when a fifth of the volume was in (1 GiB of 5), against RSS at the end: flat means no per-message growth. */
  readonly early: RssSample;
  readonly end: RssSample;
  readonly samples: readonly RssSample[];
}

const WRITERS = 64;
const SAMPLE_MS = 250;
const PROGRESS_STEPS = 10;

/** Appends `volumeBytes` of 1 KiB records in async mode, sampling process RSS every 250 ms. */
export async function memoryRun(dataDir: string, volumeBytes: number, say: (line: string) => void): Promise<MemoryRun> {
  const records = Math.floor(volumeBytes / BODY_BYTES);
  const baselineRssBytes = process.memoryUsage.rss();
  const store = await openBenchStore(dataDir, 'async');
  const progress = { appended: 0 };
  const samples: RssSample[] = [];
  const started = performance.now();
  let reported = 0;
  const sample = () => {
    const appendedBytes = progress.appended * BODY_BYTES;
    const s = { atMs: performance.now() - started, appendedBytes, rssBytes: process.memoryUsage.rss() };
    samples.push(s);
    const step = Math.floor((progress.appended / records) * PROGRESS_STEPS);
    if (step > reported && step < PROGRESS_STEPS) {
      reported = step;
      say(
        `  ${gib(appendedBytes)} / ${gib(volumeBytes)} GiB, rss ${mb(s.rssBytes)} MB, ${(s.atMs / 1000).toFixed(0)} s`,
      );
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    await countedLoad(store, WRITERS, records, progress);
  } finally {
    clearInterval(timer);
  }
  sample();
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  const end = samples.at(-1) as RssSample;
  const early = samples.find((s) => s.appendedBytes >= volumeBytes / 5) ?? end;
  const maxRssBytes = Math.max(...samples.map((s) => s.rssBytes));
  return { volumeBytes, writers: WRITERS, seconds, baselineRssBytes, maxRssBytes, early, end, samples };
}

export const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(1);
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

/**
 * The memory run in a fresh process, so RSS measures the store alone and not what earlier phases of the benchmark
 * left on the heap. The child reports progress lines on stderr and its result as JSON on stdout.
 */
export async function memoryRunInChild(
  dataDir: string,
  volumeBytes: number,
  say: (line: string) => void,
): Promise<MemoryRun> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), dataDir, String(volumeBytes)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    for (const line of c.toString().split('\n')) if (line) say(line);
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`memory run exited ${code}`);
  return JSON.parse(out) as MemoryRun;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dataDir, volume] = process.argv.slice(2);
  const run = await memoryRun(dataDir as string, Number(volume), (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(JSON.stringify(run));
}
