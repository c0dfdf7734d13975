import { KubeConfig } from '@kubernetes/client-node';
import { KubeServer, startRocketry } from '@rocketry/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../src/runtime/kube-client.js';
import type { KubeObject } from '../src/runtime/kube-object.js';
import { LEASES } from '../src/runtime/resources.js';
import { eventually } from './support/harness.js';

let kube: KubeServer | undefined;
afterEach(async () => {
  await kube?.stop();
});

type Lease = KubeObject & { spec?: { holderIdentity?: string } };

describe('rocketry operator (the CLI process)', () => {
  it('runs against --kubeconfig, takes the Lease, serves /healthz, and on SIGTERM releases the Lease and exits 0', async () => {
    kube = await KubeServer.start();
    const path = await kube.writeKubeconfig();
    const proc = await startRocketry(
      ['operator', '--kubeconfig', path, '--http-port', '0'],
      /"port":(\d+)[^\n]*"msg":"operator started"/,
    );
    const port = Number(proc.ready[1]);
    try {
      const kc = new KubeConfig();
      kc.loadFromOptions(kube.kubeConfigOptions());
      const client = new KubeClient(kc);
      const lease = await eventually(
        () => client.get<Lease>(LEASES, 'default', 'rocketry-operator'),
        (l) => (l?.spec?.holderIdentity ?? '') !== '',
        10_000,
        'lease taken',
      );
      expect(lease?.spec?.holderIdentity).toBeTruthy();
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(await proc.stop('SIGTERM')).toBe(0);
      expect(proc.output()).toContain('"msg":"operator stopped"');
      const released = await client.get<Lease>(LEASES, 'default', 'rocketry-operator');
      expect(released?.spec?.holderIdentity).toBe('');
    } finally {
      await proc.stop('SIGKILL');
    }
  });
});
