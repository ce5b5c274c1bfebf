/**
 * PostgreSQL storage URLs: `postgresql://user:password@host:port/database?options` (also
 * `postgres://`), checked before anything connects, and shown in messages without the password.
 */
import { UsageError } from '../../errors.js';

export interface PostgresUrl {
  /** The URL as given, for the driver. */
  readonly url: string;
  /** The URL with its password replaced by `***`: the only form that goes into messages. */
  readonly shown: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** Query options (`?application_name=...`), for the store's own options. */
  readonly options: ReadonlyMap<string, string>;
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** The URL without its password, also for strings that do not parse. */
export function redactUrl(spec: string): string {
  return spec.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)([^@]*)@/i, '$1***@');
}

export function parsePostgresUrl(spec: string): PostgresUrl {
  const shown = redactUrl(spec);
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new UsageError(`'${shown}' is not a valid PostgreSQL URL: write postgresql://user:password@host:5432/database`);
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new UsageError(`'${shown}' is not a PostgreSQL URL: it must start with postgresql://`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new UsageError(`'${shown}' names no database: write postgresql://user:password@host:5432/database`);
  }
  if (u.hostname === '') throw new UsageError(`'${shown}' names no host: write postgresql://user:password@host:5432/database`);
  const port = u.port === '' ? 5432 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`'${shown}': the port must be a number from 1 to 65535`);
  return {
    url: spec,
    shown,
    host: u.hostname,
    port,
    database,
    user: decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres',
    options: new Map(u.searchParams.entries()),
  };
}
