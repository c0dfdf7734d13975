import { created, noContent, ok, resource } from '../http/replies.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { Cluster, ClusterParams, CreateCluster, RegionList, UpdateCluster } from '../schemas/clusters.js';
import { ListQuery, NoQuery, pageOf } from '../schemas/common.js';
import type { Services } from './services.js';

export function clusterRoutes(s: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/clusters',
      operationId: 'registerCluster',
      summary: 'Register a cluster: region, sharing, and how to reach its brokers (platform admin)',
      tag: 'clusters',
      query: NoQuery,
      body: CreateCluster,
      idempotent: true,
      success: { status: 201, description: 'Registered', schema: Cluster },
      errors: [403, 409, 422],
      handle: async ({ body, actor, idempotency }) => {
        const result = await s.clusters.create(actor, body, idempotency);
        return created(result, `/v1/clusters/${result.body.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/clusters',
      operationId: 'listClusters',
      summary: 'List clusters (platform admin)',
      tag: 'clusters',
      query: ListQuery,
      success: { status: 200, description: 'A page of clusters', schema: pageOf(Cluster) },
      errors: [403],
      handle: async ({ query, actor }) => ok(await s.clusters.list(actor, query)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/clusters/{clusterId}',
      operationId: 'getCluster',
      summary: 'Get a cluster (platform admin)',
      tag: 'clusters',
      params: ClusterParams,
      query: NoQuery,
      success: { status: 200, description: 'The cluster', schema: Cluster },
      errors: [403],
      handle: async ({ params, actor }) => resource(await s.clusters.get(actor, params.clusterId)),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/clusters/{clusterId}',
      operationId: 'updateCluster',
      summary: "Change how to reach a cluster's brokers (platform admin)",
      tag: 'clusters',
      params: ClusterParams,
      query: NoQuery,
      body: UpdateCluster,
      conditional: true,
      success: { status: 200, description: 'The cluster', schema: Cluster },
      errors: [403, 412, 422],
      handle: async ({ params, body, actor, ifMatch }) =>
        resource(await s.clusters.update(actor, params.clusterId, body, ifMatch)),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/clusters/{clusterId}',
      operationId: 'deleteCluster',
      summary: 'Unregister a cluster that hosts no instance (platform admin)',
      tag: 'clusters',
      params: ClusterParams,
      query: NoQuery,
      conditional: true,
      success: { status: 204, description: 'Unregistered' },
      errors: [403, 409, 412],
      handle: async ({ params, actor, ifMatch }) => {
        await s.clusters.delete(actor, params.clusterId, ifMatch);
        return noContent;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/regions',
      operationId: 'listRegions',
      summary: 'Regions instances can be created in',
      tag: 'clusters',
      query: NoQuery,
      success: { status: 200, description: 'Regions', schema: RegionList },
      handle: async ({ actor }) => ok(await s.clusters.regions(actor)),
    }),
  ];
}
