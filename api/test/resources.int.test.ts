import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHmac } from '../src/domain/api-key-token.js';
import {
  backends,
  expectProblem,
  newCluster,
  newTenant,
  PEPPER,
  startApi,
  type TestApi,
  unique,
} from './support/harness.js';

describe.each(backends())('control-plane resources on $name', (backend) => {
  let api: TestApi;
  const region = unique('r');
  beforeAll(async () => {
    api = await startApi(backend);
    await newCluster(api, region);
  });
  afterAll(async () => {
    await api?.close();
  });

  async function newInstance(tenant: { id: string; adminKey: string }, name = unique('i')) {
    const res = await api.call('POST', `/v1/tenants/${tenant.id}/instances`, {
      key: tenant.adminKey,
      body: { name, region },
    });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; namespace: string; clusterId: string };
  }

  it('lets a tenant admin create an instance, topics and groups and read them back', async () => {
    const t = await newTenant(api);
    const ins = await newInstance(t);
    expect(ins.namespace).toBe(ins.id);
    const base = `/v1/tenants/${t.id}/instances/${ins.id}`;
    const topic = await api.call('POST', `${base}/topics`, {
      key: t.adminKey,
      body: { name: 'orders', messageType: 'FIFO', queues: 8, retentionHours: 48 },
    });
    expect(topic.status, topic.text).toBe(201);
    expect(topic.headers.get('location')).toBe(`${base}/topics/orders`);
    expect(topic.headers.get('etag')).toBe('"1"');
    expect(topic.body).toMatchObject({ name: 'orders', messageType: 'FIFO', queues: 8, retentionHours: 48 });
    const group = await api.call('POST', `${base}/consumer-groups`, {
      key: t.adminKey,
      body: { name: 'billing', fifo: true, maxDeliveryAttempts: 5, retryPolicy: { initialMs: 2000, maxMs: 60_000 } },
    });
    expect(group.status, group.text).toBe(201);
    expect(group.body).toMatchObject({
      fifo: true,
      maxDeliveryAttempts: 5,
      retryPolicy: { initialMs: 2000, maxMs: 60_000, multiplier: 2 },
    });
    const read = await api.call('GET', `${base}/topics/orders`, { key: t.viewerKey });
    expect(read.status).toBe(200);
    expect(read.body.messageType).toBe('FIFO');
    const groups = await api.call('GET', `${base}/consumer-groups`, { key: t.viewerKey });
    expect(groups.body.data.map((g: { name: string }) => g.name)).toEqual(['billing']);
    const quotas = await api.call('GET', `/v1/tenants/${t.id}/quotas`, { key: t.viewerKey });
    const usage = Object.fromEntries(quotas.body.data.map((q: { code: string; usage: number }) => [q.code, q.usage]));
    expect(usage).toMatchObject({ maxInstances: 1, maxTopics: 1, maxGroups: 1 });
  });

  it('shows an API key secret once, stores only its HMAC, and stops accepting it once revoked', async () => {
    const t = await newTenant(api);
    const created = await api.call('POST', `/v1/tenants/${t.id}/api-keys`, {
      key: t.adminKey,
      body: { name: 'ci', role: 'tenant-viewer' },
    });
    expect(created.status).toBe(201);
    const { id, secret } = created.body as { id: string; secret: string };
    expect(secret).toMatch(/^rky_/);
    const row = await api.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.secret_hmac).toBe(tokenHmac(PEPPER, secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    const listed = await api.call('GET', `/v1/tenants/${t.id}/api-keys`, { key: t.adminKey });
    expect(listed.text).not.toContain(secret);
    expect(listed.body.data.some((k: { secret?: string }) => 'secret' in k)).toBe(false);
    expect((await api.call('GET', `/v1/tenants/${t.id}`, { key: secret })).status).toBe(200);
    const revoked = await api.call('DELETE', `/v1/tenants/${t.id}/api-keys/${id}`, { key: t.adminKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await api.call('GET', `/v1/tenants/${t.id}`, { key: secret });
    expectProblem(after, 401, 'unauthenticated');
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a stale If-Match with 412 and moves the ETag on every change', async () => {
    const t = await newTenant(api);
    const ins = await newInstance(t);
    const path = `/v1/tenants/${t.id}/instances/${ins.id}`;
    const first = await api.call('PATCH', path, {
      key: t.adminKey,
      body: { description: 'one' },
      headers: { 'if-match': '"1"' },
    });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    const stale = await api.call('PATCH', path, {
      key: t.adminKey,
      body: { description: 'two' },
      headers: { 'if-match': '"1"' },
    });
    expectProblem(stale, 412, 'precondition-failed');
    const garbage = await api.call('PATCH', path, {
      key: t.adminKey,
      body: { description: 'x' },
      headers: { 'if-match': 'W/"2"' },
    });
    expectProblem(garbage, 412, 'precondition-failed');
    expect((await api.call('GET', path, { key: t.viewerKey })).body.description).toBe('one');
    const staleDelete = await api.call('DELETE', path, { key: t.adminKey, headers: { 'if-match': '"1"' } });
    expectProblem(staleDelete, 412, 'precondition-failed');
    expect((await api.call('DELETE', path, { key: t.adminKey, headers: { 'if-match': '"2"' } })).status).toBe(204);
  });

  it('replays a create with the same Idempotency-Key and refuses the key for a different request', async () => {
    const t = await newTenant(api);
    const key = unique('idem');
    const body = { name: unique('i'), region };
    const path = `/v1/tenants/${t.id}/instances`;
    const [a, b] = await Promise.all([
      api.call('POST', path, { key: t.adminKey, body, headers: { 'idempotency-key': key } }),
      api.call('POST', path, { key: t.adminKey, body, headers: { 'idempotency-key': key } }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect([a.headers.get('idempotent-replayed'), b.headers.get('idempotent-replayed')].sort()).toEqual(
      [null, 'true'].sort(),
    );
    const list = await api.call('GET', path, { key: t.adminKey });
    expect(list.body.data).toHaveLength(1);
    const other = await api.call('POST', path, {
      key: t.adminKey,
      body: { ...body, name: unique('i') },
      headers: { 'idempotency-key': key },
    });
    expectProblem(other, 422, 'idempotency-key-reused');
    const topicKey = { 'idempotency-key': unique('idem') };
    const topicPath = `/v1/tenants/${t.id}/instances/${a.body.id}/topics`;
    const first = await api.call('POST', topicPath, { key: t.adminKey, body: { name: 'once' }, headers: topicKey });
    const again = await api.call('POST', topicPath, { key: t.adminKey, body: { name: 'once' }, headers: topicKey });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('pages through a list with keyset tokens, in order, without repeats', async () => {
    const t = await newTenant(api);
    const ins = await newInstance(t);
    const base = `/v1/tenants/${t.id}/instances/${ins.id}/topics`;
    const names = Array.from({ length: 7 }, (_, i) => `t${i}`);
    for (const name of names) {
      expect((await api.call('POST', base, { key: t.adminKey, body: { name } })).status).toBe(201);
    }
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: { body: { data: { name: string }[]; nextPageToken: string | null } } = await api.call(
        'GET',
        `${base}?pageSize=3${token ? `&pageToken=${token}` : ''}`,
        { key: t.viewerKey },
      );
      seen.push(...page.body.data.map((x) => x.name));
      token = page.body.nextPageToken;
    } while (token);
    expect(seen).toEqual(names);
    expectProblem(await api.call('GET', `${base}?pageToken=nonsense!`, { key: t.viewerKey }), 400);
    expectProblem(await api.call('GET', `${base}?pageSize=101`, { key: t.viewerKey }), 400, 'validation-failed');
  });

  it('refuses unknown fields, reserved names and immutable changes as problems', async () => {
    const t = await newTenant(api);
    const ins = await newInstance(t);
    const base = `/v1/tenants/${t.id}/instances/${ins.id}`;
    const unknownField = await api.call('POST', `${base}/topics`, {
      key: t.adminKey,
      body: { name: 'a', colour: 'red' },
    });
    expectProblem(unknownField, 400, 'validation-failed');
    expect(unknownField.body.errors).toContainEqual({ pointer: '/colour', detail: 'unknown field' });
    for (const name of ['TBW102', 'rmq_sys_x', '%RETRY%x', 'SCHEDULE_TOPIC_XXXX', 'a.b', 'x'.repeat(65)]) {
      expectProblem(
        await api.call('POST', `${base}/topics`, { key: t.adminKey, body: { name } }),
        400,
        'validation-failed',
      );
    }
    expectProblem(
      await api.call('POST', `${base}/consumer-groups`, { key: t.adminKey, body: { name: 'CID_RMQ_SYS_1' } }),
      400,
      'validation-failed',
    );
    await api.call('POST', `${base}/topics`, { key: t.adminKey, body: { name: 'fixed', queues: 4 } });
    expectProblem(
      await api.call('PATCH', `${base}/topics/fixed`, { key: t.adminKey, body: { messageType: 'FIFO' } }),
      422,
      'immutable-field',
    );
    expectProblem(
      await api.call('PATCH', `${base}/topics/fixed`, { key: t.adminKey, body: { queues: 2 } }),
      422,
      'immutable-field',
    );
    const grown = await api.call('PATCH', `${base}/topics/fixed`, { key: t.adminKey, body: { queues: 6 } });
    expect(grown.status, grown.text).toBe(200);
    expect(grown.body).toMatchObject({ queues: 6, generation: 2 });
    const dup = await api.call('POST', `${base}/topics`, { key: t.adminKey, body: { name: 'fixed' } });
    expectProblem(dup, 409, 'already-exists');
    expectProblem(
      await api.call('POST', `${base}/topics`, {
        key: t.adminKey,
        rawBody: '{"name":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'malformed-json',
    );
    expectProblem(
      await api.call('POST', `${base}/topics`, {
        key: t.adminKey,
        rawBody: 'name=x',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported-media-type',
    );
    expectProblem(
      await api.call('PUT', `${base}/topics/fixed`, { key: t.adminKey, body: {} }),
      405,
      'method-not-allowed',
    );
  });

  it('enforces quota bounds from the plan and the tenant overrides', async () => {
    const t = await newTenant(api, { plan: 'free', quotaOverrides: { maxQueuesPerTopic: 8 } });
    const ins = await newInstance(t);
    const base = `/v1/tenants/${t.id}/instances/${ins.id}/topics`;
    expect((await api.call('POST', base, { key: t.adminKey, body: { name: 'q8', queues: 8 } })).status).toBe(201);
    const tooMany = await api.call('POST', base, { key: t.adminKey, body: { name: 'q9', queues: 9 } });
    expectProblem(tooMany, 409, 'quota-exceeded');
    expect(tooMany.body.quota).toEqual({ code: 'maxQueuesPerTopic', limit: 8, usage: 9 });
    const retention = await api.call('POST', base, { key: t.adminKey, body: { name: 'r', retentionHours: 25 } });
    expectProblem(retention, 409, 'quota-exceeded');
    const secondInstance = await api.call('POST', `/v1/tenants/${t.id}/instances`, {
      key: t.adminKey,
      body: { name: unique('i'), region },
    });
    expectProblem(secondInstance, 409, 'quota-exceeded');
    const raised = await api.call('PATCH', `/v1/tenants/${t.id}`, { body: { quotaOverrides: { maxInstances: 2 } } });
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body.quotaOverrides).toEqual({ maxQueuesPerTopic: 8, maxInstances: 2 });
    const reset = await api.call('PATCH', `/v1/tenants/${t.id}`, {
      body: { quotaOverrides: { maxQueuesPerTopic: null } },
    });
    expect(reset.body.quotaOverrides).toEqual({ maxInstances: 2 });
    expect(
      (
        await api.call('POST', `/v1/tenants/${t.id}/instances`, {
          key: t.adminKey,
          body: { name: unique('i'), region },
        })
      ).status,
    ).toBe(201);
  });

  it('refuses deletes that would orphan children', async () => {
    const t = await newTenant(api);
    const ins = await newInstance(t);
    await api.call('POST', `/v1/tenants/${t.id}/instances/${ins.id}/topics`, { key: t.adminKey, body: { name: 'x' } });
    expectProblem(await api.call('DELETE', `/v1/tenants/${t.id}`), 409, 'conflict-state');
    expectProblem(
      await api.call('DELETE', `/v1/tenants/${t.id}/instances/${ins.id}`, { key: t.adminKey }),
      409,
      'conflict-state',
    );
    expectProblem(await api.call('DELETE', `/v1/clusters/${ins.clusterId}`), 409, 'conflict-state');
    expect(
      (await api.call('DELETE', `/v1/tenants/${t.id}/instances/${ins.id}/topics/x`, { key: t.adminKey })).status,
    ).toBe(204);
    expect((await api.call('DELETE', `/v1/tenants/${t.id}/instances/${ins.id}`, { key: t.adminKey })).status).toBe(204);
    expect((await api.call('DELETE', `/v1/tenants/${t.id}`)).status).toBe(204);
    expectProblem(await api.call('GET', `/v1/tenants/${t.id}`, { key: t.adminKey }), 401, 'unauthenticated');
  });

  it('records every change in the audit log, for platform admins and the tenant admin of that tenant', async () => {
    const t = await newTenant(api);
    const ins = await newInstance(t);
    await api.call('PATCH', `/v1/tenants/${t.id}/instances/${ins.id}`, { key: t.adminKey, body: { description: 'd' } });
    const own = await api.call('GET', '/v1/audit?pageSize=100', { key: t.adminKey });
    expect(own.status, own.text).toBe(200);
    const actions = own.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      'tenant.create',
      'api-key.create',
      'api-key.create',
      'instance.create',
      'instance.update',
    ]);
    expect(own.body.data.every((e: { tenantId: string }) => e.tenantId === t.id)).toBe(true);
    const update = own.body.data[4];
    expect(update.before.description).toBe('');
    expect(update.after.description).toBe('d');
    expect(own.text).not.toMatch(/rky_/);
    expectProblem(await api.call('GET', '/v1/audit', { key: t.viewerKey }), 403, 'forbidden');
    const platform = await api.call('GET', `/v1/audit?tenantId=${t.id}&pageSize=100`);
    expect(platform.body.data).toHaveLength(5);
  });

  it('serves OpenAPI 3.1 for every route, health, readiness and metrics without a key', async () => {
    const doc = await api.call('GET', '/openapi.json', { key: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const createTopic = doc.body.paths['/v1/tenants/{tenantId}/instances/{instanceId}/topics'].post;
    const schema = createTopic.requestBody.content['application/json'].schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.messageType.enum).toEqual(['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION']);
    expect(createTopic.parameters.map((p: { name: string }) => p.name)).toEqual([
      'tenantId',
      'instanceId',
      'Idempotency-Key',
    ]);
    expect(Object.keys(createTopic.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '404', '409', '415']),
    );
    expect((await api.call('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
    expect((await api.call('GET', '/readyz', { key: null })).body).toEqual({ status: 'ready' });
    const metrics = await api.call('GET', '/metrics', { key: null });
    expect(metrics.text).toMatch(/rocketry_api_requests_total\{method="GET",route="\/openapi.json",status="200"\} 1/);
    const anonymous = await api.call('GET', '/v1/tenants', { key: null });
    expectProblem(anonymous, 401, 'unauthenticated');
    expect(anonymous.headers.get('x-request-id')).toBe(anonymous.body.requestId);
  });
});
