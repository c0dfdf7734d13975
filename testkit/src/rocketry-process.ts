import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/rocketry.js', import.meta.url));

export interface RocketryProcess {
  readonly proc: ChildProcess;
  /** The first match of the ready pattern in the process's output. */
  readonly ready: RegExpExecArray;
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `rocketry <args>` (the built CLI, as a user would) and resolves once its output matches `readyPattern`;
 * rejects with the output if it exits first or takes longer than `timeoutMs`.
 */
export async function startRocketry(
  args: readonly string[],
  readyPattern: RegExp,
  timeoutMs = 30_000,
): Promise<RocketryProcess> {
  const proc = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`rocketry ${args[0]} not ready in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyPattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rocketry ${args[0]} exited ${code}:\n${output}`));
    });
  });
  return {
    proc,
    ready,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = await once(proc, 'exit');
      return code as number | null;
    },
  };
}
