/**
 * The queue of finished trials on their way into the file: what the store's connection must
 * write, what the writer thread holds, and what comes back when the writer fails. The writer here
 * is scripted (its progress is set by hand), as the real one publishes it in shared memory.
 */
import { describe, expect, it } from 'vitest';
import type { BackgroundWriter } from '../../src/storage/sqlite/background-writer.js';
import type { FinishRecord } from '../../src/storage/sql/finish-record.js';
import { FinishQueue, type StagedFinish } from '../../src/storage/sql/finish-queue.js';

class ScriptedWriter {
  submitted: { seq: number; ids: number[] }[] = [];
  done = 0;
  failedFrom = 0;
  stopped = false;
  submit(seq: number, records: readonly FinishRecord[]): void {
    this.submitted.push({ seq, ids: records.map((r) => r.trialId) });
  }
  waitFor(): boolean {
    return true;
  }
  stop(): void {
    this.stopped = true;
  }
}

const record = (f: StagedFinish): FinishRecord => ({ trialId: f.trialId, reservedBy: null, ops: [] });
const ids = (fs: StagedFinish[]): number[] => fs.map((f) => f.trialId);

describe('FinishQueue', () => {
  it('hands batches to the writer and lets them go once it confirms them', () => {
    const q = new FinishQueue<StagedFinish>();
    const w = new ScriptedWriter();
    q.add({ trialId: 1 });
    q.attach(w as unknown as BackgroundWriter);
    q.add({ trialId: 2 });
    q.handOff(record);
    q.add({ trialId: 3 });
    q.handOff(record);
    expect(w.submitted).toEqual([
      { seq: 1, ids: [1, 2] },
      { seq: 2, ids: [3] },
    ]);
    // With the writer: nothing for the connection unless everything is asked for (at exit).
    expect(ids(q.forConnection(false))).toEqual([]);
    expect(ids(q.forConnection(true))).toEqual([1, 2, 3]);
    w.done = 1;
    q.reap();
    expect([q.has(1), q.has(2), q.has(3)]).toEqual([false, false, true]);
    w.done = 2;
    q.reap();
    expect(q.size).toBe(0);
    expect(q.waitedMs).toBe(0);
  });

  it('takes back the batches the writer could not commit, and stops using it', () => {
    const q = new FinishQueue<StagedFinish>();
    const w = new ScriptedWriter();
    q.attach(w as unknown as BackgroundWriter);
    for (const id of [1, 2, 3, 4]) {
      q.add({ trialId: id });
      q.handOff(record);
    }
    w.done = 4;
    w.failedFrom = 3;
    expect(q.reap()).toBe(true);
    expect(w.stopped).toBe(true);
    expect(q.hasWriter).toBe(false);
    // 1 and 2 were committed; 3 and 4 are the connection's to write now.
    expect(ids(q.forConnection(false))).toEqual([3, 4]);
    q.written(q.forConnection(false));
    expect(q.size).toBe(0);
  });

  it('does not hand over what the connection wrote meanwhile', () => {
    const q = new FinishQueue<StagedFinish>();
    const w = new ScriptedWriter();
    q.attach(w as unknown as BackgroundWriter);
    q.add({ trialId: 7 });
    q.add({ trialId: 8 });
    q.written(q.forConnection(true).filter((f) => f.trialId === 7));
    q.handOff(record);
    expect(w.submitted).toEqual([{ seq: 1, ids: [8] }]);
  });
});
