/**
 * The one catalogue of the IB metrics a study can optimise (docs/metrics.md): for each name
 * usable as `--objective` (or in `--objective-expr`), the user attribute that stores it on every
 * trial, the direction that makes it better, and how it grows with the length of the period it is
 * measured on (walk-forward efficiency, src/validation/walk-forward-efficiency.ts).
 *
 * OBJECTIVE_NAMES, objectiveValue, OBJECTIVE_SCALING and the study's direction (objective.ts)
 * all read this table; so will several objectives at once. Look a metric up here by name.
 */
import { UsageError } from '../../src/errors.js';
import type { StudyDirection } from '../../src/frozen-trial.js';
import type { MetricScaling } from '../../src/validation/walk-forward-efficiency.js';
import type { IbMetrics } from './metrics.js';
import { RANKING_WEIGHTS } from './ranking.js';

export interface MetricEntry {
  /** The IbMetrics field, stored on each trial as a user attribute under this key; null: derived (score). */
  readonly key: keyof IbMetrics | null;
  readonly direction: StudyDirection;
  readonly scaling: MetricScaling;
  /** One line for help texts and error messages. */
  readonly summary: string;
}

/**
 * A per-trial composite for samplers that need one scalar. The seed's score min–max normalises
 * over all finished runs, which no single trial can know; this applies the same weights to fixed
 * ranges instead — total R in ±(trading days / 4), Sharpe in ±5, win rate in 0–100, each clamped
 * to [0, 1]. Rank finished trials with ranking.ts `rankByScore` for the seed's exact score.
 */
export function perTrialScore(m: IbMetrics, tradingDays: number): number {
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  const rSpan = Math.max(1, tradingDays / 4);
  return (
    RANKING_WEIGHTS.total_r * clamp((m.total_r + rSpan) / (2 * rSpan)) +
    RANKING_WEIGHTS.sharpe_ratio * clamp((m.sharpe_ratio + 5) / 10) +
    RANKING_WEIGHTS.winrate * clamp(m.winrate / 100)
  );
}

const entry = (key: keyof IbMetrics | null, direction: StudyDirection, scaling: MetricScaling, summary: string): MetricEntry => ({ key, direction, scaling, summary });

/**
 * Scaling: 'additive' when the metric sums over the days (twice the days, about twice the value),
 * 'rate' otherwise. SQN grows with √n and drawdowns with the period too; neither is linear, and
 * the two kinds are what walk-forward efficiency knows (docs/metrics.md).
 */
export const METRIC_CATALOGUE = {
  sharpe: entry('sharpe_ratio', 'maximize', 'rate', 'per-trade mean R / std × √252'),
  total_r: entry('total_r', 'maximize', 'additive', 'sum of the trades\' R'),
  winrate: entry('winrate', 'maximize', 'rate', 'wins / (wins + losses) × 100'),
  profit_factor: entry('profit_factor', 'maximize', 'rate', 'gross win / gross loss'),
  score: entry(null, 'maximize', 'rate', "the seed's weighted score on fixed ranges"),
  sortino: entry('sortino_ratio', 'maximize', 'rate', 'per-trade mean R / downside deviation × √252'),
  calmar: entry('calmar_ratio', 'maximize', 'rate', 'annualised R / max drawdown'),
  ulcer_index: entry('ulcer_index', 'minimize', 'rate', 'RMS of the balance\'s daily % drawdowns'),
  sqn: entry('sqn', 'maximize', 'rate', '√n × mean R / std R (Van Tharp)'),
  expectancy: entry('expectancy', 'maximize', 'rate', 'mean R per trade from win and loss rates'),
  max_drawdown: entry('max_drawdown', 'minimize', 'additive', 'largest fall of cumulative R, in R'),
  max_drawdown_duration: entry('max_drawdown_duration', 'minimize', 'additive', 'longest peak-to-recovery stretch, trading days'),
  total_trades: entry('total_trades', 'maximize', 'additive', 'number of trades'),
  return_pct: entry('return_pct', 'maximize', 'additive', 'compounded return at the risk per trade, %'),
  avg_trade_r: entry('avg_trade_r', 'maximize', 'rate', 'mean R per trade'),
} as const satisfies Record<string, MetricEntry>;

export type MetricName = keyof typeof METRIC_CATALOGUE;

export const METRIC_NAMES = Object.keys(METRIC_CATALOGUE) as readonly MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(METRIC_CATALOGUE, name);
}

/** The catalogue's entry for `name`; a UsageError naming `flag` and every metric when there is none. */
export function metricEntry(name: string, flag = '--objective'): MetricEntry {
  if (!isMetricName(name)) throw new UsageError(`${flag} ${JSON.stringify(name)} is not an IB metric: use one of ${METRIC_NAMES.join(', ')}`);
  return METRIC_CATALOGUE[name];
}

/** Whether a larger value of `name` is better ('maximize') or a smaller one ('minimize'). */
export function metricDirection(name: MetricName): StudyDirection {
  return METRIC_CATALOGUE[name].direction;
}

/** The user attribute under which each trial stores `name` (null for the derived `score`). */
export function metricKey(name: MetricName): keyof IbMetrics | null {
  return METRIC_CATALOGUE[name].key;
}

/** How `name` grows with the length of its period (walk-forward efficiency). */
export function metricScaling(name: MetricName): MetricScaling {
  return METRIC_CATALOGUE[name].scaling;
}

/** The value of `name` in a backtest's metrics over `tradingDays` days. */
export function metricValue(name: MetricName, metrics: IbMetrics, tradingDays: number): number {
  const key = METRIC_CATALOGUE[name].key;
  return key === null ? perTrialScore(metrics, tradingDays) : metrics[key];
}
