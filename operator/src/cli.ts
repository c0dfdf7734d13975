import { parseArgs } from 'node:util';
import { loadChart, mergeValues } from './install/chart-values.js';
import { DEFAULT_RELEASE, installObjects, manifestsYaml } from './install/install-manifests.js';
import { operatorRunConfig } from './install/operator-env.js';

/** `rocketry operator …` (bin/rocketry.js). Returns the exit code: 0 done, 1 failed, 2 usage. */
export const usage = `usage: rocketry operator [--kubeconfig PATH] [--namespace NS] [--http-port 8090]
       rocketry operator manifests [--namespace NS] [--image IMAGE[:TAG]]

  (no subcommand)  run the operator: in-cluster credentials, or --kubeconfig; --namespace watches one namespace;
                   /healthz, /readyz and /metrics on --http-port (8090); other settings from the ROCKETRY_* variables
                   the chart sets
  manifests        print the install manifests (CRDs, ServiceAccount, RBAC, operator Deployment and Service) as YAML:
                   what the Helm chart charts/rocketry installs with its default values, for kubectl apply -f -
                   --namespace NS   namespace of the operator (default ${DEFAULT_RELEASE.namespace}; create it first)
                   --image IMAGE    the rocketry image (default: charts/rocketry/values.yaml image, tag = appVersion)
`;

/** A bad flag or setting: exit code 2 with the usage text. */
class UsageError extends Error {}

/** Where the CLI writes and which environment it reads (`process` in bin/rocketry.js; the only read of it). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

/** Splits `repo/name:tag` at the tag's colon (a colon before the last slash is a registry port). */
export function splitImage(image: string): { repository: string; tag: string } {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/')
    ? { repository: image.slice(0, colon), tag: image.slice(colon + 1) }
    : { repository: image, tag: '' };
}

async function manifests(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { namespace: { type: 'string' }, image: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  if (values.image?.includes('@')) throw new UsageError('--image takes IMAGE[:TAG]; digests are not supported');
  const chart = await loadChart();
  const overrides = values.image ? { image: splitImage(values.image) } : {};
  const release = { ...DEFAULT_RELEASE, ...(values.namespace && { namespace: values.namespace }) };
  io.stdout.write(
    manifestsYaml(installObjects({ info: chart.info, values: mergeValues(chart.values, overrides) }, release)),
  );
  return 0;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'http-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const httpPort = values['http-port'] === undefined ? 8090 : Number(values['http-port']);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) {
    throw new UsageError(`--http-port takes a port number, not ${values['http-port']}`);
  }
  const config = operatorRunConfig({ kubeconfig: values.kubeconfig, namespace: values.namespace }, io.env);
  if (config.kind === 'invalid') throw new UsageError(config.problem);
  // Loaded only to run: `manifests` needs neither client-node nor the reconcilers.
  const { runOperator } = await import('./runtime/index.js');
  await runOperator({
    ...config.options,
    logLevel: config.logLevel,
    http: { host: '0.0.0.0', port: httpPort },
    handleSignals: true,
  });
  return 0;
}

export async function main(args: string[], io: CliIo = process): Promise<number> {
  const [sub, ...rest] = args;
  try {
    return sub === 'manifests' ? await manifests(rest, io) : await run(args, io);
  } catch (err) {
    // parseArgs reports unknown or malformed flags with a code; everything else is a failure, not a usage error.
    const isUsage = err instanceof UsageError || (err instanceof TypeError && 'code' in err);
    if (!isUsage) throw err;
    io.stderr.write(`rocketry operator: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
}
