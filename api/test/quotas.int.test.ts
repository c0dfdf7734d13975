import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, newCluster, newTenant, startApi, type TestApi, unique } from './support/harness.js';

/**
 * Count quotas hold under concurrency: creates lock the tenant row and count under the lock, so 20 concurrent creates
 * against a quota of 10 leave exactly 10, whatever the interleaving. On Postgres the API runs with a pool of 24
 * connections, so the 20 requests really run in 20 transactions at once.
 */
const CONCURRENT = 20;
const QUOTA = 10;

describe.each(backends())('count quotas under concurrency on $name', (backend) => {
  let api: TestApi;
  const region = unique('r');
  beforeAll(async () => {
    api = await startApi(backend, { poolSize: 24 });
    await newCluster(api, region);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** A separate session that locks the tenant row, as a create would, until released. */
  async function holdTenantLock(tenantId: string): Promise<{ release(): Promise<void> }> {
    const client = new pg.Client({ connectionString: backend.url });
    await client.connect();
    await client.query(`set search_path to ${api.applicationName}`);
    await client.query('begin');
    await client.query('select id from tenants where id = $1 for update', [tenantId]);
    return {
      async release() {
        await client.query('commit');
        await client.end();
      },
    };
  }

  /** The API's connections waiting on a lock right now. */
  async function waitingOnLocks(): Promise<number> {
    const res = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where application_name = ${api.applicationName} and wait_event_type = 'Lock'`.execute(api.database.db);
    return res.rows[0]?.n ?? 0;
  }

  it(`leaves exactly ${QUOTA} instances after ${CONCURRENT} concurrent creates against a quota of ${QUOTA}`, async () => {
    const t = await newTenant(api, { quotaOverrides: { maxInstances: QUOTA } });
    // On Postgres, hold the tenant's row lock until all 20 creates are inside their transactions and waiting on it,
    // so they provably run on 20 pooled connections at once; then let them race.
    const gate = backend.name === 'postgres' ? await holdTenantLock(t.id) : undefined;
    const burst = Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        api.call('POST', `/v1/tenants/${t.id}/instances`, { key: t.adminKey, body: { name: `i${i}`, region } }),
      ),
    );
    if (gate) {
      await waitFor(async () => (await waitingOnLocks()) >= CONCURRENT);
      await gate.release();
    }
    const answers = await burst;
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(QUOTA);
    expect(statuses.filter((s) => s === 409)).toHaveLength(CONCURRENT - QUOTA);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.type).toBe('https://rocketry.dev/problems/quota-exceeded');
      expect(refused.body.quota).toEqual({ code: 'maxInstances', limit: QUOTA, usage: QUOTA });
    }
    const rows = await api.database.db.selectFrom('instances').select('id').where('tenant_id', '=', t.id).execute();
    expect(rows).toHaveLength(QUOTA);
  });

  it(`leaves exactly ${QUOTA} topics and ${QUOTA} groups after concurrent creates over two instances`, async () => {
    const t = await newTenant(api, { quotaOverrides: { maxTopics: QUOTA, maxGroups: QUOTA } });
    const instances = await Promise.all(
      ['x', 'y'].map(async (name) => {
        const res = await api.call('POST', `/v1/tenants/${t.id}/instances`, {
          key: t.adminKey,
          body: { name, region },
        });
        return res.body.id as string;
      }),
    );
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT * 2 }, (_, i) => {
        const base = `/v1/tenants/${t.id}/instances/${instances[i % 2]}`;
        return i < CONCURRENT
          ? api.call('POST', `${base}/topics`, { key: t.adminKey, body: { name: `t${i}` } })
          : api.call('POST', `${base}/consumer-groups`, { key: t.adminKey, body: { name: `g${i}` } });
      }),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(QUOTA * 2);
    expect(answers.filter((a) => a.status === 409)).toHaveLength((CONCURRENT - QUOTA) * 2);
    const count = async (table: 'topics' | 'consumer_groups') =>
      (await api.database.db.selectFrom(table).select('name').where('tenant_id', '=', t.id).execute()).length;
    expect(await count('topics')).toBe(QUOTA);
    expect(await count('consumer_groups')).toBe(QUOTA);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
