import type {
  KubernetesObject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Deployment,
  V1PodSpec,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import type { ChartInfo, ChartValues, ReleaseInfo } from './chart-values.js';
import { componentLabels, componentSelector } from './install-labels.js';
import { leaderElectionName, leaseName, METRICS_PORT, operatorName, SCALER_PORT } from './install-names.js';
import { leaderElectionRules, operatorRules } from './operator-rbac.js';
import { containerSecurity, imageRef, placement, podSecurity, probe, tmpVolumes } from './pod-install.js';

const RBAC = 'rbac.authorization.k8s.io';

/** The chart's operator-serviceaccount.yaml, operator-rbac.yaml, operator-service.yaml, operator-deployment.yaml. */
export function operatorObjects(values: ChartValues, release: ReleaseInfo, chart: ChartInfo): KubernetesObject[] {
  const labels = () => componentLabels(release, chart, 'operator');
  const name = operatorName(release);
  const subjects = [{ kind: 'ServiceAccount', name, namespace: release.namespace }];
  const serviceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: release.namespace, labels: labels() },
  };
  const watched: (V1Role | V1RoleBinding | V1ClusterRole | V1ClusterRoleBinding)[] =
    values.watchNamespaces.length > 0
      ? values.watchNamespaces.flatMap((namespace) => [
          {
            apiVersion: `${RBAC}/v1`,
            kind: 'Role',
            metadata: { name, namespace, labels: labels() },
            rules: operatorRules(),
          },
          {
            apiVersion: `${RBAC}/v1`,
            kind: 'RoleBinding',
            metadata: { name, namespace, labels: labels() },
            roleRef: { apiGroup: RBAC, kind: 'Role', name },
            subjects,
          },
        ])
      : [
          {
            apiVersion: `${RBAC}/v1`,
            kind: 'ClusterRole',
            metadata: { name, labels: labels() },
            rules: operatorRules(),
          },
          {
            apiVersion: `${RBAC}/v1`,
            kind: 'ClusterRoleBinding',
            metadata: { name, labels: labels() },
            roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name },
            subjects,
          },
        ];
  const leaderName = leaderElectionName(release);
  const leaderRole: V1Role = {
    apiVersion: `${RBAC}/v1`,
    kind: 'Role',
    metadata: { name: leaderName, namespace: release.namespace, labels: labels() },
    rules: leaderElectionRules(),
  };
  const leaderBinding: V1RoleBinding = {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: leaderName, namespace: release.namespace, labels: labels() },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: leaderName },
    subjects,
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: release.namespace, labels: labels() },
    spec: {
      type: values.operator.service.type,
      selector: componentSelector(release, 'operator'),
      ports: [
        { name: 'scaler', port: SCALER_PORT, targetPort: 'scaler', protocol: 'TCP' },
        { name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' },
      ],
    },
  };
  return [
    serviceAccount,
    ...watched,
    leaderRole,
    leaderBinding,
    service,
    operatorDeployment(values, release, chart),
  ] as KubernetesObject[];
}

function operatorDeployment(values: ChartValues, release: ReleaseInfo, chart: ChartInfo): V1Deployment {
  const op = values.operator;
  const fieldEnv = (envName: string, fieldPath: string) => ({
    name: envName,
    valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
  });
  const image = imageRef(values, chart);
  const podSpec: V1PodSpec = {
    serviceAccountName: operatorName(release),
    enableServiceLinks: false,
    ...(values.imagePullSecrets.length > 0 && { imagePullSecrets: structuredClone(values.imagePullSecrets) }),
    securityContext: podSecurity(),
    terminationGracePeriodSeconds: 30,
    containers: [
      {
        name: 'operator',
        image,
        imagePullPolicy: values.image.pullPolicy,
        args: ['operator'],
        // The runtime's configuration (operator/src/runtime); DESIGN.md §1 fixes the two ports.
        env: [
          fieldEnv('ROCKETRY_OPERATOR_NAMESPACE', 'metadata.namespace'),
          fieldEnv('POD_NAME', 'metadata.name'),
          { name: 'ROCKETRY_WATCH_NAMESPACES', value: values.watchNamespaces.join(',') },
          { name: 'ROCKETRY_LEADER_ELECTION', value: String(op.leaderElection) },
          { name: 'ROCKETRY_LEASE_NAME', value: leaseName(release) },
          { name: 'ROCKETRY_BROKER_IMAGE', value: op.brokerImage || image },
          { name: 'ROCKETRY_CLUSTER_DOMAIN', value: op.clusterDomain },
          { name: 'ROCKETRY_POD_DISRUPTION_BUDGETS', value: String(op.podDisruptionBudgets) },
          { name: 'ROCKETRY_SCALER_SERVICE', value: operatorName(release) },
          { name: 'ROCKETRY_LOG_LEVEL', value: op.logLevel },
        ],
        ports: [
          { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
          { name: 'scaler', containerPort: SCALER_PORT, protocol: 'TCP' },
        ],
        livenessProbe: probe('/healthz', 'metrics', 10),
        readinessProbe: probe('/readyz', 'metrics', 5),
        resources: structuredClone(op.resources),
        securityContext: containerSecurity(),
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    volumes: tmpVolumes(),
    ...placement(op),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: operatorName(release),
      namespace: release.namespace,
      labels: componentLabels(release, chart, 'operator'),
    },
    spec: {
      replicas: op.replicas,
      selector: { matchLabels: componentSelector(release, 'operator') },
      template: {
        metadata: {
          labels: componentLabels(release, chart, 'operator'),
          ...(Object.keys(op.podAnnotations).length > 0 && { annotations: { ...op.podAnnotations } }),
        },
        spec: podSpec,
      },
    },
  };
}
