/**
 * The worker thread behind SyncPostgresClient: it holds the node-postgres connections and runs
 * each call while the calling thread waits (synckit). Errors come back as data, so that their
 * PostgreSQL codes survive the trip between threads.
 */
import pg from 'pg';
import { runAsWorker } from 'synckit';
import type { WorkerCall, WorkerReply } from './sync-protocol.js';

// Values as the store reads them from SQLite: counts (int8) as numbers, timestamps as the text
// the store writes ('YYYY-MM-DD HH:MM:SS.ffffff', naive: local for trials, UTC for heartbeats),
// never turned into Dates in this thread's time zone.
const INT8 = 20;
const TIMESTAMP = 1114;
pg.types.setTypeParser(INT8, (v: string) => Number(v));
pg.types.setTypeParser(TIMESTAMP, (v: string) => v);

const clients = new Map<number, pg.Client>();
/** Connections the server dropped (a restart, a network cut): known to be unusable. */
const broken = new Set<number>();
let nextId = 1;

/**
 * Statements with parameters are prepared once per connection under a name of their own, and
 * later calls send only Bind/Execute: the server neither parses nor re-plans them (after five
 * runs PostgreSQL may keep a generic plan). The store's texts are few (merged batches vary by row
 * count, so their texts are bounded by the batch sizes). A text without parameters may hold
 * several statements, which only the simple protocol runs: those stay unnamed.
 */
const statementNames = new Map<string, string>();
function statementName(sql: string, params: readonly unknown[] | undefined): string | undefined {
  if (!params || params.length === 0) return undefined;
  let name = statementNames.get(sql);
  if (name === undefined) statementNames.set(sql, (name = `studyopt_${statementNames.size + 1}`));
  return name;
}

function errorReply(err: unknown): WorkerReply {
  const e = err as { message?: string; code?: string; errno?: number; severity?: string };
  return { ok: false, error: { message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : null } };
}

runAsWorker(async (call: WorkerCall): Promise<WorkerReply> => {
  try {
    switch (call.op) {
      case 'connect': {
        const client = new pg.Client({ connectionString: call.url, connectionTimeoutMillis: call.connectTimeoutMs, application_name: 'studyopt' });
        const id = nextId++;
        // Without a listener a dropped connection's 'error' event would end the worker.
        client.on('error', () => broken.add(id));
        client.on('end', () => broken.add(id));
        await client.connect();
        clients.set(id, client);
        return { ok: true, id };
      }
      case 'query': {
        const client = clients.get(call.id);
        if (!client || broken.has(call.id)) return { ok: false, error: { message: 'the connection to the PostgreSQL server was lost', code: 'CONNECTION_LOST' } };
        const result = await client.query({ name: statementName(call.sql, call.params), text: call.sql, values: call.params as unknown[], rowMode: 'array' });
        // Several statements in one query (no parameters) answer with one result each: the last counts.
        const r = (Array.isArray(result) ? result[result.length - 1] : result) as pg.QueryArrayResult;
        return { ok: true, rows: r.rows as unknown[][], rowCount: r.rowCount ?? 0, fields: r.fields.map((f) => f.name) };
      }
      case 'close': {
        const client = clients.get(call.id);
        clients.delete(call.id);
        broken.delete(call.id);
        if (client) await client.end().catch(() => undefined);
        return { ok: true };
      }
    }
  } catch (err) {
    const message = String((err as Error)?.message ?? err);
    // The server went away under the query (its 'error'/'end' events may come only after this).
    const lost = broken.has((call as { id?: number }).id ?? -1) || /Connection terminated|terminating connection|ECONNRESET|EPIPE/i.test(message);
    if (call.op === 'query' && lost) {
      broken.add(call.id);
      return { ok: false, error: { message, code: 'CONNECTION_LOST' } };
    }
    return errorReply(err);
  }
});
