/** Shared loaders for the IB tests: real data beside the checkout, synthetic data, conversions. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { prepareImport } from '../../studies/ib/data/import.js';
import { generateSynthetic } from '../../studies/ib/data/synthetic.js';
import { type Bars, type MarketData, applyTradingHours, buildMarketData } from '../../studies/ib/market-data.js';
import { getSymbol } from '../../studies/ib/symbols.js';
import type { RefBar } from './reference-engine.js';

/** ../shared/data/real relative to the repository root (CI has shared/ beside the checkout). */
export const REAL_DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'real');
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ib');

export const realGer40File = join(REAL_DATA, 'GER40', 'DAT_ASCII_GRXEUR_M1_201803.csv.gz');
export const realXauFile = (month: number) =>
  join(REAL_DATA, 'XAUUSD', 'dukascopy_m1_2024_csv', `XAUUSD_M1_2024-${String(month).padStart(2, '0')}_dukascopy_mid_utc.csv.gz`);
export const hasRealData = existsSync(realGer40File) && existsSync(realXauFile(1));

export async function loadReal(symbol: 'GER40' | 'XAUUSD', files: string[]): Promise<MarketData> {
  return (await prepareImport(getSymbol(symbol), files, { format: 'auto', skipBadRows: false })).data;
}

/** Synthetic bars of `symbol` restricted to UTC date ranges [from, to] (inclusive ISO dates). */
export function syntheticSlices(symbol: 'GER40' | 'XAUUSD', ranges: [string, string][]): MarketData {
  const spec = getSymbol(symbol);
  const raw = applyTradingHours(generateSynthetic(spec, { years: 2.5, seed: 1, end: '2025-06-30' }), spec.tradingHours);
  const keep: number[] = [];
  const bounds = ranges.map(([a, b]) => [Date.parse(`${a}T00:00:00Z`) / 60000, Date.parse(`${b}T23:59:00Z`) / 60000]);
  for (let i = 0; i < raw.time.length; i++) {
    if (bounds.some(([a, b]) => raw.time[i] >= a && raw.time[i] <= b)) keep.push(i);
  }
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
  const bars: Bars = {
    time: Int32Array.from(keep, (i) => raw.time[i]),
    open: pick(raw.open),
    high: pick(raw.high),
    low: pick(raw.low),
    close: pick(raw.close),
  };
  return buildMarketData(spec, bars);
}

export function toRefBars(data: MarketData): RefBar[] {
  const { time, open, high, low, close } = data.bars;
  return Array.from(time, (t, i) => ({ t: t * 60_000, o: open[i], h: high[i], l: low[i], c: close[i] }));
}
