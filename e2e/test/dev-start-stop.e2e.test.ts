import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@rocketry/testkit';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/rocketry.js', import.meta.url));

/** Starts `rocketry dev` as a user would and resolves with its admin URL once it logs that it started. */
function startDev(dataDir: string) {
  const proc = spawn(process.execPath, [bin, 'dev', '--data-dir', dataDir, '--admin-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const started = new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"admin":"(http:\/\/[^"]+)","msg":"broker started"/.exec(output);
      if (match) resolve(match[1] as string);
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
        const admin = await dev.started;
        expect((await fetch(`${admin}/healthz`)).status).toBe(200);
        expect((await fetch(`${admin}/readyz`)).status).toBe(200);
        expect(await (await fetch(`${admin}/metrics`)).text()).toContain('rocketmq_storage_size');
        const problem = await fetch(`${admin}/nope`);
        expect(problem.status).toBe(404);
        expect(problem.headers.get('content-type')).toBe('application/problem+json');
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
