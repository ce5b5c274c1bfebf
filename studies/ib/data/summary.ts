/** What `studyopt data info` reports about a symbol's prepared data. */
import type { MarketData } from '../market-data.js';
import { epochDayToIso } from '../timezone.js';

export interface DataSummary {
  symbol: string;
  bars: number;
  tradingDays: number;
  from: string | null;
  to: string | null;
  /** Holes inside a trading day: consecutive bars more than one minute apart. */
  intradayGaps: number;
  /** Minutes missing inside those holes. */
  missingMinutes: number;
  /** Monday–Friday local dates between the first and last day without any bar. */
  missingWeekdays: number;
  /** Days whose IB window (the first one) has no bar. */
  daysWithoutIb: number;
}

export function summarize(data: MarketData): DataSummary {
  const { time } = data.bars;
  let gaps = 0;
  let missing = 0;
  for (let d = 0; d < data.dayDate.length; d++) {
    for (let i = data.dayStart[d] + 1; i < data.dayEnd[d]; i++) {
      const dt = time[i] - time[i - 1];
      if (dt > 1) {
        gaps++;
        missing += dt - 1;
      }
    }
  }
  const n = data.dayDate.length;
  let missingWeekdays = 0;
  if (n > 0) {
    const have = new Set(data.dayDate);
    for (let day = data.dayDate[0]; day <= data.dayDate[n - 1]; day++) {
      const wd = (((day + 4) % 7) + 7) % 7;
      if (wd >= 1 && wd <= 5 && !have.has(day)) missingWeekdays++;
    }
  }
  let noIb = 0;
  for (let d = 0; d < n; d++) if (Number.isNaN(data.ib[0].ibh[d])) noIb++;
  return {
    symbol: data.symbol.name,
    bars: time.length,
    tradingDays: n,
    from: n > 0 ? epochDayToIso(data.dayDate[0]) : null,
    to: n > 0 ? epochDayToIso(data.dayDate[n - 1]) : null,
    intradayGaps: gaps,
    missingMinutes: missing,
    missingWeekdays,
    daysWithoutIb: noIb,
  };
}
