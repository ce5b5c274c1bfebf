/**
 * The report's validation section: whether a result is likely to hold out of sample.
 *
 * - A walk-forward run (its parent study, studies/ib/walk-forward.ts): in-sample against
 *   out-of-sample value per window, the stitched out-of-sample equity curve, and the windows'
 *   parameters and efficiency.
 * - An IB study: the deflated and probabilistic Sharpe ratios and the probability of backtest
 *   overfitting (studies/ib/overfitting.ts), each with one plain sentence, and the CSCV's
 *   in-sample against out-of-sample scatter of the picked trial.
 *
 * docs/validation.md explains each figure with its source.
 */
import type { IbOverfitting } from '../../../studies/ib/overfitting.js';
import type { WalkForwardResult } from '../../../studies/ib/walk-forward.js';
import { formatNumber } from '../cli/commands/storage-options.js';
import { escapeHtml } from './escape.js';
import { type Chart, type Section, htmlTable } from './page.js';

const WIDTH = 560;

const percent = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const probability = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** The walk-forward's charts and table. */
export function walkForwardSections(r: WalkForwardResult): Section[] {
  const scatter: Chart = {
    title: 'In-sample against out-of-sample',
    note: `Each dot is a window: its best trial's ${r.objective} on the days it was searched on (x) and on the days after (y). Dots on the diagonal held up; below it, the search fit noise.`,
    spec: {
      width: 420,
      height: 320,
      layer: [
        {
          data: { values: r.windows.map((w) => ({ window: w.index + 1, inSample: w.inSampleValue, outOfSample: w.outOfSampleValue })) },
          mark: { type: 'circle', size: 70, opacity: 0.8 },
          encoding: {
            x: { field: 'inSample', type: 'quantitative', title: `in-sample ${r.objective}`, scale: { zero: false } },
            y: { field: 'outOfSample', type: 'quantitative', title: `out-of-sample ${r.objective}` },
            tooltip: [{ field: 'window' }, { field: 'inSample', format: '.4~g' }, { field: 'outOfSample', format: '.4~g' }],
          },
        },
        {
          data: { values: diagonal(r) },
          mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
      ],
    },
  };
  const equity: Chart = {
    title: 'Stitched out-of-sample equity',
    note: 'Cumulative R of every window\'s out-of-sample trades in order: what re-optimising every window and trading its pick would have earned. Colours mark the windows.',
    spec: {
      width: WIDTH,
      height: 260,
      data: { values: r.equity.map((p, i) => ({ trade: i + 1, day: p.day, r: p.r, window: p.window + 1 })) },
      mark: { type: 'line', point: { size: 12 } },
      encoding: {
        x: { field: 'trade', type: 'quantitative', title: 'out-of-sample trade' },
        y: { field: 'r', type: 'quantitative', title: 'cumulative R' },
        color: { field: 'window', type: 'ordinal', title: 'window', legend: r.windows.length > 24 ? null : {} },
        detail: { field: 'window' },
        tooltip: [{ field: 'day' }, { field: 'window' }, { field: 'r', format: '.3f' }],
      },
    },
  };
  const m = r.stitched.metrics;
  const intro =
    `Walk-forward ${r.walkForward}: ${r.windows.length} windows, each searched on its in-sample days and traded on the days after. ` +
    `Out of sample, ${r.stitched.from} to ${r.stitched.to} (${r.stitched.days} trading days): ${r.objective} ${formatNumber(r.stitched.value)}, ${m.total_trades} trades, total R ${formatNumber(m.total_r)}, max drawdown ${formatNumber(m.max_drawdown)} R. ` +
    `Walk-forward efficiency ${percent(r.efficiency)}: the share of the in-sample ${r.objective} that held out of sample (near 100%: it held; near 0 or below: mostly fit).` +
    (r.probabilisticSharpe === null || r.probabilisticSharpe === undefined
      ? ''
      : ` Probabilistic Sharpe ratio of the stitched out-of-sample trades ${probability(r.probabilisticSharpe)}: the probability that their true Sharpe ratio is above 0 (above 0.95: unlikely to be luck).`);
  const rows = r.windows.map((w) => [
    w.index + 1,
    `${w.inSample.from} – ${w.inSample.to}`,
    `${w.outOfSample.from} – ${w.outOfSample.to}`,
    formatNumber(w.inSampleValue),
    formatNumber(w.outOfSampleValue),
    percent(w.efficiency),
    w.outOfSampleTrades,
    Object.entries(w.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  ]);
  return [
    {
      title: 'Validation: walk-forward',
      intro,
      charts: [scatter, equity],
      html: `<h3>Windows: the parameters chosen and how they held</h3>${htmlTable(['window', 'in sample', 'out of sample', `IS ${r.objective}`, `OOS ${r.objective}`, 'efficiency', 'OOS trades', 'parameters chosen'], rows, {
        scroll: true,
        className: (_r, c) => (c === 1 || c === 2 ? 'text' : c === 7 ? 'wrap' : undefined),
      })}`,
    },
  ];
}

/** A y = x line across the scatter's range. */
function diagonal(r: WalkForwardResult): { x: number; y: number }[] {
  const xs = r.windows.flatMap((w) => [w.inSampleValue, w.outOfSampleValue]).filter(Number.isFinite);
  if (xs.length === 0) return [];
  return [
    { x: Math.min(...xs), y: Math.min(...xs) },
    { x: Math.max(...xs), y: Math.max(...xs) },
  ];
}

/** The PSR/DSR/PBO panel, and the CSCV's scatter. */
export function overfittingSections(o: IbOverfitting): Section[] {
  const rows: [string, string, string][] = [
    [
      'deflated Sharpe ratio',
      probability(o.deflated.dsr),
      `The probability that trial #${o.bestTrial}'s true Sharpe ratio beats the best that ${o.deflated.trials.toLocaleString('en-US')} tries of no skill would find by luck (${formatNumber(o.deflated.expectedMaxSharpe)} per trade); above 0.95 it is unlikely to be luck.`,
    ],
  ];
  if (o.effective) {
    rows.push([
      'deflated, correlated trials counted once',
      probability(o.effective.dsr),
      `The same with ${o.effective.trials.toFixed(1)} effectively independent trials, since the top ${o.effective.fromTrials} trials' daily returns correlate ${o.effective.averageCorrelation.toFixed(2)} on average.`,
    ]);
  }
  rows.push(['probabilistic Sharpe ratio', probability(o.psr), `The probability that its true Sharpe ratio is above 0 had it been the only try (${o.trades} trades, skewness ${formatNumber(o.skewness)}, kurtosis ${formatNumber(o.kurtosis)}).`]);
  if (o.pbo) {
    rows.push([
      'probability of backtest overfitting',
      probability(o.pbo.value),
      `How often the trial that looked best on half of the days ranked in the lower half on the other half, over ${o.pbo.combinations.toLocaleString('en-US')} splits of ${o.pbo.days} days into ${o.pbo.blocks} blocks (top ${o.pbo.trials} trials); near 0 is good, 0.5 is a coin flip.`,
    ]);
  }
  const charts: Chart[] = [];
  if (o.pbo) {
    charts.push({
      title: 'The CSCV splits',
      note: `Each dot is one of the ${o.pbo.combinations.toLocaleString('en-US')} CSCV splits: the Sharpe ratio per day of the trial picked on half of the days (x), and its Sharpe ratio on the other half (y). A downward slope means the better it looked, the worse it did.`,
      spec: {
        width: 420,
        height: 320,
        data: { values: o.pbo.pairs },
        mark: { type: 'circle', size: 12, opacity: 0.35 },
        encoding: {
          x: { field: 'inSample', type: 'quantitative', title: 'in-sample Sharpe ratio per day', scale: { zero: false } },
          y: { field: 'outOfSample', type: 'quantitative', title: 'out-of-sample Sharpe ratio per day', scale: { zero: false } },
        },
      },
    });
  }
  return [
    {
      title: 'Validation: is the best trial luck?',
      intro: 'From the study\'s own log: how many trials it ran, how their Sharpe ratios spread, and how its top trials did on days they were not picked on. docs/validation.md gives the formulas and their sources.',
      html: htmlTable(['statistic', 'value', 'what it means'], rows, { className: (_r, c) => (c === 0 ? 'text' : c === 2 ? 'wrap' : undefined) }) + o.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join(''),
    },
    ...(charts.length ? [{ title: 'Validation: picked in sample, tested out of sample', charts }] : []),
  ];
}
