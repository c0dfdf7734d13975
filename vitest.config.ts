import { defineConfig } from 'vitest/config';

// One project per workspace; each package's unit tests sit beside the code, integration tests under test/.
const packages = ['crds', 'dataplane', 'operator', 'api', 'testkit', 'e2e'];

export default defineConfig({
  test: {
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
