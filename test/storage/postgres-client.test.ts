/**
 * The PostgreSQL store's synchronous connection (src/storage/postgres/sync-client.ts) on the test
 * run's own server: statements answer synchronously, errors keep their SQLSTATE, and every way a
 * connection can fail to open gives a message that names the server without its password.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { PostgresError, SyncPostgresClient } from '../../src/storage/postgres/sync-client.js';
import { parsePostgresUrl, redactUrl } from '../../src/storage/postgres/url.js';
import { createDatabase, freePort, withDatabase } from '../helpers/postgres.js';

const sharedUrl = inject('postgresUrl');
const skipReason = inject('postgresSkipReason');

describe('PostgreSQL URLs', () => {
  it('are checked before connecting, and shown without the password', () => {
    expect(redactUrl('postgresql://ann:s3cret@db:5432/studies')).toBe('postgresql://ann:***@db:5432/studies');
    expect(parsePostgresUrl('postgres://ann:s3cret@db/studies')).toMatchObject({ host: 'db', port: 5432, database: 'studies', user: 'ann', shown: 'postgres://ann:***@db/studies' });
    expect(() => parsePostgresUrl('postgresql://ann:s3cret@db:5432/')).toThrow(/'postgresql:\/\/ann:\*\*\*@db:5432\/' names no database/);
    expect(() => parsePostgresUrl('postgresql://ann:s3cret@db:99999/x')).toThrow(/not a valid PostgreSQL URL|port must be/);
    expect(() => parsePostgresUrl('postgresql://ann:s3cret@/x')).toThrow(UsageError);
    for (const bad of ['postgresql://ann:s3cret@/x', 'postgresql://ann:s3cret@db:5432/']) {
      try {
        parsePostgresUrl(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain('s3cret');
      }
    }
  });
});

describe.skipIf(sharedUrl === null)(`the synchronous PostgreSQL connection${sharedUrl === null ? ` (skipped: ${skipReason})` : ''}`, () => {
  let url: string;
  let client: SyncPostgresClient;
  beforeAll(async () => {
    url = await createDatabase(sharedUrl!, 'sync_client_test');
    client = SyncPostgresClient.connect(url);
  });
  afterAll(() => client?.close());

  it('runs statements synchronously, with parameters, inside transactions', () => {
    client.query('CREATE TABLE t (id SERIAL PRIMARY KEY, v DOUBLE PRECISION, s TEXT)');
    client.query('BEGIN');
    const ids = [1.5, 2.5, 3.5].map((v) => client.query('INSERT INTO t (v, s) VALUES ($1, $2) RETURNING id', [v, `x${v}`]).rows[0][0]);
    client.query('COMMIT');
    expect(ids).toEqual([1, 2, 3]);
    expect(client.query('SELECT id, v, s FROM t WHERE v > $1 ORDER BY id', [2]).rows).toEqual([[2, 2.5, 'x2.5'], [3, 3.5, 'x3.5']]);
    client.query('BEGIN');
    client.query('DELETE FROM t');
    client.query('ROLLBACK');
    expect(client.query('SELECT COUNT(*)::int FROM t').rows[0][0]).toBe(3);
    expect(client.query('UPDATE t SET v = v + 1 WHERE id < $1', [3]).rowCount).toBe(2);
  });

  it('keeps the SQLSTATE of a failed statement', () => {
    expect(() => client.query('SELEC 1')).toThrow(PostgresError);
    try {
      client.query('INSERT INTO t (id, v) VALUES (1, 0)');
    } catch (e) {
      expect((e as PostgresError).code).toBe('23505'); // unique_violation
    }
  });

  it('says why a connection cannot be opened, naming the server without the password', async () => {
    const u = new URL(url);
    const wrongPassword = `postgresql://${u.username}:not-the-password@${u.host}/${u.pathname.slice(1)}`;
    expect(() => SyncPostgresClient.connect(wrongPassword)).toThrow(new RegExp(`password for user '${u.username}' was refused`));
    try {
      SyncPostgresClient.connect(wrongPassword);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).not.toContain('not-the-password');
      expect((e as Error).message).toContain(':***@');
    }
    expect(() => SyncPostgresClient.connect(withDatabase(url, 'no_such_database'))).toThrow(/database 'no_such_database' does not exist. Create it/);
    const port = await freePort();
    expect(() => SyncPostgresClient.connect(`postgresql://a:b@127.0.0.1:${port}/x`)).toThrow(new RegExp(`connection refused. Is the server running and listening on 127.0.0.1:${port}\\?`));
    expect(() => SyncPostgresClient.connect('postgresql://a:b@no-such-host.invalid:5432/x')).toThrow(/no host named 'no-such-host.invalid'/);
  });
});
