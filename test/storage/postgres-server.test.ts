// The PostgreSQL test harness itself (test/helpers/postgres.ts, test/global-postgres.ts): the run's
// shared server answers, databases are separate, credentials are checked, and a server survives a
// restart with its data. The restart uses a server of this file's own, not the shared one that
// other files are using at the same time.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import pg from 'pg';
import { createDatabase, startPostgres, withDatabase, type PostgresServer } from '../helpers/postgres.js';

const sharedUrl = inject('postgresUrl');
const skipReason = inject('postgresSkipReason');
if (sharedUrl === undefined) throw new Error('no postgresUrl provided: vitest.config.ts must list test/global-postgres.ts in globalSetup');

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  return client;
}

describe.skipIf(sharedUrl === null)(`PostgreSQL test server${sharedUrl === null ? ` (skipped: ${skipReason})` : ''}`, () => {
  let url: string;
  let client: pg.Client;

  beforeAll(async () => {
    url = await createDatabase(sharedUrl!, 'postgres_server_test');
    client = await connect(url);
  });
  afterAll(async () => {
    await client?.end();
  });

  test('is a server of our own on a loopback port, not a cluster on 5432', async () => {
    const parsed = new URL(sharedUrl!);
    expect(parsed.hostname).toBe('127.0.0.1');
    expect(Number(parsed.port)).not.toBe(5432);
    const { rows } = await client.query<{ user: string; db: string; listen: string; fsync: string }>(
      "SELECT current_user AS user, current_database() AS db, current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync",
    );
    expect(rows[0]).toEqual({ user: 'studyopt', db: 'postgres_server_test', listen: '127.0.0.1', fsync: 'off' });
  });

  test('creates a table, writes and reads back', async () => {
    await client.query('CREATE TABLE trials (id serial PRIMARY KEY, value double precision NOT NULL, params jsonb)');
    await client.query('INSERT INTO trials (value, params) VALUES ($1, $2), ($3, $4)', [0.5, { x: 1 }, -2.25, { x: 'a' }]);
    const { rows } = await client.query('SELECT id, value, params FROM trials ORDER BY id');
    expect(rows).toEqual([
      { id: 1, value: 0.5, params: { x: 1 } },
      { id: 2, value: -2.25, params: { x: 'a' } },
    ]);
  });

  test('createDatabase gives a separate, empty database, and recreates it when it exists', async () => {
    const otherUrl = await createDatabase(sharedUrl!, 'postgres_server_test_other');
    expect(otherUrl).toBe(withDatabase(sharedUrl!, 'postgres_server_test_other'));
    const other = await connect(otherUrl);
    try {
      await expect(other.query('SELECT count(*) FROM trials')).rejects.toMatchObject({ code: '42P01' });
      await other.query('CREATE TABLE marker (x int)');
    } finally {
      await other.end();
    }
    const again = await connect(await createDatabase(sharedUrl!, 'postgres_server_test_other'));
    try {
      await expect(again.query('SELECT * FROM marker')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await again.end();
    }
    await expect(createDatabase(sharedUrl!, 'Bad-Name')).rejects.toThrow(/database name must match/);
  });

  test('refuses a wrong password (28P01)', async () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const bad = new pg.Client({ connectionString: wrong.toString(), connectionTimeoutMillis: 5_000 });
    await expect(bad.connect()).rejects.toMatchObject({ code: '28P01' });
    await bad.end().catch(() => {});
  });

  describe('a server of this file (restarted)', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => {
      await server?.stop();
    });

    test('keeps its data over a restart; the old connection is cut, a new client reconnects', async () => {
      expect(server.port).not.toBe(Number(new URL(sharedUrl!).port));
      const before = await connect(server.url);
      const errors: Error[] = [];
      before.on('error', (error) => errors.push(error)); // the shutdown arrives as an 'error' event
      await before.query('CREATE TABLE kept (k text PRIMARY KEY, v int)');
      await before.query("INSERT INTO kept VALUES ('a', 1), ('b', 2)");

      await server.restart();

      await expect(before.query('SELECT 1')).rejects.toThrow();
      await before.end().catch(() => {});
      const after = await connect(server.url);
      try {
        const { rows } = await after.query('SELECT k, v FROM kept ORDER BY k');
        expect(rows).toEqual([
          { k: 'a', v: 1 },
          { k: 'b', v: 2 },
        ]);
      } finally {
        await after.end();
      }
    });
  });
});
