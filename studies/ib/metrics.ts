/**
 * Backtest metrics (IB_RULES.md §5; fast_backtest.py `_calculate_metrics`), rounded as the
 * Python optimizer reports them (4 dp; 2 dp for winrate, total_profit and max_drawdown), plus
 * what traders expect besides: trades per signal type, longest streaks, return % at a balance.
 */

export interface IbMetrics {
  total_r: number;
  total_profit: number;
  total_trades: number;
  winning_trades: number;
  losing_trades: number;
  /** wins / (wins + losses) × 100; zero-R trades count as neither. */
  winrate: number;
  /** Per-trade mean / sample std × √252; 0 below 2 trades or with zero std. */
  sharpe_ratio: number;
  /** Σ wins / |Σ losses|; 0 when there are no losses (the Python convention). */
  profit_factor: number;
  /** Largest fall of cumulative R from a running peak; the first peak is the first trade's value. */
  max_drawdown: number;
  avg_trade_r: number;
  max_consec_wins: number;
  max_consec_losses: number;
  trades_reverse: number;
  trades_ocae: number;
  trades_tcwe: number;
  trades_rev_rb: number;
  /** Compounded return with each trade risking `riskPct` % of the current balance. */
  return_pct: number;
  final_balance: number;
}

export interface MetricsOptions {
  initialBalance?: number;
  riskPct?: number;
}

export const DEFAULT_INITIAL_BALANCE = 100_000;
export const DEFAULT_RISK_PCT = 1;

function round(x: number, dp: number): number {
  const f = 10 ** dp;
  const y = Math.round(Math.abs(x) * f) / f;
  return x < 0 ? -y : y;
}

/**
 * Metrics of `n` trades in order. `kinds` uses the engine's codes (1 Reverse, 2 OCAE, 3 TCWE,
 * 4 REV_RB). Arrays may be longer than `n` (scratch buffers).
 */
export function computeMetrics(
  r: ArrayLike<number>,
  profit: ArrayLike<number>,
  kinds: ArrayLike<number>,
  n: number,
  options: MetricsOptions = {},
): IbMetrics {
  const initialBalance = options.initialBalance ?? DEFAULT_INITIAL_BALANCE;
  const riskFraction = (options.riskPct ?? DEFAULT_RISK_PCT) / 100;
  let total = 0;
  let totalProfit = 0;
  let wins = 0;
  let losses = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let peak = -Infinity;
  let maxDd = 0;
  let curWins = 0;
  let curLosses = 0;
  let maxWins = 0;
  let maxLosses = 0;
  let balance = initialBalance;
  const byKind = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x = r[i];
    total += x;
    totalProfit += profit[i];
    byKind[kinds[i]]++;
    if (x > 0) {
      wins++;
      grossWin += x;
      curWins++;
      curLosses = 0;
      if (curWins > maxWins) maxWins = curWins;
    } else if (x < 0) {
      losses++;
      grossLoss += x;
      curLosses++;
      curWins = 0;
      if (curLosses > maxLosses) maxLosses = curLosses;
    } else {
      curWins = 0;
      curLosses = 0;
    }
    if (total > peak) peak = total;
    if (peak - total > maxDd) maxDd = peak - total;
    balance *= 1 + x * riskFraction;
  }
  let sharpe = 0;
  if (n >= 2) {
    const mean = total / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (r[i] - mean) * (r[i] - mean);
    const std = Math.sqrt(ss / (n - 1));
    if (std > 0) sharpe = (mean / std) * Math.sqrt(252);
  }
  const counted = wins + losses;
  return {
    total_r: round(total, 4),
    total_profit: round(totalProfit, 2),
    total_trades: n,
    winning_trades: wins,
    losing_trades: losses,
    winrate: round(counted > 0 ? (wins / counted) * 100 : 0, 2),
    sharpe_ratio: round(sharpe, 4),
    profit_factor: round(grossLoss < 0 ? grossWin / -grossLoss : 0, 4),
    max_drawdown: round(maxDd, 2),
    avg_trade_r: round(n > 0 ? total / n : 0, 4),
    max_consec_wins: maxWins,
    max_consec_losses: maxLosses,
    trades_reverse: byKind[1],
    trades_ocae: byKind[2],
    trades_tcwe: byKind[3],
    trades_rev_rb: byKind[4],
    return_pct: round((balance / initialBalance - 1) * 100, 4),
    final_balance: round(balance, 2),
  };
}
