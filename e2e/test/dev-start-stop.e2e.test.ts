import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@rocketry/testkit';
import { Producer } from 'rocketmq-client-nodejs';
import { describe, expect, it } from 'vitest';

/** The official client logs to the console by default; these tests read only what it returns. */
const silentClientLogger = { info() {}, warn() {}, error() {}, debug() {} };

const bin = fileURLToPath(new URL('../../bin/rocketry.js', import.meta.url));

/** Starts `rocketry dev` as a user would and resolves with its admin URL once it logs that it started. */
function startDev(dataDir: string) {
  const proc = spawn(process.execPath, [bin, 'dev', '--data-dir', dataDir, '--admin-port', '0', '--grpc-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const started = new Promise<{ admin: string; grpc: string }>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/.exec(output);
      if (match) resolve({ grpc: match[1] as string, admin: match[2] as string });
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.on('exit', (code) => reject(new Error(`rocketry dev exited ${code}: ${output}`)));
  });
  return { proc, started, output: () => output };
}

describe('rocketry dev', () => {
  it('starts a broker on its storage, serves health and metrics, and stops cleanly on Ctrl-C', async () => {
    const dir = await tempDir('rocketry-dev-');
    try {
      for (let run = 0; run < 2; run++) {
        const dev = startDev(dir.path);
        const { admin } = await dev.started;
        expect((await fetch(`${admin}/healthz`)).status).toBe(200);
        expect((await fetch(`${admin}/readyz`)).status).toBe(200);
        expect(await (await fetch(`${admin}/metrics`)).text()).toContain('rocketmq_storage_size');
        const problem = await fetch(`${admin}/nope`);
        expect(problem.status).toBe(404);
        expect(problem.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        dev.proc.kill('SIGINT');
        const [code] = await once(dev.proc, 'exit');
        expect(code).toBe(0);
        expect(dev.output()).toContain('broker stopped');
        // The second start finds the first one's checkpoint: nothing to recover.
        if (run === 1) expect(dev.output()).not.toContain('rebuilding');
      }
    } finally {
      await dir.remove();
    }
  });

  it('takes messages from the official producer on its gRPC endpoint, creating the topic on first use', async () => {
    const dir = await tempDir('rocketry-dev-');
    const dev = startDev(dir.path);
    try {
      const { grpc } = await dev.started;
      const producer = new Producer({ endpoints: grpc, namespace: '', logger: silentClientLogger });
      await producer.startup();
      const receipt = await producer.send({ topic: 'quickstart', tag: 'hello', body: Buffer.from('hello rocketry') });
      expect(receipt.messageId).toMatch(/^[0-9A-F]+$/);
      await producer.shutdown();
    } finally {
      dev.proc.kill('SIGINT');
      await once(dev.proc, 'exit');
      await dir.remove();
    }
  });

  it('refuses a bad flag with a clear message and exit code 2', async () => {
    const proc = spawn(process.execPath, [bin, 'dev', '--flush', 'sometimes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const [code] = await once(proc, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('flush');
  });
});
