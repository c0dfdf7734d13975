import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import * as createTenancy from './migrations/2026_11_26_1700_create_tenancy.js';
import * as createAuditAndIdempotency from './migrations/2026_11_26_1710_create_audit_and_idempotency.js';
import type { Database } from './tables.js';

/** Every migration, in code (no directory scan at run time), keyed by its dated name. Add new ones at the end. */
const migrations: Record<string, Migration> = {
  '2026_11_26_1700_create_tenancy': createTenancy,
  '2026_11_26_1710_create_audit_and_idempotency': createAuditAndIdempotency,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export class MigrationError extends Error {}

/**
 * Brings the schema to the latest version; concurrent starts serialise on kysely's migration lock. Unordered
 * migrations (one older than the newest applied) fail, as kysely does by default.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(`migration ${failed ?? '(none)'} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
