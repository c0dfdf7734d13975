import type { V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderChartObjects } from './chart-render.fixture.js';
import { OPERATOR_ENV, operatorRunConfig, RESERVED_ENV } from './operator-env.js';

/** The environment a pod of the rendered operator Deployment gets (downward API resolved as the kubelet would). */
async function podEnv(overrides: unknown = {}): Promise<Record<string, string>> {
  const { objects } = await renderChartObjects(overrides);
  const deployment = objects.find((o) => o.kind === 'Deployment') as V1Deployment;
  const env: V1EnvVar[] = deployment.spec?.template.spec?.containers[0]?.env ?? [];
  const fields: Record<string, string> = {
    'metadata.namespace': 'rocketry-system',
    'metadata.name': 'rocketry-operator-abc',
  };
  return Object.fromEntries(
    env.map((e) => [e.name, e.value ?? fields[e.valueFrom?.fieldRef?.fieldPath ?? ''] ?? 'unresolved']),
  );
}

describe('the operator environment', () => {
  it('is exactly what the chart sets, and `rocketry operator` reads all of it but the reserved scaler Service', async () => {
    const env = await podEnv();
    expect(Object.keys(env).sort()).toEqual(Object.values(OPERATOR_ENV).sort());
    expect(RESERVED_ENV).toEqual(['ROCKETRY_SCALER_SERVICE']);
  });

  it('turns the default chart values into the runtime options: Lease in the release namespace, the chart image', async () => {
    expect(operatorRunConfig({}, await podEnv())).toEqual({
      kind: 'ok',
      logLevel: 'info',
      options: {
        image: 'ghcr.io/rocketry/rocketry:0.1.0',
        clusterDomain: 'cluster.local',
        podDisruptionBudgets: true,
        identity: 'rocketry-operator-abc',
        leaderElection: { leaseName: 'rocketry-operator-leader', leaseNamespace: 'rocketry-system' },
      },
    });
  });

  it('watches the one namespace given, with the flag winning over the chart', async () => {
    const env = await podEnv({ watchNamespaces: ['team-a'], operator: { leaderElection: false, logLevel: 'debug' } });
    expect(operatorRunConfig({}, env)).toMatchObject({
      kind: 'ok',
      logLevel: 'debug',
      options: { namespace: 'team-a', leaderElection: false },
    });
    expect(operatorRunConfig({ namespace: 'b', kubeconfig: '/k' }, env)).toMatchObject({
      options: { namespace: 'b', kubeconfig: '/k' },
    });
  });

  it('uses the runtime defaults outside a cluster', () => {
    expect(operatorRunConfig({}, {})).toEqual({ kind: 'ok', logLevel: 'info', options: { leaderElection: {} } });
  });

  it.each([
    [{ ROCKETRY_WATCH_NAMESPACES: 'a,b' }, 'watches one namespace or all'],
    [{ ROCKETRY_LEADER_ELECTION: 'yes' }, 'ROCKETRY_LEADER_ELECTION must be true or false'],
    [{ ROCKETRY_POD_DISRUPTION_BUDGETS: '1' }, 'ROCKETRY_POD_DISRUPTION_BUDGETS must be true or false'],
    [{ ROCKETRY_LOG_LEVEL: 'verbose' }, 'ROCKETRY_LOG_LEVEL must be one of'],
  ])('refuses %o', (env, problem) => {
    expect(operatorRunConfig({}, env)).toEqual({ kind: 'invalid', problem: expect.stringContaining(problem) });
  });
});
