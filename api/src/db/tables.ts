import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Row types of the control-plane tables, snake_case as in SQL. Row → DTO mapping happens in the services.
 * `jsonb` columns are written as JSON text (JSON.stringify) so arrays are not sent as Postgres arrays.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database defaults to now(). */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type JsonDefaulted<T> = ColumnType<T, string | undefined, string>;

export interface PlansTable {
  id: string;
  description: string;
  quotas: Json<Record<string, number>>;
}

export interface TenantsTable {
  id: string;
  name: string;
  display_name: string;
  plan_id: string;
  quota_overrides: JsonDefaulted<Record<string, number>>;
  generation: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string | null;
  role: string;
  name: string;
  /** base64url HMAC-SHA256(pepper, whole token); the token itself is never stored. */
  secret_hmac: string;
  created_by: string | null;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
}

export interface ClustersTable {
  id: string;
  name: string;
  region: string;
  sharing: string;
  mode: string;
  connection: Json<Record<string, unknown>>;
  generation: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface InstancesTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  region: string;
  cluster_id: string;
  namespace: string | null;
  phase: string;
  generation: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface TopicsTable {
  instance_id: string;
  tenant_id: string;
  name: string;
  description: string;
  message_type: string;
  queues: number;
  retention_hours: number;
  phase: string;
  conditions: JsonDefaulted<unknown[]>;
  observed_generation: Generated<number>;
  generation: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ConsumerGroupsTable {
  instance_id: string;
  tenant_id: string;
  name: string;
  description: string;
  fifo: boolean;
  max_delivery_attempts: number;
  retry_policy: Json<{ initialMs: number; maxMs: number; multiplier: number }>;
  phase: string;
  conditions: JsonDefaulted<unknown[]>;
  observed_generation: Generated<number>;
  generation: Generated<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface AuditEventsTable {
  id: string;
  time: CreatedAt;
  tenant_id: string | null;
  actor_key_id: string;
  actor_role: string;
  action: string;
  resource: string;
  request_id: string;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
}

export interface IdempotencyKeysTable {
  /** The tenant id, or `platform` for platform admins' keys. */
  scope: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  response_status: number;
  response_body: Json<unknown>;
  created_at: CreatedAt;
}

export interface Database {
  plans: PlansTable;
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  clusters: ClustersTable;
  instances: InstancesTable;
  topics: TopicsTable;
  consumer_groups: ConsumerGroupsTable;
  audit_events: AuditEventsTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type TenantRow = Selectable<TenantsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type ClusterRow = Selectable<ClustersTable>;
export type InstanceRow = Selectable<InstancesTable>;
export type TopicRow = Selectable<TopicsTable>;
export type GroupRow = Selectable<ConsumerGroupsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
