/**
 * A study's trials as TrialTable parts read by worker threads, each on its own read-only
 * connection, yielded in order: reading a grid of millions of trials is SQLite's work and the
 * parsing of what it returns, which parts share across cores (`studyopt export --format parquet`).
 */
import { Worker } from 'node:worker_threads';
import type { TrialTable } from '../../../storage/trial-table.js';

/** Trials per part: small enough to keep every thread busy, large enough for SQLite's chunking. */
export const TRIALS_PER_PART = 50_000;

/**
 * The `parts` parts of study `studyId` in `storage` (a store URL), in order, read by `threads`
 * workers; no more than two parts per thread wait to be taken.
 */
export async function* readTrialTableParts(storage: string, studyId: number, parts: number, threads: number): AsyncGenerator<TrialTable> {
  const workers = Array.from({ length: Math.max(1, Math.min(threads, parts)) }, () => new Worker(new URL('./trial-table-worker.js', import.meta.url), { workerData: { storage, studyId } }));
  const ready = new Map<number, TrialTable>();
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  let sent = 0;
  let taken = 0;
  // At most two parts per thread wait to be taken.
  const more = (): boolean => sent < Math.min(parts, taken + 2 * workers.length);
  const send = (w: Worker): void => w.postMessage({ index: sent++, of: parts });
  const idle: Worker[] = [];
  for (const w of workers) {
    w.on('message', ({ index, table }: { index: number; table: TrialTable }) => {
      ready.set(index, table);
      idle.push(w);
      wake?.();
    });
    w.on('error', (err: Error) => {
      failure = err;
      wake?.();
    });
    if (more()) send(w);
    else idle.push(w);
  }
  try {
    while (taken < parts) {
      while (idle.length > 0 && more()) send(idle.shift()!);
      const table = ready.get(taken);
      if (table !== undefined) {
        ready.delete(taken);
        taken++;
        yield table;
        continue;
      }
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    for (const w of workers) void w.terminate();
  }
}
