import { type Kysely, sql } from 'kysely';

/**
 * Plans, tenants, API keys, clusters, instances, topics and consumer groups. Self-contained (kysely's rule: no app
 * imports), so the plans seeded here are literal.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no app schema (kysely's rule)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quotas', 'jsonb', (c) => c.notNull())
    .execute();
  const gib = 1024 ** 3;
  await db
    .insertInto('plans')
    .values([
      {
        id: 'free',
        description: 'Evaluation: one instance, small limits',
        quotas: JSON.stringify({
          maxInstances: 1,
          maxTopics: 10,
          maxGroups: 10,
          maxQueuesPerTopic: 4,
          maxRetentionHours: 24,
          maxSendTps: 100,
          maxStorageBytes: gib,
        }),
      },
      {
        id: 'standard',
        description: 'Production defaults',
        quotas: JSON.stringify({
          maxInstances: 10,
          maxTopics: 1000,
          maxGroups: 1000,
          maxQueuesPerTopic: 64,
          maxRetentionHours: 168,
          maxSendTps: 5000,
          maxStorageBytes: 500 * gib,
        }),
      },
    ])
    .execute();

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('quota_overrides', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hmac', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint(
      'api_keys_role_scope',
      sql`(role = 'platform-admin' and tenant_id is null) or (role in ('tenant-admin', 'tenant-viewer') and tenant_id is not null)`,
    )
    .execute();
  await db.schema.createIndex('api_keys_tenant_idx').on('api_keys').columns(['tenant_id', 'id']).execute();

  await db.schema
    .createTable('clusters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('sharing', 'text', (c) => c.notNull().check(sql`sharing in ('shared', 'dedicated')`))
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('local', 'cluster')`))
    .addColumn('connection', 'jsonb', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('clusters_region_idx').on('clusters').columns(['region', 'sharing']).execute();

  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id'))
    .addColumn('namespace', 'text')
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('instances_tenant_name_key', ['tenant_id', 'name'])
    .execute();
  await db.schema.createIndex('instances_cluster_idx').on('instances').column('cluster_id').execute();
  // A resource namespace names one instance on its cluster.
  await db.schema
    .createIndex('instances_cluster_namespace_key')
    .on('instances')
    .columns(['cluster_id', 'namespace'])
    .unique()
    .execute();

  for (const table of ['topics', 'consumer_groups']) {
    let builder = db.schema
      .createTable(table)
      .addColumn('instance_id', 'text', (c) => c.notNull().references('instances.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''));
    builder =
      table === 'topics'
        ? builder
            .addColumn('message_type', 'text', (c) => c.notNull())
            .addColumn('queues', 'integer', (c) => c.notNull())
            .addColumn('retention_hours', 'integer', (c) => c.notNull())
        : builder
            .addColumn('fifo', 'boolean', (c) => c.notNull())
            .addColumn('max_delivery_attempts', 'integer', (c) => c.notNull())
            .addColumn('retry_policy', 'jsonb', (c) => c.notNull());
    await builder
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('conditions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn('observed_generation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint(`${table}_pkey`, ['instance_id', 'name'])
      .execute();
    await db.schema.createIndex(`${table}_tenant_idx`).on(table).column('tenant_id').execute();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no app schema (kysely's rule)
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['consumer_groups', 'topics', 'instances', 'clusters', 'api_keys', 'tenants', 'plans']) {
    await db.schema.dropTable(table).execute();
  }
}
