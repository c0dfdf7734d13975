import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminApp } from './app.js';
import type { AdminAppDeps, HealthDeps } from './deps.js';

export type { AdminAppDeps, HealthDeps } from './deps.js';
export type AdminServerDeps = HealthDeps | AdminAppDeps;

/** The admin app on a node HTTP server that is not listening yet; `listen` starts it. */
export function createAdminServer(deps: AdminServerDeps): Server {
  return createServer(createAdminApp(deps));
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
