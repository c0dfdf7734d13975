import { z } from 'zod';
import { ID_PATTERN } from '../domain/ids.js';
import { LABEL_NAME, RESOURCE_NAME, resourceNameProblem } from '../domain/names.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../domain/page-token.js';

/**
 * Shapes shared by the routes. Every request schema is strict (unknown fields are refused) and is also what
 * openapi.ts publishes, so the document cannot drift from what is enforced.
 */
export const Id = z.string().regex(ID_PATTERN, 'an id this API issued');
export const LabelName = z
  .string()
  .regex(LABEL_NAME, '1-63 lowercase letters, digits and -, starting and ending with a letter or digit');
export const Description = z.string().max(500);
export const Timestamp = z.iso.datetime().describe('RFC 3339, UTC');

export const TopicName = z
  .string()
  .superRefine((name, ctx) => {
    const problem = resourceNameProblem('topic', name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ pattern: RESOURCE_NAME.source });
export const GroupName = z
  .string()
  .superRefine((name, ctx) => {
    const problem = resourceNameProblem('group', name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ pattern: RESOURCE_NAME.source });

export const ListQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  pageToken: z.string().max(1024).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const NoQuery = z.strictObject({});

export const Status = z.object({
  phase: z.enum(['PROVISIONING', 'READY', 'UPDATING', 'DELETING', 'FAILED']),
  observedGeneration: z.number().int(),
  conditions: z.array(
    z.object({
      type: z.string(),
      status: z.enum(['True', 'False', 'Unknown']),
      reason: z.string(),
      message: z.string(),
      lastTransitionTime: Timestamp,
    }),
  ),
});
export type Status = z.infer<typeof Status>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextPageToken: z.string().nullable() });

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  requestId: z.string(),
  errors: z
    .array(z.object({ pointer: z.string().optional(), parameter: z.string().optional(), detail: z.string() }))
    .optional(),
  quota: z.object({ code: z.string(), limit: z.number(), usage: z.number() }).optional(),
});
