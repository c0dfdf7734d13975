import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './tables.js';

export type DatabaseTarget =
  /** A Postgres server; `schema` (created if missing) becomes the search path, so tests can share a database. */
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      schema?: string;
      applicationName?: string;
      /** An idle pooled connection failed (server restart, network): pg would otherwise crash the process. */
      onIdleError?: (err: Error) => void;
    }
  /** Embedded PGlite: files under `dataDir`, or in memory without one. One connection: transactions run one at a time. */
  | { kind: 'pglite'; dataDir?: string; template?: Blob };

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseTarget['kind'];
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  if (target.kind === 'pglite') {
    if (target.dataDir) await mkdir(target.dataDir, { recursive: true });
    // A template (a dumped, freshly initialised data directory) skips initdb, which takes most of a start.
    const pglite = target.dataDir
      ? await PGlite.create(join(target.dataDir))
      : await PGlite.create(target.template ? { loadDataDir: target.template } : {});
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return { db, kind: 'pglite', close: () => db.destroy() };
  }
  const { schema } = target;
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    const admin = new pg.Client({ connectionString: target.url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize,
    application_name: target.applicationName ?? 'rocketry-api',
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  });
  // The pool drops the broken connection by itself; the next query opens a new one.
  pool.on('error', (err) => target.onIdleError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** A freshly initialised, empty PGlite data directory as a tarball: a template for in-memory databases. */
export async function pgliteTemplate(): Promise<Blob> {
  const pglite = await PGlite.create();
  try {
    return await pglite.dumpDataDir('none');
  } finally {
    await pglite.close();
  }
}

/** Drops a schema made for a test run (Postgres only). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await admin.end();
  }
}

/** `select 1`: for readiness. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
