import { defineConfig } from 'vitest/config';

// One project per workspace; each package's unit tests sit beside the code, integration tests under test/.
const packages = ['crds', 'dataplane', 'operator', 'api', 'testkit', 'e2e'];

/**
 * rocketmq-client-nodejs 1.0.8 keeps a Telemetry stream open after `shutdown()` and listens for only one 'error' on it,
 * so a broker that dies under it (the tests kill brokers on purpose) raises UNAVAILABLE as an uncaught exception in the
 * test process. Only that error, from that client's Telemetry session, is ignored; everything else still fails the run.
 */
function isOfficialClientTelemetryReset(error: { message?: string; stack?: string }): boolean {
  return (
    /UNAVAILABLE/.test(error.message ?? '') &&
    /rocketmq-client-nodejs\/dist\/client\/TelemetrySession/.test(error.stack ?? '')
  );
}

export default defineConfig({
  test: {
    onUnhandledError: (error) => !isOfficialClientTelemetryReset(error),
    projects: packages.map((name) => ({
      test: {
        name,
        root: `./${name}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        testTimeout: 60_000,
        passWithNoTests: true,
        hookTimeout: 60_000,
      },
    })),
  },
});
