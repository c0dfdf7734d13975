import { ApiError } from '../errors.js';

/**
 * Per-tenant limits: a plan's defaults with per-tenant overrides. Counts (instances, topics, groups) are checked in
 * the create transaction after locking the tenant row; bounds (queues, retention) on every create and update;
 * send TPS and storage are pushed to and measured by the data plane (not enforced here yet).
 */
export const QUOTA_CODES = [
  'maxInstances',
  'maxTopics',
  'maxGroups',
  'maxQueuesPerTopic',
  'maxRetentionHours',
  'maxSendTps',
  'maxStorageBytes',
] as const;
export type QuotaCode = (typeof QUOTA_CODES)[number];
export type Quotas = Record<QuotaCode, number>;

export const QUOTA_DESCRIPTIONS: Record<QuotaCode, string> = {
  maxInstances: 'instances per tenant',
  maxTopics: 'topics per tenant, over all its instances',
  maxGroups: 'consumer groups per tenant, over all its instances',
  maxQueuesPerTopic: 'queues of one topic',
  maxRetentionHours: "a topic's retention in hours",
  maxSendTps: 'messages sent per second per instance (enforced by the broker)',
  maxStorageBytes: 'stored bytes per tenant (from metering)',
};

/** Plan defaults overlaid with overrides; a code missing from both is 0 (nothing allowed), never unlimited. */
export function effectiveQuotas(
  plan: Partial<Record<string, number>>,
  overrides: Partial<Record<string, number>>,
): Quotas {
  const out = {} as Quotas;
  for (const code of QUOTA_CODES) out[code] = overrides[code] ?? plan[code] ?? 0;
  return out;
}

/** One more object would take `usage` past `limit`. */
export function assertCountAvailable(code: QuotaCode, limit: number, usage: number): void {
  if (usage + 1 > limit) {
    throw new ApiError('quota-exceeded', `${QUOTA_DESCRIPTIONS[code]}: ${usage} of ${limit} used`, {
      quota: { code, limit, usage },
    });
  }
}

/** A requested value must not exceed its bound. */
export function assertWithinBound(code: QuotaCode, limit: number, requested: number): void {
  if (requested > limit) {
    throw new ApiError('quota-exceeded', `${QUOTA_DESCRIPTIONS[code]}: ${requested} requested, at most ${limit}`, {
      quota: { code, limit, usage: requested },
    });
  }
}
