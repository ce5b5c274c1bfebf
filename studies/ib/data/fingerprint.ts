/**
 * The fingerprint of the candles an IB study runs on (src/study-data.ts): symbol, where the data
 * came from, first and last trading day, day and bar counts, and a SHA-256 of the bars the run
 * reads (times and OHLC of the selected days only, so extending the cache beyond a study's
 * `--to` does not change that study's data).
 */
import { createHash } from 'node:crypto';
import type { DataFingerprint } from '../../../src/study-data.js';
import { epochDayToIso } from '../timezone.js';
import type { ImportReport } from './cache.js';
import type { SymbolData } from './store.js';

export interface IbDataFingerprint extends DataFingerprint {
  readonly symbol: string;
  /** "synthetic (seed 1, 2.5 years to 2025-06-30)" or "imported from a.csv, b.csv". */
  readonly source: string;
  readonly first: string;
  readonly last: string;
  readonly days: number;
  readonly bars: number;
}

/** Where a cache's data came from, in words. */
export function describeSource(report: ImportReport): string {
  if (report.source === 'synthetic') {
    const s = report.synthetic;
    return s ? `synthetic (seed ${s.seed}, ${s.years} years to ${s.end})` : 'synthetic';
  }
  const names = report.files.map((f) => f.file.split(/[\\/]/).pop() ?? f.file);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return `imported from ${shown || 'no file'}`;
}

function update(hash: ReturnType<typeof createHash>, array: Int32Array | Float64Array, from: number, to: number): void {
  // The bytes in place (also views of shared memory, where a pool's data lives): no copy.
  hash.update(new Uint8Array(array.buffer, array.byteOffset + from * array.BYTES_PER_ELEMENT, (to - from) * array.BYTES_PER_ELEMENT));
}

export function ibDataFingerprint(sd: SymbolData): IbDataFingerprint {
  const { data, dayFrom, dayTo } = sd;
  const firstBar = data.dayStart[dayFrom];
  const endBar = data.dayEnd[dayTo - 1];
  const hash = createHash('sha256');
  hash.update(`${data.symbol.name}\n`);
  const { time, open, high, low, close } = data.bars;
  for (const a of [time, open, high, low, close]) update(hash, a, firstBar, endBar);
  const first = epochDayToIso(data.dayDate[dayFrom]);
  const last = epochDayToIso(data.dayDate[dayTo - 1]);
  const days = dayTo - dayFrom;
  const bars = endBar - firstBar;
  const source = describeSource(sd.report);
  return {
    summary: `${data.symbol.name}: ${source}, ${first} to ${last}, ${days} trading days, ${bars.toLocaleString('en-US')} bars`,
    hash: hash.digest('hex'),
    symbol: data.symbol.name,
    source,
    first,
    last,
    days,
    bars,
  };
}
