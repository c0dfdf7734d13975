import type { KubernetesObject, V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import type { ChartInfo, ChartValues, ReleaseInfo } from './chart-values.js';
import { componentLabels, componentSelector } from './install-labels.js';
import { API_PORT, apiName } from './install-names.js';
import { apiRules } from './operator-rbac.js';
import { containerSecurity, imageRef, placement, podSecurity, probe, tmpVolumes } from './pod-install.js';

const RBAC = 'rbac.authorization.k8s.io';

/** The chart's api.yaml: nothing unless `api.enabled`. */
export function apiObjects(values: ChartValues, release: ReleaseInfo, chart: ChartInfo): KubernetesObject[] {
  if (!values.api.enabled) return [];
  const name = apiName(release);
  const labels = () => componentLabels(release, chart, 'api');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: release.namespace, labels: labels() } },
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name, labels: labels() }, rules: apiRules() },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: labels() },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: release.namespace }],
    },
    apiDeployment(values, release, chart),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: release.namespace, labels: labels() },
      spec: {
        type: values.api.service.type,
        selector: componentSelector(release, 'api'),
        ports: [{ name: 'http', port: API_PORT, targetPort: 'http', protocol: 'TCP' }],
      },
    },
  ] as KubernetesObject[];
}

function databaseEnv(db: ChartValues['api']['database']): V1EnvVar {
  return db.existingSecret
    ? { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: db.existingSecret, key: db.existingSecretKey } } }
    : { name: 'DATABASE_URL', value: db.url };
}

function apiDeployment(values: ChartValues, release: ReleaseInfo, chart: ChartInfo): V1Deployment {
  const api = values.api;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: apiName(release), namespace: release.namespace, labels: componentLabels(release, chart, 'api') },
    spec: {
      replicas: api.replicas,
      selector: { matchLabels: componentSelector(release, 'api') },
      template: {
        metadata: {
          labels: componentLabels(release, chart, 'api'),
          ...(Object.keys(api.podAnnotations).length > 0 && { annotations: { ...api.podAnnotations } }),
        },
        spec: {
          serviceAccountName: apiName(release),
          enableServiceLinks: false,
          ...(values.imagePullSecrets.length > 0 && { imagePullSecrets: structuredClone(values.imagePullSecrets) }),
          securityContext: podSecurity(),
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'api',
              image: imageRef(values, chart),
              imagePullPolicy: values.image.pullPolicy,
              args: ['api'],
              env: [databaseEnv(api.database)],
              ports: [{ name: 'http', containerPort: API_PORT, protocol: 'TCP' }],
              livenessProbe: probe('/healthz', 'http', 10),
              readinessProbe: probe('/healthz', 'http', 5),
              resources: structuredClone(api.resources),
              securityContext: containerSecurity(),
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: tmpVolumes(),
          ...placement(api),
        },
      },
    },
  };
}
