import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Probes {
  /** The process loops are alive. */
  healthy(): boolean;
  /** Leading with synced caches, or standing by. */
  ready(): boolean;
}

/** /healthz, /readyz and /metrics (Prometheus text) on `port` (8090; 0 picks a free one). */
export async function startHttpServer(
  host: string,
  port: number,
  probes: Probes,
  registry: Registry,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const probe = (ok: boolean) => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
    };
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/healthz') probe(probes.healthy());
    else if (path === '/readyz') probe(probes.ready());
    else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else res.writeHead(404).end();
  });
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
