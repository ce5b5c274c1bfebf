/**
 * Finished trials of this process on their way into the file.
 *
 * A finished trial is staged here and leaves once a commit holds it: a transaction of the store's
 * own connection (which may take the staged trials along), or a batch of the background writer,
 * which it reports done in shared memory. Until then the store keeps answering for the trial from
 * memory, since the file still shows it RUNNING. A batch the writer could not commit comes back
 * here, to be written by the store's connection.
 */
import type { FinishRecord } from './finish-record.js';

/**
 * A thread that commits batches of finish records with its own connection (the SQLite store's
 * background-writer.ts), and reports how far it got in shared memory.
 */
export interface FinishWriter {
  submit(seq: number, records: readonly FinishRecord[]): void;
  /** The highest sequence number it has dealt with (committed, or failed). */
  readonly done: number;
  /** The first sequence number it could not commit, or 0: from it on, batches are the store's again. */
  readonly failedFrom: number;
  /** Blocks until batch `seq` is dealt with, at most `timeoutMs`; true if it was. */
  waitFor(seq: number, timeoutMs: number): boolean;
  stop(): void;
}

export interface StagedFinish {
  readonly trialId: number;
  /** Its final write as data, built once, when it is first needed. */
  record?: FinishRecord;
  /** The writer's batch that carries it, once handed over. */
  seq?: number;
}

export class FinishQueue<F extends StagedFinish> {
  private readonly staged = new Map<number, F>();
  /** Staged since the last hand-over to the writer, in order. */
  private unhanded: F[] = [];
  /** Batches with the writer, oldest first, until it confirms them. */
  private handed: { seq: number; batch: F[] }[] = [];
  private lastSeq = 0;
  /** When the oldest trial not yet handed over was staged (performance.now()), or null. */
  private since: number | null = null;
  private writer: FinishWriter | null = null;

  get size(): number {
    return this.staged.size;
  }

  has(trialId: number): boolean {
    return this.staged.has(trialId);
  }

  /** How long the oldest trial not yet handed over has waited, in ms (0 for none). */
  get waitedMs(): number {
    return this.since === null ? 0 : performance.now() - this.since;
  }

  get hasWriter(): boolean {
    return this.writer !== null;
  }

  add(f: F): void {
    this.staged.set(f.trialId, f);
    this.since ??= performance.now();
    if (this.writer) this.unhanded.push(f);
  }

  /** From now on, batches go to this writer (the trials staged so far included). */
  attach(writer: FinishWriter): void {
    this.writer = writer;
    for (const f of this.staged.values()) if (f.seq === undefined) this.unhanded.push(f);
  }

  /** The trials the store's connection should write now: all, or those not with the writer. */
  forConnection(all: boolean): F[] {
    const out: F[] = [];
    for (const f of this.staged.values()) if (all || f.seq === undefined) out.push(f);
    return out;
  }

  /** These trials are in the file (the store's transaction committed). */
  written(batch: readonly F[]): void {
    for (const f of batch) if (this.staged.get(f.trialId) === f) this.staged.delete(f.trialId);
    if (this.staged.size === 0) this.since = null;
  }

  /** Hands the trials staged since the last hand-over to the writer, as one batch. */
  handOff(build: (f: F) => FinishRecord): void {
    this.reap();
    const writer = this.writer;
    if (!writer) return; // it failed: the store's connection writes from here on
    const batch = this.unhanded.filter((f) => f.seq === undefined && this.staged.get(f.trialId) === f);
    this.unhanded = [];
    if (batch.length === 0) return;
    const seq = ++this.lastSeq;
    writer.submit(seq, batch.map((f) => (f.record ??= build(f))));
    for (const f of batch) f.seq = seq;
    this.handed.push({ seq, batch });
    this.since = null;
  }

  /** Waits (blocking) until the writer has dealt with every batch, at most `timeoutMs`. */
  waitForWriter(timeoutMs: number): void {
    this.writer?.waitFor(this.lastSeq, timeoutMs);
    this.reap();
  }

  /**
   * Drops the trials the writer has committed. If it met an error (or died), takes its batches
   * back and lets it go; returns true then (the store's connection writes from here on, where the
   * error, if it persists, reaches the caller).
   */
  reap(): boolean {
    const writer = this.writer;
    if (!writer) return false;
    const done = writer.done;
    const failedFrom = writer.failedFrom;
    while (this.handed.length > 0 && this.handed[0].seq <= done && (failedFrom === 0 || this.handed[0].seq < failedFrom)) {
      this.written(this.handed.shift()!.batch);
    }
    if (failedFrom === 0) return false;
    for (const { batch } of this.handed) for (const f of batch) f.seq = undefined;
    this.handed = [];
    this.unhanded = [];
    writer.stop();
    this.writer = null;
    return true;
  }

  /** Stops the writer (after a flush: nothing of it is still wanted). */
  detach(): void {
    this.writer?.stop();
    this.writer = null;
  }
}
