/**
 * Backtest metrics (IB_RULES.md §5; fast_backtest.py `_calculate_metrics`), rounded as the
 * Python optimizer reports them (4 dp; 2 dp for winrate, total_profit and max_drawdown), plus
 * what traders expect besides: trades per signal type, longest streaks, return % at a balance,
 * and the risk-adjusted figures of docs/metrics.md (Sortino, Calmar, Ulcer index, SQN,
 * expectancy, drawdown duration). Every formula is in docs/metrics.md.
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
  /**
   * Per-trade mean R / downside deviation × √252, the annualisation sharpe_ratio uses (Sortino
   * and Price 1994, target 0 R): downside deviation = √(Σ min(R, 0)² / n) over all n trades.
   * 0 below 2 trades or with no losing trade (the profit_factor convention).
   */
  sortino_ratio: number;
  /**
   * Calmar (MAR) ratio in R: the annualised total R (total_r × 252 / trading days) over
   * max_drawdown. 0 when there is no drawdown.
   */
  calmar_ratio: number;
  /**
   * Ulcer index (Martin and McCann 1989), in %: √(Σ_d D_d² / T) over the T trading days, where
   * D_d = 100 × (peak − balance) / peak of the compounded balance (return_pct's) at the end of day
   * d, the peak running from the initial balance.
   */
  ulcer_index: number;
  /** Van Tharp's system quality number: √n × mean R / sample std of R; 0 below 2 trades or with zero std. */
  sqn: number;
  /**
   * Mean R per trade as win rate × average win − loss rate × average loss, the rates over all
   * trades (zero-R trades count in n): equal to avg_trade_r by construction.
   */
  expectancy: number;
  /**
   * Longest stretch in trading days from a peak of cumulative R (max_drawdown's peaks) to the day
   * it is regained, or to the last trading day when it is not.
   */
  max_drawdown_duration: number;
}

export interface MetricsOptions {
  initialBalance?: number;
  riskPct?: number;
}

export const DEFAULT_INITIAL_BALANCE = 100_000;
export const DEFAULT_RISK_PCT = 1;

/** Trading days per year, the annualisation of sharpe_ratio, sortino_ratio and calmar_ratio. */
export const TRADING_DAYS_PER_YEAR = 252;

/** Cumulative R within this of its peak has regained it (sums of fractional R are inexact). */
const REGAINED_TOLERANCE = 1e-9;

function round(x: number, dp: number): number {
  const f = 10 ** dp;
  const y = Math.round(Math.abs(x) * f) / f;
  return x < 0 ? -y : y;
}

/**
 * Metrics of `n` trades in order. `kinds` uses the engine's codes (1 Reverse, 2 OCAE, 3 TCWE,
 * 4 REV_RB). Arrays may be longer than `n` (scratch buffers).
 *
 * The day-based metrics (calmar_ratio, ulcer_index, max_drawdown_duration) need the calendar:
 * `tradeDay[i]` is trade i's day as an ordinal among the `tradingDays` days evaluated (0-based,
 * ascending; a fold's parts count as one run of days). Without them each trade is its own day.
 */
export function computeMetrics(
  r: ArrayLike<number>,
  profit: ArrayLike<number>,
  kinds: ArrayLike<number>,
  n: number,
  options: MetricsOptions = {},
  tradeDay?: ArrayLike<number>,
  tradingDays: number = n,
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
  let downsideSquares = 0;
  // Ulcer index: the balance's peak, and the drawdown % that holds from `ddDay` until the next trade.
  let balancePeak = initialBalance;
  let ddPct = 0;
  let ddDay = 0;
  let ddSquareDays = 0;
  // Drawdown duration: the day of the running peak of cumulative R, and whether R is below it.
  let peakDay = 0;
  let underwater = false;
  let longestUnderwater = 0;
  const byKind = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x = r[i];
    const day = tradeDay === undefined ? i : tradeDay[i];
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
      downsideSquares += x * x;
      curLosses++;
      curWins = 0;
      if (curLosses > maxLosses) maxLosses = curLosses;
    } else {
      curWins = 0;
      curLosses = 0;
    }
    if (total >= peak - REGAINED_TOLERANCE) {
      if (underwater && day - peakDay > longestUnderwater) longestUnderwater = day - peakDay;
      underwater = false;
      peakDay = day;
    } else {
      underwater = true;
    }
    if (total > peak) peak = total;
    if (peak - total > maxDd) maxDd = peak - total;
    balance *= 1 + x * riskFraction;
    // The previous end-of-day drawdown held on every day up to this trade's (end-of-day balances).
    if (ddPct > 0) ddSquareDays += ddPct * ddPct * (day - ddDay);
    if (balance >= balancePeak) {
      balancePeak = balance;
      ddPct = 0;
    } else {
      ddPct = (100 * (balancePeak - balance)) / balancePeak;
    }
    ddDay = day;
  }
  if (underwater && tradingDays - 1 - peakDay > longestUnderwater) longestUnderwater = tradingDays - 1 - peakDay;
  ddSquareDays += ddPct * ddPct * (tradingDays - ddDay);
  let sharpe = 0;
  let sortino = 0;
  let sqn = 0;
  if (n >= 2) {
    const mean = total / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (r[i] - mean) * (r[i] - mean);
    const std = Math.sqrt(ss / (n - 1));
    if (std > 0) {
      sharpe = (mean / std) * Math.sqrt(TRADING_DAYS_PER_YEAR);
      sqn = (Math.sqrt(n) * mean) / std;
    }
    const downsideDeviation = Math.sqrt(downsideSquares / n);
    if (downsideDeviation > 0) sortino = (mean / downsideDeviation) * Math.sqrt(TRADING_DAYS_PER_YEAR);
  }
  const annualR = tradingDays > 0 ? (total * TRADING_DAYS_PER_YEAR) / tradingDays : 0;
  const expectancy = n > 0 ? (wins / n) * (wins > 0 ? grossWin / wins : 0) - (losses / n) * (losses > 0 ? -grossLoss / losses : 0) : 0;
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
    sortino_ratio: round(sortino, 4),
    calmar_ratio: round(maxDd > 0 ? annualR / maxDd : 0, 4),
    ulcer_index: round(tradingDays > 0 ? Math.sqrt(ddSquareDays / tradingDays) : 0, 4),
    sqn: round(sqn, 4),
    expectancy: round(expectancy, 4),
    max_drawdown_duration: longestUnderwater,
  };
}
