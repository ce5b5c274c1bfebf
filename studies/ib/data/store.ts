/**
 * Getting a symbol's market data: from its cache, or — the built-in default when nothing was
 * imported — from deterministic synthetic data generated and cached on first use.
 */
import { UsageError } from '../../../src/errors.js';
import { type MarketData, applyTradingHours, buildMarketData, dayRange } from '../market-data.js';
import { type SymbolSpec, getSymbol } from '../symbols.js';
import { isoToEpochDay } from '../timezone.js';
import { type ImportReport, cacheExists, loadCache, writeCache } from './cache.js';
import {
  DEFAULT_SYNTHETIC_END,
  DEFAULT_SYNTHETIC_SEED,
  DEFAULT_SYNTHETIC_YEARS,
  type SyntheticOptions,
  generateSynthetic,
} from './synthetic.js';

/** Generates synthetic bars for `spec`, prepares them like an import, and caches them. */
export function generateAndCache(spec: SymbolSpec, options: SyntheticOptions): { data: MarketData; report: ImportReport } {
  const raw = generateSynthetic(spec, options);
  const bars = applyTradingHours(raw, spec.tradingHours);
  const data = buildMarketData(spec, bars);
  const report: ImportReport = {
    source: 'synthetic',
    createdAt: new Date().toISOString(),
    files: [],
    rowsRead: raw.time.length,
    badRows: 0,
    duplicates: 0,
    outOfOrder: 0,
    outsideTradingHours: raw.time.length - bars.time.length,
    synthetic: { seed: options.seed, years: options.years, end: options.end },
  };
  writeCache(data, report);
  return { data, report };
}

export interface LoadOptions {
  /** First and last local trading date, `YYYY-MM-DD`, inclusive. */
  from?: string;
  to?: string;
}

export interface SymbolData {
  data: MarketData;
  report: ImportReport;
  /** Half-open range of day indices selected by from/to. */
  dayFrom: number;
  dayTo: number;
  cacheBytes: number;
}

function parseDate(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const day = isoToEpochDay(value);
  if (Number.isNaN(day)) throw new UsageError(`${flag} ${JSON.stringify(value)} is not a date; use YYYY-MM-DD`);
  return day;
}

/**
 * The symbol's data restricted to [from, to]. With no cache, builds the default synthetic data
 * (seed 1, 2.5 years ending 2025-06-30) and caches it.
 */
export function loadSymbolData(symbol: string, options: LoadOptions = {}): SymbolData {
  const spec = getSymbol(symbol);
  const from = parseDate(options.from, '--from');
  const to = parseDate(options.to, '--to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError(`--from ${options.from} is after --to ${options.to}; swap them`);
  }
  if (!cacheExists(spec.name)) {
    generateAndCache(spec, { years: DEFAULT_SYNTHETIC_YEARS, seed: DEFAULT_SYNTHETIC_SEED, end: DEFAULT_SYNTHETIC_END });
  }
  const { data, report, bytes } = loadCache(spec);
  const [dayFrom, dayTo] = dayRange(data, from ?? -Infinity, to ?? Infinity);
  if (dayFrom >= dayTo) {
    const first = data.dayDate.length > 0 ? new Date(data.dayDate[0] * 86_400_000).toISOString().slice(0, 10) : '-';
    const last = data.dayDate.length > 0 ? new Date(data.dayDate[data.dayDate.length - 1] * 86_400_000).toISOString().slice(0, 10) : '-';
    throw new UsageError(
      `no ${spec.name} trading day between ${options.from ?? 'the start'} and ${options.to ?? 'the end'}; ` +
        `the data covers ${first} to ${last}`,
    );
  }
  return { data, report, dayFrom, dayTo, cacheBytes: bytes };
}
