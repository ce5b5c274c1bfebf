import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { cacheExists, loadCache } from '../../studies/ib/data/cache.js';
import { importFiles, prepareImport } from '../../studies/ib/data/import.js';
import { getSymbol } from '../../studies/ib/symbols.js';
import { FIXTURES } from './helpers.js';

let dir: string;
const previousDataDir = process.env['STUDYOPT_DATA_DIR'];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'studyopt-ib-import-'));
  process.env['STUDYOPT_DATA_DIR'] = join(dir, 'cache');
});
afterAll(() => {
  if (previousDataDir === undefined) delete process.env['STUDYOPT_DATA_DIR'];
  else process.env['STUDYOPT_DATA_DIR'] = previousDataDir;
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const XAU = getSymbol('XAUUSD');
const GER = getSymbol('GER40');
const opts = { format: 'auto' as const, skipBadRows: false };
const iso = (minute: number) => new Date(minute * 60_000).toISOString();

describe('import formats', () => {
  it('reads Dukascopy (header, ISO Z) and MT5 (tab, <DATE> <TIME>) layouts to the same bars', async () => {
    const duka = await prepareImport(XAU, [join(FIXTURES, 'xauusd-dukascopy-2024-03-11.csv')], opts);
    const mt5 = await prepareImport(XAU, [join(FIXTURES, 'xauusd-mt5-2024-03-11.csv')], opts);
    expect(duka.report.files[0].format).toBe('dukascopy');
    expect(mt5.report.files[0].format).toBe('mt5');
    expect(duka.data.bars.time.length).toBe(240);
    expect(iso(duka.data.bars.time[0])).toBe('2024-03-11T00:00:00.000Z');
    expect(Array.from(mt5.data.bars.time)).toEqual(Array.from(duka.data.bars.time));
    expect(Array.from(mt5.data.bars.close)).toEqual(Array.from(duka.data.bars.close));
    expect(duka.data.bars.high[0]).toBe(2181.75);
  });

  it('reads HistData (no header, `;`, New York wall clock) and finds 08:00 Berlin across DST changes', async () => {
    const { data, report } = await prepareImport(GER, [join(FIXTURES, 'ger40-histdata-dst.csv.gz')], opts);
    expect(report.files[0]).toMatchObject({ format: 'histdata', timeZone: 'America/New_York', rows: 3354 });
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const opens = Array.from(data.dayStart, (i) => berlin.format(new Date(data.bars.time[i] * 60_000)));
    // 03-09 EST, 03-12 EDT (US changed), 03-23, 03-26 CEST (EU changed); 03-09 and 03-12 start at :01.
    expect(opens).toEqual(['08:01', '08:01', '08:00', '08:00']);
    // A fixed UTC-5 reading would put 03-12's first bar at 09:01 Berlin; the right one is 07:01 UTC.
    expect(iso(data.bars.time[data.dayStart[1]])).toBe('2018-03-12T07:01:00.000Z');
    expect(iso(data.bars.time[data.dayStart[3]])).toBe('2018-03-26T06:00:00.000Z');
  });

  it('reads generic files: `;` with unix seconds, tab with milliseconds, `,` with a header and --tz', async () => {
    const t0 = Date.UTC(2024, 2, 11, 0, 0) / 1000;
    const rows = [0, 1, 2].map((k) => [t0 + 60 * k, 10 + k, 11 + k, 9 + k, 10.5 + k]);
    const semi = write('semi.csv', rows.map((r) => r.join(';')).join('\n'));
    const tab = write('tab.txt', rows.map(([t, ...p]) => [t * 1000, ...p].join('\t')).join('\n'));
    const header = write('tokyo.csv', `datetime,open,high,low,close\n${rows.map(([t, ...p]) => [new Date(t * 1000 + 9 * 3600_000).toISOString().slice(0, 16).replace('T', ' '), ...p].join(',')).join('\n')}`);
    const a = await prepareImport(XAU, [semi], opts);
    const b = await prepareImport(XAU, [tab], opts);
    const c = await prepareImport(XAU, [header], { ...opts, timeZone: 'Asia/Tokyo' });
    for (const r of [a, b, c]) {
      expect(iso(r.data.bars.time[0])).toBe('2024-03-11T00:00:00.000Z');
      expect(Array.from(r.data.bars.close)).toEqual([10.5, 11.5, 12.5]);
    }
  });

  it('reads Parquet input', async () => {
    const file = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'real', 'XAUUSD', 'dukascopy_m1_2024_parquet_original', 'XAUUSD_M1_2024-03-11.parquet');
    let exists = true;
    try {
      readFileSync(file);
    } catch {
      exists = false;
    }
    if (!exists) return;
    const pq = await prepareImport(XAU, [file], opts);
    expect(pq.data.bars.time.length).toBeGreaterThan(1000);
    expect(iso(pq.data.bars.time[0])).toBe('2024-03-11T00:00:00.000Z');
    expect(pq.data.bars.open[0]).toBeCloseTo(2181.745, 9);
  });
});

describe('a day without trading', () => {
  it('reads a Parquet file with no rows (and no columns) as an empty day, as Dukascopy writes Good Friday', async () => {
    const csv = join(FIXTURES, 'xauusd-dukascopy-2024-03-11.csv');
    const alone = await prepareImport(XAU, [csv], opts);
    const withEmpty = await prepareImport(XAU, [csv, join(FIXTURES, 'xauusd-dukascopy-2024-03-29-no-rows.parquet')], opts);
    expect(Array.from(withEmpty.data.bars.time)).toEqual(Array.from(alone.data.bars.time));
    expect(Array.from(withEmpty.data.bars.close)).toEqual(Array.from(alone.data.bars.close));
  });
});

describe('messy input', () => {
  it('keeps duplicate timestamps once, counts them, and sorts unsorted files (gzipped too)', async () => {
    const lines = ['time,open,high,low,close', '2024-03-11T00:02:00Z,3,4,2,3', '2024-03-11T00:00:00Z,1,2,0.5,1', '2024-03-11T00:01:00Z,2,3,1,2', '2024-03-11T00:00:00Z,9,9,9,9'];
    const path = join(dir, 'messy.csv.gz');
    writeFileSync(path, gzipSync(lines.join('\n')));
    const { data, report } = await prepareImport(XAU, [path], opts);
    expect(report.duplicates).toBe(1);
    expect(report.outOfOrder).toBe(3); // 00:00, 00:01 and the repeated 00:00 follow 00:02
    expect(Array.from(data.bars.open)).toEqual([1, 2, 3]); // the first-read 00:00 row wins
  });

  it.each([
    ['high below low', '2024-03-11T00:01:00Z,1,0.5,2,1', 'high 0.5 is below low 2'],
    ['a non-number', '2024-03-11T00:01:00Z,1,abc,0.5,1', 'open/high/low/close must be numbers'],
    ['an impossible time', '2024-02-30T00:01:00Z,1,2,0.5,1', 'impossible date'],
    ['an hour 25', '2024-03-11T25:01:00Z,1,2,0.5,1', 'impossible'],
    ['seconds', '2024-03-11T00:01:30Z,1,2,0.5,1', 'whole minute'],
  ])('rejects %s with file:line, or skips and counts it with --skip-bad-rows', async (_name, bad, reason) => {
    const path = write(`bad-${_name.replace(/\s/g, '-')}.csv`, ['time,open,high,low,close', '2024-03-11T00:00:00Z,1,2,0.5,1', bad, '2024-03-11T00:02:00Z,1,2,0.5,1'].join('\n'));
    const err = await prepareImport(XAU, [path], opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${path}:3`);
    expect((err as Error).message).toContain(reason);
    const skipped = await prepareImport(XAU, [path], { ...opts, skipBadRows: true });
    expect(skipped.report.badRows).toBe(1);
    expect(skipped.data.bars.time.length).toBe(2);
  });

  it('names a missing file and writes nothing', async () => {
    await expect(importFiles(XAU, [join(dir, 'nope.csv')], opts)).rejects.toThrow(/file not found: .*nope\.csv/);
    await expect(importFiles(XAU, [join(dir, 'none-*.csv')], opts)).rejects.toThrow(/no file matches/);
    expect(cacheExists('XAUUSD')).toBe(false);
  });
});

describe('cache', () => {
  it('round-trips through the Arrow cache with the per-day IB figures', async () => {
    const { data } = await importFiles(GER, [join(FIXTURES, 'ger40-histdata-dst.csv.gz')], opts);
    const loaded = loadCache(GER);
    expect(Array.from(loaded.data.bars.time)).toEqual(Array.from(data.bars.time));
    expect(Array.from(loaded.data.bars.close)).toEqual(Array.from(data.bars.close));
    expect(Array.from(loaded.data.dayDate)).toEqual(Array.from(data.dayDate));
    for (let k = 0; k < data.ib.length; k++) {
      expect(Array.from(loaded.data.ib[k].ibh)).toEqual(Array.from(data.ib[k].ibh));
      expect(Array.from(loaded.data.ib[k].startMin)).toEqual(Array.from(data.ib[k].startMin));
    }
    expect(loaded.bytes).toBeGreaterThan(0);
  });

  it('refuses a cache written by another version with a message saying what to do', async () => {
    await importFiles(GER, [join(FIXTURES, 'ger40-histdata-dst.csv.gz')], opts);
    const path = join(process.env['STUDYOPT_DATA_DIR']!, 'GER40', 'bars.arrow');
    const { tableFromIPC, tableToIPC } = await import('apache-arrow');
    const table = tableFromIPC(readFileSync(path));
    const meta = JSON.parse(table.schema.metadata.get('studyopt')!);
    table.schema.metadata.set('studyopt', JSON.stringify({ ...meta, version: 999 }));
    writeFileSync(path, tableToIPC(table, 'file'));
    expect(() => loadCache(GER)).toThrow(/another version of studyopt.*re-run/);
  });
});
