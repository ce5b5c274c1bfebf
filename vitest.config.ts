import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One throwaway PostgreSQL server for the run (test/helpers/postgres.ts); inject('postgresUrl').
    globalSetup: ['test/global-postgres.ts'],
    // Registers the samplers and the default one (auto) in every test file (see test/setup.ts).
    setupFiles: ['test/setup.ts'],
  },
});
