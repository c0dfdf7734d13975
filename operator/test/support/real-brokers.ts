import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';
import type { BrokerAdmin } from '../../src/broker-admin/broker-admin.js';
import { HttpBrokerAdmin } from '../../src/broker-admin/http-broker-admin.js';

/** A real broker process (the built CLI) on loopback ports, with its admin client. */
export interface RealBroker {
  readonly name: string;
  readonly grpc: string;
  readonly adminUrl: string;
  readonly token: string | undefined;
  readonly admin: BrokerAdmin;
  stop(): Promise<void>;
}

/** Starts `rocketry broker` in a temp dir; `token` turns on the admin API's bearer token. */
export async function startRealBroker(name: string, token?: string): Promise<RealBroker> {
  const dir: TempDir = await tempDir('rocketry-operator-entities-');
  const proc: RocketryProcess = await startRocketry(
    [
      'broker',
      ...['--data-dir', dir.path, '--grpc-host', '127.0.0.1', '--grpc-port', '0'],
      ...['--admin-host', '127.0.0.1', '--admin-port', '0', '--segment-mib', '8', '--log-level', 'info'],
      ...['--name', name, '--group', name],
      ...(token ? ['--admin-token', token] : []),
    ],
    /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
  );
  const adminUrl = proc.ready[2] as string;
  return {
    name,
    grpc: proc.ready[1] as string,
    adminUrl,
    token,
    admin: new HttpBrokerAdmin(adminUrl, token),
    async stop() {
      await proc.stop('SIGKILL');
      await dir.remove();
    },
  };
}
