/**
 * The report's per-symbol breakdown of a basket study (studies/ib/basket.ts): the best trial's
 * metrics on each symbol beside the basket's aggregate, and each symbol's objective metric over
 * the trials, so that a trader sees which market carries the basket and which one holds it back.
 */
import type { FrozenTrial } from '../../frozen-trial.js';
import { BREAKDOWN_METRICS, basketMetricsOf } from '../../../studies/ib/basket.js';
import type { IbBasketSettings } from '../../../studies/ib/basket-settings.js';
import { metricKey } from '../../../studies/ib/metric-catalogue.js';
import { formatNumber } from '../cli/commands/storage-options.js';
import type { Chart, Section } from './page.js';
import { htmlTable } from './page.js';

const WIDTH = 640;

/** The breakdown sections; none when the best trial holds no per-symbol metrics. */
export function basketSections(settings: IbBasketSettings, best: FrozenTrial | null, complete: readonly FrozenTrial[]): Section[] {
  const members = best ? basketMetricsOf(best.userAttrs) : [];
  if (!best || members.length === 0) return [];
  const cell = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : '—');
  const rows = BREAKDOWN_METRICS.map((key) => [key, ...members.map((m) => cell(m.metrics[key])), cell(best.userAttrs[key])]);
  return [
    {
      title: 'Per-symbol breakdown',
      intro:
        `Trial #${best.number} on each symbol of the basket (${settings.symbols.join(', ')}). Its value is the ${settings.aggregate} of the symbols' ${settings.objectives ?? settings.objectiveExpr ?? settings.objective}${settings.objectives ? ' (each objective on its own)' : ''}; ` +
        `the basket column aggregates each metric the same way (worst by the metric's own direction).`,
      charts: [perSymbolChart(settings, complete)].filter((c): c is Chart => c !== null),
      html: htmlTable(['metric', ...members.map((m) => m.symbol), `basket (${settings.aggregate})`], rows, { className: (_r, c) => (c === 0 ? 'text' : undefined) }),
    },
  ];
}

/** Each symbol's objective metric in every complete trial, trial by trial. */
function perSymbolChart(settings: IbBasketSettings, complete: readonly FrozenTrial[]): Chart | null {
  // The objective's metric; an expression or several objectives: the Sharpe ratio, the metric traders compare first.
  const metric = settings.objective ?? 'sharpe';
  const key = metricKey(metric) ?? 'sharpe_ratio';
  const values: { trial: number; symbol: string; value: number }[] = [];
  for (const t of complete) {
    for (const m of basketMetricsOf(t.userAttrs)) {
      const v = m.metrics[key];
      if (typeof v === 'number' && Number.isFinite(v)) values.push({ trial: t.number, symbol: m.symbol, value: v });
    }
  }
  if (values.length === 0) return null;
  return {
    title: `${key} per symbol`,
    note: 'Each dot is one trial on one symbol; a basket trial scores well only where every symbol does (with --aggregate worst).',
    spec: {
      width: WIDTH,
      height: 240,
      data: { values },
      mark: { type: 'point', filled: true, opacity: 0.6, size: 18 },
      encoding: {
        x: { field: 'trial', type: 'quantitative', title: 'trial' },
        y: { field: 'value', type: 'quantitative', title: key },
        color: { field: 'symbol', type: 'nominal' },
        tooltip: [{ field: 'trial' }, { field: 'symbol' }, { field: 'value', format: '.4f' }],
      },
    },
  };
}
