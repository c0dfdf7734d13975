#!/usr/bin/env node
// The one `rocketry` command: each subcommand is one component's main (built into its dist/ by `npm run build`).
const usage = `usage: rocketry <command> [flags]

commands:
  dev       local stack on embedded defaults (storage in ./.rocketry/)
  namesrv   the name server: --host 0.0.0.0 --port 9876 --expiry-ms 20000
  broker    the broker: --data-dir DIR --grpc-port 8081 --advertise HOST:PORT --namesrv HOST:PORT --name NAME
            --group GROUP --auto-create --admin-port 8082 --admin-token T --heartbeat-ms 10000
            --flush async|sync --grpc-transport grpc-js|h2 --retention-hours 72 --segment-mib 1024 --repair (each also as ROCKETRY_* env)
  admin     the admin API client: topic list|get|put|delete, group list|get|put|delete|lag|reset, message get|find (rocketry admin --help)
  api       the control-plane REST API: --port 8080 --database-url URL (or DATABASE_URL; PGlite in --data-dir by default)
            --data-dir DIR, ROCKETRY_BOOTSTRAP_KEY = first platform admin key (rocketry api --help)
  operator  the Kubernetes operator: [--kubeconfig PATH] [--namespace NS]; \`operator manifests [--namespace NS] [--image IMG]\`
            prints the install manifests (CRDs, RBAC, operator Deployment) as YAML (rocketry operator --help)
`;

// Storage runs its writes, fdatasyncs and cold reads on libuv's thread pool; the default of 4 threads lets background
// flushes queue ahead of the commit-log writes that acknowledgements wait for. Set before anything uses the pool.
process.env.UV_THREADPOOL_SIZE ??= '16';

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'dev':
  case 'broker': {
    const { main } = await import('../dataplane/dist/main.js');
    await main(command, args);
    break;
  }
  case 'namesrv': {
    const { main } = await import('../dataplane/dist/namesrv/namesrv-main.js');
    await main(args);
    break;
  }
  case 'admin': {
    const { main } = await import('../dataplane/dist/admin-cli/admin-cli-main.js');
    process.exitCode = await main(args);
    break;
  }
  case 'api': {
    const { main } = await import('../api/dist/main.js');
    await main(args);
    break;
  }
  case 'operator': {
    const { main } = await import('../operator/dist/cli.js');
    process.exitCode = await main(args);
    break;
  }
  case undefined:
  case '-h':
  case '--help':
    process.stdout.write(usage);
    break;
  default:
    process.stderr.write(`rocketry: unknown command ${JSON.stringify(command)}\n\n${usage}`);
    process.exitCode = 2;
}
