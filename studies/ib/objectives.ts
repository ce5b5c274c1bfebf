/**
 * Several objectives at once (`--objectives sharpe,max_drawdown`): each a metric of the catalogue
 * (metric-catalogue.ts), its direction the metric's own (Sharpe up, drawdown down) unless
 * overridden as `name:maximize` or `name:minimize`. The study then has one value per objective
 * and its best is the Pareto front (`studyopt best`, `--pick`).
 */
import { UsageError } from '../../src/errors.js';
import type { StudyDirection } from '../../src/frozen-trial.js';
import { METRIC_NAMES, type MetricName, isMetricName, metricEntry, metricValue } from './metric-catalogue.js';
import type { IbMetrics } from './metrics.js';
import type { MetricScaling } from '../../src/validation/walk-forward-efficiency.js';

/** One objective of several: a metric and the direction it is optimised in. */
export interface IbObjective {
  readonly name: MetricName;
  readonly direction: StudyDirection;
  readonly scaling: MetricScaling;
  value(metrics: IbMetrics, tradingDays: number): number;
}

const DIRECTIONS: readonly StudyDirection[] = ['maximize', 'minimize'];

/** The objectives `--objectives` lists (two or more, each once); UsageErrors name the bad entry and the fix. */
export function parseObjectives(text: string): IbObjective[] {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length < 2) {
    throw new UsageError(`--objectives lists two or more metrics separated by commas, e.g. sharpe,max_drawdown, but got '${text}' (for one metric use --objective)`);
  }
  const out = entries.map((entry): IbObjective => {
    const [name, override, extra] = entry.split(':').map((s) => s.trim());
    if (extra !== undefined || !isMetricName(name)) {
      throw new UsageError(`--objectives: '${entry}' is not an IB metric (optionally with :maximize or :minimize); the metrics are ${METRIC_NAMES.join(', ')}`);
    }
    if (override !== undefined && !(DIRECTIONS as readonly string[]).includes(override)) {
      throw new UsageError(`--objectives: '${entry}': the direction after ':' must be maximize or minimize`);
    }
    const m = metricEntry(name, '--objectives');
    return { name, direction: (override as StudyDirection | undefined) ?? m.direction, scaling: m.scaling, value: (metrics, days) => metricValue(name, metrics, days) };
  });
  const twice = out.find((o, i) => out.findIndex((p) => p.name === o.name) !== i);
  if (twice) throw new UsageError(`--objectives lists ${twice.name} twice: ${text}`);
  return out;
}
