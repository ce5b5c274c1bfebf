/**
 * A second thread, with its own connection to the study file, that commits finished trials and
 * checkpoints the WAL while the thread that runs objectives goes on.
 *
 * In a fast run the store hands finished trials here in batches (see finish-record.ts) instead of
 * committing them itself: SQLite's work for a trial (its rows, its share of a commit and of the
 * WAL checkpoints) then runs beside the objective instead of in front of it. The thread also
 * runs a PASSIVE checkpoint (it never waits for readers or writers) whenever the WAL has grown,
 * so that the committing connection seldom has to.
 *
 * Progress is published in shared memory, so that the store can check it, or wait for it, without
 * its event loop (a sequential run's objective may never yield). The thread's code is an inline
 * CommonJS string (the same from dist/ and from the TypeScript sources under vitest) that loads
 * the better-sqlite3 the main thread resolved and embeds applyFinishRecords' source.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { GUARD_SQL, applyFinishRecords, type FinishRecord, recordApplies, sqlTextsFrom } from '../sql/finish-record.js';

/** How often the thread looks at the WAL, in ms. */
const CHECK_EVERY_MS = 250;
/** Checkpoint once the WAL file holds this many bytes (about 1,000 pages of 4 KB). */
const CHECKPOINT_ABOVE_BYTES = 4_000_000;
/** Finished trials committed per transaction of the thread. */
const RECORDS_PER_TRANSACTION = 64;
/** Slots of the shared progress array. */
const DONE = 0;
const FAILED = 1;

const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const recordApplies = ${recordApplies.toString()};
const applyFinishRecords = ${applyFinishRecords.toString()};
const progress = new Int32Array(workerData.progress);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = NORMAL'); // per connection: as the store's own (no fsync per commit in WAL mode)
const texts = [];
const statements = [];
const stmt = (id) => statements[id] || (statements[id] = db.prepare(texts[id]));
const guard = db.prepare(workerData.guardSql);
const apply = db.transaction((records) => applyFinishRecords(stmt, guard, records));
let broken = false;
parentPort.on('message', (m) => {
  if (m.type === 'stop') { clearInterval(timer); db.close(); parentPort.close(); return; }
  for (const text of m.texts) texts.push(text);
  if (!broken) {
    try {
      // Several short transactions rather than one long one: the store's own connection may be
      // waiting for the write lock (to reserve the next trials).
      for (let i = 0; i < m.records.length; i += ${RECORDS_PER_TRANSACTION}) apply.immediate(m.records.slice(i, i + ${RECORDS_PER_TRANSACTION}));
    } catch {
      // The store takes this batch and every later one back and writes them itself, where the
      // error reaches the user.
      broken = true;
    }
  }
  if (broken && Atomics.load(progress, ${FAILED}) === 0) Atomics.store(progress, ${FAILED}, m.seq);
  Atomics.store(progress, ${DONE}, m.seq);
  Atomics.notify(progress, ${DONE});
});
const timer = setInterval(() => {
  let size = 0;
  try { size = statSync(workerData.path + '-wal').size; } catch { return; }
  if (size < workerData.checkpointAboveBytes) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy, or closing: the next round tries again */ }
}, workerData.checkEveryMs);
`;

export class BackgroundWriter {
  private readonly worker: Worker;
  private readonly progress = new Int32Array(new SharedArrayBuffer(8));
  private stopped = false;
  /** How many statement texts the thread has been sent. */
  private textsSent = 0;

  constructor(path: string, busyTimeoutMs: number) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD_CODE, {
      eval: true,
      workerData: {
        path,
        driver,
        busyTimeoutMs,
        guardSql: GUARD_SQL,
        progress: this.progress.buffer,
        checkEveryMs: CHECK_EVERY_MS,
        checkpointAboveBytes: CHECKPOINT_ABOVE_BYTES,
      },
    });
    this.worker.on('error', () => {
      // A dead thread reports nothing more: mark everything from here on as failed.
      if (Atomics.load(this.progress, FAILED) === 0) Atomics.store(this.progress, FAILED, 1);
      this.stopped = true;
    });
    // Never keeps the process alive: what it has not committed at exit, the store writes itself.
    // (After the listeners: listening on the worker can ref its port again.)
    this.worker.unref();
  }

  /** Queues a batch under sequence number `seq` (increasing). */
  submit(seq: number, records: readonly FinishRecord[]): void {
    // The statement texts numbered since the last batch go along (the thread numbers them alike).
    const texts = sqlTextsFrom(this.textsSent);
    this.textsSent += texts.length;
    this.worker.postMessage({ type: 'write', seq, records, texts });
  }

  /** The highest sequence number the thread has dealt with (committed, or failed). */
  get done(): number {
    return Atomics.load(this.progress, DONE);
  }

  /** The first sequence number the thread could not commit, or 0: from it on, batches are the store's again. */
  get failedFrom(): number {
    return Atomics.load(this.progress, FAILED);
  }

  /** Blocks until batch `seq` is dealt with, at most `timeoutMs`; true if it was. */
  waitFor(seq: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.progress, DONE);
      if (done >= seq || this.failedFrom !== 0) return done >= seq;
      const left = deadline - performance.now();
      if (left <= 0 || this.stopped) return false;
      Atomics.wait(this.progress, DONE, done, left);
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage({ type: 'stop' });
  }
}
