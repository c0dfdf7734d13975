import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { KubeServer } from '@rocketry/testkit';
import { describe, expect, it } from 'vitest';
import { loadChart } from './chart-values.js';
import { DEFAULT_RELEASE, installObjects } from './install-manifests.js';

/**
 * `rocketry operator manifests` installed into the in-test Kubernetes server (testkit's KubeServer, not a real API
 * server), then the built `rocketry operator` started with the environment the Deployment gives its pod. KubeServer
 * does not serve rbac.authorization.k8s.io, so the roles are not applied and not enforced here (rbac.test.ts checks
 * their content). Needs `npm run build` (as `npm test` does).
 */
const bin = fileURLToPath(new URL('../../../bin/rocketry.js', import.meta.url));
const RBAC_KINDS = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

function restPath(o: KubernetesObject): string {
  const [group, version] = o.apiVersion?.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = o.metadata?.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${(o.kind ?? '').toLowerCase()}s`;
}

async function post(kube: KubeServer, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${kube.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
}

describe('rocketry operator, installed from its manifests into the in-test Kubernetes server', () => {
  it('serves the CRDs, runs with the Deployment environment, turns ready, holds the chart Lease, stops on SIGTERM', async () => {
    const kube = await KubeServer.start();
    try {
      const { namespace } = DEFAULT_RELEASE;
      await post(kube, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const objects = installObjects(await loadChart());
      for (const o of objects.filter((o) => !RBAC_KINDS.includes(o.kind ?? ''))) await post(kube, restPath(o), o);

      const deployment = objects.find((o) => o.kind === 'Deployment') as V1Deployment;
      const fields: Record<string, string> = {
        'metadata.namespace': namespace,
        'metadata.name': 'rocketry-operator-0',
      };
      const podEnv = Object.fromEntries(
        (deployment.spec?.template.spec?.containers[0]?.env ?? []).map((e) => [
          e.name,
          e.value ?? fields[e.valueFrom?.fieldRef?.fieldPath ?? ''] ?? '',
        ]),
      );
      const kubeconfig = await kube.writeKubeconfig();
      const operator = spawn(process.execPath, [bin, 'operator', '--kubeconfig', kubeconfig, '--http-port', '0'], {
        env: { PATH: process.env.PATH, ...podEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      operator.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      operator.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = once(operator, 'exit');
      try {
        const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/rocketry-operator-leader`;
        const deadline = Date.now() + 30_000;
        let ready = 0;
        let holder: string | undefined;
        while ((ready !== 200 || holder === undefined) && Date.now() < deadline) {
          const port = /"port":(\d+)[^\n]*"msg":"operator started"/.exec(output)?.[1];
          if (port) ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
          const lease = await fetch(`${kube.url}${leasePath}`);
          if (lease.ok) holder = ((await lease.json()) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
          if (ready !== 200 || holder === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(ready, output).toBe(200);
        expect(holder, output).toBe('rocketry-operator-0');
        expect(output).toContain('"reconcilers"');
      } finally {
        operator.kill('SIGTERM');
      }
      const [code] = await exited;
      expect(code, output).toBe(0);
      expect(output).toContain('lease released');
    } finally {
      await kube.stop();
    }
  });
});
