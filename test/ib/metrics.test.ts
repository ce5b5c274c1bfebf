import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../studies/ib/metrics.js';
import { rankByScore } from '../../studies/ib/ranking.js';

describe('metrics (IB_RULES.md §5)', () => {
  it('match a hand computation', () => {
    // Five trades: +1.5 (OCAE), −1 (TCWE), 0 (Reverse, break-even), +0.5 (OCAE), −1 (REV_RB).
    const r = [1.5, -1, 0, 0.5, -1];
    const profit = [15, -10, 0, 5, -10];
    const kinds = [2, 3, 1, 2, 4];
    const m = computeMetrics(r, profit, kinds, 5, { initialBalance: 10_000, riskPct: 2 });
    expect(m.total_r).toBe(0);
    expect(m.total_profit).toBe(0);
    expect(m.total_trades).toBe(5);
    // Zero-R trades are neither wins nor losses: 2 / (2 + 2).
    expect(m.winrate).toBe(50);
    // mean 0 → Sharpe 0.
    expect(m.sharpe_ratio).toBe(0);
    // (1.5 + 0.5) / |−1 − 1| = 1.
    expect(m.profit_factor).toBe(1);
    // Cumulative 1.5, 0.5, 0.5, 1.0, 0.0; running peak 1.5 → drawdown 1.5.
    expect(m.max_drawdown).toBe(1.5);
    expect(m.avg_trade_r).toBe(0);
    expect(m.max_consec_losses).toBe(1);
    expect([m.trades_reverse, m.trades_ocae, m.trades_tcwe, m.trades_rev_rb]).toEqual([1, 2, 1, 1]);
    // 10,000 × 1.03 × 0.98 × 1 × 1.01 × 0.98 = 9,990.8... → −0.0916 %.
    expect(m.final_balance).toBeCloseTo(10_000 * 1.03 * 0.98 * 1.01 * 0.98, 2);
    expect(m.return_pct).toBeCloseTo(((1.03 * 0.98 * 1.01 * 0.98) - 1) * 100, 4);
  });

  it('computes Sharpe per trade × √252 with the sample std, and the edge conventions', () => {
    const m = computeMetrics([1, -1, 2], [0, 0, 0], [2, 2, 2], 3);
    // mean 2/3, sample std sqrt(((1/3)² + (5/3)² + (4/3)²)/2) = sqrt(7/3).
    expect(m.sharpe_ratio).toBeCloseTo(Math.round((2 / 3 / Math.sqrt(7 / 3)) * Math.sqrt(252) * 1e4) / 1e4, 10);
    // The first peak is the first trade's value, not 0: a first loss is no drawdown.
    expect(computeMetrics([-1, -1], [0, 0], [2, 2], 2).max_drawdown).toBe(1);
    // No losses → profit factor 0 (the Python convention); one trade → Sharpe 0.
    const wins = computeMetrics([1, 2], [0, 0], [2, 2], 2);
    expect(wins.profit_factor).toBe(0);
    expect(computeMetrics([1], [0], [2], 1).sharpe_ratio).toBe(0);
    expect(computeMetrics([-1, -1, 1, -1, -1, -1], [0, 0, 0, 0, 0, 0], [2, 2, 2, 2, 2, 2], 6).max_consec_losses).toBe(3);
  });
});

describe('composite ranking', () => {
  it('drops runs under 10 trades, min-max normalises, weights 0.40/0.35/0.25, constant column 0.5', () => {
    const runs = [
      { id: 'a', total_r: 10, sharpe_ratio: 1, winrate: 50, total_trades: 20 },
      { id: 'b', total_r: 0, sharpe_ratio: 2, winrate: 50, total_trades: 20 },
      { id: 'c', total_r: 5, sharpe_ratio: 0, winrate: 50, total_trades: 20 },
      { id: 'few', total_r: 100, sharpe_ratio: 9, winrate: 90, total_trades: 9 },
    ];
    const ranked = rankByScore(runs, (x) => x);
    expect(ranked.map((x) => x.item.id)).toEqual(['a', 'b', 'c']);
    // a: 0.40·1 + 0.35·0.5 + 0.25·0.5; b: 0 + 0.35·1 + 0.125; c: 0.40·0.5 + 0 + 0.125.
    expect(ranked.map((x) => x.score)).toEqual([0.4 + 0.175 + 0.125, 0.35 + 0.125, 0.2 + 0.125].map((v) => expect.closeTo(v, 12)));
  });
});
