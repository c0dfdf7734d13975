import { fileURLToPath } from 'node:url';

/** Benchmark entry point, the one place that reads the environment: `npm run bench -- <name>`. */
const benches: Record<string, () => Promise<void>> = {
  storage: async () => {
    const { runStorageBench } = await import('./storage.js');
    await runStorageBench({
      volumeGiB: envNumber('BENCH_STORAGE_GB', 5),
      repeats: Math.round(envNumber('BENCH_REPEATS', 3)),
      durationMs: envNumber('BENCH_SECONDS', 4) * 1000,
      resultsDir: fileURLToPath(new URL('./results/', import.meta.url)),
    });
  },
};

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0 && Number.isFinite(value))) fail(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

const bench = benches[process.argv[2] ?? ''];
if (!bench) {
  fail(
    `usage: npm run bench -- <${Object.keys(benches).join('|')}>\n` +
      '  env: BENCH_REPEATS (3), BENCH_SECONDS per scenario (4), BENCH_STORAGE_GB memory-run volume (5)',
  );
}
await bench();
