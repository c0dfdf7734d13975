import { z } from 'zod';
import { Id, LabelName, Timestamp } from './common.js';

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);
export const ClusterConnection = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('local'),
    /** Every broker's admin API (the API applies topics and groups to each). */
    brokerAdminUrls: z.array(HttpUrl).min(1).max(64),
  }),
  z.strictObject({
    mode: z.literal('cluster'),
    namespace: LabelName.describe('Kubernetes namespace of the BrokerCluster'),
    brokerClusterName: LabelName,
  }),
]);
export type ClusterConnection = z.infer<typeof ClusterConnection>;

export const Region = z.string().regex(/^[a-z0-9-]{1,63}$/, 'lowercase letters, digits and -');

export const CreateCluster = z.strictObject({
  name: LabelName,
  region: Region,
  sharing: z.enum(['shared', 'dedicated']).default('shared'),
  connection: ClusterConnection,
});
export type CreateCluster = z.infer<typeof CreateCluster>;
export const UpdateCluster = z.strictObject({ connection: ClusterConnection.optional() });
export type UpdateCluster = z.infer<typeof UpdateCluster>;
export const ClusterParams = z.strictObject({ clusterId: Id });

export const Cluster = z.object({
  id: Id,
  name: z.string(),
  region: z.string(),
  sharing: z.enum(['shared', 'dedicated']),
  connection: ClusterConnection,
  generation: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Cluster = z.infer<typeof Cluster>;

export const RegionList = z.object({ data: z.array(z.object({ name: z.string(), clusters: z.number().int() })) });
