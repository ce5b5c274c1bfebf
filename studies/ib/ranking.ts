/**
 * The seed's composite ranking (IB_RULES.md §5; config.py RANKING_WEIGHTS): keep runs with at
 * least `minTrades` trades, min–max normalise total R, Sharpe and win rate over the kept runs
 * (a constant column becomes 0.5), score = 0.40·R + 0.35·Sharpe + 0.25·Win, best first.
 */
import type { IbMetrics } from './metrics.js';

export const RANKING_WEIGHTS = { total_r: 0.4, sharpe_ratio: 0.35, winrate: 0.25 } as const;
export const DEFAULT_MIN_TRADES = 10;

export type RankableMetrics = Pick<IbMetrics, 'total_r' | 'sharpe_ratio' | 'winrate' | 'total_trades'>;

export interface Ranked<T> {
  item: T;
  score: number;
}

/** Ranks `items` by the composite score of `metricsOf(item)`; items under `minTrades` are dropped. */
export function rankByScore<T>(items: readonly T[], metricsOf: (item: T) => RankableMetrics, minTrades = DEFAULT_MIN_TRADES): Ranked<T>[] {
  const kept = items.filter((it) => metricsOf(it).total_trades >= minTrades);
  if (kept.length === 0) return [];
  const keys = Object.keys(RANKING_WEIGHTS) as (keyof typeof RANKING_WEIGHTS)[];
  const bounds = keys.map((k) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const it of kept) {
      const v = metricsOf(it)[k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi] as const;
  });
  const scored = kept.map((item) => {
    const m = metricsOf(item);
    let score = 0;
    keys.forEach((k, j) => {
      const [lo, hi] = bounds[j];
      const norm = hi > lo ? (m[k] - lo) / (hi - lo) : 0.5;
      score += RANKING_WEIGHTS[k] * norm;
    });
    return { item, score };
  });
  // Stable sort: equal scores keep their input order.
  return scored.sort((a, b) => b.score - a.score);
}
