/**
 * A synchronous PostgreSQL connection. The storage port is synchronous (samplers read trials
 * inside `suggest*`, and ask/tell stay synchronous as in Optuna), while every Node PostgreSQL
 * driver is asynchronous: node-postgres runs in a worker thread and each call blocks this thread
 * until the worker answers (synckit: a message and an Atomics.wait). Measured on this machine
 * (scripts/bench-storage.ts): about 90 µs more per statement than awaiting node-postgres
 * directly, which the store's group commit spreads over many trials.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import { UsageError } from '../../errors.js';
import type { WorkerCall, WorkerReply } from './sync-protocol.js';
import { type PostgresUrl, parsePostgresUrl } from './url.js';

/** An error the server or the connection reported; `code` is PostgreSQL's SQLSTATE (or the socket's). */
export class PostgresError extends Error {
  override name = 'PostgresError';
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/** The connection is gone (server restart, network cut): open a new one. */
export class ConnectionLostError extends PostgresError {
  override name = 'ConnectionLostError';
}

export interface QueryResult {
  /** Rows as arrays of column values, in the select list's order. */
  readonly rows: unknown[][];
  /** Rows inserted, updated or deleted (or returned). */
  readonly rowCount: number;
  /** The columns' names, in order. */
  readonly fields: readonly string[];
}

/** The built worker: beside this file in dist/, or dist/ from the sources (tests). */
function workerPath(): string {
  const here = new URL('./sync-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return fileURLToPath(here);
  const built = new URL('../../../dist/src/storage/postgres/sync-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return fileURLToPath(built);
  throw new Error('the PostgreSQL store runs the built worker dist/src/storage/postgres/sync-worker.js: run `npm run build` first');
}

let callWorker: ((call: WorkerCall) => WorkerReply) | null = null;

function worker(): (call: WorkerCall) => WorkerReply {
  callWorker ??= createSyncFn<(call: WorkerCall) => Promise<WorkerReply>>(workerPath()) as unknown as (call: WorkerCall) => WorkerReply;
  return callWorker;
}

/** Turns a failed connect into a message that names the server (never the password) and the fix. */
function connectError(u: PostgresUrl, code: string | null, message: string): UsageError {
  const where = `the PostgreSQL server at ${u.shown}`;
  switch (code) {
    case 'ECONNREFUSED':
      return new UsageError(`cannot connect to ${where}: connection refused. Is the server running and listening on ${u.host}:${u.port}?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`cannot connect to ${where}: no host named '${u.host}'. Check the host in the URL`);
    case '28P01':
      return new UsageError(`cannot connect to ${where}: the password for user '${u.user}' was refused. Check the user and password in the URL`);
    case '28000':
      return new UsageError(`cannot connect to ${where}: ${message}. Check the user in the URL, or the server's pg_hba.conf`);
    case '3D000':
      return new UsageError(`cannot connect to ${where}: database '${u.database}' does not exist. Create it (createdb ${u.database}, or CREATE DATABASE) or name another`);
    default:
      if (/timeout/i.test(message)) return new UsageError(`cannot connect to ${where}: no answer within the connect timeout. Check the host, port and firewall`);
      return new UsageError(`cannot connect to ${where}: ${message}`);
  }
}

export class SyncPostgresClient {
  readonly url: PostgresUrl;
  private id: number | null;

  private constructor(url: PostgresUrl, id: number) {
    this.url = url;
    this.id = id;
  }

  /** Connects, or throws a UsageError that says why not (refused, unknown host, credentials, no database). */
  static connect(spec: string, options: { connectTimeoutMs?: number } = {}): SyncPostgresClient {
    const url = parsePostgresUrl(spec);
    const reply = worker()({ op: 'connect', url: url.url, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 });
    if (!reply.ok) throw connectError(url, reply.error.code, reply.error.message);
    return new SyncPostgresClient(url, reply.id!);
  }

  /** Runs one statement (`$1`, `$2`, ... for parameters). */
  query(sql: string, params: readonly unknown[] = []): QueryResult {
    if (this.id === null) throw new UsageError(`the connection to ${this.url.shown} is closed`);
    const reply = worker()({ op: 'query', id: this.id, sql, params });
    if (!reply.ok) {
      const { code, message } = reply.error;
      if (code === 'CONNECTION_LOST' || code === '57P01' || code === 'ECONNRESET' || code === 'EPIPE') throw new ConnectionLostError(`${message} (${this.url.shown})`, code);
      throw new PostgresError(message, code);
    }
    return { rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0, fields: reply.fields ?? [] };
  }

  close(): void {
    if (this.id === null) return;
    const id = this.id;
    this.id = null;
    worker()({ op: 'close', id });
  }
}
