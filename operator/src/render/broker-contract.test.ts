import type { V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
// Test-only reach into the dataplane: the broker's own flag and env parser is the deployment contract these pods
// must satisfy, so the rendered args and ConfigMap are fed to it instead of to a copy of its flag list.
import { brokerDefaults, parseBrokerConfig } from '../../../dataplane/src/config.js';
import { renderBrokerCluster } from './broker-cluster.js';
import { DEFAULT_IMAGE, fullCluster, minimalCluster } from './clusters.fixture.js';
import { defaultRenderContext } from './render-context.js';
import { resolveClusterSpec } from './resolve-cluster-spec.js';

/** What the kubelet would start: `$(POD_NAME)` expanded, env from the ConfigMap plus the token from the Secret. */
function startBroker(cr: typeof minimalCluster, podName: string) {
  const resolved = resolveClusterSpec(cr, { image: DEFAULT_IMAGE });
  if (resolved.kind !== 'resolved') throw new Error(resolved.problems.join('; '));
  const objects = renderBrokerCluster(resolved.cluster, defaultRenderContext);
  const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === 'prod-broker-0') as V1StatefulSet;
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'prod-broker-config');
  const container = sts.spec!.template.spec!.containers[0]!;
  const args = container.args!.map((a) => a.replaceAll('$(POD_NAME)', podName));
  const env = { ...(configMap && 'data' in configMap ? configMap.data : {}), ROCKETRY_ADMIN_TOKEN: 'x'.repeat(32) };
  expect(args[0]).toBe('broker');
  return parseBrokerConfig(args.slice(1), env, brokerDefaults);
}

describe('broker pods against the rocketry broker flag parser', () => {
  it('start with the advertised stable DNS name, broker name, group, name server and ports the renderer chose', () => {
    expect(startBroker(minimalCluster, 'prod-broker-0-0')).toMatchObject({
      dataDir: '/var/lib/rocketry',
      grpcPort: 8081,
      adminPort: 8082,
      advertise: 'prod-broker-0-0.prod-broker-0.mq-system.svc.cluster.local:8081',
      brokerName: 'prod-broker-0-0',
      brokerGroup: 'prod-broker-0',
      namesrv: 'prod-namesrv-0.prod-namesrv.mq-system.svc.cluster.local:9876',
      adminToken: 'x'.repeat(32),
    });
  });

  it('take spec.brokers.config through the ROCKETRY_* variables of the ConfigMap', () => {
    expect(startBroker(fullCluster, 'prod-broker-0-0')).toMatchObject({
      flush: 'sync',
      retentionHours: 48,
      maxDelayHours: 720,
      autoCreate: false,
      logLevel: 'warn',
    });
  });

  it('takes spec.brokers.config.segmentMiB through ROCKETRY_SEGMENT_MIB', () => {
    expect(startBroker(fullCluster, 'prod-broker-0-0').segmentMiB).toBe(512);
  });
});
