/**
 * Copies the WAL back into the database file from a background thread.
 *
 * SQLite checkpoints in the connection that happens to commit when the WAL passes its limit, so
 * a fast run pays for the copy (and its fsync) on the thread that runs objectives. When the store
 * group-commits a fast run it starts one of these: a thread with its own connection that runs a
 * PASSIVE checkpoint (never waits for readers or writers) whenever the WAL has grown, while the
 * main connection's own automatic checkpoint is raised to a safety net.
 *
 * The thread's code is an inline CommonJS string (so it runs the same from dist/ and from the
 * TypeScript sources under vitest) that loads the better-sqlite3 the main thread resolved.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the thread looks at the WAL, in ms. */
const CHECK_EVERY_MS = 250;
/** Checkpoint once the WAL holds this many bytes (about 1,000 pages of 4 KB). */
const CHECKPOINT_ABOVE_BYTES = 4_000_000;

const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 1000 });
const wal = workerData.path + '-wal';
const timer = setInterval(() => {
  let size = 0;
  try { size = statSync(wal).size; } catch { return; }
  if (size < workerData.aboveBytes) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next round tries again */ }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private stopped = false;

  constructor(path: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD_CODE, {
      eval: true,
      workerData: { path, driver, everyMs: CHECK_EVERY_MS, aboveBytes: CHECKPOINT_ABOVE_BYTES },
    });
    // Never keeps the process alive; if the thread fails, the main connection's automatic
    // checkpoint (kept as a safety net) still bounds the WAL.
    this.worker.unref();
    this.worker.on('error', () => {
      this.stopped = true;
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('stop');
  }
}
