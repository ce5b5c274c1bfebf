// vitest globalSetup: ONE throwaway PostgreSQL server for the whole run (test/helpers/postgres.ts),
// shared by every test file; each file makes its own database with createDatabase(url, name).
//
// Test files read `inject('postgresUrl')` (null when PostgreSQL is not installed and CI is not
// set: skip with `inject('postgresSkipReason')`). With CI set a missing PostgreSQL fails the run.
// Child processes see the URL in STUDYOPT_TEST_POSTGRES_URL.
import type { TestProject } from 'vitest/node';
import { POSTGRES_URL_ENV, postgresAvailable, postgresUnavailableReason, startPostgres } from './helpers/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared test server's `postgresql://studyopt:studyopt@127.0.0.1:PORT/studyopt`, or null. */
    postgresUrl: string | null;
    /** Why postgresUrl is null. */
    postgresSkipReason: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!postgresAvailable()) {
    // postgresAvailable() threw if CI is set, so this is a developer machine without PostgreSQL.
    project.provide('postgresUrl', null);
    project.provide('postgresSkipReason', postgresUnavailableReason());
    return async () => {};
  }
  const server = await startPostgres();
  process.env[POSTGRES_URL_ENV] = server.url;
  project.provide('postgresUrl', server.url);
  project.provide('postgresSkipReason', null);
  // Normal end and failures: this teardown. Ctrl-C/kill: startPostgres's exit hook and watchdog.
  return async () => {
    delete process.env[POSTGRES_URL_ENV];
    await server.stop();
  };
}
