import type { OperatorOptions } from '../runtime/index.js';

/**
 * The environment the chart's operator Deployment sets (templates/operator-deployment.yaml) and how `rocketry operator`
 * turns it, with its flags, into the runtime's options. Flags win over the environment; outside a cluster none of it
 * is set and the runtime's defaults apply.
 */
export const OPERATOR_ENV = {
  /** Downward API: the operator's namespace, where its Lease lives. */
  operatorNamespace: 'ROCKETRY_OPERATOR_NAMESPACE',
  /** Downward API: the pod name, the leader-election identity. */
  podName: 'POD_NAME',
  /** Comma-separated; empty: every namespace. */
  watchNamespaces: 'ROCKETRY_WATCH_NAMESPACES',
  leaderElection: 'ROCKETRY_LEADER_ELECTION',
  leaseName: 'ROCKETRY_LEASE_NAME',
  brokerImage: 'ROCKETRY_BROKER_IMAGE',
  clusterDomain: 'ROCKETRY_CLUSTER_DOMAIN',
  podDisruptionBudgets: 'ROCKETRY_POD_DISRUPTION_BUDGETS',
  /** The Service in front of the KEDA external scaler (port 8091), for the ScaledObjects the operator renders. */
  scalerService: 'ROCKETRY_SCALER_SERVICE',
  logLevel: 'ROCKETRY_LOG_LEVEL',
} as const;

/** Set by the chart but not yet taken by `runOperator` (the KEDA scaler's wiring reads it when it lands). */
export const RESERVED_ENV: readonly string[] = [OPERATOR_ENV.scalerService];

export type OperatorRunOptions = Pick<
  OperatorOptions,
  'kubeconfig' | 'namespace' | 'image' | 'clusterDomain' | 'podDisruptionBudgets' | 'leaderElection' | 'identity'
>;

export type OperatorRunConfig =
  | { kind: 'ok'; options: OperatorRunOptions; logLevel: string }
  | { kind: 'invalid'; problem: string };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

function flag(env: Record<string, string | undefined>, name: string): boolean | undefined | 'invalid' {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  return 'invalid';
}

export function operatorRunConfig(
  flags: { kubeconfig?: string | undefined; namespace?: string | undefined },
  env: Record<string, string | undefined>,
): OperatorRunConfig {
  const e = OPERATOR_ENV;
  const watched = (env[e.watchNamespaces] ?? '')
    .split(',')
    .map((ns) => ns.trim())
    .filter((ns) => ns !== '');
  if (flags.namespace === undefined && watched.length > 1) {
    return {
      kind: 'invalid',
      problem: `${e.watchNamespaces}=${watched.join(',')}: the operator watches one namespace or all of them`,
    };
  }
  const namespace = flags.namespace ?? watched[0];
  const leaderElection = flag(env, e.leaderElection);
  const podDisruptionBudgets = flag(env, e.podDisruptionBudgets);
  const notBoolean = (name: string) => ({
    kind: 'invalid' as const,
    problem: `${name} must be true or false, not ${env[name]}`,
  });
  if (leaderElection === 'invalid') return notBoolean(e.leaderElection);
  if (podDisruptionBudgets === 'invalid') return notBoolean(e.podDisruptionBudgets);
  const logLevel = env[e.logLevel] || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    return { kind: 'invalid', problem: `${e.logLevel} must be one of ${LOG_LEVELS.join(', ')}, not ${logLevel}` };
  }
  const leaseName = env[e.leaseName] || undefined;
  const leaseNamespace = env[e.operatorNamespace] || undefined;
  const options: OperatorRunOptions = {
    ...(flags.kubeconfig !== undefined && { kubeconfig: flags.kubeconfig }),
    ...(namespace !== undefined && { namespace }),
    ...(env[e.brokerImage] && { image: env[e.brokerImage] }),
    ...(env[e.clusterDomain] && { clusterDomain: env[e.clusterDomain] }),
    ...(podDisruptionBudgets !== undefined && { podDisruptionBudgets }),
    ...(env[e.podName] && { identity: env[e.podName] }),
    leaderElection:
      leaderElection === false
        ? false
        : {
            ...(leaseName !== undefined && { leaseName }),
            ...(leaseNamespace !== undefined && { leaseNamespace }),
          },
  };
  return { kind: 'ok', options, logLevel };
}
