import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The kind suite (e2e/kind/run.sh): image build, kind cluster, Helm install, produce/consume, scale and drain,
 * autoscaling. It needs Docker with a running daemon, kind, kubectl and helm, so it is verified only where Docker
 * exists; everywhere else (the development and CI machines of this project) it is skipped, and says why.
 */
const script = fileURLToPath(new URL('../kind/run.sh', import.meta.url));

function missingTools(): string[] {
  const missing = ['docker', 'kind', 'kubectl', 'helm'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (!missing.includes('docker') && spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status !== 0) {
    missing.push('a running docker daemon');
  }
  return missing;
}

const missing = missingTools();
const title =
  missing.length === 0
    ? 'kind suite'
    : `kind suite (skipped: no ${missing.join(', ')}; verified only where Docker exists)`;

describe.skipIf(missing.length > 0)(title, () => {
  it(
    'installs the chart, runs a cluster, produces and consumes, scales, drains and autoscales',
    async () => {
      const run = spawn('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
      const [code] = await once(run, 'exit');
      expect(code).toBe(0);
    },
    45 * 60_000,
  );
});
