/**
 * The binary cache of one symbol: Apache Arrow IPC files in `<data dir>/<SYMBOL>/`.
 *
 * - `bars.arrow`: the prepared M1 bars (sorted, unique, trading-hours filtered), columns
 *   time (Int32 UTC minutes), open/high/low/close (Float64).
 * - `days.arrow`: one row per trading day with its bar range and, per IB window, the localized
 *   window in UTC and IBH/IBL (the seed's IB cache step, IB_RULES.md §2).
 *
 * Arrow IPC was chosen over a home-made layout because its columns load as typed arrays with
 * no copy (a 2.5-year cache loads in tens of milliseconds) and any Arrow tool can read it.
 * Each file is written to a temporary name and renamed; both carry the same import id, so a
 * half-replaced cache is detected instead of used.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { UsageError } from '../../../src/errors.js';
import { dataDir } from '../data-dir.js';
import { type Bars, type IbWindowDays, type MarketData, buildMarketData } from '../market-data.js';
import type { SymbolSpec } from '../symbols.js';

/** Bump when the files' layout or meaning changes; older caches are refused with a fix. */
export const CACHE_FORMAT_VERSION = 1;
const META_KEY = 'studyopt';

export interface FileImportReport {
  file: string;
  format: string;
  timeZone: string;
  rows: number;
  badRows: number;
}

/** How a cache came to be; stored with it and shown by `data info`. */
export interface ImportReport {
  source: 'import' | 'synthetic';
  createdAt: string;
  files: FileImportReport[];
  rowsRead: number;
  badRows: number;
  duplicates: number;
  /** Rows that came after a later timestamp in input order (0 for sorted input). */
  outOfOrder: number;
  /** Rows dropped by the symbol's trading-hours filter. */
  outsideTradingHours: number;
  synthetic?: { seed: number; years: number; end: string };
}

interface CacheMeta {
  version: number;
  symbol: string;
  importId: string;
  tradingHours: string;
  report: ImportReport;
}

export function symbolCacheDir(symbol: string): string {
  return join(dataDir(), symbol.toUpperCase());
}

function barsPath(symbol: string): string {
  return join(symbolCacheDir(symbol), 'bars.arrow');
}

function daysPath(symbol: string): string {
  return join(symbolCacheDir(symbol), 'days.arrow');
}

export function cacheExists(symbol: string): boolean {
  return existsSync(barsPath(symbol)) && existsSync(daysPath(symbol));
}

function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** The cache is only valid for the trading-hours filter it was prepared with. */
function tradingHoursKey(spec: SymbolSpec): string {
  return JSON.stringify(spec.tradingHours);
}

/** IB figures depend on the zone and windows; a change recomputes them at load. */
function daysKey(spec: SymbolSpec): string {
  return JSON.stringify({ tz: spec.timezone, windows: spec.ibWindows });
}

export function writeCache(data: MarketData, report: ImportReport): void {
  const symbol = data.symbol.name;
  mkdirSync(symbolCacheDir(symbol), { recursive: true });
  const importId = randomUUID();
  const meta: CacheMeta = {
    version: CACHE_FORMAT_VERSION,
    symbol,
    importId,
    tradingHours: tradingHoursKey(data.symbol),
    report,
  };
  const { time, open, high, low, close } = data.bars;
  const bars = tableFromArrays({ time, open, high, low, close });
  bars.schema.metadata.set(META_KEY, JSON.stringify(meta));
  const dayCols: Record<string, Int32Array | Float64Array> = {
    date: data.dayDate,
    start: data.dayStart,
    end: data.dayEnd,
  };
  data.ib.forEach((w, k) => {
    dayCols[`ib${k}_start_min`] = w.startMin;
    dayCols[`ib${k}_end_min`] = w.endMin;
    dayCols[`ib${k}_ibh`] = w.ibh;
    dayCols[`ib${k}_ibl`] = w.ibl;
    dayCols[`ib${k}_start_bar`] = w.startBar;
    dayCols[`ib${k}_end_bar`] = w.endBar;
  });
  const days = tableFromArrays(dayCols);
  days.schema.metadata.set(META_KEY, JSON.stringify({ ...meta, days: daysKey(data.symbol) }));
  // Days first: a crash between the renames leaves mismatched ids, which load() reports.
  writeAtomic(daysPath(symbol), tableToIPC(days, 'file'));
  writeAtomic(barsPath(symbol), tableToIPC(bars, 'file'));
}

function readMeta(table: { schema: { metadata: Map<string, string> } }, path: string): CacheMeta & { days?: string } {
  const raw = table.schema.metadata.get(META_KEY);
  const meta = raw === undefined ? undefined : (JSON.parse(raw) as CacheMeta & { days?: string });
  if (meta === undefined || meta.version !== CACHE_FORMAT_VERSION) {
    throw new UsageError(
      `${path} was written by another version of studyopt (cache format ${meta?.version ?? 'unknown'}, ` +
        `this one reads ${CACHE_FORMAT_VERSION}); re-run "studyopt data import" or "studyopt data generate" for this symbol`,
    );
  }
  return meta;
}

function readTable(path: string) {
  try {
    return tableFromIPC(readFileSync(path));
  } catch (e) {
    throw new UsageError(`${path}: cannot read the data cache (${(e as Error).message}); re-run "studyopt data import"`);
  }
}

export interface LoadedCache {
  data: MarketData;
  report: ImportReport;
  bytes: number;
}

/** Loads a symbol's cache; throws UsageError when it is missing, foreign or inconsistent. */
export function loadCache(spec: SymbolSpec): LoadedCache {
  const bp = barsPath(spec.name);
  const dp = daysPath(spec.name);
  if (!existsSync(bp) || !existsSync(dp)) {
    throw new UsageError(
      `no data cache for ${spec.name} in ${symbolCacheDir(spec.name)}; run "studyopt data import --symbol ${spec.name} --csv <files>" ` +
        `or "studyopt data generate --symbol ${spec.name}"`,
    );
  }
  const barsTable = readTable(bp);
  const daysTable = readTable(dp);
  const meta = readMeta(barsTable, bp);
  const dmeta = readMeta(daysTable, dp);
  if (meta.importId !== dmeta.importId) {
    throw new UsageError(`${symbolCacheDir(spec.name)}: bars and days files come from different imports; re-run the import`);
  }
  if (meta.tradingHours !== tradingHoursKey(spec)) {
    throw new UsageError(
      `${bp} was prepared with trading hours ${meta.tradingHours}, but ${spec.name} now uses ${tradingHoursKey(spec)}; re-run "studyopt data import"`,
    );
  }
  const col = <T>(name: string) => barsTable.getChild(name)!.toArray() as T;
  const bars: Bars = {
    time: col<Int32Array>('time'),
    open: col<Float64Array>('open'),
    high: col<Float64Array>('high'),
    low: col<Float64Array>('low'),
    close: col<Float64Array>('close'),
  };
  const bytes = statSync(bp).size + statSync(dp).size;
  if (dmeta.days !== daysKey(spec)) {
    // The symbol's IB windows or zone changed since import: recompute the per-day figures.
    return { data: buildMarketData(spec, bars), report: meta.report, bytes };
  }
  const dcol = <T>(name: string) => daysTable.getChild(name)!.toArray() as T;
  const ib: IbWindowDays[] = spec.ibWindows.map((window, k) => ({
    window,
    startMin: dcol<Int32Array>(`ib${k}_start_min`),
    endMin: dcol<Int32Array>(`ib${k}_end_min`),
    ibh: dcol<Float64Array>(`ib${k}_ibh`),
    ibl: dcol<Float64Array>(`ib${k}_ibl`),
    startBar: dcol<Int32Array>(`ib${k}_start_bar`),
    endBar: dcol<Int32Array>(`ib${k}_end_bar`),
  }));
  const data: MarketData = {
    symbol: spec,
    bars,
    dayDate: dcol<Int32Array>('date'),
    dayStart: dcol<Int32Array>('start'),
    dayEnd: dcol<Int32Array>('end'),
    ib,
  };
  return { data, report: meta.report, bytes };
}
