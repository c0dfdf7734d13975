import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../dataplane/src/lib/clock.js';
import { MessageStore } from '../dataplane/src/storage/message-store.js';
import { storeConfig } from '../dataplane/src/storage/store-config.js';
import { MessageSource } from './store-load.js';

const [flush = 'async', writersArg = '16', variant = 'default'] = process.argv.slice(2);
const overrides: Record<string, unknown> = { flush, segmentBytes: 256 << 20 };
if (variant === 'nockpt') overrides.checkpointIntervalMs = 3_600_000;
if (variant === 'smallidx') overrides.index = { slotCount: 4096, entryCapacity: 1 << 20 };
if (process.env.SMALL_BATCH) {
  const orig = Buffer.allocUnsafe;
  Buffer.allocUnsafe = ((n: number) =>
    orig(n === 1 << 20 ? Number(process.env.SMALL_BATCH) : n)) as typeof Buffer.allocUnsafe;
}
const dir = await mkdtemp(join(tmpdir(), 'diag-'));
const store = await MessageStore.open(storeConfig(dir, overrides), {
  clock: systemClock,
  log: pino({ level: 'silent' }),
});
const src = new MessageSource();
const t0 = performance.now();
let cpu0 = process.cpuUsage();
setTimeout(() => {
  cpu0 = process.cpuUsage();
}, 1000);
const end = t0 + 5000;
const slow: string[] = [];
let n = 0;
const lat: number[] = [];
await Promise.all(
  Array.from({ length: Number(writersArg) }, async () => {
    for (;;) {
      const m = src.next();
      const s = performance.now();
      if (s > end) return;
      await store.append(m);
      const d = performance.now() - s;
      if (s > t0 + 1000) {
        n++;
        lat.push(d);
      }
      if (d > 10 && slow.length < 400) slow.push(`${(s - t0).toFixed(0)}:${d.toFixed(0)}`);
    }
  }),
);
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]?.toFixed(3);
const cpu = process.cpuUsage(cpu0);
console.log(
  'cpu ms user',
  (cpu.user / 1000).toFixed(0),
  'sys',
  (cpu.system / 1000).toFixed(0),
  'us/rec',
  ((cpu.user + cpu.system) / n).toFixed(1),
);
console.log(
  variant,
  flush,
  writersArg,
  'rec/s',
  (n / 4).toFixed(0),
  'p50',
  q(0.5),
  'p90',
  q(0.9),
  'p99',
  q(0.99),
  'max',
  q(1),
  'mean',
  (lat.reduce((a, b) => a + b, 0) / lat.length).toFixed(3),
);
console.log('slow(start ms:lat ms):', [...new Set(slow.map((s) => s))].slice(0, 80).join(' '));
await store.close();
await rm(dir, { recursive: true, force: true });
