/**
 * The fingerprint of the candles an IB study reads: the same bars give the same hash (in shared
 * memory too), other bars or another date range another one, and data beyond a study's range
 * does not change it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ibDataFingerprint } from '../../studies/ib/data/fingerprint.js';
import { importFiles } from '../../studies/ib/data/import.js';
import { generateAndCache, loadSymbolData } from '../../studies/ib/data/store.js';
import { fromShared, toShared } from '../../studies/ib/shared-data.js';
import { getSymbol } from '../../studies/ib/symbols.js';

const GER40_CSV = fileURLToPath(new URL('../fixtures/ib/ger40-histdata-dst.csv.gz', import.meta.url));
let dir: string;
let previous: string | undefined;
beforeAll(() => {
  previous = process.env.STUDYOPT_DATA_DIR;
  dir = mkdtempSync(join(tmpdir(), 'studyopt-fingerprint-'));
  process.env.STUDYOPT_DATA_DIR = dir;
  generateAndCache(getSymbol('GER40'), { years: 0.5, seed: 1, end: '2025-06-30' });
});
afterAll(() => {
  if (previous === undefined) delete process.env.STUDYOPT_DATA_DIR;
  else process.env.STUDYOPT_DATA_DIR = previous;
  rmSync(dir, { recursive: true, force: true });
});

describe('the IB data fingerprint', () => {
  it('describes the bars read and hashes them, the same in shared memory', () => {
    const sd = loadSymbolData('GER40', { from: '2025-03-01', to: '2025-03-31' });
    const fp = ibDataFingerprint(sd);
    expect(fp).toMatchObject({ symbol: 'GER40', source: 'synthetic (seed 1, 0.5 years to 2025-06-30)', first: '2025-03-03', last: '2025-03-31', days: 21 });
    expect(fp.summary).toBe(`GER40: synthetic (seed 1, 0.5 years to 2025-06-30), 2025-03-03 to 2025-03-31, 21 trading days, ${fp.bars.toLocaleString('en-US')} bars`);
    expect(fp.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ibDataFingerprint(fromShared(structuredClone(toShared(sd)))).hash).toBe(fp.hash);
  });

  it('changes with the range and with the data, but not with data beyond the range', async () => {
    const march = ibDataFingerprint(loadSymbolData('GER40', { from: '2025-03-01', to: '2025-03-31' })).hash;
    expect(ibDataFingerprint(loadSymbolData('GER40', { from: '2025-03-01', to: '2025-04-30' })).hash).not.toBe(march);
    generateAndCache(getSymbol('GER40'), { years: 0.5, seed: 2, end: '2025-06-30' });
    expect(ibDataFingerprint(loadSymbolData('GER40', { from: '2025-03-01', to: '2025-03-31' })).hash).not.toBe(march);

    // Real candles: the first two days imported alone, then all four days; a study of the first
    // two days reads the same bars from both caches.
    const lines = gunzipSync(readFileSync(GER40_CSV)).toString('utf8').trim().split('\n');
    const firstTwo = join(dir, 'first-two-days.csv');
    writeFileSync(firstTwo, `${lines.filter((l) => l < '20180313').join('\n')}\n`);
    await importFiles(getSymbol('GER40'), [firstTwo], { format: 'auto', skipBadRows: false });
    const short = ibDataFingerprint(loadSymbolData('GER40', { to: '2018-03-12' }));
    await importFiles(getSymbol('GER40'), [GER40_CSV], { format: 'auto', skipBadRows: false });
    const long = ibDataFingerprint(loadSymbolData('GER40', { to: '2018-03-12' }));
    expect(short).toMatchObject({ days: 2, first: '2018-03-09', last: '2018-03-12' });
    expect(long.hash).toBe(short.hash);
    expect(ibDataFingerprint(loadSymbolData('GER40')).hash).not.toBe(short.hash);
  });
});
