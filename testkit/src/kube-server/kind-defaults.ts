/**
 * A subset of the apiserver's defaulting (pkg/apis/{core,apps}/v1/defaults.go) for the fields our operator renders:
 * workload specs, pod templates, containers, probes, volumes and Services. Defaults fill only absent fields.
 */
import { isPlainObject } from './kube-object.js';

type Obj = Record<string, unknown>;

const obj = (parent: Obj, key: string): Obj => {
  if (!isPlainObject(parent[key])) parent[key] = {};
  return parent[key] as Obj;
};
const each = (value: unknown, fn: (item: Obj) => void): void => {
  if (Array.isArray(value)) for (const item of value) if (isPlainObject(item)) fn(item);
};
function setDefault(target: Obj, key: string, value: unknown): void {
  if (target[key] === undefined) target[key] = value;
}

function probeDefaults(probe: unknown): void {
  if (!isPlainObject(probe)) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  if (isPlainObject(probe.httpGet)) setDefault(probe.httpGet, 'scheme', 'HTTP');
}

function containerDefaults(c: Obj): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  const image = typeof c.image === 'string' ? c.image : '';
  const tagged = /:[^/]+$/.test(image.split('@')[0] ?? '') && !image.endsWith(':latest');
  setDefault(c, 'imagePullPolicy', tagged || image.includes('@') ? 'IfNotPresent' : 'Always');
  setDefault(c, 'resources', {});
  each(c.ports, (p) => setDefault(p, 'protocol', 'TCP'));
  each(c.env, (e) => {
    if (isPlainObject(e.valueFrom) && isPlainObject(e.valueFrom.fieldRef))
      setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  });
  probeDefaults(c.livenessProbe);
  probeDefaults(c.readinessProbe);
  probeDefaults(c.startupProbe);
}

export function applyPodSpecDefaults(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  each(spec.containers, containerDefaults);
  each(spec.initContainers, containerDefaults);
  each(spec.volumes, (v) => {
    if (isPlainObject(v.configMap)) setDefault(v.configMap, 'defaultMode', 420);
    if (isPlainObject(v.secret)) setDefault(v.secret, 'defaultMode', 420);
    if (isPlainObject(v.projected)) setDefault(v.projected, 'defaultMode', 420);
    if (isPlainObject(v.downwardAPI)) setDefault(v.downwardAPI, 'defaultMode', 420);
  });
}

export function applyWorkloadDefaults(plural: string, spec: Obj): void {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  if (plural === 'deployments') {
    const strategy = obj(spec, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = obj(strategy, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', '25%');
      setDefault(ru, 'maxSurge', '25%');
    }
    setDefault(spec, 'progressDeadlineSeconds', 600);
  }
  if (plural === 'statefulsets') {
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    const strategy = obj(spec, 'updateStrategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') setDefault(obj(strategy, 'rollingUpdate'), 'partition', 0);
    const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
    setDefault(retention, 'whenDeleted', 'Retain');
    setDefault(retention, 'whenScaled', 'Retain');
    each(spec.volumeClaimTemplates, (pvc) => {
      setDefault(pvc, 'apiVersion', 'v1');
      setDefault(pvc, 'kind', 'PersistentVolumeClaim');
      setDefault(obj(pvc, 'spec'), 'volumeMode', 'Filesystem');
      setDefault(pvc, 'status', { phase: 'Pending' });
    });
  }
  const template = obj(spec, 'template');
  applyPodSpecDefaults(obj(template, 'spec'));
}

export function applyServiceDefaults(spec: Obj): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  each(spec.ports, (p) => {
    setDefault(p, 'protocol', 'TCP');
    setDefault(p, 'targetPort', p.port);
  });
}
