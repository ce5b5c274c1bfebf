/**
 * `studyopt data import`: M1 files (CSV plain or gzipped, or Parquet) → one symbol's cache.
 *
 * Rows from all files are merged, sorted by time (stable), duplicate timestamps kept once (the
 * first seen) and counted, the symbol's trading-hours filter applied (IB_RULES.md §1), and the
 * per-day IB figures precomputed. Nothing is written unless every file parsed.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../../../src/errors.js';
import { type Bars, applyTradingHours, buildMarketData, type MarketData } from '../market-data.js';
import type { SymbolSpec } from '../symbols.js';
import { type ImportReport, type FileImportReport, writeCache } from './cache.js';
import { type CsvFormat, parseCsvText } from './csv-bars.js';
import { parseParquet } from './parquet-bars.js';
import { RawBars } from './raw-bars.js';

export interface ImportOptions {
  format: CsvFormat;
  /** Zone of naive times in the files; see csv-bars.ts for the default. */
  timeZone?: string;
  skipBadRows: boolean;
}

/** Expands `*` and `?` in the last path segment (shells usually do this already). */
export function expandPatterns(patterns: string[]): string[] {
  const files: string[] = [];
  for (const pattern of patterns) {
    const name = basename(pattern);
    if (!/[*?]/.test(name)) {
      if (!existsSync(pattern) || !statSync(pattern).isFile()) {
        throw new UsageError(`--csv: file not found: ${pattern}; check the path`);
      }
      files.push(pattern);
      continue;
    }
    const dir = dirname(pattern);
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const matches = existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f)).sort() : [];
    if (matches.length === 0) throw new UsageError(`--csv: no file matches ${pattern}; check the path and pattern`);
    for (const m of matches) files.push(join(dir, m));
  }
  if (files.length === 0) throw new UsageError('--csv: give at least one file or glob of M1 bars');
  return files;
}

function readMaybeGzip(path: string): Uint8Array {
  const bytes = readFileSync(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (e) {
      throw new UsageError(`${path}: broken gzip file (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** Sorts by time (stable) and drops repeated timestamps, keeping the first. */
export function sortAndDeduplicate(raw: RawBars): { bars: Bars; duplicates: number; outOfOrder: number } {
  const n = raw.length;
  let outOfOrder = 0;
  let maxSeen = -Infinity;
  for (let i = 0; i < n; i++) {
    if (raw.time[i] < maxSeen) outOfOrder++;
    else maxSeen = raw.time[i];
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (outOfOrder > 0) {
    // Array.prototype.sort is stable, so among equal times the first-read row stays first.
    const sorted = Array.from(order).sort((a, b) => raw.time[a] - raw.time[b]);
    order.set(sorted);
  }
  let kept = 0;
  let prev = Number.NaN;
  const keep = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const t = raw.time[order[k]];
    if (t !== prev) {
      keep[k] = 1;
      kept++;
      prev = t;
    }
  }
  const bars: Bars = {
    time: new Int32Array(kept),
    open: new Float64Array(kept),
    high: new Float64Array(kept),
    low: new Float64Array(kept),
    close: new Float64Array(kept),
  };
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (keep[k] === 0) continue;
    const i = order[k];
    bars.time[j] = raw.time[i];
    bars.open[j] = raw.open[i];
    bars.high[j] = raw.high[i];
    bars.low[j] = raw.low[i];
    bars.close[j] = raw.close[i];
    j++;
  }
  return { bars, duplicates: n - kept, outOfOrder };
}

export interface ImportResult {
  data: MarketData;
  report: ImportReport;
}

/** Reads and prepares files without writing anything (tests and `import` share it). */
export async function prepareImport(spec: SymbolSpec, files: string[], options: ImportOptions): Promise<ImportResult> {
  const raw = new RawBars();
  const reports: FileImportReport[] = [];
  for (const file of files) {
    const bytes = readMaybeGzip(file);
    if (/\.parquet$/i.test(file)) {
      const r = await parseParquet(bytes, file, options.skipBadRows, raw);
      reports.push({ file, format: 'parquet', timeZone: 'UTC', rows: r.rows, badRows: r.badRows });
    } else {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      const r = parseCsvText(text, file, { format: options.format, timeZone: options.timeZone, skipBadRows: options.skipBadRows }, raw);
      reports.push({ file, format: r.format, timeZone: r.timeZone, rows: r.rows, badRows: r.badRows });
    }
  }
  if (raw.length === 0) throw new UsageError(`no bars were read from ${files.join(', ')}; check the files and --format`);
  const { bars, duplicates, outOfOrder } = sortAndDeduplicate(raw);
  const filtered = applyTradingHours(bars, spec.tradingHours);
  const data = buildMarketData(spec, filtered);
  const report: ImportReport = {
    source: 'import',
    createdAt: new Date().toISOString(),
    files: reports,
    rowsRead: raw.length,
    badRows: reports.reduce((s, r) => s + r.badRows, 0),
    duplicates,
    outOfOrder,
    outsideTradingHours: bars.time.length - filtered.time.length,
  };
  if (data.dayDate.length === 0) {
    throw new UsageError(`no bar of ${files.join(', ')} falls in ${spec.name}'s trading hours; check --symbol and --tz`);
  }
  return { data, report };
}

/** Imports files into the symbol's cache and returns what was done. */
export async function importFiles(spec: SymbolSpec, patterns: string[], options: ImportOptions): Promise<ImportResult> {
  const result = await prepareImport(spec, expandPatterns(patterns), options);
  writeCache(result.data, result.report);
  return result;
}
