import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, newCluster, newTenant, startApi, type TestApi, unique } from './support/harness.js';

/**
 * Property tests of every route's body, query and headers: whatever arrives, the answer is a success or a 4xx
 * problem+json, never a 500. Strictness: a valid body with an extra field is refused as validation-failed.
 */
type Operation = { method: string; path: string; operationId: string; hasBody: boolean };

const RUNS = 20;

describe.each(backends())('bad input on $name', (backend) => {
  let api: TestApi;
  let operations: Operation[];
  let fill: (path: string) => string;
  const region = unique('r');

  beforeAll(async () => {
    api = await startApi(backend);
    const cluster = await newCluster(api, region);
    const t = await newTenant(api);
    const ins = await api.call('POST', `/v1/tenants/${t.id}/instances`, { body: { name: 'main', region } });
    const base = `/v1/tenants/${t.id}/instances/${ins.body.id}`;
    await api.call('POST', `${base}/topics`, { body: { name: 'orders' } });
    await api.call('POST', `${base}/consumer-groups`, { body: { name: 'billing' } });
    const tenantKey = (await api.call('GET', `/v1/tenants/${t.id}/api-keys`)).body.data[0].id;
    const platformKey = (await api.call('GET', '/v1/api-keys')).body.data[0].id;
    fill = (path) =>
      path
        .replace('{tenantId}', t.id)
        .replace('{instanceId}', ins.body.id)
        .replace('{topic}', 'orders')
        .replace('{group}', 'billing')
        .replace('{clusterId}', cluster.id)
        .replace('{keyId}', path.startsWith('/v1/tenants/') ? tenantKey : platformKey);
    const doc = await api.call('GET', '/openapi.json', { key: null });
    operations = Object.entries(
      doc.body.paths as Record<string, Record<string, { operationId: string; requestBody?: unknown }>>,
    )
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods)
          // Deletes would remove the fixtures other properties run against; their input is path and headers only.
          .filter(([method]) => method !== 'delete')
          .map(([method, op]) => ({
            method: method.toUpperCase(),
            path,
            operationId: op.operationId,
            hasBody: op.requestBody !== undefined,
          })),
      );
  });
  afterAll(async () => {
    await api?.close();
  });

  function expectClean(answer: { status: number; headers: Headers; body: unknown; text: string }, what: string) {
    expect(answer.status, `${what} → ${answer.status} ${answer.text}`).toBeLessThan(500);
    if (answer.status >= 400) {
      expect(answer.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
      const problem = answer.body as { type: string; status: number; title: string; detail: string };
      expect(problem.type, what).toMatch(/^https:\/\/rocketry\.dev\/problems\/[a-z-]+$/);
      expect(problem.status).toBe(answer.status);
    }
  }

  const jsonBody = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.dictionary(
      fc.constantFrom(
        'name',
        'region',
        'messageType',
        'queues',
        'retentionHours',
        'fifo',
        'maxDeliveryAttempts',
        'retryPolicy',
        'connection',
        'role',
        'plan',
        'quotaOverrides',
        'description',
        'displayName',
        'clusterId',
        'sharing',
        '__proto__',
        'constructor',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  );
  const queryPart = fc.dictionary(
    fc.constantFrom('pageSize', 'pageToken', 'tenantId', 'x', 'pageSize[]', ''),
    fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constantFrom('-1', '0', '1e3', '101', 'NaN')),
    { maxKeys: 3 },
  );
  const header = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('"1"', '*', 'W/"1"', '"99999999999"'),
  );

  it('answers any body, query and header with a success or a 4xx problem, never a 500', async () => {
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(jsonBody, queryPart, header, header, async (body, query, ifMatch, idem) => {
          const qs = new URLSearchParams(query).toString();
          const headers: Record<string, string> = {};
          if (ifMatch !== undefined && /^[\x20-\x7e]*$/.test(ifMatch)) headers['if-match'] = ifMatch;
          if (idem !== undefined && /^[\x20-\x7e]*$/.test(idem)) headers['idempotency-key'] = idem;
          const answer = await api.call(op.method, `${fill(op.path)}${qs ? `?${qs}` : ''}`, {
            headers,
            ...(op.hasBody ? { body } : {}),
          });
          expectClean(answer, `${op.method} ${op.path} ${JSON.stringify(body)} ?${qs}`);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('answers raw bodies that are not JSON objects with a 4xx problem', async () => {
    const raw = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom('', 'null', '[]', '"x"', '{', '{"name":}', '\u0000', '1e999', '{"a":'.repeat(50)),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/merge-patch+json',
      '',
    );
    for (const op of operations.filter((o) => o.hasBody)) {
      await fc.assert(
        fc.asyncProperty(raw, contentType, async (rawBody, type) => {
          const answer = await api.call(op.method, fill(op.path), {
            rawBody,
            headers: type ? { 'content-type': type } : {},
          });
          expectClean(answer, `${op.method} ${op.path} ${JSON.stringify(rawBody)} (${type})`);
          // An empty JSON body reads as {} (a valid PATCH that changes nothing); anything else here is refused.
          if (rawBody !== '' || !type.includes('json')) expect(answer.status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('refuses strings Postgres cannot store (U+0000) in bodies and queries with 400', async () => {
    const topics = operations.find((o) => o.operationId === 'createTopic') as Operation;
    const answer = await api.call('POST', fill(topics.path), { body: { name: 'nul', description: 'a\u0000b' } });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.errors).toEqual([{ pointer: '/description', detail: 'contains U+0000' }]);
    const key = await api.call('PATCH', fill('/v1/tenants/{tenantId}'), { body: { '\u0000': 1 } });
    expect(key.status).toBe(400);
    const list = await api.call('GET', `${fill(topics.path)}?pageToken=%00`);
    expect(list.status).toBe(400);
  });

  it('refuses an unknown field beside otherwise valid input', async () => {
    const valid: Record<string, unknown> = {
      createTenant: { name: unique('t') },
      createTopic: { name: unique('t') },
      createConsumerGroup: { name: unique('g') },
      updateTopic: { description: 'x' },
      createInstance: { name: unique('i'), region },
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(valid)),
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !['name', 'description', '__proto__'].includes(k)),
        fc.jsonValue({ maxDepth: 1 }),
        async (operationId, field, value) => {
          const op = operations.find((o) => o.operationId === operationId) as Operation;
          const answer = await api.call(op.method, fill(op.path), {
            body: { ...(valid[operationId] as object), [field]: value },
          });
          expect(answer.status, answer.text).toBe(400);
          expect(answer.body.type).toBe('https://rocketry.dev/problems/validation-failed');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('answers unknown paths and ids that cannot exist with 404 problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 30 }), async (segment) => {
        const encoded = encodeURIComponent(segment);
        for (const path of [`/v1/tenants/${encoded}`, `/v1/${encoded}`, `/v1/clusters/${encoded}/x`]) {
          const answer = await api.call('GET', path);
          expectClean(answer, path);
          expect([400, 404, 405]).toContain(answer.status);
        }
      }),
      { numRuns: 40 },
    );
  });
});
