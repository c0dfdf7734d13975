import { type RocketryProcess, startRocketry, type TempDir, tempDir } from '@rocketry/testkit';

/** A real `rocketry broker` process (built CLI) on loopback, with an admin token. */
export interface RealBroker {
  readonly admin: string;
  readonly token: string;
  stop(): Promise<void>;
}

export async function startRealBroker(name: string, token: string): Promise<RealBroker> {
  const dir: TempDir = await tempDir(`rocketry-op-${name}-`);
  let proc: RocketryProcess;
  try {
    proc = await startRocketry(
      [
        'broker',
        ...['--data-dir', dir.path, '--name', name, '--admin-token', token, '--segment-mib', '8'],
        ...['--grpc-host', '127.0.0.1', '--grpc-port', '0', '--admin-host', '127.0.0.1', '--admin-port', '0'],
      ],
      /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
    );
  } catch (err) {
    await dir.remove();
    throw err;
  }
  return {
    admin: proc.ready[2] as string,
    token,
    async stop() {
      await proc.stop('SIGKILL');
      await dir.remove();
    },
  };
}
