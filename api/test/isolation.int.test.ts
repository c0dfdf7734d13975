import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/domain/ids.js';
import { backends, newCluster, newTenant, startApi, type TestApi, unique } from './support/harness.js';

/**
 * Tenant isolation over every route the OpenAPI document lists (so a new route is covered the day it is added):
 * another tenant's keys get 404 for anything under this tenant, indistinguishable from an id that does not exist,
 * and change nothing; a viewer gets 403 only for writes in its own tenant; no key gets 401.
 */
type Operation = { method: string; path: string; operationId: string };

describe.each(backends())('tenant isolation on $name', (backend) => {
  let api: TestApi;
  let operations: Operation[];
  let a: Awaited<ReturnType<typeof newTenant>> & { instanceId: string; viewerKeyId: string };
  let b: Awaited<ReturnType<typeof newTenant>>;
  let clusterId: string;
  let platformKeyId: string;
  const region = unique('r');

  beforeAll(async () => {
    api = await startApi(backend);
    clusterId = (await newCluster(api, region)).id;
    const tenantA = await newTenant(api);
    const ins = await api.call('POST', `/v1/tenants/${tenantA.id}/instances`, {
      key: tenantA.adminKey,
      body: { name: 'secret-instance', region },
    });
    const base = `/v1/tenants/${tenantA.id}/instances/${ins.body.id}`;
    await api.call('POST', `${base}/topics`, { key: tenantA.adminKey, body: { name: 'orders' } });
    await api.call('POST', `${base}/consumer-groups`, { key: tenantA.adminKey, body: { name: 'billing' } });
    const keys = await api.call('GET', `/v1/tenants/${tenantA.id}/api-keys`, { key: tenantA.adminKey });
    const viewer = keys.body.data.find((k: { role: string }) => k.role === 'tenant-viewer');
    a = { ...tenantA, instanceId: ins.body.id, viewerKeyId: viewer.id };
    b = await newTenant(api);
    platformKeyId = (await api.call('GET', '/v1/api-keys')).body.data[0].id;
    const doc = await api.call('GET', '/openapi.json', { key: null });
    operations = Object.entries(doc.body.paths as Record<string, Record<string, { operationId?: string }>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          operationId: op.operationId ?? '',
        })),
      );
  });
  afterAll(async () => {
    await api?.close();
  });

  const bodies: Record<string, () => unknown> = {
    createTenant: () => ({ name: unique('t') }),
    updateTenant: () => ({ displayName: 'changed' }),
    createPlatformApiKey: () => ({ name: 'k' }),
    createTenantApiKey: () => ({ name: 'k', role: 'tenant-viewer' }),
    registerCluster: () => ({
      name: unique('c'),
      region,
      connection: { mode: 'local', brokerAdminUrls: ['http://127.0.0.1:9/'] },
    }),
    updateCluster: () => ({ connection: { mode: 'local', brokerAdminUrls: ['http://127.0.0.1:9/'] } }),
    createInstance: () => ({ name: unique('i'), region }),
    updateInstance: () => ({ description: 'changed' }),
    createTopic: () => ({ name: unique('t') }),
    updateTopic: () => ({ description: 'changed' }),
    createConsumerGroup: () => ({ name: unique('g') }),
    updateConsumerGroup: () => ({ description: 'changed' }),
  };

  function fill(path: string, tenantId: string): string {
    return path
      .replace('{tenantId}', tenantId)
      .replace('{instanceId}', a.instanceId)
      .replace('{topic}', 'orders')
      .replace('{group}', 'billing')
      .replace('{clusterId}', clusterId)
      .replace('{keyId}', path.startsWith('/v1/tenants/') ? a.viewerKeyId : platformKeyId);
  }

  const send = (op: Operation, key: string | null, tenantId = a.id) =>
    api.call(op.method, fill(op.path, tenantId), {
      key,
      ...(bodies[op.operationId] && { body: bodies[op.operationId]?.() }),
    });

  it('covers every /v1 route of the document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    for (const op of operations) {
      if (op.method === 'POST' || op.method === 'PATCH') expect(bodies[op.operationId], op.operationId).toBeDefined();
    }
  });

  it("answers 404 to another tenant's keys on every tenant route, exactly as for an id that does not exist", async () => {
    const missingTenant = newId('ten');
    for (const op of operations.filter((o) => o.path.includes('{tenantId}'))) {
      for (const key of [b.adminKey, b.viewerKey]) {
        const theirs = await send(op, key);
        const nobodys = await send(op, key, missingTenant);
        expect(theirs.status, `${op.method} ${op.path}: ${theirs.text}`).toBe(404);
        expect(theirs.body.type).toBe('https://rocketry.dev/problems/not-found');
        const normalise = (detail: string, id: string) => detail.replaceAll(id, '<tenant>');
        expect(normalise(theirs.body.detail, a.id)).toBe(normalise(nobodys.body.detail, missingTenant));
        for (const secret of ['secret-instance', a.adminKey, a.viewerKey]) expect(theirs.text).not.toContain(secret);
      }
    }
    // Nothing of A's changed or went away.
    const tenant = await api.call('GET', `/v1/tenants/${a.id}`, { key: a.viewerKey });
    expect(tenant.body).toMatchObject({ generation: 1, displayName: a.tenant.displayName });
    const base = `/v1/tenants/${a.id}/instances/${a.instanceId}`;
    expect((await api.call('GET', base, { key: a.viewerKey })).body.generation).toBe(1);
    expect((await api.call('GET', `${base}/topics/orders`, { key: a.viewerKey })).body.generation).toBe(1);
    expect((await api.call('GET', `${base}/consumer-groups/billing`, { key: a.viewerKey })).status).toBe(200);
    expect(
      (await api.call('GET', `/v1/tenants/${a.id}/api-keys/${a.viewerKeyId}`, { key: a.adminKey })).body.revokedAt,
    ).toBeNull();
    expect((await api.call('GET', `/v1/tenants/${a.id}/quotas`, { key: a.viewerKey })).body.data[0].usage).toBe(1);
  });

  it('keeps platform routes from tenant keys and shows them only their own tenant elsewhere', async () => {
    for (const op of operations.filter((o) => !o.path.includes('{tenantId}'))) {
      for (const key of [b.adminKey, b.viewerKey]) {
        const res = await send(op, key);
        if (['listPlans', 'listRegions'].includes(op.operationId)) expect(res.status).toBe(200);
        else if (op.operationId === 'listAuditEvents' && key === b.adminKey) {
          expect(res.status).toBe(200);
          expect(res.body.data.length).toBeGreaterThan(0);
          expect(res.text).not.toContain(a.id);
        } else expect(res.status, `${op.method} ${op.path}: ${res.text}`).toBe(403);
      }
    }
    const auditOfA = await api.call('GET', `/v1/audit?tenantId=${a.id}`, { key: b.adminKey });
    expect(auditOfA.status).toBe(404);
  });

  it('lets a viewer read its own tenant and answers 403 to its writes', async () => {
    for (const op of operations.filter((o) => o.path.includes('{tenantId}'))) {
      const res = await send(op, a.viewerKey);
      const read = op.method === 'GET' && !op.path.includes('api-keys');
      expect(res.status, `${op.method} ${op.path}: ${res.text}`).toBe(read ? 200 : 403);
      if (!read) expect(res.body.type).toBe('https://rocketry.dev/problems/forbidden');
    }
  });

  it('keeps platform-only changes from tenant admins in their own tenant', async () => {
    const patch = await api.call('PATCH', `/v1/tenants/${a.id}`, { key: a.adminKey, body: { displayName: 'x' } });
    expect(patch.status).toBe(403);
    expect((await api.call('DELETE', `/v1/tenants/${a.id}`, { key: a.adminKey })).status).toBe(403);
    const placed = await api.call('POST', `/v1/tenants/${a.id}/instances`, {
      key: a.adminKey,
      body: { name: unique('i'), region, clusterId },
    });
    expect(placed.status).toBe(403);
  });

  it('answers 401 on every /v1 route without a key or with a wrong one', async () => {
    for (const op of operations) {
      for (const key of [null, 'rky_not-a-key-at-all-000000000000000000000']) {
        const res = await send(op, key);
        expect(res.status, `${op.method} ${op.path}`).toBe(401);
      }
    }
  });
});
