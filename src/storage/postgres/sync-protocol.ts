/** The calls between SyncPostgresClient and its worker thread (sync-worker.ts). */
export type WorkerCall =
  | { op: 'connect'; url: string; connectTimeoutMs: number }
  | { op: 'query'; id: number; sql: string; params: readonly unknown[] }
  | { op: 'close'; id: number };

export type WorkerReply =
  | { ok: true; id?: number; rows?: unknown[][]; rowCount?: number; fields?: string[] }
  | { ok: false; error: { message: string; code: string | null } };
