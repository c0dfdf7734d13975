import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The servers of the gRPC suite as child processes: the broker from its built bin, and the empty grpc-js server. */

const REPO = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

export type FlushMode = 'async' | 'sync';

/** Children still running; killed if the bench process exits without stopping them (a crash, an uncaught error). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export interface ServerProcess {
  readonly pid: number;
  readonly endpoint: string;
  /** The broker's admin API (`http://127.0.0.1:<port>`); absent for the empty server. */
  readonly admin?: string;
  /** Peak resident set so far (VmHWM), bytes; NaN once the process is gone. */
  peakRssBytes(): Promise<number>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface BrokerOptions {
  readonly dataDir: string;
  readonly flush: FlushMode;
  /** stdout and stderr of the broker go here. */
  readonly logFile: string;
  /** When set, the broker runs with --cpu-prof and writes its profile here on exit. */
  readonly cpuProfDir?: string;
}

/** `node bin/rocketry.js broker …` on free loopback ports; resolves once /readyz answers 200. */
export async function startBroker(options: BrokerOptions): Promise<ServerProcess> {
  const grpcPort = await freePort();
  const adminPort = await freePort();
  const nodeFlags = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const child = spawnTracked(
    process.execPath,
    [
      ...nodeFlags,
      'bin/rocketry.js',
      'broker',
      ...['--data-dir', options.dataDir, '--flush', options.flush, '--auto-create', '--log-level', 'warn'],
      ...['--grpc-host', '127.0.0.1', '--grpc-port', String(grpcPort)],
      ...['--admin-host', '127.0.0.1', '--admin-port', String(adminPort)],
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(options.logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = exitOf(child);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const early = await Promise.race([exited, sleep(100).then(() => undefined)]);
    if (early !== undefined) {
      throw new Error(`broker exited with ${early} before it was ready; see ${options.logFile}`);
    }
    if (await isReady(`http://127.0.0.1:${adminPort}/readyz`)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`broker not ready within ${READY_TIMEOUT_MS} ms; see ${options.logFile}`);
    }
  }
  return { ...processHandle(child, `127.0.0.1:${grpcPort}`, exited), admin: `http://127.0.0.1:${adminPort}` };
}

/** bench/grpc-empty-server.ts in its own Node process, so it gets a core of its own like the broker. */
export async function startEmptyServer(): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('./grpc-empty-server.ts', import.meta.url));
  const child = spawnTracked(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = exitOf(child);
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    exited.then((code) => reject(new Error(`empty server exited with ${code} before it listened`)));
  });
  return processHandle(child, `127.0.0.1:${port}`, exited);
}

const spawnTracked = (...args: Parameters<typeof spawn>) => track(spawn(...args));

function processHandle(child: ChildProcess, endpoint: string, exited: Promise<number | string>): ServerProcess {
  const pid = child.pid as number;
  return {
    pid,
    endpoint,
    peakRssBytes: () => peakRssBytes(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited, idle(STOP_TIMEOUT_MS).then(() => undefined)]);
      if (done === undefined) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

async function peakRssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** A sleep that never keeps the process alive: for the losing side of a race. */
const idle = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** CPU seconds (user + system, all threads) of a process so far, from /proc/<pid>/stat; NaN once it is gone. */
export async function processCpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ on Linux. */
const CLOCK_TICKS = 100;

export interface CpuUse {
  /** CPU µs per message of this process (the load generators) and of the server, over the phase. */
  readonly clientUsPerMessage: number;
  readonly serverUsPerMessage: number;
  /** Cores busy on average during the phase. */
  readonly clientCores: number;
  readonly serverCores: number;
}

/** Starts measuring; the returned function ends the phase and divides by the messages it handled. */
export async function cpuMeter(serverPid: number | undefined): Promise<(messages: number) => Promise<CpuUse>> {
  const client = process.cpuUsage();
  const server = serverPid === undefined ? Number.NaN : await processCpuSeconds(serverPid);
  const started = performance.now();
  return async (messages) => {
    const wall = (performance.now() - started) / 1000;
    const used = process.cpuUsage(client);
    const clientSec = (used.user + used.system) / 1e6;
    const serverSec = serverPid === undefined ? Number.NaN : (await processCpuSeconds(serverPid)) - server;
    return {
      clientUsPerMessage: (clientSec * 1e6) / messages,
      serverUsPerMessage: (serverSec * 1e6) / messages,
      clientCores: clientSec / wall,
      serverCores: serverSec / wall,
    };
  };
}
