import { describe, expect, it } from 'vitest';
import { IbEngine } from '../../studies/ib/engine/engine.js';
import { SIGNAL_NAMES } from '../../studies/ib/engine/signals.js';
import { IbGrid } from '../../studies/ib/grids.js';
import { METRIC_CATALOGUE, METRIC_NAMES, metricDirection, metricValue } from '../../studies/ib/metric-catalogue.js';
import { computeMetrics } from '../../studies/ib/metrics.js';
import { OBJECTIVE_NAMES, OBJECTIVE_SCALING, objectiveOf, objectiveValue, perTrialScore } from '../../studies/ib/objective.js';
import type { IbParams } from '../../studies/ib/params.js';
import { rankByScore } from '../../studies/ib/ranking.js';
import { syntheticSlices } from './helpers.js';

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

describe('risk-adjusted metrics (docs/metrics.md)', () => {
  // Five trades on days 0, 2, 3, 6 and 8 of 10 trading days; balance 100, 10 % risked per trade.
  const r = [1, -2, 0.5, 2, -1];
  const zeros = [0, 0, 0, 0, 0];
  const kinds = [2, 2, 2, 2, 2];
  const days = [0, 2, 3, 6, 8];
  const m = computeMetrics(r, zeros, kinds, 5, { initialBalance: 100, riskPct: 10 }, days, 10);

  it('sortino: per-trade mean / downside deviation × √252', () => {
    // mean = 0.5 / 5 = 0.1; downside deviation = √((2² + 1²) / 5) = 1 → 0.1 × √252 = 1.58745.
    expect(m.sortino_ratio).toBe(1.5875);
  });

  it('calmar: annualised R over max drawdown', () => {
    // Cumulative R 1, −1, −0.5, 1.5, 0.5: the peak 1 falls to −1, max drawdown 2.
    // total 0.5 over 10 days → 0.5 × 252 / 10 = 12.6 R a year; 12.6 / 2 = 6.3.
    expect(m.max_drawdown).toBe(2);
    expect(m.calmar_ratio).toBe(6.3);
  });

  it('ulcer index: RMS of the end-of-day % drawdowns of the compounded balance over every trading day', () => {
    // Balance ×1.1, ×0.8, ×1.05, ×1.2, ×0.9: 110, 88, 92.4, 110.88, 99.792; peaks 110, 110, 110, 110.88, 110.88.
    // Drawdown % 0 (days 0–1), 20 (day 2), 16 (days 3–5), 0 (days 6–7), 10 (days 8–9).
    // √((20² × 1 + 16² × 3 + 10² × 2) / 10) = √(1368 / 10) = √136.8 = 11.69615.
    expect(m.ulcer_index).toBe(11.6962);
  });

  it('sqn: √n × mean / sample std', () => {
    // Deviations from 0.1: 0.9, −2.1, 0.4, 1.9, −1.1; squares sum 10.2; variance 10.2 / 4 = 2.55.
    // √5 × 0.1 / √2.55 = 0.140028.
    expect(m.sqn).toBe(0.14);
  });

  it('expectancy: win rate × average win − loss rate × average loss, equal to avg_trade_r', () => {
    // Wins 1, 0.5, 2 (avg 3.5/3), losses −2, −1 (avg 1.5): 3/5 × 3.5/3 − 2/5 × 1.5 = 0.7 − 0.6 = 0.1.
    expect(m.expectancy).toBe(0.1);
    expect(m.expectancy).toBe(m.avg_trade_r);
    // A zero-R trade counts in n, so the rates are over all trades: (1 − 1 + 0) / 3 = 0.
    expect(computeMetrics([1, -1, 0], [0, 0, 0], [2, 2, 2], 3).expectancy).toBe(0);
  });

  it('max drawdown duration: trading days from a peak of cumulative R until regained, or to the last day', () => {
    // Peak 1 on day 0, regained by 1.5 on day 6: 6 days. Then 0.5 < 1.5 from day 8 to the last day, 9: 3 days.
    expect(m.max_drawdown_duration).toBe(6);
    // Never regained: the peak 2 on day 0 until the last of 20 days, 19.
    expect(computeMetrics([2, -1, -1], [0, 0, 0], [2, 2, 2], 3, {}, [0, 1, 2], 20).max_drawdown_duration).toBe(19);
    // A return to the peak regains it, within float error: 0.7 − 0.4 + 4 × 0.1 sums to 0.6999999999999998
    // (not regained exactly, which would make it 9 days, to the last day).
    expect(computeMetrics([0.7, -0.4, 0.1, 0.1, 0.1, 0.1], [0, 0, 0, 0, 0, 0], [2, 2, 2, 2, 2, 2], 6, {}, [0, 1, 2, 3, 4, 5], 10).max_drawdown_duration).toBe(5);
  });

  it('without trade days each trade is its own day', () => {
    const own = computeMetrics(r, zeros, kinds, 5, { initialBalance: 100, riskPct: 10 });
    // Drawdown % 0, 20, 16, 0, 10 one day each: √((400 + 256 + 100) / 5) = √151.2 = 12.29634.
    expect(own.ulcer_index).toBe(12.2963);
    // Peak on trade 0, regained on trade 3: 3; then trade 3 to the last, 4: 1.
    expect(own.max_drawdown_duration).toBe(3);
    // 0.5 × 252 / 5 trades as days / 2.
    expect(own.calmar_ratio).toBe(12.6);
  });

  it('edge conventions: 0 without losses, without drawdown, below 2 trades; nothing traded', () => {
    const wins = computeMetrics([1, 2], [0, 0], [2, 2], 2, {}, [0, 1], 5);
    expect(wins.sortino_ratio).toBe(0);
    expect(wins.calmar_ratio).toBe(0);
    expect(wins.ulcer_index).toBe(0);
    expect(wins.max_drawdown_duration).toBe(0);
    expect(computeMetrics([-1], [0], [2], 1).sqn).toBe(0);
    expect(computeMetrics([1, 1, 1], [0, 0, 0], [2, 2, 2], 3).sqn).toBe(0);
    const none = computeMetrics([], [], [], 0, {}, [], 30);
    expect([none.sortino_ratio, none.calmar_ratio, none.ulcer_index, none.sqn, none.expectancy, none.max_drawdown_duration]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('the engine gives each trade its day among the days evaluated, over several ranges too', () => {
    const data = syntheticSlices('GER40', [['2025-01-01', '2025-04-30']]);
    const engine = new IbEngine(data);
    const grid = new IbGrid(data.symbol, 'standard');
    const ranges = [{ from: 3, to: 25 }, { from: 40, to: 70 }];
    const dayIndex = new Map(Array.from(data.dayDate, (d, i) => [d, i]));
    let checked = 0;
    for (const i of [0, 777, 5000, 20000]) {
      const p = grid.point(i) as unknown as IbParams;
      const { metrics, trades } = engine.run(p, { ranges, trades: true });
      // The ordinal by hand: range 1's day d is d − 3; range 2's is 22 + d − 40.
      const ordinals = trades!.map((t) => {
        const d = dayIndex.get(t.day)!;
        return d < 25 ? d - 3 : 22 + d - 40;
      });
      const expected = computeMetrics(trades!.map((t) => t.r), trades!.map((t) => t.profit), trades!.map((t) => SIGNAL_NAMES.indexOf(t.signal)), trades!.length, {}, ordinals, 52);
      expect(metrics).toEqual(expected);
      if (metrics.max_drawdown_duration > 0) checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('metric catalogue', () => {
  it('names every objective once, with its direction, stored key and walk-forward scaling', () => {
    expect([...OBJECTIVE_NAMES]).toEqual([...METRIC_NAMES]);
    expect(METRIC_NAMES).toEqual(expect.arrayContaining(['sharpe', 'total_r', 'winrate', 'profit_factor', 'score', 'sortino', 'calmar', 'ulcer_index', 'sqn', 'expectancy', 'max_drawdown', 'max_drawdown_duration', 'total_trades', 'return_pct', 'avg_trade_r']));
    expect(METRIC_NAMES.filter((n) => metricDirection(n) === 'minimize').sort()).toEqual(['max_drawdown', 'max_drawdown_duration', 'ulcer_index']);
    expect(OBJECTIVE_SCALING).toMatchObject({ sharpe: 'rate', total_r: 'additive', winrate: 'rate', profit_factor: 'rate', score: 'rate', max_drawdown: 'additive' });
    for (const name of METRIC_NAMES) expect(OBJECTIVE_SCALING[name]).toBe(METRIC_CATALOGUE[name].scaling);
  });

  it('reads each metric from its stored key, and score from the per-trial composite', () => {
    const m = computeMetrics([1, -2, 0.5, 2, -1], [1, 2, 3, 4, 5], [2, 2, 2, 2, 2], 5, {}, [0, 2, 3, 6, 8], 10);
    expect(metricValue('sharpe', m, 10)).toBe(m.sharpe_ratio);
    expect(metricValue('sortino', m, 10)).toBe(m.sortino_ratio);
    expect(metricValue('calmar', m, 10)).toBe(m.calmar_ratio);
    expect(metricValue('max_drawdown_duration', m, 10)).toBe(6);
    expect(metricValue('score', m, 10)).toBe(perTrialScore(m, 10));
    for (const name of METRIC_NAMES) expect(objectiveValue(name, m, 10)).toBe(metricValue(name, m, 10));
  });

  it('gives the study its direction: a minimised metric minimises, an expression maximises', () => {
    expect(objectiveOf({}).direction).toBe('maximize');
    expect(objectiveOf({ objective: 'max_drawdown' }).direction).toBe('minimize');
    expect(objectiveOf({ objective: 'ulcer_index' }).direction).toBe('minimize');
    expect(objectiveOf({ objectiveExpr: 'max_drawdown' }).direction).toBe('maximize');
    expect(() => objectiveOf({ objective: 'sharpe_ratio' as never })).toThrow(/--objective "sharpe_ratio" is not an IB metric: use one of sharpe, total_r/);
    expect(() => objectiveOf({ objective: 'sharpe', objectiveExpr: 'sharpe' })).toThrow(/not both/);
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
