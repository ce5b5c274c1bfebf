/**
 * A custom IB objective from the metric catalogue's names, e.g. `sharpe - 0.5 * max_drawdown`
 * (`--objective-expr`, IbStudyOptions.objectiveExpr): src/expression.ts parses and checks it, and
 * each name reads the catalogue's value of that metric (metricValue). An expression is maximised
 * unless the study is told otherwise (`--direction minimize`); docs/metrics.md.
 */
import { type CompiledExpression, compileExpression } from '../../src/expression.js';
import type { StudyDirection } from '../../src/frozen-trial.js';
import { METRIC_NAMES, type MetricName, metricValue } from './metric-catalogue.js';
import type { IbMetrics } from './metrics.js';

/** The direction of an expression objective when none is given. */
export const EXPRESSION_DIRECTION: StudyDirection = 'maximize';

export interface IbObjectiveExpression {
  readonly text: string;
  /** The metrics it reads. */
  readonly metrics: readonly MetricName[];
  /** Its value on a backtest's metrics over `tradingDays` days (NaN or ±Infinity where the arithmetic gives them). */
  value(metrics: IbMetrics, tradingDays: number): number;
}

/** Compiles `text`; a UsageError names a syntax error and its position, or an unknown metric and the known ones. */
export function compileObjectiveExpression(text: string): IbObjectiveExpression {
  const compiled: CompiledExpression = compileExpression(text, METRIC_NAMES, { source: '--objective-expr', nameKind: 'metric' });
  const metrics = compiled.names as readonly MetricName[];
  return {
    text,
    metrics,
    value(m, tradingDays) {
      const values: Record<string, number> = {};
      for (const name of metrics) values[name] = metricValue(name, m, tradingDays);
      return compiled.evaluate(values);
    },
  };
}
