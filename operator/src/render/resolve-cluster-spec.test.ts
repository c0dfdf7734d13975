import { describe, expect, it } from 'vitest';
import { cluster, DEFAULT_IMAGE, fullCluster, minimalCluster } from './clusters.fixture.js';
import { resolveClusterSpec } from './resolve-cluster-spec.js';

const resolve = (cr = minimalCluster) => resolveClusterSpec(cr, { image: DEFAULT_IMAGE });

describe('resolveClusterSpec', () => {
  it("uses the operator's image when spec.image is omitted and the spec's otherwise", () => {
    expect(resolve()).toMatchObject({ kind: 'resolved', cluster: { image: DEFAULT_IMAGE } });
    expect(resolve(fullCluster)).toMatchObject({ cluster: { image: fullCluster.spec.image } });
  });

  it('maps every spec.brokers.config setting to the ROCKETRY_* variable of its broker flag', () => {
    const result = resolve(fullCluster);
    expect(result.kind === 'resolved' && result.cluster.brokers.env).toEqual({
      ROCKETRY_AUTO_CREATE: 'false',
      ROCKETRY_FLUSH: 'sync',
      ROCKETRY_LOG_LEVEL: 'warn',
      ROCKETRY_MAX_DELAY_HOURS: '720',
      ROCKETRY_RETENTION_HOURS: '48',
      ROCKETRY_SEGMENT_MIB: '512',
    });
  });

  it('turns integer quantities into the strings core/v1 resources carry', () => {
    const result = resolve(fullCluster);
    expect(result.kind === 'resolved' && result.cluster.brokers.resources).toEqual({
      requests: { cpu: '2', memory: '8Gi' },
      limits: { memory: '8Gi' },
    });
  });

  it('refers to the operator-created <cluster>-admin Secret unless spec.adminSecretRef names one', () => {
    expect(resolve()).toMatchObject({
      cluster: { adminToken: { secretName: 'prod-admin', key: 'token', managed: true } },
    });
    expect(resolve(fullCluster)).toMatchObject({
      cluster: { adminToken: { secretName: 'prod-admin-token', key: 'admin-token', managed: false } },
    });
  });

  it('rejects more than one name server, since a broker registers with a single name server address', () => {
    expect(resolve(cluster({ nameServer: { replicas: 3 } }))).toEqual({
      kind: 'invalid',
      problems: ['spec.nameServer.replicas: 3 is not supported yet; brokers register with one name server'],
    });
  });

  it('rejects a cluster name whose StatefulSet names would not leave room for the revision-hash label', () => {
    const long = cluster({ brokers: { groups: 12 } }, { name: `c${'x'.repeat(43)}` });
    expect(resolve(long)).toEqual({
      kind: 'invalid',
      problems: [`metadata.name: c${'x'.repeat(43)} is 2 characters too long for its groups`],
    });
  });

  it('rejects a name that cannot be a Service name (must start with a letter)', () => {
    expect(resolve(cluster({}, { name: '1prod' }))).toMatchObject({ kind: 'invalid' });
  });

  it('does not check Managed-only limits in External mode', () => {
    const external = cluster(
      { mode: 'External', external: { brokers: [{ name: 'a', adminUrl: 'http://a:8082' }] } },
      { name: `c${'x'.repeat(60)}` },
    );
    expect(resolve(external)).toMatchObject({ kind: 'resolved', cluster: { mode: 'External' } });
  });
});
