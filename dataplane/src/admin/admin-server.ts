import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface AdminServerDeps {
  readonly registry: Registry;
  readonly log: Logger;
  /** Ready once storage is recovered (and, in later issues, the broker is registered). */
  readonly isReady: () => boolean;
}

/**
 * The broker's admin HTTP endpoint: health, readiness and Prometheus metrics. The admin REST API (issue 3) mounts
 * here too. Unknown paths get an RFC 9457 problem.
 */
export function createAdminServer(deps: AdminServerDeps): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const json = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') {
      json(
        405,
        { type: 'about:blank', title: 'Method Not Allowed', status: 405, detail: `${req.method} ${path}` },
        'application/problem+json',
      );
      return;
    }
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') return deps.isReady() ? json(200, { status: 'ready' }) : json(503, { status: 'starting' });
    if (path === '/metrics') {
      deps.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': deps.registry.contentType });
          res.end(text);
        })
        .catch((err: unknown) => {
          deps.log.error({ err }, 'metrics collection failed');
          json(500, { type: 'about:blank', title: 'Internal Server Error', status: 500 }, 'application/problem+json');
        });
      return;
    }
    json(
      404,
      { type: 'about:blank', title: 'Not Found', status: 404, detail: `no route ${path}` },
      'application/problem+json',
    );
  });
}

export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
