/** The HTTP edges of the server: request bodies, JSON answers and the discovery documents. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import type { ResourceType } from './resource-types.js';
import type { Route } from './routes.js';
import { badRequest, KubeStatusError } from './status.js';

export const resourceNotFound = () =>
  new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource');

export function discoveryDocument(route: Exclude<Route, { kind: 'resource' }>, types: ResourceType[]): unknown {
  let doc: unknown;
  if (route.kind === 'discovery') {
    if (route.path === 'health') return 'ok';
    doc = route.path === 'api' ? apiVersions() : route.path === 'apis' ? apiGroupList(types) : versionInfo;
  } else if (route.kind === 'group') doc = apiGroup(route.group, types);
  else if (route.kind === 'group-version') doc = apiResourceList(route.group, route.version, types);
  if (doc === undefined) throw resourceNotFound();
  return doc;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function parseBody(raw: string, method: string): unknown {
  if (raw.trim() === '') {
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') throw badRequest('the request body is empty');
    return undefined;
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function send(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
