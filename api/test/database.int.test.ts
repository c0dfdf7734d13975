import { sql } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate.js';
import { deleteIdempotencyKeysBefore } from '../src/db/repositories/idempotency.repository.js';
import { tokenHmac } from '../src/domain/api-key-token.js';
import { createServices } from '../src/services/create-services.js';
import { backends, startApi } from './support/harness.js';

describe.each(backends())('database on $name', (backend) => {
  it('migrates once, records each migration, and is a no-op the second time', async () => {
    const api = await startApi(backend);
    try {
      expect(await migrateToLatest(api.database.db)).toEqual([]);
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        api.database.db,
      );
      expect(applied.rows.map((r) => r.name)).toEqual([
        '2026_11_26_1700_create_tenancy',
        '2026_11_26_1710_create_audit_and_idempotency',
      ]);
      const plans = await api.database.db.selectFrom('plans').select('id').orderBy('id').execute();
      expect(plans.map((p) => p.id)).toEqual(['free', 'standard']);
    } finally {
      await api.close();
    }
  });

  it('forgets idempotency keys older than the cutoff, so a repeat after that runs again', async () => {
    const api = await startApi(backend);
    try {
      const headers = { 'idempotency-key': 'k1' };
      const first = await api.call('POST', '/v1/tenants', { body: { name: 'once' }, headers });
      expect((await api.call('POST', '/v1/tenants', { body: { name: 'once' }, headers })).body.id).toBe(first.body.id);
      expect(await deleteIdempotencyKeysBefore(api.database.db, new Date(Date.now() + 1000))).toBe(1);
      const after = await api.call('POST', '/v1/tenants', { body: { name: 'once' }, headers });
      expect(after.body.type).toBe('https://rocketry.dev/problems/already-exists');
    } finally {
      await api.close();
    }
  });

  it('installs the bootstrap key only while no key exists', async () => {
    const api = await startApi(backend);
    try {
      const services = createServices(api.database.db, {
        keyPepper: 'test-pepper-0123456789',
        log: pino({ level: 'silent' }),
      });
      expect(await services.apiKeys.bootstrap('another-bootstrap-key')).toBe('skipped');
      expect(await services.apiKeys.authenticate('another-bootstrap-key')).toBeUndefined();
      const principal = await services.apiKeys.authenticate(api.adminKey);
      expect(principal).toMatchObject({ role: 'platform-admin', tenantId: null });
      const row = await api.database.db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
      expect(row.secret_hmac).toBe(tokenHmac('test-pepper-0123456789', api.adminKey));
      const audit = await api.call('GET', '/v1/audit');
      expect(audit.body.data[0]).toMatchObject({ action: 'api-key.bootstrap', before: null });
      expect(audit.text).not.toContain(api.adminKey);
    } finally {
      await api.close();
    }
  });
});
