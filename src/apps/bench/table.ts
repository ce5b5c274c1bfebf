/**
 * The bench table, as aligned text for the terminal and as Markdown for the docs.
 */
import { formatValue } from '../../progress.js';
import type { SummaryRow } from './summary.js';

export const TABLE_COLUMNS = [
  'sampler',
  'budget',
  'median best [min, max]',
  '% of optimum',
  'percentile',
  'trials to top 1%',
  'wall s',
  'sampler ms/trial',
  'evals/s',
  '× fewer evals than grid',
] as const;

function num(v: number | null, digits: number): string {
  return v === null ? '—' : v.toFixed(digits);
}

export function tableCells(r: SummaryRow): string[] {
  const best = r.medianBest === null ? 'none feasible' : `${formatValue(r.medianBest)} [${formatValue(r.minBest!)}, ${formatValue(r.maxBest!)}]`;
  const reach = r.trialsToTop1 === null ? `>${r.budget} (${r.reachedTop1}/${r.seeds})` : `${Math.round(r.trialsToTop1)} (${r.reachedTop1}/${r.seeds})`;
  return [
    r.sampler,
    String(r.budget),
    best,
    r.percentOfOptimum === null ? '—' : `${r.percentOfOptimum.toFixed(1)}%`,
    r.percentile.toFixed(2),
    reach,
    r.wallSeconds.toFixed(2),
    r.samplerMsPerTrial < 10 ? r.samplerMsPerTrial.toFixed(3) : r.samplerMsPerTrial.toFixed(1),
    r.evalsPerSecond >= 100 ? r.evalsPerSecond.toFixed(0) : r.evalsPerSecond.toFixed(1),
    r.timesFewerThanGrid === null ? '—' : `${num(r.timesFewerThanGrid, r.timesFewerThanGrid >= 100 ? 0 : 1)}×`,
  ];
}

export function formatTable(rows: readonly SummaryRow[]): string {
  const cells = rows.map(tableCells);
  const widths = TABLE_COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = (i: number) => i > 0;
  const line = (vals: readonly string[]) => vals.map((v, i) => (numeric(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  const out = [line(TABLE_COLUMNS), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (let k = 0; k < rows.length; k++) {
    if (last && rows[k].sampler !== last) out.push('');
    last = rows[k].sampler;
    out.push(line(cells[k]));
  }
  return `${out.join('\n')}\n`;
}

export function formatMarkdownTable(rows: readonly SummaryRow[]): string {
  const out = [`| ${TABLE_COLUMNS.join(' | ')} |`, `| ${TABLE_COLUMNS.map((_, i) => (i > 1 ? '---:' : '---')).join(' | ')} |`];
  for (const r of rows) out.push(`| ${tableCells(r).join(' | ')} |`);
  return `${out.join('\n')}\n`;
}
