/**
 * The IB study on the pool with its candle data in shared memory (studies/ib/shared-data.ts):
 * workers compute on the main thread's buffer, and give the same results as the sequential run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study.js';
import { optimizePool, prepareObjective } from '../../src/executor/index.js';
import { GridSampler } from '../../samplers/grid.js';
import type { Grid } from '../../src/search-space.js';
import { loadSymbolData } from '../../studies/ib/data/store.js';
import { fromShared, isBackedBy, sharedBytes, toShared } from '../../studies/ib/shared-data.js';

const fixture = fileURLToPath(new URL('../fixtures/executor/ib-pool.mjs', import.meta.url));
let dir: string;
let previous: string | undefined;

beforeAll(() => {
  previous = process.env.STUDYOPT_DATA_DIR;
  dir = mkdtempSync(join(tmpdir(), 'studyopt-ib-pool-'));
  process.env.STUDYOPT_DATA_DIR = dir;
});

afterAll(() => {
  if (previous === undefined) delete process.env.STUDYOPT_DATA_DIR;
  else process.env.STUDYOPT_DATA_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

describe('IB data in shared memory', () => {
  it('round-trips through toShared/fromShared without copying', () => {
    const data = loadSymbolData('GER40', { from: '2024-01-01', to: '2024-06-30' });
    const shared = toShared(data);
    const cloned = structuredClone(shared); // what a worker receives
    expect(cloned.buffer).toBeInstanceOf(SharedArrayBuffer);
    const back = fromShared(cloned);
    expect(isBackedBy(back.data, shared.buffer) || isBackedBy(back.data, cloned.buffer)).toBe(true);
    // Same memory: a write through the clone is seen through the original.
    const before = shared.bars.close[0];
    back.data.bars.close[0] = 12345.5;
    expect(shared.bars.close[0]).toBe(12345.5);
    shared.bars.close[0] = before;
    expect(Array.from(back.data.bars.time.subarray(0, 50))).toEqual(Array.from(data.data.bars.time.subarray(0, 50)));
    expect(back.dayFrom).toBe(data.dayFrom);
    expect(sharedBytes(shared)).toBeGreaterThan(data.data.bars.time.byteLength * 5);
  });

  it('the pool evaluates grid points on shared data exactly as the sequential run does', async () => {
    const options = { symbol: 'GER40', grid: 'standard', from: '2024-01-01', to: '2024-06-30', reportHeapEvery: 1 };
    const prepared = await prepareObjective(fixture, options);
    const ibGrid = (prepared.module.grid as (name: string) => Grid)('standard');
    const mk = () => createStudy({ direction: 'maximize', sampler: new GridSampler(ibGrid, { seed: 7 }) });
    const seq = mk();
    await seq.optimize(prepared.module.objective, { nTrials: 150 });
    const pool = mk();
    const summary = await optimizePool(pool, prepared, { workers: 2, nTrials: 150 });
    expect(summary.completed).toBe(150);
    expect(pool.trials.every((t) => t.userAttrs.data_is_shared === true)).toBe(true);
    const key = (t: { params: object; values: readonly number[] | null }) => JSON.stringify([t.params, t.values]);
    expect(pool.trials.map(key).sort()).toEqual(seq.trials.map(key).sort());
  });
});
