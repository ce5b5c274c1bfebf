/**
 * The pool's shared signal tables (studies/ib/engine/shared-signal-tables.ts): each key is built
 * once across threads and read back as built; what does not fit is built locally, never wrong.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { SignalTable } from '../../studies/ib/engine/signal-table.js';
import { SharedSignalTables, createSignalTableBuffer } from '../../studies/ib/engine/shared-signal-tables.js';

const DAYS = 37;

/** A table whose every column is a function of the key, so that a mix-up shows. */
function tableFor(key: string): SignalTable {
  let seed = 0;
  for (const c of key) seed = (seed * 31 + c.charCodeAt(0)) % 1000;
  const f64 = (k: number) => Float64Array.from({ length: DAYS }, (_, d) => seed + k + d / 8);
  return {
    kind: Int8Array.from({ length: DAYS }, (_, d) => (seed + d) % 5),
    dir: Int8Array.from({ length: DAYS }, (_, d) => ((seed + d) % 3) - 1),
    entryBar: Int32Array.from({ length: DAYS }, (_, d) => seed * 100 + d),
    raw: f64(1),
    tick: f64(2),
    stopIbStart: f64(3),
    stopEq: f64(4),
    stopCisd: f64(5),
  };
}

const plain = (t: SignalTable) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]));
const KEYS = Array.from({ length: 40 }, (_, i) => `primary|0|${i % 4}|${60 + i}|0.05|${i / 10}`);

describe('shared signal tables', () => {
  it('builds a key once and gives every reader of the buffer the same columns', () => {
    const buffer = createSignalTableBuffer(DAYS);
    let builds = 0;
    const build = (key: string) => () => {
      builds++;
      return tableFor(key);
    };
    const a = new SharedSignalTables(buffer);
    for (const key of KEYS) expect(plain(a.get(key, build(key)))).toEqual(plain(tableFor(key)));
    expect(builds).toBe(KEYS.length);
    const b = new SharedSignalTables(buffer); // another worker's view of the same memory
    for (const key of KEYS) {
      const t = b.get(key, build(key));
      expect(plain(t)).toEqual(plain(tableFor(key)));
      expect(t.raw.buffer).toBe(buffer);
    }
    expect(builds).toBe(KEYS.length);
  });

  it('builds locally what does not fit, and still returns the right table', () => {
    const buffer = createSignalTableBuffer(DAYS, 3);
    let builds = 0;
    const tables = new SharedSignalTables(buffer);
    for (let round = 0; round < 2; round++) {
      for (const key of KEYS.slice(0, 8)) {
        const t = tables.get(key, () => (builds++, tableFor(key)));
        expect(plain(t)).toEqual(plain(tableFor(key)));
      }
    }
    expect(builds).toBe(3 + 5 * 2); // three shared, five built again each round
  });

  it('a builder that throws leaves the key to be built by whoever asks next', () => {
    const tables = new SharedSignalTables(createSignalTableBuffer(DAYS));
    expect(() => tables.get('k', () => { throw new Error('no data'); })).toThrow('no data');
    expect(plain(tables.get('k', () => tableFor('k')))).toEqual(plain(tableFor('k')));
  });

  it('across worker threads asking for the same keys at once: one build per key, the same bytes for all', async () => {
    const buffer = createSignalTableBuffer(DAYS);
    const counts = new Int32Array(new SharedArrayBuffer(4 * KEYS.length));
    const module = new URL('../../dist/studies/ib/engine/shared-signal-tables.js', import.meta.url).href;
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(${JSON.stringify(module)}).then(({ SharedSignalTables }) => {
        const { buffer, counts, keys, days } = workerData;
        const tables = new SharedSignalTables(buffer);
        const sums = keys.map((key, i) => {
          const t = tables.get(key, () => {
            Atomics.add(counts, i, 1);
            const start = Date.now(); while (Date.now() - start < 2); // a build takes a while
            const col = (k) => Float64Array.from({ length: days }, (_, d) => i * 1000 + k + d);
            return { kind: new Int8Array(days).fill(i % 5), dir: new Int8Array(days).fill(1), entryBar: new Int32Array(days).fill(i),
              raw: col(1), tick: col(2), stopIbStart: col(3), stopEq: col(4), stopCisd: col(5) };
          });
          return t.raw.reduce((a, b) => a + b, 0) + t.entryBar[0] + t.kind[days - 1];
        });
        parentPort.postMessage(sums);
      });`;
    const workers = Array.from({ length: 4 }, () => new Worker(source, { eval: true, workerData: { buffer, counts, keys: KEYS, days: DAYS } }));
    const sums = await Promise.all(workers.map((w) => new Promise<number[]>((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))));
    await Promise.all(workers.map((w) => w.terminate()));
    expect(Array.from(counts)).toEqual(KEYS.map(() => 1));
    const expected = KEYS.map((_, i) => Array.from({ length: DAYS }, (_, d) => i * 1000 + 1 + d).reduce((a, b) => a + b, 0) + i + (i % 5));
    for (const s of sums) expect(s).toEqual(expected);
  });
});
