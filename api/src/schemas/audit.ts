import { z } from 'zod';
import { Id, ListQuery, Timestamp } from './common.js';

export const AuditQuery = ListQuery.extend({ tenantId: Id.optional() }).strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEvent = z.object({
  id: z.string(),
  time: Timestamp,
  tenantId: z.string().nullable(),
  actor: z.object({ keyId: z.string(), role: z.string() }),
  action: z.string().describe('<resource>.<verb>, e.g. topic.create'),
  resource: z.string().describe('the path of the changed resource'),
  requestId: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
